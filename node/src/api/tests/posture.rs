//! The posture API on one node that hosts both member A's staff and a
//! joint security officer appointed to serve A (not B): the member saves,
//! submits, is returned with a comment, fixes and resubmits, is accepted;
//! the baseline and the delta show. Every other role is refused, the
//! officer cannot see or review a member it does not serve, a node
//! without an officer has no workspace, and hostile input changes nothing.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::membership::Proposal;
use amtshilfe_protocol::seal::EncryptionSecret;
use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::seal_keys::OfficerKeys;
use crate::sealing::SealIdentities;
use crate::sealing::task::maintain;

fn officer_key() -> KeyPair {
    KeyPair::from_seed([60; 32])
}

/// `proposal`, proposed by A and approved by B: a majority of two.
fn pass(core: &mut Core, proposal: Proposal) {
    pass_with(core, proposal, &[]);
}

/// As `pass`, approved by the member keys `also` as well (the members an
/// officer serves approve its appointment).
fn pass_with(core: &mut Core, proposal: Proposal, also: &[&KeyPair]) {
    let now = clock::now_ms();
    let entry = core
        .replica()
        .membership()
        .propose(&KeyPair::from_seed([1; 32]), proposal, now);
    let hash = entry.hash();
    core.receive_entry(entry, "test").unwrap();
    let approval = core
        .replica()
        .membership()
        .approve(&KeyPair::from_seed([2; 32]), hash, now);
    core.receive_entry(approval, "test").unwrap();
    for key in also {
        let approval = core.replica().membership().approve(key, hash, now);
        core.receive_entry(approval, "test").unwrap();
    }
}

impl TestNode {
    /// Gives the node A's encryption secret and the officer's keys,
    /// appoints the officer to serve A (proposed by A, approved by B) and
    /// publishes both encryption keys.
    pub(super) fn host_officer(&self) {
        let me = self.me();
        self.host_officer_serving(vec![me], &[]);
    }

    /// As `host_officer`, with the officer serving `serves`, whose member
    /// keys other than A's and B's are `also`.
    fn host_officer_serving(&self, serves: Vec<MemberId>, also: &[&KeyPair]) {
        let mut core = self.core.lock();
        core.set_seal_identities(SealIdentities {
            member: Some(EncryptionSecret::from_bytes([21; 32])),
            officer: Some(OfficerKeys {
                signing: officer_key(),
                encryption: EncryptionSecret::from_bytes([61; 32]),
            }),
        });
        let now = clock::now_ms();
        pass_with(
            &mut core,
            Proposal::AppointOfficer {
                officer_key: officer_key().public(),
                name: "Gemeinsame ISB".into(),
                serves,
            },
            also,
        );
        assert_eq!(core.replica().membership().state().officers().count(), 1);
        maintain(&mut core, now).unwrap();
    }

    /// The pact dismisses the officer (A proposes, B approves).
    fn dismiss_officer(&self) {
        let mut core = self.core.lock();
        pass(
            &mut core,
            Proposal::DismissOfficer {
                officer_key: officer_key().public(),
            },
        );
        assert_eq!(core.replica().membership().state().officers().count(), 0);
    }

    pub(super) fn as_role(&mut self, role: Role) {
        self.token = self.add_account(role.id(), role, false);
    }

    /// A write that must succeed: returns the answer; drains the announcements.
    async fn posture_write(&mut self, method: Method, uri: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.call(method.clone(), uri, body).await;
        assert!(status.is_success(), "{method} {uri}: {status} {answer}");
        let mut announced = 0;
        while let Ok(NetCommand::Announce(Announcement::Envelope(_))) = self.announced.try_recv() {
            announced += 1;
        }
        assert!(announced >= 1, "the write was announced");
        answer
    }

    async fn save_posture(&mut self, body: Value) -> Value {
        self.posture_write(Method::PUT, "/api/posture", Some(body))
            .await
    }

    async fn submit_posture(&mut self) -> Value {
        self.posture_write(Method::POST, "/api/posture/submit", None)
            .await
    }
}

