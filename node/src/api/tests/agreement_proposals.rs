//! Changing the pact's agreement through the API: the whole terms
//! proposed with the member key on the node, in force only once a
//! majority approved; every bound of the terms refused with its rule and
//! nothing signed; a change made on terms that are no longer in force
//! refused.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::EntryHash;
use amtshilfe_protocol::pact::{RATE_CENTS_MAX, SCHEDULED_EXERCISES_MAX, example_agreement};
use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::keys::{MEMBER_KEY_FILE, write_key_file};

impl TestNode {
    fn put_member_key_on_node(&self) {
        let key_a = KeyPair::from_seed([1; 32]);
        write_key_file(&self._dir.path().join(MEMBER_KEY_FILE), &key_a).unwrap();
    }

    fn membership_heads(&self) -> Vec<EntryHash> {
        self.core.lock().replica().membership().heads()
    }

    /// B's approval of `proposal`, signed on B's machine, as hex.
    fn approved_by_b(&self, proposal: EntryHash) -> String {
        let key_b = KeyPair::from_seed([2; 32]);
        let entry =
            self.core
                .lock()
                .replica()
                .membership()
                .approve(&key_b, proposal, clock::now_ms());
        hex::encode(entry.to_bytes())
    }

    /// The example agreement of both members, as JSON.
    fn example_terms(&self) -> Value {
        serde_json::to_value(example_agreement(&[self.me(), self.other_id()])).unwrap()
    }

    /// `body` refused with `status`, `code` and (for a field) `rule`; the
    /// membership log unchanged and nothing announced.
    async fn agreement_refused(&mut self, body: Value, status: StatusCode, code: &str) -> Value {
        let before = self.membership_heads();
        let (got, answer) = self.post("/api/pact/proposals", body).await;
        assert_eq!(got, status, "{answer}");
        assert_eq!(answer["error"]["code"], code, "{answer}");
        assert_eq!(self.membership_heads(), before, "nothing signed: {answer}");
        assert!(self.announced.try_recv().is_err(), "nothing announced");
        answer["error"].clone()
    }
}

fn set_agreement(agreement: Value) -> Value {
    json!({ "kind": "set_agreement", "agreement": agreement })
}

