//! The Pakt API on one node: proposals signed with the member key on the
//! node, an approval signed elsewhere taken in, and everything refused
//! that must be (no key, bad input, tampered entries, wrong roles), each
//! without a change to the membership log.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{EntryHash, MemberId};
use amtshilfe_protocol::membership::EntryKind;
use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::keys::{MEMBER_KEY_FILE, write_key_file};

fn key_a() -> KeyPair {
    KeyPair::from_seed([1; 32])
}

fn key_b() -> KeyPair {
    KeyPair::from_seed([2; 32])
}

impl TestNode {
    fn hold_member_key(&self) {
        write_key_file(&self._dir.path().join(MEMBER_KEY_FILE), &key_a()).unwrap();
    }

    fn log_heads(&self) -> Vec<EntryHash> {
        self.core.lock().replica().membership().heads()
    }

    /// Member B's approval of `proposal`, signed with its key, as hex.
    fn approval_by_b(&self, proposal: EntryHash) -> String {
        let entry =
            self.core
                .lock()
                .replica()
                .membership()
                .approve(&key_b(), proposal, clock::now_ms());
        hex::encode(entry.to_bytes())
    }

    fn announced_entry(&mut self) -> bool {
        matches!(
            self.announced.try_recv(),
            Ok(NetCommand::Announce(Announcement::Entry(_)))
        )
    }
}

fn officer_body(serves: MemberId) -> Value {
    json!({
        "kind": "appoint_officer",
        "officer_key": KeyPair::from_seed([60; 32]).public().to_string(),
        "name": "Gemeinsame ISB Südhessen",
        "serves": [serves.to_string()],
    })
}

