//! Posture: catalogues, validation, AKC rules, progress, the benchmark,
//! the review workflow and sealed records against the membership log.

use std::collections::BTreeMap;

use super::*;
use crate::identity::KeyPair;
use crate::ids::{MemberId, PactId};
use crate::membership::{InsertOutcome, MembershipLog, Proposal};
use crate::seal::{EncryptionPublicKey, EncryptionSecret, OpenError, ReaderId, StructureError};

pub(super) const T0_MS: i64 = 1_767_225_600_000;
const DAY_MS: i64 = 86_400_000;

fn wiba() -> &'static WibaCatalogue {
    WibaCatalogue::builtin()
}

fn answer(answer: Answer) -> QuestionAnswer {
    QuestionAnswer {
        answer,
        note: String::new(),
        evidence: None,
    }
}

pub(super) fn assessment(answers: &[(&str, Answer)]) -> Assessment {
    let mut assessment = Assessment::empty(wiba(), T0_MS);
    for (question, given) in answers {
        assessment.wiba.insert((*question).into(), answer(*given));
    }
    assessment
}

#[test]
fn the_built_in_catalogues_cover_every_list() {
    let catalogue = wiba();
    assert_eq!(catalogue.topics.len(), 19);
    assert!(catalogue.question_count() >= 19 * 3);
    assert_eq!(catalogue.topics[2].id, "wiba_03");
    assert!(catalogue.question("wiba_03_02").is_some());
    let measures = MeasureCatalogue::builtin();
    let ids = |entries: &[crate::catalogue::Entry]| -> Vec<String> {
        entries.iter().map(|e| e.id.clone()).collect()
    };
    assert_eq!(
        ids(&measures.bcms_stages),
        ["none", "reactive", "build_up", "standard"]
    );
    assert_eq!(
        ids(&measures.nis2_measures),
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
    );
    assert_eq!(measures.red_flags.len(), 5);
}

#[test]
fn an_official_catalogue_file_loads_and_bad_files_are_refused() {
    let official = r#"{"catalogue":"wiba","version":"2024-final","topics":[
        {"number":3,"id":"wiba_03","de":"Backup","en":"Backup","questions":[
            {"number":1,"id":"wiba_03_01","de":"Frage","en":"Question"}]}]}"#;
    let loaded = WibaCatalogue::from_json(official).unwrap();
    assert_eq!(loaded.version, "2024-final");
    assert_eq!(loaded.question_count(), 1);

    let bad = [
        ("not json", "{"),
        (
            "wrong id",
            r#"{"catalogue":"wiba","version":"1","topics":[{"number":3,"id":"wiba_04","de":"a","en":"a","questions":[{"number":1,"id":"wiba_04_01","de":"q","en":"q"}]}]}"#,
        ),
        (
            "question twice",
            r#"{"catalogue":"wiba","version":"1","topics":[{"number":3,"id":"wiba_03","de":"a","en":"a","questions":[{"number":1,"id":"wiba_03_01","de":"q","en":"q"},{"number":1,"id":"wiba_03_01","de":"q","en":"q"}]}]}"#,
        ),
        (
            "empty version",
            r#"{"catalogue":"wiba","version":"","topics":[{"number":3,"id":"wiba_03","de":"a","en":"a","questions":[{"number":1,"id":"wiba_03_01","de":"q","en":"q"}]}]}"#,
        ),
        (
            "unknown field",
            r#"{"catalogue":"wiba","version":"1","extra":1,"topics":[]}"#,
        ),
        (
            "empty label",
            r#"{"catalogue":"wiba","version":"1","topics":[{"number":3,"id":"wiba_03","de":" ","en":"a","questions":[{"number":1,"id":"wiba_03_01","de":"q","en":"q"}]}]}"#,
        ),
    ];
    for (name, text) in bad {
        assert!(
            WibaCatalogue::from_json(text).is_err(),
            "{name} was accepted"
        );
    }
}

