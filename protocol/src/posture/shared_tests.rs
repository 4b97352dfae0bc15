//! Shared posture: the aid summary a member seals to pledging helpers and
//! the benchmark share an officer seals to each member it serves. Who may
//! read them, what nodes that cannot read them refuse, and that neither
//! holds an answer.

use super::tests::{Pact, T0_MS, assessment, keys, member_secret, secret};
use super::*;
use crate::ids::MemberId;
use crate::seal::{OpenError, Reader, ReaderId};

fn reader(pact: &Pact, id: ReaderId) -> Reader {
    Reader {
        id,
        key: keys(pact)[&id],
    }
}

fn flagged_assessment() -> Assessment {
    let mut assessment = assessment(&[("wiba_03_01", Answer::No)]);
    assessment.wiba.get_mut("wiba_03_01").unwrap().note = "Bandsicherung seit Mai defekt".into();
    assessment
        .red_flags
        .insert("offline_backup_tested".into(), false);
    assessment
}

fn aid_payload(level: AidShareLevel) -> PosturePayload {
    PosturePayload::AidSummary(AidSummary::of(
        "r-clients",
        level,
        2,
        &flagged_assessment(),
        T0_MS,
    ))
}

fn sealed_aid(pact: &Pact, readers: &[ReaderId]) -> SealedPosture {
    let readers: Vec<Reader> = readers.iter().map(|id| reader(pact, *id)).collect();
    SealedPosture::seal(
        &pact.pact_id(),
        pact.member(0),
        &aid_record("r-clients"),
        &aid_payload(AidShareLevel::EligibilityAndRedFlags),
        &readers,
        [4; 32],
    )
    .unwrap()
}

#[test]
fn an_aid_summary_reaches_the_pledging_member_and_nobody_else() {
    let pact = Pact::new(true);
    let state = pact.log.state();
    let helper = ReaderId::Member(pact.member(1));
    let aid = sealed_aid(&pact, &[ReaderId::Member(pact.member(0)), helper]);
    // Nodes that cannot read it take it: the other reader is a member.
    assert_eq!(aid.check(state), Ok(()));
    assert_eq!(aid.check_owner(&pact.member(0), state), Ok(()));
    let opened = aid
        .open(&pact.pact_id(), &helper, &member_secret(1))
        .unwrap();
    let PosturePayload::AidSummary(summary) = opened else {
        panic!("an aid summary");
    };
    assert_eq!(summary.check(&aid.record), Ok(()));
    assert!(!summary.irs_eligible);
    assert!(
        summary
            .raised_red_flags
            .as_ref()
            .unwrap()
            .contains(&"offline_backup_tested".to_owned())
    );
    // A member that did not pledge is not a reader.
    assert_eq!(
        aid.open(
            &pact.pact_id(),
            &ReaderId::Member(pact.member(2)),
            &member_secret(2)
        ),
        Err(OpenPostureError::Open(OpenError::NotAReader))
    );
}

#[test]
fn an_aid_summary_holds_flags_not_answers() {
    for level in [
        AidShareLevel::Eligibility,
        AidShareLevel::EligibilityAndRedFlags,
    ] {
        let json = serde_json::to_string(&aid_payload(level)).unwrap();
        assert!(!json.contains("wiba_03_01"), "{json}");
        assert!(!json.contains("Bandsicherung"), "{json}");
        assert_eq!(
            json.contains("offline_backup_tested"),
            level == AidShareLevel::EligibilityAndRedFlags,
            "{json}"
        );
    }
}

#[test]
fn only_aid_records_may_name_other_members_and_only_members_of_the_log() {
    let pact = Pact::new(true);
    let state = pact.log.state();
    let member = ReaderId::Member(pact.member(0));
    // The same readers under an assessment's record id: refused.
    let readers = [
        reader(&pact, member),
        reader(&pact, ReaderId::Member(pact.member(1))),
    ];
    let assessment_to_member = SealedPosture::seal(
        &pact.pact_id(),
        pact.member(0),
        "assessment-r1-p0",
        &aid_payload(AidShareLevel::Eligibility),
        &readers,
        [5; 32],
    )
    .unwrap();
    assert_eq!(
        assessment_to_member.check(state),
        Err(PostureRejection::ForeignReader)
    );
    // Sealed to someone the log never admitted: refused (retried later,
    // as the admission may be on its way).
    let stranger = ReaderId::Member(MemberId([99; 32]));
    let strangers = SealedPosture::seal(
        &pact.pact_id(),
        pact.member(0),
        &aid_record("r-clients"),
        &aid_payload(AidShareLevel::Eligibility),
        &[
            reader(&pact, member),
            Reader {
                id: stranger,
                key: secret(99).public(),
            },
        ],
        [6; 32],
    )
    .unwrap();
    assert_eq!(
        strangers.check(state),
        Err(PostureRejection::ReaderNotMember)
    );
    // Carried in another member's document, even with an officer's
    // signature: refused; only the member shares its summary.
    let carried = sealed_aid(&pact, &[member]).carried_by(&pact.member(2), &pact.isb);
    assert_eq!(
        carried.check_owner(&pact.member(2), state),
        Err(PostureRejection::BadCarriage)
    );
}

