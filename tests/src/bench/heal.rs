//! Partition heal: two halves of a pact write apart (the first half's
//! members on one replica, the second half's on another), then each pulls
//! from the other as two nodes do when they reconnect, until both have
//! identical heads. Every message goes through its wire encoding; the
//! bytes are all requests and responses of both sessions, against the
//! encoded size of the envelopes each side lacked.

use std::time::Instant;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::replica::Replica;
use amtshilfe_protocol::sync::{SyncRequest, SyncResponse, SyncSession, SyncStep};

use super::Sizes;
use super::support::{ms, write_offers};
use super::table::Row;
use crate::fixtures::TestPact;

pub(crate) const TIME: &str = "partition heal time (ms)";
pub(crate) const BYTES: &str = "partition heal bytes";

const MEMBERS: usize = 4;

pub(crate) fn run(sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let pact = TestPact::new(MEMBERS, 71);
    let per_member = sizes.heal_writes_per_side / (MEMBERS / 2);
    let mut left = pact.replica();
    let mut right = pact.replica();
    let left_writes = write_offers(&pact, &mut left, 0..MEMBERS / 2, per_member)?;
    let right_writes = write_offers(&pact, &mut right, MEMBERS / 2..MEMBERS, per_member)?;
    let missing: usize = left_writes
        .iter()
        .chain(&right_writes)
        .map(Envelope::encoded_len)
        .sum();

    let started = Instant::now();
    let mut bytes = pull(&mut left, &right)?;
    bytes += pull(&mut right, &left)?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        left.heads() == right.heads() && left.digest() == right.digest(),
        "the halves did not converge"
    );
    let time = ms(elapsed);
    let writes = left_writes.len() + right_writes.len();
    Ok(vec![
        Row {
            figure: TIME,
            value: time,
            unit: "ms",
            baseline: None,
            baseline_name: "",
            target: "<= 2000 ms",
            met: Some(time <= 2_000.0),
            note: format!(
                "{writes} offers written apart ({} per half), healed by one pull each way in \
                 memory (wire encoding, signature checks and apply included; no network, no fsync)",
                writes / 2
            ),
        },
        Row {
            figure: BYTES,
            value: bytes as f64,
            unit: "B",
            baseline: Some(missing as f64),
            baseline_name: "missing envelopes, encoded",
            target: "<= 1.5x baseline",
            met: Some(bytes as f64 <= 1.5 * missing as f64),
            note: String::new(),
        },
    ])
}

/// One anti-entropy session: `puller` pulls from `answerer`. Returns the
/// bytes of every message both ways.
pub(crate) fn pull(puller: &mut Replica, answerer: &Replica) -> anyhow::Result<usize> {
    let (mut session, mut request) = SyncSession::start(puller);
    let mut bytes = 0;
    loop {
        let wire = request.to_bytes();
        bytes += wire.len();
        let response = answerer.answer_sync(&SyncRequest::from_bytes(&wire)?);
        let wire = response.to_bytes();
        bytes += wire.len();
        match session.on_response(puller, SyncResponse::from_bytes(&wire)?) {
            SyncStep::Send(next) => request = next,
            SyncStep::Done(summary) => {
                anyhow::ensure!(
                    !summary.stalled && summary.refused == 0,
                    "sync failed: {summary:?}"
                );
                return Ok(bytes);
            }
        }
    }
}