#[test]
fn validation_names_every_problem() {
    let mut bad = assessment(&[("wiba_99_01", Answer::Yes), ("wiba_03_01", Answer::No)]);
    bad.bcms.stage = "excellent".into();
    bad.nis2.insert("a".into(), 4);
    bad.nis2.insert("k".into(), 1);
    bad.red_flags.insert("no_such_flag".into(), true);
    let problems = bad.validate(wiba()).unwrap_err();
    let codes: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.code))
        .collect();
    assert_eq!(
        codes,
        [
            ("wiba_99_01", "unknown_question"),
            ("bcms.stage", "unknown_bcms_stage"),
            ("nis2.a", "maturity_out_of_range"),
            ("nis2.k", "unknown_nis2_measure"),
            ("red_flags.no_such_flag", "unknown_red_flag"),
        ]
    );
    let good = assessment(&[("wiba_03_01", Answer::No)]);
    assert_eq!(good.validate(wiba()), Ok(()));
}

#[test]
fn akc_prerequisites_are_rules() {
    let mut akc = AkcMilestones {
        kdlz_cs_stage2_ms: Some(T0_MS),
        ..AkcMilestones::default()
    };
    assert_eq!(akc.rule_violations(), ["stage2_without_stage1"]);
    akc.kdlz_cs_stage1_ms = Some(T0_MS - DAY_MS);
    akc.stage1_recommendations_done_permille = Some(900);
    assert_eq!(
        akc.rule_violations(),
        ["stage2_before_recommendations_done"]
    );
    akc.stage1_recommendations_done_permille = Some(1000);
    assert!(akc.rule_violations().is_empty());

    akc.irs_enrolled_ms = Some(T0_MS);
    assert_eq!(akc.rule_violations(), ["irs_without_audit_and_workshop"]);
    assert!(!akc.irs_eligible());
    akc.irs_workshop_ms = Some(T0_MS - DAY_MS);
    assert!(akc.rule_violations().is_empty());
    assert!(akc.irs_eligible());

    // A record breaking a rule does not validate.
    let mut record = assessment(&[]);
    record.akc.irs_enrolled_ms = Some(T0_MS);
    let problems = record.validate(wiba()).unwrap_err();
    assert_eq!(problems[0].code, "irs_without_audit_and_workshop");
}

#[test]
fn progress_is_yes_over_decided_and_share_answered() {
    let record = assessment(&[
        ("wiba_03_01", Answer::Yes),
        ("wiba_03_02", Answer::Yes),
        ("wiba_03_03", Answer::No),
        ("wiba_03_04", Answer::NotApplicable),
        ("wiba_04_01", Answer::Open),
    ]);
    let progress = wiba_progress(&record, wiba());
    let backup = &progress[2];
    assert_eq!((backup.yes, backup.no, backup.not_applicable), (2, 1, 1));
    assert_eq!(backup.progress_permille(), Some(666));
    assert_eq!(backup.answered_permille(), 1000);
    let office = &progress[3];
    assert_eq!(office.open, 1);
    assert_eq!(office.progress_permille(), None);
    assert_eq!(office.answered_permille(), 0);
    // Raised red flags: all five while none is confirmed.
    assert_eq!(record.raised_red_flags().len(), 5);
}

#[test]
fn the_benchmark_needs_three_members_per_topic() {
    let member = |answers: &[(&str, Answer)]| wiba_progress(&assessment(answers), wiba());
    let a = member(&[("wiba_03_01", Answer::Yes), ("wiba_01_01", Answer::Yes)]);
    let b = member(&[("wiba_03_01", Answer::No), ("wiba_01_01", Answer::No)]);
    let c = member(&[("wiba_03_01", Answer::Yes), ("wiba_03_02", Answer::No)]);
    assert_eq!(benchmark(&[a.clone(), b.clone()]), None);
    let rows = benchmark(&[a, b, c]).unwrap();
    // Topic 01 has only two members with a progress: left out.
    assert!(rows.iter().all(|row| row.topic != "wiba_01"));
    let backup = rows.iter().find(|row| row.topic == "wiba_03").unwrap();
    assert_eq!(
        (backup.members, backup.min, backup.median, backup.max),
        (3, 0, 500, 1000)
    );
}

