//! Revoking a lost device through `POST /api/pact/devices/revoke`: signed
//! with the member key on the node, shown as revoked in `/api/pact`, the
//! stolen laptop's later writes refused; and every refusal (unknown
//! device, another member's, the node's own, twice, no key, no admin)
//! changing nothing.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::MemberId;
use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::keys::{MEMBER_KEY_FILE, write_key_file};

const REVOKE: &str = "/api/pact/devices/revoke";

fn laptop() -> KeyPair {
    KeyPair::from_seed([9; 32])
}

impl TestNode {
    /// Member A (this node's) delegates `device`, which consents.
    fn delegate_own(&self, device: &KeyPair) {
        let key = KeyPair::from_seed([1; 32]);
        let member = MemberId::from_key(key.public());
        let mut core = self.core.lock();
        let entry = core.replica().membership().delegate(
            &key,
            member,
            device,
            clock::now_ms() + 86_400_000,
            clock::now_ms(),
        );
        core.receive_entry(entry, "test").unwrap();
    }

    /// A replica holding this node's membership log as it is now,
    /// writing as `device` for member A: the stolen laptop, which learns
    /// of nothing after this.
    fn laptop_replica(&self, device: KeyPair) -> (Replica, LocalDevice) {
        let entries: Vec<_> = self
            .core
            .lock()
            .replica()
            .membership()
            .entries_in_order()
            .into_iter()
            .map(|(_, entry)| entry.clone())
            .collect();
        let mut replica = Replica::new(entries[0].clone()).unwrap();
        for entry in &entries[1..] {
            replica.receive_entry(entry.clone()).unwrap();
        }
        let laptop = LocalDevice {
            member: self.me(),
            key: device,
            incarnation: [5; 16],
        };
        // The laptop declares its incarnation, and the node learns of it as
        // from the log's sync.
        let declared = replica
            .declare_incarnation(&laptop, T0_MS)
            .unwrap()
            .unwrap();
        self.core.lock().receive_entry(declared, "laptop").unwrap();
        (replica, laptop)
    }
}

fn offer_by(laptop: &mut (Replica, LocalDevice), title: &str) -> Envelope {
    let ops = [RecordOp::Put {
        key: RecordKey::offer(id(title)).to_string(),
        json: laptops(2).to_string(),
    }];
    let (replica, device) = laptop;
    replica
        .write(
            device,
            amtshilfe_protocol::ids::Collection::Offers,
            &ops,
            clock::now_ms(),
        )
        .unwrap()
}

#[tokio::test]
async fn a_member_revokes_its_stolen_laptop_and_the_laptop_writes_no_more() {
    let mut node = TestNode::new();
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    node.delegate_own(&laptop());
    let mut stolen = node.laptop_replica(laptop());
    let before = offer_by(&mut stolen, "o-before");
    let report = node.core.lock().receive_envelopes(vec![before], "laptop");
    assert_eq!(report.accepted.len(), 1, "{:?}", report.rejected);

    let device = laptop().public().to_string();
    let (status, answer) = node.post(REVOKE, json!({ "device": device })).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["kind"], "revoke_device");
    assert!(matches!(
        node.announced.try_recv(),
        Ok(NetCommand::Announce(Announcement::Entry(_)))
    ));
    let pact = node.get("/api/pact").await.1;
    let me = node.me().to_string();
    let shown = pact["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == me.as_str())
        .unwrap()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == device.as_str())
        .unwrap()
        .clone();
    assert_eq!(shown["usable"], false);
    assert_eq!(shown["revoked_by"], answer["entry"]);

    let after = offer_by(&mut stolen, "o-after");
    let report = node.core.lock().receive_envelopes(vec![after], "laptop");
    assert!(
        report.accepted.is_empty(),
        "the stolen laptop's new write is refused"
    );
    assert_eq!(report.rejected.len(), 1);
    let offers = node.get("/api/registry").await.1.to_string();
    assert!(offers.contains("o-before"), "its earlier write stays");
    assert!(!offers.contains("o-after"));
}

#[tokio::test]
async fn revocations_that_must_not_happen_are_refused_and_change_nothing() {
    let mut node = TestNode::new();
    node.delegate_own(&laptop());
    let device = json!({ "device": laptop().public().to_string() });
    node.refused(
        REVOKE,
        device.clone(),
        StatusCode::CONFLICT,
        "member_key_absent",
    )
    .await;
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    let stranger = json!({ "device": KeyPair::from_seed([77; 32]).public().to_string() });
    node.refused(REVOKE, stranger, StatusCode::NOT_FOUND, "device_not_found")
        .await;
    // Member B's key as if it were a device of A's: not A's to revoke.
    let other = json!({ "device": KeyPair::from_seed([2; 32]).public().to_string() });
    node.refused(REVOKE, other, StatusCode::NOT_FOUND, "device_not_found")
        .await;
    let own = json!({ "device": node.core.lock().device().key.public().to_string() });
    node.refused(REVOKE, own, StatusCode::CONFLICT, "own_device")
        .await;
    node.refused(
        REVOKE,
        json!({ "device": "zz" }),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    node.refused(
        REVOKE,
        json!({ "device": laptop().public().to_string(), "heads": [] }),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;

    let reader = node.add_account("leser", crate::accounts::Role::Viewer, false);
    let denied = node
        .send(
            Request::post(REVOKE)
                .header(header::AUTHORIZATION, format!("Bearer {reader}"))
                .header(header::CONTENT_TYPE, "application/json"),
            Body::from(device.to_string()),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);

    let (status, answer) = node.post(REVOKE, device.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let _ = node.announced.try_recv();
    node.refused(
        REVOKE,
        device,
        StatusCode::CONFLICT,
        "device_revoked_already",
    )
    .await;
}

#[tokio::test]
async fn an_admin_reviews_and_revokes_a_device_on_the_pakt_page() {
    let node = TestNode::new();
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    node.delegate_own(&laptop());
    node.add_account("chefin", crate::accounts::Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let page = node.page(&admin, "/pakt").await;
    let device = laptop().public().to_string();
    assert!(
        page.contains("Eigene Geräte") && page.contains(&device),
        "{page}"
    );
    let form = |body: String| {
        Request::post("/pakt/pruefen")
            .header(header::COOKIE, &admin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let heads = node.core.lock().replica().membership().heads();
    let review = node
        .app
        .clone()
        .oneshot(form(format!(
            "csrf={csrf}&kind=revoke_device&device={device}"
        )))
        .await
        .unwrap();
    assert_eq!(review.status(), StatusCode::OK);
    let body = String::from_utf8(
        review
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(body.contains("action=\"/pakt/geraet-sperren\""), "{body}");
    assert!(body.contains(&amtshilfe_protocol::fingerprint::words(&laptop().public())));
    assert_eq!(
        node.core.lock().replica().membership().heads(),
        heads,
        "reviewing signs nothing"
    );
    let shown =
        super::pact_page::hidden_field(&body, "shown").expect("the review names what it showed");

    let stale = node
        .send(
            Request::post("/pakt/geraet-sperren")
                .header(header::COOKIE, &admin)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(format!("csrf={csrf}&device={device}&shown=00")),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::CONFLICT,
        "a changed review signs nothing"
    );
    let signed = node
        .send(
            Request::post("/pakt/geraet-sperren")
                .header(header::COOKIE, &admin)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(format!("csrf={csrf}&device={device}&shown={shown}")),
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = node.page(&admin, "/pakt").await;
    assert!(page.contains("gesperrt"), "{page}");
}
