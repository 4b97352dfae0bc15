//! In-process tests of the API: a real core over a store in a temporary
//! directory, a detached network handle, and `oneshot` calls on the router.
//! Member A ("Kreis Bergstraße") is this node; member B ("Stadt Darmstadt")
//! writes with its own replica and its envelopes are fed to A's core, as if
//! they had arrived from the network.

mod abuse;
mod admin;
mod admin_page;
mod agreement_page;
mod agreement_proposals;
mod auth;
mod bundle_upload;
mod clean_image;
mod client;
mod contact_sheet;
mod decline;
mod device_revocation;
mod exercises;
mod exports;
mod flow;
mod hardening;
mod incident_pages;
mod incidents;
mod limits;
mod lock_discipline;
mod mission_print;
mod notifications;
mod offer_edits;
mod openapi;
mod own_contacts;
mod pact;
mod pact_page;
mod pages;
mod posture;
mod posture_page;
mod reads;
mod reimbursement;
mod request_refusals;
mod response_schemas;
mod schema_bodies;
mod sealed_lines;
mod sessions_kept;
mod shared_posture;
mod tokens;
mod writes;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{MemberId, RecordId, Sha256Hash};
use amtshilfe_protocol::membership::MembershipLog;
use amtshilfe_protocol::model::RecordKey;
use amtshilfe_protocol::replica::{LocalDevice, Replica};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tower::ServiceExt;

use super::{ApiState, router};
use crate::accounts::{Role, new_token, password, token_hash};
use crate::clock;
use crate::core::{Core, SharedCore};
use crate::net::{Announcement, NetCommand, NetHandle};
use crate::setup::create_pact_store;
use crate::store::load_replica;
use crate::store::{AccountRecord, TokenRecord};

/// 2026-01-01T00:00:00Z, for the records' own time fields.
const T0_MS: i64 = 1_767_225_600_000;
const DAY_MS: i64 = 86_400_000;

/// Member B, writing its own documents with its member key.
struct OtherMember {
    replica: Replica,
    device: LocalDevice,
}

/// Node A with its API, and member B.
struct TestNode {
    app: Router,
    core: SharedCore,
    /// The accounts' in-memory part, shared with the router's state.
    accounts: std::sync::Arc<crate::accounts::Accounts>,
    announced: mpsc::Receiver<NetCommand>,
    other: OtherMember,
    /// The admin's API token, sent by `call` and `raw`.
    token: String,
    _stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// The password of every account made by `add_account`.
const PASSWORD: &str = "korrekt-pferd-batterie";

impl TestNode {
    fn new() -> Self {
        let key_a = KeyPair::from_seed([1; 32]);
        let key_b = KeyPair::from_seed([2; 32]);
        let device_a = KeyPair::from_seed([3; 32]);
        let charter = MembershipLog::charter(
            "Pakt für Cyberresilienz",
            &[(&key_a, "Kreis Bergstraße"), (&key_b, "Stadt Darmstadt")],
            T0_MS,
        );
        let dir = tempfile::tempdir().unwrap();
        let now_ms = clock::now_ms();
        let store =
            create_pact_store(dir.path(), &charter, &[], &key_a, &device_a, now_ms).unwrap();
        let replica = load_replica(&store).unwrap();
        let device = LocalDevice {
            member: MemberId::from_key(key_a.public()),
            key: device_a,
            incarnation: store.meta().incarnation,
        };
        let core = SharedCore::new(Core::new(replica, store, device));
        let (net, announced) = NetHandle::detached();
        let (stop_tx, stop) = watch::channel(false);
        let state = ApiState::new(core.clone(), net, stop);
        let accounts = state.accounts.clone();
        let app = router(state);
        let mut other = OtherMember {
            replica: Replica::new(charter).unwrap(),
            device: LocalDevice {
                member: MemberId::from_key(key_b.public()),
                key: key_b,
                incarnation: [7; 16],
            },
        };
        // B declares the incarnation it writes under, and A learns of it
        // as it would from the log's sync, so that B's changes count.
        let declared = other
            .replica
            .declare_incarnation(&other.device, T0_MS)
            .unwrap()
            .unwrap();
        core.lock().receive_entry(declared, "member-b").unwrap();
        let mut node = Self {
            app,
            core,
            accounts,
            announced,
            other,
            token: String::new(),
            _stop: stop_tx,
            _dir: dir,
        };
        node.token = node.add_account("admin", Role::Admin, false);
        node
    }