/// Founders 1..=3; officer 60 appointed to serve members 1 and 2;
/// officer 61 appointed to serve member 3 only.
pub(super) struct Pact {
    pub(super) log: MembershipLog,
    pub(super) keys: Vec<KeyPair>,
    pub(super) isb: KeyPair,
    pub(super) other_isb: KeyPair,
}

impl Pact {
    pub(super) fn new(appoint: bool) -> Self {
        let keys: Vec<KeyPair> = (1..=3).map(|s| KeyPair::from_seed([s; 32])).collect();
        let signers: Vec<(&KeyPair, &str)> = keys.iter().map(|k| (k, "Kreis")).collect();
        let log = MembershipLog::new(MembershipLog::charter("Pakt", &signers, T0_MS)).unwrap();
        let mut pact = Self {
            log,
            keys,
            isb: KeyPair::from_seed([60; 32]),
            other_isb: KeyPair::from_seed([61; 32]),
        };
        if appoint {
            pact.appoint_isb();
            let other = pact.other_isb.public();
            pact.appoint(other, vec![pact.member(2)], &[0, 2]);
        }
        pact
    }

    pub(super) fn member(&self, index: usize) -> MemberId {
        MemberId::from_key(self.keys[index].public())
    }

    pub(super) fn pact_id(&self) -> PactId {
        self.log.pact_id()
    }

    fn appoint_isb(&mut self) {
        let isb = self.isb.public();
        let serves = vec![self.member(0), self.member(1)];
        self.appoint(isb, serves, &[0, 1]);
    }

    fn appoint(&mut self, officer: crate::ids::PublicKey, serves: Vec<MemberId>, by: &[usize]) {
        let entry = self.log.propose(
            &self.keys[by[0]],
            Proposal::AppointOfficer {
                officer_key: officer,
                name: "ISB".into(),
                serves,
            },
            T0_MS,
        );
        let proposal = entry.hash();
        assert!(matches!(
            self.log.insert(entry),
            Ok(InsertOutcome::Applied { .. })
        ));
        for approver in &by[1..] {
            let approval = self.log.approve(&self.keys[*approver], proposal, T0_MS);
            assert!(matches!(
                self.log.insert(approval),
                Ok(InsertOutcome::Applied { .. })
            ));
        }
    }
}

fn submit(pact: &Pact, revision: u32, record: &Assessment) -> Submission {
    Submission::sign(
        pact.pact_id(),
        pact.member(0),
        revision,
        record,
        T0_MS + i64::from(revision),
        &pact.keys[0],
    )
}

fn review(
    pact: &Pact,
    officer: &KeyPair,
    revision: u32,
    record: &Assessment,
    verdict: Verdict,
    at_ms: i64,
) -> Review {
    Review::sign(
        ReviewBody {
            pact: pact.pact_id(),
            member: pact.member(0),
            revision,
            assessment_hash: assessment_hash(record),
            officer: officer.public(),
            verdict,
            findings: vec![Finding {
                id: "f-backup".into(),
                question: Some("wiba_03_03".into()),
                text: "Wiederherstellung testen".into(),
                owner: "IT-Leitung".into(),
                due_ms: T0_MS + 30 * DAY_MS,
                closed_ms: None,
            }],
            reviewed_at_ms: at_ms,
        },
        officer,
    )
}

fn returned(question: &str, comment: &str) -> Verdict {
    Verdict::Returned {
        comments: BTreeMap::from([(question.to_owned(), comment.to_owned())]),
    }
}

