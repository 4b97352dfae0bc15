//! Times a rule counts from cannot be moved past the signed change that
//! carries them, and a pledge dated into the future cannot block a need.
//!
//! The attack: the pledge lapse (48 h without acceptance frees the need)
//! counts from the pledge's own `created_at_ms`, which its author writes.
//! A rogue pledger that dates it a year ahead keeps the need covered for a
//! year. Ingress now refuses a record time more than
//! `RECORD_TIME_SKEW_MS` after its change's timestamp
//! (`time_ahead_of_change`, provably bad: decided from the bytes), and the
//! read model counts a pledge only from its creation on, so post-dating
//! the change's timestamp as well gains nothing either.

mod common;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{Collection, DocumentId, RecordId};
use amtshilfe_protocol::ingress::Rejection;
use amtshilfe_protocol::model::{
    DAY_MS, PLEDGE_ACCEPT_WINDOW_MS, RECORD_TIME_SKEW_MS, Record, RecordKey, RecordTag, RequestRef,
};
use amtshilfe_protocol::read_model::PledgeState;
use amtshilfe_tests::fixtures::T0_MS;
use amtshilfe_tests::sample;
use common::ingress::{Fixture, assert_refused, fixture, receive};
use common::signed_change;

const YEAR_MS: i64 = 365 * DAY_MS;

/// Member 2 pledges all 3 units of member 1's request `r-base`.
fn pledge_put(created_at_ms: i64, pact: &amtshilfe_tests::fixtures::TestPact) -> RecordOp {
    let need = RequestRef {
        requester: pact.members[1].id(),
        request: RecordId::new("r-base").expect("valid id"),
        need: RecordId::new("laptops").expect("valid id"),
    };
    RecordOp::Put {
        key: RecordKey::new(RecordTag::Pledge, RecordId::new("p1").expect("valid id")).to_string(),
        json: Record::Pledge(sample::pledge(need, None, 3, created_at_ms)).to_json(),
    }
}

/// Units of member 1's need still open at `now_ms`.
fn open_at(replica: &amtshilfe_protocol::replica::Replica, now_ms: i64) -> u32 {
    let board = replica.read_model().request_board();
    assert_eq!(board.len(), 1);
    board[0].needs[0].open_at(now_ms)
}

#[test]
fn a_pledge_dated_after_its_change_is_refused_and_the_need_stays_open() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let pledger = &pact.members[2];
    let change_ms = T0_MS + 1;
    let post_dated = signed_change(
        &pact_id,
        DocumentId::new(pledger.id(), Collection::Pledges),
        &pledger.device.key,
        [3; 16],
        change_ms,
        &[pledge_put(change_ms + YEAR_MS, &pact)],
    );
    let report = receive(&mut replica, &post_dated);
    let reason = assert_refused(
        &replica,
        &report,
        post_dated.content_hash(),
        "time_ahead_of_change",
    );
    assert!(reason.is_provably_bad());
    assert!(matches!(reason, Rejection::TimeAheadOfChange(_)));
    assert_eq!(
        open_at(&replica, change_ms + DAY_MS),
        3,
        "nothing blocks it"
    );

    // Within the skew (a clock a little fast) and in the past both pass.
    for (incarnation, created_at_ms) in [
        ([4; 16], change_ms + RECORD_TIME_SKEW_MS),
        ([5; 16], change_ms - DAY_MS),
    ] {
        let fresh = fixture();
        let mut replica = fresh.replica;
        let pledger = &fresh.pact.members[2];
        let envelope = signed_change(
            &fresh.pact_id,
            DocumentId::new(pledger.id(), Collection::Pledges),
            &pledger.device.key,
            incarnation,
            change_ms,
            &[pledge_put(created_at_ms, &fresh.pact)],
        );
        let report = receive(&mut replica, &envelope);
        assert_eq!(report.accepted.len(), 1, "{:?}", report.rejected);
    }
}

#[test]
fn a_pledge_post_dated_with_its_change_blocks_nothing_before_its_time() {
    let Fixture {
        pact,
        pact_id,
        mut replica,
    } = fixture();
    let pledger = &pact.members[2];
    // The author picks the change's timestamp too: a year ahead, both.
    let future = T0_MS + YEAR_MS;
    let envelope = signed_change(
        &pact_id,
        DocumentId::new(pledger.id(), Collection::Pledges),
        &pledger.device.key,
        [6; 16],
        future,
        &[pledge_put(future, &pact)],
    );
    let report = receive(&mut replica, &envelope);
    assert_eq!(report.accepted.len(), 1, "{:?}", report.rejected);

    let now = T0_MS + DAY_MS;
    assert_eq!(
        open_at(&replica, now),
        3,
        "a pledge from the future covers nothing now"
    );
    let board = replica.read_model().request_board();
    assert_eq!(
        board[0].needs[0].pledges[0].state_at(now),
        PledgeState::Lapsed
    );
    // And when its time comes it lapses after the window like any other.
    assert_eq!(open_at(&replica, future), 0);
    assert_eq!(open_at(&replica, future + PLEDGE_ACCEPT_WINDOW_MS), 3);
}
