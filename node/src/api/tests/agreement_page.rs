//! The agreement page's form: prefilled from the version in force, it
//! goes through the Pakt page's review, which shows the whole terms and
//! signs nothing; the signing form then proposes exactly them. A form
//! that breaks a rule signs nothing and says which field.

use amtshilfe_protocol::membership::Proposal;
use amtshilfe_protocol::pact::example_agreement;

use super::client::Answer;
use super::*;
use crate::accounts::Role;
use crate::keys::{MEMBER_KEY_FILE, write_key_file};

impl TestNode {
    async fn agreement_form_post(
        &self,
        session: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let body: String = fields
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            Request::post(path)
                .header(header::COOKIE, session)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Both members agree the example agreement; its proposal's hash.
    fn agree_example(&self) -> String {
        let (me, other) = (self.me(), self.other_id());
        let mut core = self.core.lock();
        let now = clock::now_ms();
        let proposal = Proposal::SetAgreement {
            agreement: Box::new(example_agreement(&[me, other])),
            previous: None,
        };
        let entry =
            core.replica()
                .membership()
                .propose(&KeyPair::from_seed([1; 32]), proposal, now);
        let hash = entry.hash();
        assert!(core.receive_entries(vec![entry], "test"));
        let approval = core
            .replica()
            .membership()
            .approve(&KeyPair::from_seed([2; 32]), hash, now);
        assert!(core.receive_entries(vec![approval], "test"));
        hash.to_string()
    }
}

/// Percent-encoding of a form value (every byte but unreserved ones).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn an_agreement_change_is_prefilled_reviewed_in_full_and_then_signed() {
    let node = TestNode::new();
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    let in_force = node.agree_example();
    node.add_account("leser", Role::Viewer, true);
    let (viewer, _) = node.login_page("leser").await;
    let page = node.page(&viewer, "/pakt/vereinbarung").await;
    assert!(
        !page.contains("data-testid=\"agreement-form\""),
        "only admins propose"
    );

    node.add_account("chefin", Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let page = node.page(&admin, "/pakt/vereinbarung").await;
    assert!(page.contains("data-testid=\"agreement-form\""), "{page}");
    for prefilled in [
        format!("name=\"previous\" value=\"{in_force}\""),
        "name=\"hour_rate\" inputmode=\"decimal\" value=\"85,00\"".to_owned(),
        "name=\"stage_letter_of_intent\" value=\"2026-01-15\"".to_owned(),
        "value=\"public_law_agreement\" selected".to_owned(),
        "value=\"crisis_staff_lead\" checked".to_owned(),
        "Fahrlässigkeit; im Übrigen".to_owned(),
    ] {
        assert!(page.contains(&prefilled), "{prefilled}: {page}");
    }

    let me = node.me().to_string();
    let council = format!("council_{me}");
    let clause = "Jede Kommune haftet nur für Vorsatz.";
    let form: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("kind", "set_agreement"),
        ("previous", &in_force),
        ("legal_form", "public_law_agreement"),
        ("stage_letter_of_intent", "15.01.2026"),
        ("stage_contract_draft", "2026-02-14"),
        (&council, "2026-03-16"),
        ("may_request", "head_of_administration"),
        ("may_request", "it_lead"),
        ("obligation", "committed"),
        ("reimbursement_model", "extra_costs_flat_rate"),
        ("hour_rate", "90,50"),
        ("device_day_rate", "25"),
        ("liability_clause", clause),
        ("exercise_date_0", "2026-07-14"),
        ("exercise_kind_0", "alerting"),
        ("exercise_title_0", "Erreichbarkeit"),
        ("exercise_date_1", ""),
        ("exercise_kind_1", "live"),
        ("exercise_title_1", ""),
    ];
    let heads = node.core.lock().replica().membership().heads();
    let review = node
        .agreement_form_post(&admin, "/pakt/pruefen", &form)
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    for shown in [
        clause,
        "committed",
        "90,50 EUR/h",
        "contract_draft 14.02.2026",
        "alerting Erreichbarkeit",
        in_force.as_str(),
    ] {
        assert!(review.body.contains(shown), "{shown}: {}", review.body);
    }
    assert_eq!(
        node.core.lock().replica().membership().heads(),
        heads,
        "reviewing signs nothing"
    );
    let shown = review
        .body
        .split("name=\"shown\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the review names what it showed")
        .to_owned();
    let mut signing = form.clone();
    signing.push(("shown", &shown));
    let signed = node
        .agreement_form_post(&admin, "/pakt/vorschlag", &signing)
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let pact = node.get("/api/pact").await.1;
    let open = &pact["proposals"][0];
    assert_eq!(open["kind"], "set_agreement", "{pact}");
    assert_eq!(open["state"], "open");
    // Signed are exactly the reviewed terms.
    let hash = open["hash"].as_str().unwrap().parse().unwrap();
    let found = {
        let core = node.core.lock();
        crate::ops::pact_actions::proposal_entry(&core, &hash)
    };
    let Ok(Proposal::SetAgreement {
        agreement,
        previous,
    }) = found
    else {
        panic!("the proposal is an agreement change");
    };
    assert_eq!(previous.map(|p| p.to_string()), Some(in_force.clone()));
    assert_eq!(agreement.liability_clause, clause);
    assert_eq!(agreement.reimbursement.hour_rate_cents, 9_050);
    assert_eq!(agreement.stages.len(), 2);
    assert_eq!(agreement.exercise_schedule.len(), 1);

    // Refused forms say why and sign nothing.
    let heads = node.core.lock().replica().membership().heads();
    let long = "x".repeat(4_001);
    for (field, value, status, says) in [
        ("hour_rate", "neunzig", StatusCode::BAD_REQUEST, "hour_rate"),
        (
            "liability_clause",
            long.as_str(),
            StatusCode::BAD_REQUEST,
            "liability_clause",
        ),
        (
            "stage_contract_draft",
            "31.02.2026",
            StatusCode::BAD_REQUEST,
            "stage_contract_draft",
        ),
        (
            "legal_form",
            "handschlag",
            StatusCode::BAD_REQUEST,
            "handschlag",
        ),
    ] {
        let mut bad = form.clone();
        bad.retain(|(name, _)| *name != field);
        bad.push((field, value));
        let answer = node
            .agreement_form_post(&admin, "/pakt/pruefen", &bad)
            .await;
        assert_eq!(answer.status, status, "{field}: {}", answer.body);
        assert!(answer.body.contains(says), "{field}: {}", answer.body);
        assert_eq!(node.core.lock().replica().membership().heads(), heads);
    }
}