#[test]
fn submit_return_fix_accept_gives_a_baseline_and_a_delta() {
    let pact = Pact::new(true);
    let state = pact.log.state();
    let first = assessment(&[("wiba_03_03", Answer::Yes)]);
    let sub1 = submit(&pact, 1, &first);
    assert_eq!(sub1.check(&pact.pact_id(), state), Ok(()));
    assert_eq!(
        workflow(std::slice::from_ref(&sub1), &[]).status,
        Status::Submitted { revision: 1 }
    );

    let back = review(
        &pact,
        &pact.isb,
        1,
        &first,
        returned("wiba_03_03", "Kein Nachweis des Wiederherstellungstests"),
        T0_MS + DAY_MS,
    );
    assert_eq!(back.check(&pact.pact_id(), state), Ok(()));
    let flow = workflow(std::slice::from_ref(&sub1), std::slice::from_ref(&back));
    assert!(
        matches!(flow.status, Status::Returned { revision: 1, ref comments, .. }
        if comments["wiba_03_03"].contains("Nachweis"))
    );
    assert_eq!(flow.baseline, None);

    let mut fixed = first.clone();
    fixed.wiba.get_mut("wiba_03_03").unwrap().answer = Answer::No;
    let sub2 = submit(&pact, 2, &fixed);
    let accept = review(
        &pact,
        &pact.isb,
        2,
        &fixed,
        Verdict::Accepted,
        T0_MS + 2 * DAY_MS,
    );
    let flow = workflow(&[sub1, sub2], &[back, accept]);
    assert_eq!(
        flow.status,
        Status::Accepted {
            revision: 2,
            officer: pact.isb.public()
        }
    );
    assert_eq!(flow.baseline, Some((2, assessment_hash(&fixed))));
    assert_eq!(flow.open_findings().count(), 1);
    assert_eq!(flow.overdue_findings(T0_MS + 31 * DAY_MS).count(), 1);
    assert_eq!(flow.overdue_findings(T0_MS).count(), 0);

    let mut next = fixed.clone();
    next.wiba.insert("wiba_01_01".into(), answer(Answer::Yes));
    next.wiba.get_mut("wiba_03_03").unwrap().answer = Answer::Yes;
    assert_eq!(
        delta(&fixed, &next),
        [
            AnswerChange {
                question: "wiba_01_01".into(),
                from: None,
                to: Some(Answer::Yes)
            },
            AnswerChange {
                question: "wiba_03_03".into(),
                from: Some(Answer::No),
                to: Some(Answer::Yes)
            },
        ]
    );
}

#[test]
fn a_review_crossing_an_edit_loses_nothing() {
    let pact = Pact::new(true);
    let first = assessment(&[("wiba_03_03", Answer::No)]);
    let mut edited = first.clone();
    edited.wiba.insert("wiba_03_01".into(), answer(Answer::Yes));
    // The officer accepted revision 1 while the member submitted revision 2.
    let accept_first = review(&pact, &pact.isb, 1, &first, Verdict::Accepted, T0_MS + 5);
    let subs = [submit(&pact, 1, &first), submit(&pact, 2, &edited)];
    let flow = workflow(&subs, std::slice::from_ref(&accept_first));
    // The edit still waits for review; the acceptance made revision 1 the baseline.
    assert_eq!(flow.status, Status::Submitted { revision: 2 });
    assert_eq!(flow.baseline, Some((1, assessment_hash(&first))));
    // A review naming revision 2 but the hash of another text counts for nothing.
    let wrong_hash = review(&pact, &pact.isb, 2, &first, Verdict::Accepted, T0_MS + 6);
    let flow = workflow(&subs, &[accept_first, wrong_hash]);
    assert_eq!(flow.status, Status::Submitted { revision: 2 });
}

