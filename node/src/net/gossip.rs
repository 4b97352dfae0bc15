//! Gossip: announcements from admitted peers go to the ingest worker
//! (`ingest.rs`), which runs them through the normal ingress and tells
//! gossipsub whether to forward them.

use libp2p::{PeerId, gossipsub};

use super::event_loop::EventLoop;
use super::ingest::{GossipMessage, IngestJob};

impl EventLoop {
    /// Queues a gossip message for the ingest worker; with the queue full
    /// it is ignored (not forwarded, not punished): sync repairs it.
    pub(super) fn on_gossip(&mut self, source: PeerId, id: gossipsub::MessageId, data: Vec<u8>) {
        use gossipsub::MessageAcceptance::Ignore;
        if !self.admitted.contains(&source) {
            self.swarm
                .behaviour_mut()
                .gossipsub
                .report_message_validation_result(&id, &source, Ignore);
            return;
        }
        self.seen
            .insert(amtshilfe_protocol::identity::sha256(&data));
        let job = IngestJob::Gossip(GossipMessage {
            source,
            id: id.clone(),
            data,
        });
        if !self.ingest.try_send(job) {
            self.stats
                .gossip_dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.swarm
                .behaviour_mut()
                .gossipsub
                .report_message_validation_result(&id, &source, Ignore);
        }
    }
}
