//! A recorded decline through `POST /api/pact/proposals/{hash}/decline`
//! and the proposal page: signed with the member key on the node, shown
//! with who declined, withdrawn by a later approval; declining twice, an
//! decided proposal or an unknown one is refused and changes
//! nothing. (An approval is not taken back by a decline: see
//! `membership::tests::decline`.)

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::EntryHash;
use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::keys::{MEMBER_KEY_FILE, write_key_file};

impl TestNode {
    /// Member B proposes appointing an officer; node A receives it.
    fn proposal_by_b(&self) -> EntryHash {
        let mut core = self.core.lock();
        let proposal = amtshilfe_protocol::membership::Proposal::DismissOfficer {
            officer_key: KeyPair::from_seed([61; 32]).public(),
        };
        let entry = core.replica().membership().propose(
            &KeyPair::from_seed([2; 32]),
            proposal,
            clock::now_ms(),
        );
        let hash = entry.hash();
        core.receive_entry(entry, "member-b").unwrap();
        hash
    }

    fn decliners(&self, proposal: EntryHash) -> Value {
        let pact = self.core.lock().replica().membership().state().clone();
        json!(
            pact.decliners(&proposal)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        )
    }
}

#[tokio::test]
async fn a_member_declines_a_proposal_and_the_pact_sees_who_declined() {
    let mut node = TestNode::new();
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    let proposal = node.proposal_by_b();
    let uri = format!("/api/pact/proposals/{proposal}/decline");
    let (status, answer) = node.post(&uri, json!(null)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["proposal"], proposal.to_string());
    assert_eq!(answer["state"], "open", "a decline is no veto");
    let _ = node.announced.try_recv();
    assert_eq!(node.decliners(proposal), json!([node.me().to_string()]));
    let pact = node.get("/api/pact").await.1;
    assert_eq!(
        pact["proposals"][0]["decliners"][0]["name"], "Kreis Bergstraße",
        "{pact}"
    );

    node.add_account("chefin", crate::accounts::Role::Admin, true);
    let (admin, _) = node.login_page("chefin").await;
    let page = node
        .page(&admin, &format!("/pakt/vorschlaege/{proposal}"))
        .await;
    assert!(page.contains("Abgelehnt von / declined by"), "{page}");
    assert!(page.contains("Kreis Bergstraße"));
    assert!(page.contains(&format!("/pakt/vorschlaege/{proposal}/ablehnen")));

    node.refused_raw(&uri, None, StatusCode::CONFLICT, "already_declined")
        .await;
    let (status, _) = node
        .post(
            &format!("/api/pact/proposals/{proposal}/approve"),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        node.decliners(proposal),
        json!([]),
        "approving withdraws it"
    );
}

#[tokio::test]
async fn declines_that_must_not_happen_are_refused() {
    let mut node = TestNode::new();
    let proposal = node.proposal_by_b();
    let uri = format!("/api/pact/proposals/{proposal}/decline");
    node.refused_raw(&uri, None, StatusCode::CONFLICT, "member_key_absent")
        .await;
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    let unknown = format!("/api/pact/proposals/{}/decline", "ab".repeat(32));
    node.refused_raw(&unknown, None, StatusCode::NOT_FOUND, "proposal_not_found")
        .await;
    let (status, answer) = node
        .post(
            &format!("/api/pact/proposals/{proposal}/approve"),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let _ = node.announced.try_recv();
    // With two members A's approval decided it: no decline after that.
    node.refused_raw(&uri, None, StatusCode::CONFLICT, "proposal_decided")
        .await;
}