#[test]
fn only_an_officer_serving_the_member_may_review_and_only_the_member_submit() {
    let pact = Pact::new(true);
    let state = pact.log.state();
    let record = assessment(&[]);
    // Officer 61 is appointed, but for member 3, not member 1.
    let foreign = review(&pact, &pact.other_isb, 1, &record, Verdict::Accepted, T0_MS);
    assert_eq!(
        foreign.check(&pact.pact_id(), state),
        Err(ReviewError::NotServingOfficer)
    );
    let stranger = KeyPair::from_seed([77; 32]);
    let unappointed = review(&pact, &stranger, 1, &record, Verdict::Accepted, T0_MS);
    assert_eq!(
        unappointed.check(&pact.pact_id(), state),
        Err(ReviewError::NotServingOfficer)
    );
    let mut forged = review(&pact, &pact.isb, 1, &record, Verdict::Accepted, T0_MS);
    forged.body.verdict = returned("wiba_03_01", "x");
    assert_eq!(
        forged.check(&pact.pact_id(), state),
        Err(ReviewError::BadSignature)
    );
    // Member 2 cannot submit for member 1.
    let by_other = Submission::sign(
        pact.pact_id(),
        pact.member(0),
        1,
        &record,
        T0_MS,
        &pact.keys[1],
    );
    assert_eq!(
        by_other.check(&pact.pact_id(), state),
        Err(ReviewError::NotMembersSigner)
    );
}

/// Published keys: member i → secret 10 + i; officers 60, 61 → secrets 70, 71.
pub(super) fn keys(pact: &Pact) -> BTreeMap<ReaderId, EncryptionPublicKey> {
    let mut keys = BTreeMap::new();
    for index in 0..3 {
        keys.insert(
            ReaderId::Member(pact.member(index)),
            member_secret(index).public(),
        );
    }
    keys.insert(ReaderId::Officer(pact.isb.public()), secret(70).public());
    keys.insert(
        ReaderId::Officer(pact.other_isb.public()),
        secret(71).public(),
    );
    keys
}

pub(super) fn secret(seed: u8) -> EncryptionSecret {
    EncryptionSecret::from_bytes([seed; 32])
}

pub(super) fn member_secret(index: usize) -> EncryptionSecret {
    secret(10 + index as u8)
}

fn sealed_draft(pact: &Pact) -> (SealedPosture, PosturePayload) {
    let payload = PosturePayload::Assessment {
        revision: 0,
        assessment: assessment(&[("wiba_03_03", Answer::No)]),
    };
    let readers = posture_readers(&pact.member(0), pact.log.state(), &keys(pact)).unwrap();
    let sealed = SealedPosture::seal(
        &pact.pact_id(),
        pact.member(0),
        "assessment-r0",
        &payload,
        &readers,
        [9; 32],
    )
    .unwrap();
    (sealed, payload)
}

#[test]
fn the_member_and_its_officer_read_nobody_else_does() {
    let pact = Pact::new(true);
    let (sealed, payload) = sealed_draft(&pact);
    let pact_id = pact.pact_id();
    assert_eq!(sealed.check(pact.log.state()), Ok(()));
    assert_eq!(
        sealed
            .open(
                &pact_id,
                &ReaderId::Member(pact.member(0)),
                &member_secret(0)
            )
            .unwrap(),
        payload
    );
    assert_eq!(
        sealed
            .open(&pact_id, &ReaderId::Officer(pact.isb.public()), &secret(70))
            .unwrap(),
        payload
    );
    // Member 2 is served by the same officer, but it is not member 1.
    assert_eq!(
        sealed.open(
            &pact_id,
            &ReaderId::Member(pact.member(1)),
            &member_secret(1)
        ),
        Err(OpenPostureError::Open(OpenError::NotAReader))
    );
    // An appointed officer who does not serve member 1 cannot read it.
    assert_eq!(
        sealed.open(
            &pact_id,
            &ReaderId::Officer(pact.other_isb.public()),
            &secret(71)
        ),
        Err(OpenPostureError::Open(OpenError::NotAReader))
    );
    // Moved to another record id, it opens for nobody.
    let mut moved = sealed.clone();
    moved.record = "assessment-r1".into();
    assert_eq!(
        moved.open(
            &pact_id,
            &ReaderId::Member(pact.member(0)),
            &member_secret(0)
        ),
        Err(OpenPostureError::Open(OpenError::Tampered))
    );
}