#[tokio::test]
async fn a_proposal_signed_here_shows_what_it_does_and_takes_effect_with_an_approval_signed_elsewhere()
 {
    let mut node = TestNode::new();
    node.hold_member_key();
    let (status, pact) = node.get("/api/pact").await;
    assert_eq!(status, StatusCode::OK, "{pact}");
    assert_eq!(pact["holds_member_key"], true);
    assert_eq!(pact["member_count"], 2);
    assert_eq!(pact["majority"], 2);

    let (status, signed) = node
        .post("/api/pact/proposals", officer_body(node.other_id()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{signed}");
    assert_eq!(signed["state"], "open");
    assert!(node.announced_entry(), "the proposal is announced");
    let hash: EntryHash = signed["proposal"].as_str().unwrap().parse().unwrap();

    let (_, pact) = node.get("/api/pact").await;
    let shown = &pact["proposals"][0];
    assert_eq!(shown["hash"], hash.to_string());
    assert_eq!(shown["kind"], "appoint_officer");
    assert!(
        shown["text_de"]
            .as_str()
            .unwrap()
            .contains("Stadt Darmstadt"),
        "{shown}"
    );
    assert_eq!(shown["approvals_missing"], 1);
    assert_eq!(shown["also_needed"][0]["name"], "Stadt Darmstadt");
    assert_eq!(shown["approved_here"], true);

    // Approving twice is refused; the log stays as it is.
    let before = node.log_heads();
    let (status, answer) = node
        .post(&format!("/api/pact/proposals/{hash}/approve"), json!(null))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "already_approved");
    assert_eq!(node.log_heads(), before);

    // B signs its approval on its own machine and hands it in.
    let entry = node.approval_by_b(hash);
    let (status, answer) = node
        .post("/api/pact/entries", json!({ "entry": entry }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["state"], "applied");
    let (_, pact) = node.get("/api/pact").await;
    assert_eq!(pact["officers"][0]["name"], "Gemeinsame ISB Südhessen");
    assert_eq!(pact["officers"][0]["serves"][0]["name"], "Stadt Darmstadt");
    assert_eq!(pact["proposals"][0]["state"], "applied");
}

#[tokio::test]
async fn without_the_member_key_on_the_node_nothing_is_signed() {
    let node = TestNode::new();
    let before = node.log_heads();
    let (status, answer) = node
        .post("/api/pact/proposals", officer_body(node.other_id()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "member_key_absent");
    let (_, pact) = node.get("/api/pact").await;
    assert_eq!(pact["holds_member_key"], false);
    assert_eq!(node.log_heads(), before);
}

#[tokio::test]
async fn bad_input_is_refused_with_its_code_and_changes_nothing() {
    let node = TestNode::new();
    node.hold_member_key();
    let stranger = MemberId::from_key(KeyPair::from_seed([99; 32]).public());
    let cases = [
        (
            json!({ "kind": "rotate_key", "member": node.other_id().to_string(), "new_key": "zz" }),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({ "kind": "crown_king", "member": stranger.to_string() }),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({ "kind": "remove", "member": stranger.to_string() }),
            StatusCode::NOT_FOUND,
            "member_not_found",
        ),
        (
            json!({ "kind": "add", "name": "Doppelt", "member_key": key_b().public().to_string() }),
            StatusCode::CONFLICT,
            "key_in_use",
        ),
        (
            json!({ "kind": "add", "name": " ", "member_key": KeyPair::from_seed([70; 32]).public().to_string() }),
            StatusCode::BAD_REQUEST,
            "name_invalid",
        ),
        (
            json!({ "kind": "dismiss_officer", "officer_key": KeyPair::from_seed([60; 32]).public().to_string() }),
            StatusCode::NOT_FOUND,
            "officer_not_found",
        ),
        (
            officer_body(stranger),
            StatusCode::NOT_FOUND,
            "member_not_found",
        ),
    ];
    let before = node.log_heads();
    for (body, status, code) in cases {
        let (got, answer) = node.post("/api/pact/proposals", body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}");
    }
    let unknown = EntryHash([7; 32]);
    let (status, answer) = node
        .post(
            &format!("/api/pact/proposals/{unknown}/approve"),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "proposal_not_found");

    // An entry whose signature no longer fits its body.
    let me = node.me();
    let mut entry = node.core.lock().replica().membership().propose(
        &key_b(),
        amtshilfe_protocol::membership::Proposal::Remove {
            member: me,
            frozen_heads: Default::default(),
        },
        clock::now_ms(),
    );
    if let EntryKind::Propose(amtshilfe_protocol::membership::Proposal::Remove { member, .. }) =
        &mut entry.body.kind
    {
        *member = node.other_id();
    }
    let (status, answer) = node
        .post(
            "/api/pact/entries",
            json!({ "entry": hex::encode(entry.to_bytes()) }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "bad_signature");
    let (status, answer) = node
        .post("/api/pact/entries", json!({ "entry": "00ff" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["code"], "entry_malformed");
    assert_eq!(node.log_heads(), before, "nothing was stored");
}

#[tokio::test]
async fn only_admins_see_and_change_the_pact() {
    let mut node = TestNode::new();
    node.hold_member_key();
    let before = node.log_heads();
    for role in [
        Role::ItLead,
        Role::Requester,
        Role::Viewer,
        Role::SecurityOfficer,
    ] {
        node.token = node.add_account(role.id(), role, false);
        let (status, _) = node.get("/api/pact").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
        let (status, answer) = node
            .post("/api/pact/proposals", officer_body(node.other_id()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
        assert_eq!(answer["error"]["code"], "forbidden");
    }
    assert_eq!(node.log_heads(), before);
}

/// An admission signed offline and handed in gets its invitation file
/// from the node, which signs nothing for it; other proposals have none.
#[tokio::test]
async fn an_admission_signed_offline_gets_its_invitation_from_the_node() {
    let mut node = TestNode::new();
    let joiner = KeyPair::from_seed([70; 32]);
    let entry = node.core.lock().replica().membership().propose(
        &key_a(),
        amtshilfe_protocol::membership::Proposal::Add {
            key: joiner.public(),
            name: "Gemeinde Lautertal".into(),
        },
        clock::now_ms(),
    );
    let hash = entry.hash();
    let (status, answer) = node
        .post(
            "/api/pact/entries",
            json!({ "entry": hex::encode(entry.to_bytes()) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let _ = node.announced.try_recv();
    let heads = node.log_heads();
    let (status, invitation) = node
        .post(
            &format!("/api/pact/invitations/{hash}"),
            json!({ "addresses": ["/ip4/127.0.0.1/tcp/4001"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{invitation}");
    assert_eq!(invitation["invited_name"], "Gemeinde Lautertal");
    assert_eq!(
        invitation["invited_member_key"],
        joiner.public().to_string()
    );
    assert_eq!(invitation["proposal"], hash.to_string());
    assert_eq!(invitation["inviter"], "Kreis Bergstraße");
    assert!(
        invitation["bootstrap"][0]
            .as_str()
            .unwrap()
            .starts_with("/ip4/127.0.0.1/tcp/4001/p2p/")
    );
    let entries = invitation["entries"].as_array().unwrap();
    assert_eq!(
        entries.last().unwrap(),
        &json!(hex::encode(entry.to_bytes()))
    );
    assert_eq!(node.log_heads(), heads, "the node signs nothing for it");

    let (status, answer) = node
        .post(
            &format!("/api/pact/invitations/{}", "ab".repeat(32)),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, answer) = node
        .post("/api/pact/invitations/not-a-hash", json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "proposal_not_found");
    let addresses: Vec<String> = (0..17)
        .map(|port| format!("/ip4/127.0.0.1/tcp/{}", 4001 + port))
        .collect();
    let (status, answer) = node
        .post(
            &format!("/api/pact/invitations/{hash}"),
            json!({ "addresses": addresses }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["code"], "too_many_addresses");
    let officer = node.core.lock().replica().membership().propose(
        &key_a(),
        amtshilfe_protocol::membership::Proposal::DismissOfficer {
            officer_key: KeyPair::from_seed([61; 32]).public(),
        },
        clock::now_ms(),
    );
    let other = officer.hash();
    node.core.lock().receive_entry(officer, "test").unwrap();
    let (status, answer) = node
        .post(&format!("/api/pact/invitations/{other}"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "not_an_admission");
}

/// An admission that reached its majority when it could no longer apply
/// (its key is a member's already) never takes effect: the node writes
/// no invitation for it, so nobody is sent to join on it.
#[tokio::test]
async fn an_admission_that_can_no_longer_apply_gets_no_invitation() {
    let node = TestNode::new();
    let entry = node.core.lock().replica().membership().propose(
        &key_a(),
        amtshilfe_protocol::membership::Proposal::Add {
            key: key_b().public(),
            name: "Gemeinde Doppelt".into(),
        },
        clock::now_ms(),
    );
    let hash = entry.hash();
    node.core.lock().receive_entry(entry, "test").unwrap();
    let approval = node
        .core
        .lock()
        .replica()
        .membership()
        .approve(&key_b(), hash, clock::now_ms());
    node.core.lock().receive_entry(approval, "test").unwrap();
    let (status, answer) = node
        .post(
            &format!("/api/pact/invitations/{hash}"),
            json!({ "addresses": ["/ip4/127.0.0.1/tcp/4001"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "proposal_decided");
}
