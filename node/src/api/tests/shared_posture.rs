//! Aid linked to posture and the pact benchmark over the JSON API: the
//! requester shares flags (never answers) with the members pledging on
//! its request; a member without a standing pledge sees nothing, even
//! when the record happens to be sealed to it; bad bodies change nothing.

use amtshilfe_protocol::model::RecordTag;
use amtshilfe_protocol::posture::{
    AidShareLevel, AidSummary, Answer, Assessment, PosturePayload, QuestionAnswer, SealedPosture,
    WibaCatalogue, aid_record,
};
use amtshilfe_protocol::seal::{EncryptionKeyAnnouncement, EncryptionSecret, Reader, ReaderId};
use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::sealing::SealIdentities;
use crate::sealing::task::maintain;

fn secret_a() -> EncryptionSecret {
    EncryptionSecret::from_bytes([41; 32])
}

fn secret_b() -> EncryptionSecret {
    EncryptionSecret::from_bytes([42; 32])
}

fn posture_key(id: &str) -> RecordKey {
    RecordKey {
        tag: RecordTag::Posture,
        id: RecordId::new(id).unwrap(),
    }
}

/// Node A holds its member's encryption secret and has published it.
fn with_seal_key(node: &TestNode) {
    let mut core = node.core.lock();
    core.set_seal_identities(SealIdentities {
        member: Some(secret_a()),
        officer: None,
    });
    maintain(&mut core, clock::now_ms()).unwrap();
}

/// Member B publishes its encryption key.
fn b_publishes_key(node: &mut TestNode) {
    let pact = node.core.lock().replica().pact_id();
    let holder = ReaderId::Member(node.other_id());
    let announcement = EncryptionKeyAnnouncement::sign(
        pact,
        holder,
        &secret_b(),
        clock::now_ms() - 1_000,
        &node.other.device.key,
    );
    let id = crate::sealing::publish::announcement_record_id(&holder, &secret_b().public());
    let key = RecordKey {
        tag: RecordTag::EncryptionKey,
        id,
    };
    node.other_writes(key, serde_json::to_value(&announcement).unwrap());
}

fn b_summary(request: &str) -> PosturePayload {
    let mut assessment = Assessment::empty(WibaCatalogue::builtin(), T0_MS);
    assessment.wiba.insert(
        "wiba_03_01".into(),
        QuestionAnswer {
            answer: Answer::No,
            note: "Bandsicherung defekt".into(),
            evidence: None,
        },
    );
    PosturePayload::AidSummary(AidSummary::of(
        request,
        AidShareLevel::EligibilityAndRedFlags,
        1,
        &assessment,
        T0_MS,
    ))
}

/// Member B writes its aid summary for `request`, sealed to itself and
/// (with `to_a`) to member A.
fn b_shares(node: &mut TestNode, request: &str, to_a: bool) {
    let pact = node.core.lock().replica().pact_id();
    let mut readers = vec![Reader {
        id: ReaderId::Member(node.other_id()),
        key: secret_b().public(),
    }];
    if to_a {
        readers.push(Reader {
            id: ReaderId::Member(node.me()),
            key: secret_a().public(),
        });
    }
    readers.sort();
    let record = aid_record(request);
    let sealed = SealedPosture::seal(
        &pact,
        node.other_id(),
        &record,
        &b_summary(request),
        &readers,
        [8; 32],
    )
    .unwrap();
    node.other_writes(posture_key(&record), serde_json::to_value(&sealed).unwrap());
}

fn assert_announced_once(node: &mut TestNode) {
    assert!(node.announced.try_recv().is_ok(), "the write was announced");
    assert!(node.announced.try_recv().is_err(), "announced once");
}