#[test]
fn nodes_that_cannot_read_still_refuse_wrong_readers_and_bad_wrappings() {
    let pact = Pact::new(true);
    let state = pact.log.state();
    let pact_id = pact.pact_id();
    let all = keys(&pact);
    let record = |readers: &[crate::seal::Reader]| {
        SealedPosture::seal(
            &pact_id,
            pact.member(0),
            "assessment-r0",
            &PosturePayload::Assessment {
                revision: 0,
                assessment: assessment(&[]),
            },
            readers,
            [2; 32],
        )
        .unwrap()
    };
    let reader = |id: ReaderId| crate::seal::Reader { id, key: all[&id] };
    let member = ReaderId::Member(pact.member(0));

    // Sealed also to an officer who does not serve member 1: refused.
    let leaky = record(&[
        reader(member),
        reader(ReaderId::Officer(pact.other_isb.public())),
    ]);
    assert_eq!(
        leaky.check(state),
        Err(PostureRejection::OfficerNotAppointed)
    );
    // Sealed also to another member: refused.
    let to_member = record(&[reader(member), reader(ReaderId::Member(pact.member(1)))]);
    assert_eq!(to_member.check(state), Err(PostureRejection::ForeignReader));
    // Sealed to the officer only, so the member could not read its own: refused.
    let officer_only = record(&[reader(ReaderId::Officer(pact.isb.public()))]);
    assert_eq!(
        officer_only.check(state),
        Err(PostureRejection::MemberNotReader)
    );
    // A wrapping whose ephemeral key is a low-order point: refused unread.
    let (mut weak, _) = sealed_draft(&pact);
    weak.sealed.wrappings[0].ephemeral = EncryptionPublicKey([0; 32]);
    assert_eq!(
        weak.check(state),
        Err(PostureRejection::Structure(StructureError::WeakKey))
    );
    // Sealed to the member alone (before any officer): valid.
    let own = record(&[reader(member)]);
    assert_eq!(own.check(state), Ok(()));
}

#[test]
fn an_officer_appointed_later_reads_after_resealing() {
    let mut pact = Pact::new(false);
    let pact_id = pact.pact_id();
    let member = ReaderId::Member(pact.member(0));
    let officer = ReaderId::Officer(pact.isb.public());
    let all = keys(&pact);
    let before = posture_readers(&pact.member(0), pact.log.state(), &all).unwrap();
    assert_eq!(before.len(), 1, "no officer yet");
    let payload = PosturePayload::Assessment {
        revision: 0,
        assessment: assessment(&[("wiba_18_02", Answer::Yes)]),
    };
    let sealed = SealedPosture::seal(
        &pact_id,
        pact.member(0),
        "assessment-r0",
        &payload,
        &before,
        [1; 32],
    )
    .unwrap();
    // Sealing to the officer before the appointment would be refused.
    let early = SealedPosture::seal(
        &pact_id,
        pact.member(0),
        "assessment-r0",
        &payload,
        &[
            before[0],
            crate::seal::Reader {
                id: officer,
                key: all[&officer],
            },
        ],
        [1; 32],
    )
    .unwrap();
    assert_eq!(
        early.check(pact.log.state()),
        Err(PostureRejection::OfficerNotAppointed)
    );

    pact.appoint_isb();
    let state = pact.log.state();
    assert_eq!(sealed.check(state), Ok(()), "older records stay valid");
    assert_eq!(
        sealed.open(&pact_id, &officer, &secret(70)),
        Err(OpenPostureError::Open(OpenError::NotAReader))
    );
    let after = posture_readers(&pact.member(0), state, &all).unwrap();
    assert_eq!(after.len(), 2);
    let resealed = sealed
        .reseal(&pact_id, &member, &member_secret(0), &after, [2; 32])
        .unwrap();
    assert_eq!(resealed.check(state), Ok(()));
    assert_eq!(
        resealed.open(&pact_id, &officer, &secret(70)).unwrap(),
        payload
    );

    // Without the officer's published key, nothing can be sealed to all readers.
    let mut missing = all.clone();
    missing.remove(&officer);
    assert_eq!(
        posture_readers(&pact.member(0), state, &missing),
        Err(MissingKey(officer))
    );
}

