//! Keeping this node's sealed records current: after start and after every
//! stored change (an appointment, a key announcement, a synced record),
//! publish what this node owes and re-seal what must reach new readers
//! (posture records and the incident room's amber and red lines).
//! Both are idempotent, so the change a write itself causes finds nothing
//! more to do.

use std::time::Duration;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::Collection;
use amtshilfe_protocol::seal::ReaderId;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::open::published_keys;
use super::publish::{announcements_due, outbid_holders};
use super::reseal::{ResealPlan, Stuck, reseal_due};
use super::timeline::reseal_lines_due;
use crate::core::{Core, CoreError, SharedCore};
use crate::net::{Announcement, NetCommand, NetHandle};
use crate::random::os_random;

/// Pause after a change before looking, so that a sync page's burst of
/// changes is looked at once.
const SETTLE: Duration = Duration::from_millis(200);

/// What one round did.
#[derive(Debug, Default)]
pub struct Round {
    /// Envelopes written (announce them).
    pub written: Vec<Envelope>,
    /// Records that must be re-sealed but cannot be here.
    pub stuck: Vec<Stuck>,
    /// Holders whose counted key is not the one this node holds.
    pub outbid: Vec<ReaderId>,
}

impl Round {
    /// Writes the puts of `plan` into `collection`, one record per change,
    /// and keeps what it could not re-seal.
    fn write(
        &mut self,
        core: &mut Core,
        collection: Collection,
        plan: ResealPlan,
        now_ms: i64,
        what: &str,
    ) -> Result<(), CoreError> {
        for put in &plan.puts {
            self.written
                .push(core.write(collection, std::slice::from_ref(put), now_ms)?);
        }
        if !plan.puts.is_empty() {
            tracing::info!(
                records = plan.puts.len(),
                "{what} re-sealed to their readers"
            );
        }
        self.stuck.extend(plan.stuck);
        Ok(())
    }
}

/// One round under the core's lock: writes the announcements due, then
/// re-seals, each durable before it returns. Stops at the first refused
/// write (the next change tries again).
pub fn maintain(core: &mut Core, now_ms: i64) -> Result<Round, CoreError> {
    let mut round = Round::default();
    if core.seal_identities().is_empty() {
        return Ok(round);
    }
    let announcements = announcements_due(core, now_ms);
    if !announcements.is_empty() {
        let envelope = core.write(Collection::Profile, &announcements, now_ms)?;
        tracing::info!(keys = announcements.len(), "encryption keys published");
        round.written.push(envelope);
    }
    // The counted keys, once per round (each check verifies every
    // announcement); the re-sealing below writes no announcement.
    let keys = published_keys(core.replica());
    let plan = reseal_due(core, &keys, || os_random().ok());
    round.write(core, Collection::Posture, plan, now_ms, "posture records")?;
    // The member's amber and red timeline lines: a helper accepted, an
    // officer appointed or a key rotated since they were sealed.
    let lines = reseal_lines_due(core, &keys, now_ms, || os_random().ok());
    round.write(core, Collection::Requests, lines, now_ms, "timeline lines")?;
    // Aid summaries: pledges came or went, a helper published its key.
    let aid = crate::ops::shared_posture::aid::reseal_due(core, &keys, now_ms, || os_random().ok());
    round.write(core, Collection::Posture, aid, now_ms, "aid summaries")?;
    round.outbid = outbid_holders(core, &keys);
    Ok(round)
}

/// Runs [`maintain`] at start and after every stored change, until
/// `shutdown`; announces what it wrote. Logs a stuck record or an outbid
/// key once each time the set of them changes, not every round.
pub fn spawn(
    core: SharedCore,
    net: NetHandle,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut changes = core.lock().subscribe_changes();
        let mut reported: (Vec<Stuck>, Vec<ReaderId>) = (Vec::new(), Vec::new());
        // A refusal (say, a device not yet delegated) repeats every round:
        // logged when it first appears or changes.
        let mut last_error = String::new();
        loop {
            // On the blocking pool: a round writes (and fsyncs) under the
            // core's lock, which must not hold up a runtime thread.
            let round_core = core.clone();
            let result = match tokio::task::spawn_blocking(move || {
                let mut core = round_core.lock();
                let result = maintain(&mut core, crate::clock::now_ms());
                (result, core.take_declarations())
            })
            .await
            {
                Ok((result, declarations)) => {
                    for entry in declarations {
                        net.send(NetCommand::Announce(Announcement::Entry(entry)));
                    }
                    result
                }
                Err(error) => {
                    tracing::error!(%error, "sealed records: a round failed");
                    break;
                }
            };
            match result {
                Ok(round) => {
                    last_error.clear();
                    for envelope in round.written {
                        net.send(NetCommand::Announce(Announcement::Envelope(envelope)));
                    }
                    let now = (round.stuck, round.outbid);
                    if now != reported {
                        for stuck in &now.0 {
                            tracing::warn!(record = %stuck.address.id, reason = %stuck.reason,
                                "a sealed record must be re-sealed but this node cannot open it");
                        }
                        for holder in &now.1 {
                            tracing::warn!(
                                ?holder,
                                "a newer encryption key is published for a reader whose key this \
                                 node holds; records sealed to it cannot be opened here (install \
                                 the same seal key on every node of the holder)"
                            );
                        }
                        reported = now;
                    }
                }
                Err(error) => {
                    let text = error.to_string();
                    if text != last_error {
                        tracing::warn!(error = %text, "sealed records: publishing or re-sealing failed");
                        last_error = text;
                    }
                }
            }
            tokio::select! {
                _ = shutdown.changed() => break,
                changed = changes.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    tokio::time::sleep(SETTLE).await;
                }
            }
        }
    })
}
