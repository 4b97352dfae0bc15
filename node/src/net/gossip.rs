//! Gossip: announcements from peers go through the normal ingress, and
//! gossipsub is told whether to forward them.

use libp2p::{PeerId, gossipsub};

use super::announce::Announcement;
use super::event_loop::EventLoop;

impl EventLoop {
    /// Validates a gossip message through the normal ingress and tells
    /// gossipsub whether to forward it.
    pub(super) fn on_gossip(&mut self, source: PeerId, id: gossipsub::MessageId, data: &[u8]) {
        use gossipsub::MessageAcceptance::{Accept, Ignore, Reject};
        if !self.admitted.contains(&source) {
            self.swarm
                .behaviour_mut()
                .gossipsub
                .report_message_validation_result(&id, &source, Ignore);
            return;
        }
        self.seen.insert(amtshilfe_protocol::identity::sha256(data));
        let from = source.to_string();
        let span = tracing::debug_span!("gossip", peer = %from);
        let _entered = span.enter();
        let mut gate_changed = false;
        let mut fetch_log = false;
        let verdict = {
            let mut core = self.core.lock();
            let verdict = match Announcement::from_bytes(data) {
                None => Reject,
                Some(Announcement::Envelope(envelope)) => {
                    let span = tracing::debug_span!("envelope", hash = %envelope.content_hash().short(), document = %envelope.document);
                    let _entered = span.enter();
                    let report = core.receive_envelopes(vec![envelope], &from);
                    match report.rejected.first() {
                        // Authority may still be on its way; only provable garbage is punished.
                        Some((_, reason)) if reason.is_provably_bad() => Reject,
                        Some(_) => {
                            // The relaying peer accepted it, so it knows the
                            // delegation this node lacks: pull from it.
                            fetch_log = true;
                            Ignore
                        }
                        None if !report.accepted.is_empty() => Accept,
                        None => Ignore,
                    }
                }
                Some(Announcement::Entry(entry)) => match core.receive_entry(entry, &from) {
                    Ok(amtshilfe_protocol::membership::InsertOutcome::Applied { .. }) => {
                        gate_changed = true;
                        Accept
                    }
                    Ok(_) => Ignore,
                    Err(_) => Reject,
                },
            };
            let label = match verdict {
                Accept => "accepted",
                Reject => "rejected",
                Ignore => "ignored",
            };
            *core.counters.gossip.entry(label).or_insert(0) += 1;
            verdict
        };
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(&id, &source, verdict);
        if fetch_log {
            self.start_sync(source);
        }
        if gate_changed {
            self.refresh_gate();
        }
    }
}