#[test]
fn a_rotated_member_key_reads_after_the_officer_reseals() {
    let pact = Pact::new(true);
    let pact_id = pact.pact_id();
    let (sealed, payload) = sealed_draft(&pact);
    let member = ReaderId::Member(pact.member(0));
    let officer = ReaderId::Officer(pact.isb.public());
    let rotated = secret(99);
    assert_eq!(
        sealed.open(&pact_id, &member, &rotated),
        Err(OpenPostureError::Open(OpenError::OtherKey))
    );
    let mut keys = keys(&pact);
    keys.insert(member, rotated.public());
    let readers = posture_readers(&pact.member(0), pact.log.state(), &keys).unwrap();
    let resealed = sealed
        .reseal(&pact_id, &officer, &secret(70), &readers, [3; 32])
        .unwrap();
    assert_eq!(resealed.open(&pact_id, &member, &rotated).unwrap(), payload);
}

#[test]
fn the_schema_check_binds_posture_records_to_their_key_and_checks_announcements() {
    use crate::ids::Collection;
    use crate::model::{RecordError, decode_record};
    use crate::seal::EncryptionKeyAnnouncement;

    let (key, record) = super::sample_record();
    let json = record.to_json();
    assert!(decode_record(Collection::Posture, &key.to_string(), &json).is_ok());
    // Copied under another record id: the seal binds the id, so refused.
    assert!(matches!(
        decode_record(Collection::Posture, "posture:r1", &json),
        Err(RecordError::BadKey(_))
    ));
    // Posture records belong in the posture collection only.
    assert!(matches!(
        decode_record(Collection::Offers, &key.to_string(), &json),
        Err(RecordError::TagNotAllowed { .. })
    ));
    // A weak wrapping is refused by the schema check alone.
    let crate::model::Record::Posture(mut weak) = record else {
        unreachable!()
    };
    weak.sealed.wrappings[0].ephemeral = EncryptionPublicKey([0; 32]);
    let weak_json = crate::model::Record::Posture(weak).to_json();
    assert!(matches!(
        decode_record(Collection::Posture, &key.to_string(), &weak_json),
        Err(RecordError::Invalid(_))
    ));

    // An encryption key announcement rides in the profile document; a
    // carrier that swaps the key is refused.
    let pact = Pact::new(true);
    let announcement = EncryptionKeyAnnouncement::sign(
        pact.pact_id(),
        ReaderId::Officer(pact.isb.public()),
        &secret(70),
        T0_MS,
        &pact.isb,
    );
    let json = crate::model::Record::EncryptionKey(announcement.clone()).to_json();
    assert!(decode_record(Collection::Profile, "enckey:isb", &json).is_ok());
    let mut swapped = announcement;
    swapped.key = secret(66).public();
    let json = crate::model::Record::EncryptionKey(swapped).to_json();
    assert!(matches!(
        decode_record(Collection::Profile, "enckey:isb", &json),
        Err(RecordError::Invalid(_))
    ));
}

