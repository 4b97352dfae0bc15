//! Anti-entropy sessions over request-response: answering peers' pulls,
//! and driving this node's pulls one session per peer at a time. The core
//! is reached only through the ingest worker (`ingest.rs`): this task
//! routes requests and pages, it never applies or stores them.

use amtshilfe_protocol::sync::{SyncRequest, SyncSession, SyncStep};
use libp2p::{PeerId, request_response};

use super::announce::Announcement;
use super::event_loop::EventLoop;
use super::ingest::{IngestDone, IngestJob};

impl EventLoop {
    pub(super) fn on_sync_event(
        &mut self,
        event: request_response::Event<
            super::codec::SyncRequestBytes,
            amtshilfe_protocol::sync::SyncResponse,
        >,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => {
                    if !self.admitted.contains(&peer) {
                        // Dropping the channel leaves the request unanswered.
                        tracing::debug!(%peer, "sync request from a peer that is not admitted");
                        return;
                    }
                    let job = IngestJob::Answer {
                        peer,
                        request,
                        channel,
                    };
                    if !self.ingest.try_send(job) {
                        // Unanswered: the peer asks again on its next round.
                        tracing::debug!(%peer, "sync request not answered: the node is busy");
                    }
                }
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    let Some((peer, session, slot)) = self.sessions.remove(&request_id) else {
                        return;
                    };
                    // The slot was reserved when the request went out, so a
                    // page that arrives is never dropped.
                    slot.send(IngestJob::SyncPage {
                        peer,
                        session,
                        response,
                    });
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %error, "sync request failed");
                self.sessions.remove(&request_id);
                self.syncing.remove(&peer);
                // A peer that has just admitted this node may have refused
                // the first pull while it was still taking in this node's
                // introduction (off its network task): try once more soon
                // rather than a whole sync round later.
                if self.admitted.contains(&peer) && self.sync_retried.insert(peer) {
                    self.sync_retry.insert(peer);
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "answering a sync request failed");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// Takes what the ingest worker finished.
    pub(super) fn on_ingest_done(&mut self, done: IngestDone) {
        match done {
            IngestDone::Gossip {
                source,
                id,
                verdict,
                fetch_log,
                gate_changed,
            } => {
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
            IngestDone::Introduced {
                peer,
                channel,
                gate_changed,
            } => self.introduced(peer, channel, gate_changed),
            IngestDone::Answered {
                peer,
                channel,
                response,
            } => {
                let Some(response) = response else { return };
                if self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_response(channel, response)
                    .is_err()
                {
                    tracing::debug!(%peer, "sync response not sent: the peer went away");
                }
            }
            IngestDone::Started {
                peer,
                session,
                request,
            } => self.pull(peer, session, request),
            IngestDone::Pulled {
                peer,
                session,
                step,
                relay,
            } => {
                // Store and forward: what was pulled (and stored) from one
                // peer is announced to the others at once.
                for envelope in relay {
                    self.publish(Announcement::Envelope(envelope));
                }
                match step {
                    SyncStep::Send(next) => self.pull(peer, session, next),
                    SyncStep::Done(summary) => {
                        self.syncing.remove(&peer);
                        // Only new membership entries change who may connect.
                        if summary.entries_applied > 0 {
                            self.refresh_gate();
                        }
                    }
                }
            }
        }
        self.resume_pulls();
    }

    /// Sends the session's next request with a queue slot reserved for its
    /// page; with no slot free the session waits (`resume_pulls`).
    fn pull(&mut self, peer: PeerId, session: SyncSession, request: SyncRequest) {
        if !self.connected.contains(&peer) {
            self.syncing.remove(&peer);
            return;
        }
        let Some(slot) = self.ingest.reserve() else {
            self.paused.push((peer, session, request));
            return;
        };
        let request = super::codec::SyncRequestBytes::of(&request);
        let id = self.swarm.behaviour_mut().sync.send_request(&peer, request);
        self.sessions.insert(id, (peer, session, slot));
    }

    /// Sends paused pulls while queue slots are free.
    pub(super) fn resume_pulls(&mut self) {
        while !self.paused.is_empty() && self.ingest.free() > 0 {
            let (peer, session, request) = self.paused.remove(0);
            self.pull(peer, session, request);
        }
    }

    /// Starts again the pulls that failed since the last tick (at most
    /// once per peer and sync round, see the `OutboundFailure` arm).
    pub(super) fn retry_failed_pulls(&mut self) {
        for peer in std::mem::take(&mut self.sync_retry) {
            if self.admitted.contains(&peer) {
                self.start_sync(peer);
            }
        }
    }

    pub(super) fn start_sync(&mut self, peer: PeerId) {
        if !self.syncing.insert(peer) {
            return;
        }
        if !self.ingest.try_send(IngestJob::StartSync { peer }) {
            // Busy: the next sync round tries again.
            self.syncing.remove(&peer);
        }
    }

    /// Starts a pull session with every admitted peer, and asks each for
    /// the members it reaches. Peers still proving membership get nothing,
    /// not even this node's version vectors.
    pub(super) fn sync_all(&mut self) {
        let peers: Vec<PeerId> = self.admitted.iter().copied().collect();
        for peer in peers {
            self.start_sync(peer);
            self.ask_for_peers(peer);
        }
    }
}