#[test]
fn an_aid_summary_for_another_request_or_level_is_not_used() {
    let summary = AidSummary::of(
        "r-clients",
        AidShareLevel::Eligibility,
        1,
        &flagged_assessment(),
        T0_MS,
    );
    assert_eq!(summary.raised_red_flags, None);
    assert_eq!(
        summary.check(&aid_record("r-other")),
        Err(SharedError::OtherRecord)
    );
    let mut flags_smuggled = summary.clone();
    flags_smuggled.raised_red_flags = Some(vec![]);
    assert_eq!(
        flags_smuggled.check(&aid_record("r-clients")),
        Err(SharedError::LevelMismatch)
    );
    assert_eq!(summary.check(&aid_record("r-clients")), Ok(()));
}

fn three_members() -> Vec<TopicBenchmark> {
    let progress =
        |answers: &[(&str, Answer)]| wiba_progress(&assessment(answers), WibaCatalogue::builtin());
    benchmark(&[
        progress(&[("wiba_03_01", Answer::Yes), ("wiba_01_01", Answer::Yes)]),
        progress(&[("wiba_03_01", Answer::No)]),
        progress(&[("wiba_03_01", Answer::Yes), ("wiba_03_02", Answer::No)]),
    ])
    .unwrap()
}

#[test]
fn a_benchmark_share_reaches_its_member_only_and_holds_aggregates_only() {
    let pact = Pact::new(true);
    let state = pact.log.state();
    let host = pact.member(2);
    let member = pact.member(0);
    let share = PosturePayload::Benchmark(BenchmarkShare {
        member,
        catalogue_version: WibaCatalogue::builtin().version.clone(),
        topics: three_members(),
        computed_at_ms: T0_MS,
    });
    let readers = posture_readers(&member, state, &keys(&pact)).unwrap();
    let sealed = SealedPosture::seal(
        &pact.pact_id(),
        member,
        &benchmark_record(&member),
        &share,
        &readers,
        [7; 32],
    )
    .unwrap()
    .carried_by(&host, &pact.isb);
    // Carried like a review: valid where it cannot be read.
    assert_eq!(sealed.check_owner(&host, state), Ok(()));
    assert_eq!(sealed.check(state), Ok(()));
    let opened = sealed
        .open(
            &pact.pact_id(),
            &ReaderId::Member(member),
            &member_secret(0),
        )
        .unwrap();
    let PosturePayload::Benchmark(got) = &opened else {
        panic!("a benchmark");
    };
    assert_eq!(got.check(&member), Ok(()));
    assert_eq!(got.topics.len(), 1, "only the topic three members answered");
    // Another served member, another officer, the host: not readers.
    for (id, key) in [
        (ReaderId::Member(pact.member(1)), member_secret(1)),
        (ReaderId::Member(host), member_secret(2)),
        (ReaderId::Officer(pact.other_isb.public()), secret(71)),
    ] {
        assert_eq!(
            sealed.open(&pact.pact_id(), &id, &key),
            Err(OpenPostureError::Open(OpenError::NotAReader)),
            "{id:?}"
        );
    }
    // Figures per topic, no question ids, no answers.
    let json = serde_json::to_string(&opened).unwrap();
    assert!(
        !json.contains("wiba_03_01") && !json.contains("\"yes\""),
        "{json}"
    );
}

#[test]
fn a_benchmark_share_of_fewer_than_three_members_is_not_used() {
    let member = MemberId([1; 32]);
    let mut topics = three_members();
    let good = BenchmarkShare {
        member,
        catalogue_version: "2026.1".into(),
        topics: topics.clone(),
        computed_at_ms: T0_MS,
    };
    assert_eq!(good.check(&member), Ok(()));
    assert_eq!(
        good.check(&MemberId([2; 32])),
        Err(SharedError::OtherRecord)
    );
    topics[0].members = 2;
    let thin = BenchmarkShare { topics, ..good };
    assert_eq!(thin.check(&member), Err(SharedError::TooFewMembers));
}