/// A node hosting the officer, where A's IT lead saved an assessment and
/// submitted it as revision 1; the caller is the IT lead still.
async fn submitted_node() -> (TestNode, MemberId) {
    let mut node = TestNode::new();
    node.host_officer();
    let me = node.me();
    node.as_role(Role::ItLead);
    node.save_posture(assessment("yes", "no")).await;
    node.submit_posture().await;
    (node, me)
}

/// An assessment: the first topic's first two questions answered.
pub(super) fn assessment(first: &str, second: &str) -> Value {
    json!({
        "catalogue_version": "2026.1",
        "wiba": {
            "wiba_01_01": { "answer": first, "note": "Konzept liegt vor" },
            "wiba_01_02": {
                "answer": second,
                "evidence": { "document": "Datensicherungskonzept v3", "date_ms": T0_MS, "sha256": null }
            },
        },
        "bcms": { "stage": "reactive", "last_bia_ms": T0_MS, "last_exercise_ms": null },
        "nis2": { "a": 2, "b": 1 },
        "akc": { "kdlz_cs_stage1_ms": T0_MS, "irs_workshop_ms": T0_MS, "irs_enrolled_ms": T0_MS },
        "red_flags": { "mfa_remote_access": true, "offline_backup_tested": false },
    })
}

#[tokio::test]
async fn a_member_submits_the_officer_returns_then_accepts_and_the_delta_shows() {
    let mut node = TestNode::new();
    node.host_officer();
    let me = node.me();
    node.as_role(Role::ItLead);

    let (status, empty) = node.get("/api/posture").await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["working_revision"], 1);
    assert_eq!(empty["summary"]["status"], "draft");

    let saved = node.save_posture(assessment("yes", "no")).await;
    assert_eq!(saved["revision"], 1);
    let (_, own) = node.get("/api/posture").await;
    assert_eq!(own["assessment"]["wiba"]["wiba_01_01"]["answer"], "yes");
    let topic = &own["summary"]["wiba"][0];
    assert_eq!(
        (topic["yes"].clone(), topic["no"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(topic["progress_permille"], 500, "yes ÷ (yes + no)");
    assert_eq!(own["summary"]["irs_eligible"], true);
    assert!(
        own["summary"]["red_flags_raised"]
            .as_array()
            .unwrap()
            .contains(&json!("offline_backup_tested"))
    );

    let submitted = node.submit_posture().await;
    assert_eq!(submitted["revision"], 1);
    // The member edits on while the review is under way: revision 2.
    node.save_posture(assessment("yes", "open")).await;

    node.as_role(Role::SecurityOfficer);
    let (status, workspace) = node.get("/api/posture/members").await;
    assert_eq!(status, StatusCode::OK, "{workspace}");
    assert_eq!(workspace["officer_name"], "Gemeinsame ISB");
    let rows = workspace["members"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "the officer serves A only");
    assert_eq!(rows[0]["member"], json!(me));
    assert_eq!(rows[0]["status"], json!({ "submitted": { "revision": 1 } }));
    assert_eq!(rows[0]["bcms_stage"], "reactive");
    let (_, detail) = node.get(&format!("/api/posture/members/{me}")).await;
    assert_eq!(detail["revision"], 1, "the officer sees what was submitted");
    assert_eq!(detail["assessment"]["wiba"]["wiba_01_02"]["answer"], "no");
    assert_eq!(detail["submissions"][0]["body"]["revision"], 1);
    assert!(detail["submissions"][0]["signature"].is_string());

    let review = format!("/api/posture/members/{me}/review");
    let returned = json!({
        "revision": 1,
        "verdict": { "returned": { "comments": { "wiba_01_02": "Bitte Nachweis der Sicherung beifügen" } } },
    });
    node.posture_write(Method::POST, &review, Some(returned))
        .await;

    node.as_role(Role::ItLead);
    let (_, own) = node.get("/api/posture").await;
    assert_eq!(
        own["summary"]["status"]["returned"]["comments"]["wiba_01_02"],
        "Bitte Nachweis der Sicherung beifügen"
    );
    assert_eq!(
        own["assessment"]["wiba"]["wiba_01_02"]["answer"], "open",
        "the edit that crossed the review is kept"
    );
    node.save_posture(assessment("yes", "yes")).await;
    node.submit_posture().await;

    node.as_role(Role::SecurityOfficer);
    let accepted = json!({
        "revision": 2,
        "verdict": "accepted",
        "findings": [{
            "id": "f1", "question": "wiba_01_01", "text": "Notfallkarte aushängen",
            "owner": "IT-Leitung", "due_ms": T0_MS, "closed_ms": null
        }],
    });
    node.posture_write(Method::POST, &review, Some(accepted))
        .await;
    let (_, workspace) = node.get("/api/posture/members").await;
    let row = &workspace["members"][0];
    assert_eq!(row["status"]["accepted"]["revision"], 2);
    assert_eq!(
        (
            row["open_findings"].clone(),
            row["overdue_findings"].clone()
        ),
        (json!(1), json!(1))
    );
    assert!(row["last_review_ms"].is_i64());

    node.as_role(Role::ItLead);
    node.save_posture(assessment("no", "yes")).await;
    let (_, own) = node.get("/api/posture").await;
    assert_eq!(own["baseline_revision"], 2);
    assert_eq!(own["revision"], 3);
    assert_eq!(
        own["delta"],
        json!([{ "question": "wiba_01_01", "from": "yes", "to": "no" }])
    );
    let reviews = own["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[1]["body"]["officer"], json!(officer_key().public()));
    assert!(reviews[1]["signature"].is_string());
    assert_eq!(own["findings"][0]["overdue"], true);
}

#[tokio::test]
async fn only_the_members_staff_edit_and_only_the_officers_account_reviews() {
    let (mut node, me) = submitted_node().await;
    let review = format!("/api/posture/members/{me}/review");
    let accept = json!({ "revision": 1, "verdict": "accepted" });

    for role in [Role::Requester, Role::Viewer, Role::SecurityOfficer] {
        node.as_role(role);
        let (status, answer) = node.get("/api/posture").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {answer}");
        node.refused_with(
            Method::PUT,
            "/api/posture",
            Some(assessment("no", "no").to_string()),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        node.refused(
            "/api/posture/submit",
            json!({}),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // The host member's admin holds the node, not the officer's office.
    for role in [Role::Admin, Role::ItLead, Role::Requester, Role::Viewer] {
        node.as_role(role);
        let (status, _) = node.get("/api/posture/members").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
        let (status, _) = node.get(&format!("/api/posture/members/{me}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
        node.refused(&review, accept.clone(), StatusCode::FORBIDDEN, "forbidden")
            .await;
    }
}

#[tokio::test]
async fn the_officer_cannot_see_or_review_a_member_it_does_not_serve() {
    let mut node = TestNode::new();
    node.host_officer();
    node.as_role(Role::SecurityOfficer);
    let other = node.other_id();
    for path in [other.to_string(), "not-a-member".into(), "0".repeat(64)] {
        let (status, answer) = node.get(&format!("/api/posture/members/{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
        assert_eq!(answer["error"]["code"], "member_not_served");
        node.refused(
            &format!("/api/posture/members/{path}/review"),
            json!({ "revision": 1, "verdict": "accepted" }),
            StatusCode::NOT_FOUND,
            "member_not_served",
        )
        .await;
    }
}

#[tokio::test]
async fn a_node_without_an_officer_has_no_workspace() {
    let mut node = TestNode::new();
    node.as_role(Role::SecurityOfficer);
    let me = node.me();
    let (status, answer) = node.get("/api/posture/members").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "no_officer_here");
    node.refused(
        &format!("/api/posture/members/{me}/review"),
        json!({ "revision": 1, "verdict": "accepted" }),
        StatusCode::NOT_FOUND,
        "no_officer_here",
    )
    .await;
    // Nor can the member seal anything without its encryption key.
    node.as_role(Role::ItLead);
    node.refused_with(
        Method::PUT,
        "/api/posture",
        Some(assessment("yes", "no").to_string()),
        StatusCode::CONFLICT,
        "seal_key_missing",
    )
    .await;
}

#[tokio::test]
async fn hostile_assessments_are_refused_with_their_code_and_change_nothing() {
    let mut node = TestNode::new();
    node.host_officer();
    node.as_role(Role::ItLead);
    let mut unknown_question = assessment("yes", "no");
    unknown_question["wiba"]["wiba_99_01"] = json!({ "answer": "yes" });
    let mut maturity = assessment("yes", "no");
    maturity["nis2"]["a"] = json!(4);
    let mut red_flag = assessment("yes", "no");
    red_flag["red_flags"]["all_is_well"] = json!(true);
    let mut long_note = assessment("yes", "no");
    long_note["wiba"]["wiba_01_01"]["note"] = json!("x".repeat(2_001));
    let mut stage2 = assessment("yes", "no");
    stage2["akc"] = json!({ "kdlz_cs_stage2_ms": T0_MS });
    let mut version = assessment("yes", "no");
    version["catalogue_version"] = json!("1999.1");
    for body in [
        unknown_question,
        maturity,
        red_flag,
        long_note,
        stage2,
        version,
    ] {
        node.refused_with(
            Method::PUT,
            "/api/posture",
            Some(body.to_string()),
            StatusCode::BAD_REQUEST,
            "invalid_assessment",
        )
        .await;
    }
    let mut extra = assessment("yes", "no");
    extra["updated_at_ms"] = json!(0);
    node.refused_with(
        Method::PUT,
        "/api/posture",
        Some(extra.to_string()),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    node.refused(
        "/api/posture/submit",
        json!({}),
        StatusCode::CONFLICT,
        "nothing_to_submit",
    )
    .await;
}

#[tokio::test]
async fn hostile_reviews_are_refused_with_their_code_and_change_nothing() {
    let mut node = TestNode::new();
    node.host_officer();
    let me = node.me();
    node.as_role(Role::ItLead);
    node.save_posture(assessment("yes", "no")).await;
    let review = format!("/api/posture/members/{me}/review");

    node.as_role(Role::SecurityOfficer);
    node.refused(
        &review,
        json!({ "revision": 1, "verdict": "accepted" }),
        StatusCode::CONFLICT,
        "not_submitted",
    )
    .await;
    node.as_role(Role::ItLead);
    node.submit_posture().await;
    node.as_role(Role::SecurityOfficer);
    let returned = |comments: Value| json!({ "revision": 1, "verdict": { "returned": { "comments": comments } } });
    let finding = |id: &str, text: &str| json!({ "id": id, "question": null, "text": text, "owner": "IT", "due_ms": T0_MS, "closed_ms": null });
    let invalid = [
        // Readers would refuse it: too long for them.
        returned(json!({ "wiba_01_01": "x".repeat(2_001) })),
        // Nothing the member could act on.
        returned(json!({})),
        returned(json!({ "wiba_01_01": "  " })),
        returned(json!({ "wiba_99_01": "Frage gibt es nicht" })),
        json!({ "revision": 1, "verdict": "accepted", "findings": [finding("", "Text")] }),
        json!({ "revision": 1, "verdict": "accepted", "findings": [finding("f1", "a"), finding("f1", "b")] }),
        json!({ "revision": 1, "verdict": "accepted", "findings": [finding("f1", "x".repeat(2_001).as_str())] }),
    ];
    for body in invalid {
        node.refused(&review, body, StatusCode::BAD_REQUEST, "invalid_review")
            .await;
    }
    node.refused(
        &review,
        json!({ "revision": 2, "verdict": "accepted" }),
        StatusCode::CONFLICT,
        "not_submitted",
    )
    .await;
    node.refused(
        &review,
        json!({ "revision": 1, "verdict": "rejected" }),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
}

#[tokio::test]
async fn posture_bodies_and_answers_validate_against_their_schemas() {
    let mut node = TestNode::new();
    node.host_officer();
    let me = node.me();
    node.as_role(Role::ItLead);
    let body = assessment("yes", "no");
    let saved = node.save_posture(body.clone()).await;
    let submitted = node.submit_posture().await;
    node.as_role(Role::SecurityOfficer);
    let review = json!({
        "revision": 1, "verdict": "accepted",
        "findings": [{ "id": "f1", "question": null, "text": "Notfallkarte", "owner": "IT", "due_ms": T0_MS, "closed_ms": null }],
    });
    let reviewed = node
        .posture_write(
            Method::POST,
            &format!("/api/posture/members/{me}/review"),
            Some(review.clone()),
        )
        .await;
    let (_, workspace) = node.get("/api/posture/members").await;
    let (_, detail) = node.get(&format!("/api/posture/members/{me}")).await;
    node.as_role(Role::ItLead);
    let (_, own) = node.get("/api/posture").await;
    assert_eq!(own["findings"][0]["id"], "f1", "{own}");
    let (_, document) = node.get("/api/openapi.json").await;
    super::schema_bodies::check_with_standard_tools(
        &document,
        &[
            ("PostureBody", body),
            ("ReviewRequest", review),
            ("PostureSaved", saved),
            ("PostureSubmitted", submitted),
            ("Saved", reviewed),
            ("Workspace", workspace),
            ("PostureAnswer", detail),
            ("PostureAnswer", own),
        ],
    );
}

#[tokio::test]
async fn a_dismissed_officer_loses_the_workspace_and_cannot_review() {
    let (mut node, me) = submitted_node().await;
    node.dismiss_officer();

    node.as_role(Role::SecurityOfficer);
    let (status, workspace) = node.get("/api/posture/members").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(workspace["members"], json!([]), "it serves nobody now");
    let (status, answer) = node.get(&format!("/api/posture/members/{me}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "member_not_served");
    node.refused(
        &format!("/api/posture/members/{me}/review"),
        json!({ "revision": 1, "verdict": "accepted" }),
        StatusCode::NOT_FOUND,
        "member_not_served",
    )
    .await;
}

#[tokio::test]
async fn a_removed_member_leaves_the_officers_workspace() {
    let mut node = TestNode::new();
    let me = node.me();
    // C joins; the officer is appointed to serve A and C.
    let key_c = KeyPair::from_seed([70; 32]);
    let c = MemberId::from_key(key_c.public());
    pass(
        &mut node.core.lock(),
        Proposal::Add {
            key: key_c.public(),
            name: "Gemeinde Lautertal".into(),
        },
    );
    node.host_officer_serving(vec![me, c], &[&key_c]);
    node.as_role(Role::SecurityOfficer);
    let listed = |workspace: &Value| {
        workspace["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["member"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (_, workspace) = node.get("/api/posture/members").await;
    assert_eq!(listed(&workspace).len(), 2, "{workspace}");
    let (status, _) = node.get(&format!("/api/posture/members/{c}")).await;
    assert_eq!(status, StatusCode::OK);

    // C is removed from the pact (A proposes, B approves: 2 of 3).
    {
        let mut core = node.core.lock();
        pass(
            &mut core,
            Proposal::Remove {
                member: c,
                frozen_heads: Default::default(),
            },
        );
        assert!(
            !core
                .replica()
                .membership()
                .state()
                .members()
                .any(|(id, _)| *id == c)
        );
    }
    let (_, workspace) = node.get("/api/posture/members").await;
    assert_eq!(listed(&workspace), vec![me.to_string()], "{workspace}");
    let (status, answer) = node.get(&format!("/api/posture/members/{c}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "member_not_served");
    node.refused(
        &format!("/api/posture/members/{c}/review"),
        json!({ "revision": 1, "verdict": "accepted" }),
        StatusCode::NOT_FOUND,
        "member_not_served",
    )
    .await;
}