#[test]
fn an_officers_record_travels_only_with_its_signature_in_the_hosts_document() {
    let pact = Pact::new(true);
    let state = pact.log.state();
    let all = keys(&pact);
    let reader = |id: ReaderId| crate::seal::Reader { id, key: all[&id] };
    let review = SealedPosture::seal(
        &pact.pact_id(),
        pact.member(0),
        "rv-1",
        &PosturePayload::Assessment {
            revision: 0,
            assessment: assessment(&[]),
        },
        &[
            reader(ReaderId::Member(pact.member(0))),
            reader(ReaderId::Officer(pact.isb.public())),
        ],
        [3; 32],
    )
    .unwrap();
    let host = pact.member(2);
    // An own record carries no carriage, and its JSON is unchanged.
    assert!(!serde_json::to_string(&review).unwrap().contains("carriage"));
    assert_eq!(review.check_owner(&pact.member(0), state), Ok(()));
    // In another member's document without the officer's signature: refused.
    assert_eq!(
        review.check_owner(&host, state),
        Err(PostureRejection::OtherMember)
    );
    // Signed by the officer serving member 0 for the host: carried.
    let carried = review.clone().carried_by(&host, &pact.isb);
    assert_eq!(carried.check_owner(&host, state), Ok(()));
    assert_eq!(carried.check(state), Ok(()));
    // Moved to another carrier's document: refused.
    assert_eq!(
        carried.check_owner(&pact.member(1), state),
        Err(PostureRejection::BadCarriage)
    );
    // Signed by an officer who does not serve member 0: refused.
    let foreign = review.clone().carried_by(&host, &pact.other_isb);
    assert_eq!(
        foreign.check_owner(&host, state),
        Err(PostureRejection::OfficerNotAppointed)
    );
    // A carriage on the member's own record: refused (one form per record).
    let own = review.carried_by(&pact.member(0), &pact.isb);
    assert_eq!(
        own.check_owner(&pact.member(0), state),
        Err(PostureRejection::BadCarriage)
    );
}

#[test]
fn a_dismissed_officer_keeps_its_records_valid_but_gets_no_new_ones_and_its_reviews_stop_counting()
{
    let mut pact = Pact::new(true);
    let all = keys(&pact);
    let reader = |id: ReaderId| crate::seal::Reader { id, key: all[&id] };
    let record = SealedPosture::seal(
        &pact.pact_id(),
        pact.member(0),
        "assessment-r0",
        &PosturePayload::Assessment {
            revision: 0,
            assessment: assessment(&[]),
        },
        &[
            reader(ReaderId::Member(pact.member(0))),
            reader(ReaderId::Officer(pact.isb.public())),
        ],
        [4; 32],
    )
    .unwrap();
    let host = pact.member(2);
    let carried = record.clone().carried_by(&host, &pact.isb);
    let draft = assessment(&[]);
    let verdict = review(&pact, &pact.isb, 1, &draft, Verdict::Accepted, T0_MS + 2);
    let owner = pact.member(0);
    assert_eq!(record.check_serving_now(&owner, pact.log.state()), Ok(()));
    assert_eq!(verdict.check(&pact.pact_id(), pact.log.state()), Ok(()));

    let dismiss = pact.log.propose(
        &pact.keys[0],
        Proposal::DismissOfficer {
            officer_key: pact.isb.public(),
        },
        T0_MS,
    );
    let proposal = dismiss.hash();
    pact.log.insert(dismiss).unwrap();
    let approval = pact.log.approve(&pact.keys[1], proposal, T0_MS);
    pact.log.insert(approval).unwrap();
    let state = pact.log.state();
    assert!(state.officers().all(|o| o.key != pact.isb.public()));

    // Every node takes what was written while it served …
    assert_eq!(record.check(state), Ok(()));
    assert_eq!(carried.check_owner(&host, state), Ok(()));
    assert_eq!(carried.check(state), Ok(()));
    // … the member's node seals nothing new to it, nor carries its records …
    assert_eq!(
        record.check_serving_now(&owner, state),
        Err(PostureRejection::OfficerNotAppointed)
    );
    assert_eq!(
        carried.check_serving_now(&host, state),
        Err(PostureRejection::OfficerNotAppointed)
    );
    // … and its reviews no longer count.
    assert_eq!(
        verdict.check(&pact.pact_id(), state),
        Err(ReviewError::NotServingOfficer)
    );
    // An officer never appointed to serve member 0 stays refused at ingress.
    let foreign = record.carried_by(&host, &pact.other_isb);
    assert_eq!(
        foreign.check_owner(&host, state),
        Err(PostureRejection::OfficerNotAppointed)
    );
}