    /// Makes an account with `role` and returns an API token for it; with
    /// `with_password` it can also log in with [`PASSWORD`].
    fn add_account(&self, name: &str, role: Role, with_password: bool) -> String {
        let password_hash = if with_password {
            password::hash(PASSWORD).unwrap()
        } else {
            "-".to_string()
        };
        let token = new_token().unwrap();
        let core = self.core.lock();
        let store = core.store();
        store
            .put_account(
                name,
                &AccountRecord {
                    role: role.id().to_string(),
                    password_hash,
                    created_at_ms: 0,
                    disabled: false,
                },
            )
            .unwrap();
        store
            .put_token(
                token_hash(&token),
                &TokenRecord {
                    account: name.to_string(),
                    label: "test".into(),
                    created_at_ms: 0,
                    role: None,
                    expires_at_ms: None,
                },
            )
            .unwrap();
        token
    }

    fn me(&self) -> MemberId {
        self.core.lock().device().member
    }

    fn other_id(&self) -> MemberId {
        self.other.device.member
    }

    /// Writes A's profile with its contacts confirmed at `confirmed_ms`,
    /// as its node would (so that no contacts reminder is due, or one is).
    fn own_profile_confirmed_at(&self, confirmed_ms: i64) {
        let mut core = self.core.lock();
        let profile = json!({
            "name": "Kreis Bergstraße", "ags": "06431", "kind": "landkreis",
            "primary_contact": { "role": "IT-Rufbereitschaft", "phone": "+49 6252 150", "email": "ruf@kreis.example" },
            "deputy_contact": { "role": "IT-Leitung", "phone": "+49 6252 151", "email": "it@kreis.example" },
            "updated_at_ms": clock::now_ms(), "contacts_confirmed_ms": confirmed_ms
        });
        let ops = [RecordOp::Put {
            key: RecordKey::profile().to_string(),
            json: profile.to_string(),
        }];
        core.write(
            amtshilfe_protocol::ids::Collection::Profile,
            &ops,
            clock::now_ms(),
        )
        .unwrap();
    }

    fn digest(&self) -> Sha256Hash {
        self.core.lock().replica().digest()
    }

    /// Member B writes `record` under `key` and node A receives it.
    fn other_writes(&mut self, key: RecordKey, record: Value) -> Envelope {
        let envelope = self.other_envelope(key, record);
        let report = self
            .core
            .lock()
            .receive_envelopes(vec![envelope.clone()], "member-b");
        assert_eq!(report.accepted.len(), 1, "{:?}", report.rejected);
        envelope
    }

    /// Member B writes `record` under `key`; node A does not see it yet.
    fn other_envelope(&mut self, key: RecordKey, record: Value) -> Envelope {
        let ops = [RecordOp::Put {
            key: key.to_string(),
            json: record.to_string(),
        }];
        let collection = key.tag.collection();
        let other = &mut self.other;
        other
            .replica
            .write(&other.device, collection, &ops, clock::now_ms())
            .unwrap()
    }