#[tokio::test]
async fn only_a_member_standing_by_a_pledge_sees_the_requesters_flags() {
    let mut node = TestNode::new();
    with_seal_key(&node);
    let b = node.other_id();
    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    b_shares(&mut node, "r-b1", true);
    let uri = format!("/api/requests/{b}/r-b1/posture-summary");

    // Sealed to A, but A has not pledged: nothing shown.
    let (status, answer) = node.get(&uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "posture_not_shared");
    node.add_account("it", Role::ItLead, true);
    let (session, _) = node.login_page("it").await;
    let page_uri = format!("/anfragen/{b}/r-b1");
    let page = node.page(&session, &page_uri).await;
    assert!(!page.contains("Offene Warnzeichen"), "{page}");

    let my_pledge = node
        .created(
            "/api/pledges",
            pledge(b, &id("r-b1"), "n1", 2),
            StatusCode::CREATED,
        )
        .await;
    let (status, summary) = node.get(&uri).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["irs_eligible"], false);
    assert!(
        summary["raised_red_flags"]
            .as_array()
            .unwrap()
            .contains(&json!("offline_backup_tested"))
    );
    let page = node.page(&session, &page_uri).await;
    assert!(
        page.contains("Sicherheitslage der anfragenden Stelle"),
        "{page}"
    );
    assert!(page.contains("Offline-Sicherung getestet"), "{page}");
    assert!(!page.contains("Bandsicherung"), "no answers on the page");
    let text = summary.to_string();
    assert!(
        !text.contains("wiba_03_01") && !text.contains("Bandsicherung"),
        "flags, not answers: {text}"
    );

    // A withdraws its pledge: the record is still sealed to A (B's node
    // has not re-sealed yet), but A's node shows nothing any more.
    let mut withdrawn = pledge(b, &id("r-b1"), "n1", 2);
    withdrawn["status"] = json!("withdrawn");
    node.core
        .lock()
        .write(
            amtshilfe_protocol::ids::Collection::Pledges,
            &[RecordOp::Put {
                key: RecordKey::pledge(my_pledge.clone()).to_string(),
                json: withdrawn.to_string(),
            }],
            clock::now_ms(),
        )
        .unwrap();
    let (status, _) = node.get(&uri).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a withdrawn pledge sees nothing"
    );
    let page = node.page(&session, &page_uri).await;
    assert!(!page.contains("Offene Warnzeichen"));
    node.created(
        "/api/pledges",
        pledge(b, &id("r-b1"), "n1", 2),
        StatusCode::CREATED,
    )
    .await;

    // Re-sealed without A (B's choice): A's pledge alone opens nothing.
    b_shares(&mut node, "r-b1", false);
    let (status, _) = node.get(&uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another request, or a malformed member id: the same answer.
    let (status, _) = node
        .get(&format!("/api/requests/{b}/r-none/posture-summary"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = node.get("/api/requests/xyz/r-b1/posture-summary").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_requester_shares_flags_with_its_pledging_helpers_only() {
    let mut node = TestNode::new();
    with_seal_key(&node);
    let me = node.me();
    let request = node
        .created("/api/requests", laptop_request(5), StatusCode::CREATED)
        .await;
    let share = format!("/api/requests/{request}/posture-share");
    let level = json!({ "level": "eligibility_and_red_flags" });

    // Bad input changes nothing.
    node.refused_with(
        Method::PUT,
        &share,
        Some(level.to_string()),
        StatusCode::CONFLICT,
        "no_posture",
    )
    .await;
    {
        let mut core = node.core.lock();
        let mut assessment = Assessment::empty(WibaCatalogue::builtin(), T0_MS);
        assessment
            .red_flags
            .insert("mfa_remote_access".into(), true);
        crate::ops::posture::save_assessment(&mut core, assessment, clock::now_ms()).unwrap();
    }
    for (body, status, code) in [
        (
            json!({ "level": "everything" }),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({ "level": "eligibility", "answers": true }),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
    ] {
        node.refused_with(Method::PUT, &share, Some(body.to_string()), status, code)
            .await;
    }
    node.refused_with(
        Method::PUT,
        "/api/requests/r-not-mine/posture-share",
        Some(level.to_string()),
        StatusCode::NOT_FOUND,
        "request_not_found",
    )
    .await;

    // Shared before anyone pledged: sealed to the member alone.
    let (status, shared) = node.call(Method::PUT, &share, Some(level.clone())).await;
    assert_eq!(status, StatusCode::OK, "{shared}");
    assert_eq!(shared["helpers"], json!([]));
    assert_announced_once(&mut node);
    let record = aid_record(request.as_str());
    let readers = |node: &TestNode| -> Vec<ReaderId> {
        let core = node.core.lock();
        let found = core
            .replica()
            .read_model()
            .posture_records()
            .find(|(address, _)| address.owner == me && address.id.as_str() == record)
            .map(|(_, sealed)| sealed.sealed.readers().map(|r| r.id).collect());
        found.unwrap_or_default()
    };
    assert_eq!(readers(&node), vec![ReaderId::Member(me)]);

    // B pledges and publishes its key: the sealing task re-seals to B.
    b_publishes_key(&mut node);
    node.other_writes(RecordKey::pledge(id("p-b1")), pledge(me, &request, "n1", 2));
    maintain(&mut node.core.lock(), clock::now_ms()).unwrap();
    assert!(readers(&node).contains(&ReaderId::Member(node.other_id())));
    let sealed = {
        let core = node.core.lock();
        let found = core
            .replica()
            .read_model()
            .posture_records()
            .find(|(address, _)| address.owner == me && address.id.as_str() == record)
            .map(|(_, sealed)| sealed.clone());
        found.unwrap()
    };
    let pact = node.core.lock().replica().pact_id();
    let opened = sealed
        .open(&pact, &ReaderId::Member(node.other_id()), &secret_b())
        .unwrap();
    let PosturePayload::AidSummary(summary) = opened else {
        panic!("an aid summary");
    };
    assert!(
        !summary
            .raised_red_flags
            .unwrap()
            .contains(&"mfa_remote_access".to_owned()),
        "a flag in place is not raised"
    );

    // Withdrawn: the record is gone.
    let (status, _) = node.call(Method::DELETE, &share, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_announced_once(&mut node);
    assert!(readers(&node).is_empty());
    node.refused_with(
        Method::DELETE,
        &share,
        None,
        StatusCode::NOT_FOUND,
        "posture_not_shared",
    )
    .await;
}

#[tokio::test]
async fn a_node_without_an_officer_publishes_no_benchmark_and_shows_none() {
    let mut node = TestNode::new();
    // Publishing is the officer's act: not even an admin's.
    node.refused_with(
        Method::POST,
        "/api/posture/benchmark",
        None,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    node.as_role(Role::SecurityOfficer);
    node.refused_with(
        Method::POST,
        "/api/posture/benchmark",
        None,
        StatusCode::CONFLICT,
        "no_officer_here",
    )
    .await;
    node.as_role(Role::ItLead);
    let (status, seen) = node.get("/api/posture/benchmark").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen, json!([]));
}

#[tokio::test]
async fn the_requester_chooses_on_its_request_page_what_helpers_see() {
    let mut node = TestNode::new();
    with_seal_key(&node);
    let me = node.me();
    let request = node
        .created("/api/requests", laptop_request(5), StatusCode::CREATED)
        .await;
    {
        let mut core = node.core.lock();
        let assessment = Assessment::empty(WibaCatalogue::builtin(), T0_MS);
        crate::ops::posture::save_assessment(&mut core, assessment, clock::now_ms()).unwrap();
    }
    node.add_account("anfrage", Role::Requester, true);
    let (session, csrf) = node.login_page("anfrage").await;
    let page_uri = format!("/anfragen/{me}/{request}");
    let action = format!("{page_uri}/sicherheitslage");
    let page = node.page(&session, &page_uri).await;
    assert!(page.contains(&format!("action=\"{action}\"")), "{page}");

    // A choice the form does not offer: refused, nothing written.
    let before = node.digest();
    let (status, _) = node
        .form(&session, &action, format!("csrf={csrf}&level=everything"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(node.digest(), before);
    // Another member's request: not this member's to share.
    let b = node.other_id();
    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    let before = node.digest();
    let (status, _) = node
        .form(
            &session,
            &format!("/anfragen/{b}/r-b1/sicherheitslage"),
            format!("csrf={csrf}&level=eligibility"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(node.digest(), before);

    let (status, _) = node
        .form(
            &session,
            &action,
            format!("csrf={csrf}&level=eligibility_and_red_flags"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = node.page(&session, &page_uri).await;
    assert!(page.contains("Offene Warnzeichen"), "{page}");
    let (status, _) = node
        .form(&session, &action, format!("csrf={csrf}&level=none"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = node.page(&session, &page_uri).await;
    assert!(!page.contains("Offene Warnzeichen"), "withdrawn");
    while node.announced.try_recv().is_ok() {}
}

/// Member B hosts an officer appointed to serve member A; B's node shares
/// a benchmark with A (figures given here), carried in B's document.
fn b_shares_benchmark(node: &mut TestNode, members_in_topic: usize) {
    use amtshilfe_protocol::membership::{Proposal, SignedEntry};
    use amtshilfe_protocol::posture::{BenchmarkShare, TopicBenchmark, benchmark_record};

    let officer = KeyPair::from_seed([60; 32]);
    let officer_secret = EncryptionSecret::from_bytes([61; 32]);
    let key_a = KeyPair::from_seed([1; 32]);
    let a = node.me();
    let b = node.other_id();
    let mut core = node.core.lock();
    if !core
        .replica()
        .membership()
        .state()
        .officers()
        .any(|o| o.key == officer.public())
    {
        let propose = core.replica().membership().propose(
            &key_a,
            Proposal::AppointOfficer {
                officer_key: officer.public(),
                name: "Gemeinsame ISB".into(),
                serves: vec![a],
            },
            T0_MS + 1,
        );
        assert!(core.receive_entries(vec![propose.clone()], "test"));
        let approve =
            core.replica()
                .membership()
                .approve(&node.other.device.key, propose.hash(), T0_MS + 1);
        assert!(core.receive_entries(vec![approve], "test"));
        let entries: Vec<SignedEntry> = core
            .replica()
            .membership()
            .entries_in_order()
            .into_iter()
            .map(|(_, entry)| entry.clone())
            .collect();
        for entry in entries {
            let _ = node.other.replica.receive_entry(entry);
        }
    }
    let pact = core.replica().pact_id();
    drop(core);
    let mut readers = vec![
        Reader {
            id: ReaderId::Member(a),
            key: secret_a().public(),
        },
        Reader {
            id: ReaderId::Officer(officer.public()),
            key: officer_secret.public(),
        },
    ];
    readers.sort();
    let record = benchmark_record(&a);
    let share = PosturePayload::Benchmark(BenchmarkShare {
        member: a,
        catalogue_version: WibaCatalogue::builtin().version.clone(),
        topics: vec![TopicBenchmark {
            topic: "wiba_03".into(),
            members: members_in_topic,
            min: 250,
            median: 500,
            max: 1000,
        }],
        computed_at_ms: T0_MS + 2,
    });
    let sealed = SealedPosture::seal(&pact, a, &record, &share, &readers, [3; 32])
        .unwrap()
        .carried_by(&b, &officer);
    node.other_writes(posture_key(&record), serde_json::to_value(&sealed).unwrap());
}

#[tokio::test]
async fn a_served_member_sees_the_benchmark_only_with_three_members_per_topic() {
    let mut node = TestNode::new();
    with_seal_key(&node);
    // The figures are about the member's weaknesses: its posture staff
    // read them, a viewer does not.
    node.add_account("leser", Role::Viewer, true);
    let (viewer, _) = node.login_page("leser").await;
    let answer = node
        .send(
            Request::get("/sicherheitslage/vergleich").header(header::COOKIE, &viewer),
            Body::empty(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    node.add_account("it", Role::ItLead, true);
    let (session, _) = node.login_page("it").await;
    let page = node.page(&session, "/sicherheitslage/vergleich").await;
    assert!(page.contains("Noch kein Vergleich freigegeben."), "{page}");

    // A share with a topic of two members is not shown (its figures would
    // come close to one member's).
    b_shares_benchmark(&mut node, 2);
    let (_, seen) = node.get("/api/posture/benchmark").await;
    assert_eq!(seen, json!([]));

    b_shares_benchmark(&mut node, 3);
    let (status, seen) = node.get("/api/posture/benchmark").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen[0]["benchmark"]["topics"][0]["median"], 500);
    let page = node.page(&session, "/sicherheitslage/vergleich").await;
    assert!(
        page.contains("Datensicherung") || page.contains("50 %"),
        "{page}"
    );
    assert!(page.contains("25 %") && page.contains("100 %"), "{page}");
}