#[tokio::test]
async fn an_agreement_change_is_signed_here_and_in_force_only_with_a_majority() {
    let mut node = TestNode::new();
    node.put_member_key_on_node();
    let mut terms = node.example_terms();
    terms["obligation"] = json!("committed");
    let (status, signed) = node
        .post("/api/pact/proposals", set_agreement(terms.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{signed}");
    assert_eq!(signed["kind"], "set_agreement");
    assert_eq!(signed["state"], "open");
    let first: EntryHash = signed["proposal"].as_str().unwrap().parse().unwrap();
    // Proposed is not agreed: one of two members is no majority.
    let (_, pact) = node.get("/api/pact").await;
    assert_eq!(pact["agreement_in_force"], Value::Null, "{pact}");

    let (status, answer) = node
        .post(
            "/api/pact/entries",
            json!({ "entry": node.approved_by_b(first) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["state"], "applied");
    let (_, pact) = node.get("/api/pact").await;
    assert_eq!(pact["agreement_in_force"], first.to_string());
    let in_force = node
        .core
        .lock()
        .replica()
        .membership()
        .state()
        .agreement()
        .map(|v| serde_json::to_value(&v.agreement).unwrap());
    assert_eq!(in_force, Some(terms.clone()));

    // A change on the version in force names it as the one it replaces.
    let mut next = terms.clone();
    next["liability_clause"] = json!("Jedes Mitglied haftet nur für Vorsatz.");
    let mut body = set_agreement(next);
    body["previous"] = json!(first.to_string());
    let (status, signed) = node.post("/api/pact/proposals", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{signed}");
    assert!(
        signed["text_de"]
            .as_str()
            .unwrap()
            .contains(&first.to_string()),
        "{signed}"
    );
    let _ = node.announced.try_recv();
    let second: EntryHash = signed["proposal"].as_str().unwrap().parse().unwrap();
    node.post(
        "/api/pact/entries",
        json!({ "entry": node.approved_by_b(second) }),
    )
    .await;
    while node.announced.try_recv().is_ok() {}
    // Whoever still looks at the first version is told it changed.
    node.agreement_refused(body, StatusCode::CONFLICT, "agreement_changed")
        .await;
}

#[tokio::test]
async fn every_bound_of_the_terms_is_refused_with_its_rule_and_nothing_signed() {
    let mut node = TestNode::new();
    node.put_member_key_on_node();
    let base = node.example_terms();
    type Break = Box<dyn Fn(&mut Value)>;
    let field_cases: Vec<(&str, &str, Break)> = vec![
        ("stages", "empty", Box::new(|a| a["stages"] = json!([]))),
        (
            "stages[1].stage",
            "inconsistent",
            Box::new(|a| {
                let first = a["stages"][0].clone();
                a["stages"][1] = first;
            }),
        ),
        (
            "may_request",
            "empty",
            Box::new(|a| a["may_request"] = json!([])),
        ),
        (
            "reimbursement.hour_rate_cents",
            "above_max",
            Box::new(|a| a["reimbursement"]["hour_rate_cents"] = json!(RATE_CENTS_MAX + 1)),
        ),
        (
            "reimbursement.hour_rate_cents",
            "inconsistent",
            Box::new(|a| a["reimbursement"]["model"] = json!("none")),
        ),
        (
            "liability_clause",
            "too_long",
            Box::new(|a| a["liability_clause"] = json!("x".repeat(4_001))),
        ),
        (
            "exercise_schedule",
            "too_many",
            Box::new(|a| {
                let one = a["exercise_schedule"][0].clone();
                a["exercise_schedule"] = json!(vec![one; SCHEDULED_EXERCISES_MAX + 1]);
            }),
        ),
        (
            "council_resolutions",
            "duplicate",
            Box::new(|a| {
                let first = a["council_resolutions"][0].clone();
                a["council_resolutions"].as_array_mut().unwrap().push(first);
            }),
        ),
    ];
    for (field, rule, break_it) in field_cases {
        let mut terms = base.clone();
        break_it(&mut terms);
        let error = node
            .agreement_refused(
                set_agreement(terms),
                StatusCode::BAD_REQUEST,
                "validation_failed",
            )
            .await;
        assert_eq!(error["field"], field, "{error}");
        assert_eq!(error["rule"], rule, "{error}");
    }

    // Within every character cap but over the encoded size.
    let mut terms = base.clone();
    terms["liability_clause"] = json!("𝔏".repeat(4_000));
    node.agreement_refused(
        set_agreement(terms),
        StatusCode::BAD_REQUEST,
        "agreement_too_large",
    )
    .await;

    // A council resolution of a stranger to the pact.
    let mut terms = base.clone();
    terms["council_resolutions"][0]["member"] = json!("ab".repeat(32));
    node.agreement_refused(
        set_agreement(terms),
        StatusCode::NOT_FOUND,
        "member_not_found",
    )
    .await;

    // Unknown values and shapes never reach the rules.
    for (path, value) in [
        ("legal_form", json!("handshake")),
        ("stages", json!("in_force")),
        ("reimbursement", json!({ "model": "none" })),
        ("liability_clause", json!(null)),
    ] {
        let mut terms = base.clone();
        terms[path] = value;
        let (status, answer) = node.post("/api/pact/proposals", set_agreement(terms)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
    }
    let mut body = set_agreement(base.clone());
    body["previous"] = json!("not-a-hash");
    node.agreement_refused(body, StatusCode::BAD_REQUEST, "invalid_body")
        .await;
    // Naming a version when none is in force: the proposer saw other terms.
    let mut body = set_agreement(base.clone());
    body["previous"] = json!("cd".repeat(32));
    node.agreement_refused(body, StatusCode::CONFLICT, "agreement_changed")
        .await;
}

#[tokio::test]
async fn without_the_member_key_no_agreement_change_is_signed() {
    let mut node = TestNode::new();
    let terms = node.example_terms();
    node.agreement_refused(
        set_agreement(terms),
        StatusCode::CONFLICT,
        "member_key_absent",
    )
    .await;
}