    async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let body = body.map(|value| value.to_string());
        let (status, _, bytes) = self.raw(method, uri, body, "application/json").await;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, value)
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call(Method::GET, uri, None).await
    }

    async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, uri, Some(body)).await
    }

    async fn raw(
        &self,
        method: Method,
        uri: &str,
        body: Option<String>,
        content_type: &str,
    ) -> (StatusCode, String, Vec<u8>) {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, content_type, bytes.to_vec())
    }

    /// A write that must succeed with `status`: checks the answer, that the
    /// envelope was announced, and returns the new id.
    async fn created(&mut self, uri: &str, body: Value, status: StatusCode) -> RecordId {
        self.created_with(Method::POST, uri, body, status).await
    }

    /// [`Self::created`] with another method (`PUT`).
    async fn created_with(
        &mut self,
        method: Method,
        uri: &str,
        body: Value,
        status: StatusCode,
    ) -> RecordId {
        let (got, answer) = self.call(method, uri, Some(body)).await;
        assert_eq!(got, status, "{answer}");
        let Some(NetCommand::Announce(Announcement::Envelope(envelope))) =
            self.announced.try_recv().ok()
        else {
            panic!("the write was not announced");
        };
        assert_eq!(answer["envelope"], envelope.content_hash().to_string());
        assert!(self.announced.try_recv().is_err(), "announced once");
        RecordId::new(answer["id"].as_str().unwrap()).unwrap()
    }

    /// A write that must be refused with `status` and `code`: checks that
    /// nothing was written or announced, and returns the error object.
    async fn refused(&mut self, uri: &str, body: Value, status: StatusCode, code: &str) -> Value {
        self.refused_raw(uri, Some(body.to_string()), status, code)
            .await
    }

    async fn refused_raw(
        &mut self,
        uri: &str,
        body: Option<String>,
        status: StatusCode,
        code: &str,
    ) -> Value {
        self.refused_with(Method::POST, uri, body, status, code)
            .await
    }

    /// [`Self::refused_raw`] with another method (`PUT`).
    async fn refused_with(
        &mut self,
        method: Method,
        uri: &str,
        body: Option<String>,
        status: StatusCode,
        code: &str,
    ) -> Value {
        let before = self.digest();
        let (got, content_type, bytes) = self.raw(method, uri, body, "application/json").await;
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(got, status, "{answer}");
        assert_eq!(content_type, "application/json");
        assert_eq!(answer["error"]["code"], code, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().len() > 10);
        assert_eq!(self.digest(), before, "nothing may be written on an error");
        assert!(
            self.announced.try_recv().is_err(),
            "nothing may be announced"
        );
        answer["error"].clone()
    }
}

fn contact() -> Value {
    json!({ "role": "IT-Rufbereitschaft", "phone": "+49 6252 15-0", "email": "it-notfall@example.de" })
}

fn laptops(quantity: u32) -> Value {
    json!({
        "title": "Notebooks, sauber",
        "status": "available",
        "valid_from_ms": T0_MS,
        "contact": contact(),
        "updated_at_ms": T0_MS,
        "detail": {
            "kind": "equipment", "category": "laptop", "quantity": quantity,
            "image_state": "clean_standalone", "own_communications": true,
            "location": "Lager Heppenheim", "setup_hours": 4, "transport": "Abholung",
            "wiped_on_return": true
        }
    })
}

fn forensics_person() -> Value {
    json!({
        "title": "Forensiker/in",
        "status": "available",
        "valid_from_ms": T0_MS,
        "valid_until_ms": T0_MS + 60 * DAY_MS,
        "contact": contact(),
        "updated_at_ms": T0_MS,
        "detail": {
            "kind": "person", "role": "forensics", "mode": "both",
            "skills": [{ "skill": "forensics_disk", "level": 3 }],
            "employment_basis": "abordnung"
        }
    })
}

fn laptop_request(quantity: u32) -> Value {
    json!({
        "title": "Ransomware: Clients neu aufsetzen",
        "priority": "critical",
        "start_ms": T0_MS + 2 * DAY_MS,
        "end_ms": T0_MS + 30 * DAY_MS,
        "needs": [{
            "id": "n1", "kind": "equipment", "equipment_category": "laptop",
            "mode": "onsite", "quantity": quantity
        }],
        "status": "open",
        "created_at_ms": T0_MS + 2 * DAY_MS
    })
}

fn pledge(requester: MemberId, request: &RecordId, need: &str, quantity: u32) -> Value {
    json!({
        "request": { "requester": requester, "request": request, "need": need },
        "quantity": quantity,
        "status": "offered",
        // Made just now: a pledge older than the acceptance window lapses.
        "created_at_ms": crate::clock::now_ms()
    })
}

fn id(text: &str) -> RecordId {
    RecordId::new(text).unwrap()
}
