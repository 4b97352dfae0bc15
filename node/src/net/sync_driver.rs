//! Anti-entropy sessions over request-response: answering peers' pulls,
//! and driving this node's pulls one session per peer at a time.

use amtshilfe_protocol::sync::{SyncResponse, SyncStep};
use libp2p::{PeerId, request_response};

use super::announce::Announcement;
use super::event_loop::EventLoop;
use crate::clock::now_ms;

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
                    // Inflated and parsed only now that the sender is known.
                    let request = match request.decode_request() {
                        Ok(request) => request,
                        Err(error) => {
                            tracing::debug!(%peer, %error, "sync request does not decode");
                            return;
                        }
                    };
                    let response = self.core.lock().answer_sync(&request);
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
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    let Some((peer, mut session)) = self.sessions.remove(&request_id) else {
                        return;
                    };
                    // Signatures first, on every core and outside the lock, so
                    // that the API is not kept waiting while a page is checked.
                    let verified = match &response {
                        SyncResponse::Page { envelopes, .. } => {
                            crate::verify::verified_in_parallel(&self.pact, envelopes)
                        }
                        _ => Vec::new(),
                    };
                    let (step, relay) = {
                        let mut core = self.core.lock();
                        let step = core.continue_sync(
                            &mut session,
                            response,
                            verified,
                            &peer.to_string(),
                            now_ms(),
                        );
                        (step, core.take_relay())
                    };
                    // Store and forward: what was pulled from one peer is
                    // announced to the others at once.
                    for envelope in relay {
                        self.publish(Announcement::Envelope(envelope));
                    }
                    match step {
                        SyncStep::Send(next) => {
                            let next = super::codec::SyncRequestBytes::of(&next);
                            let id = self.swarm.behaviour_mut().sync.send_request(&peer, next);
                            self.sessions.insert(id, (peer, session));
                        }
                        SyncStep::Done(summary) => {
                            self.syncing.remove(&peer);
                            // Only new membership entries change who may connect.
                            if summary.entries_applied > 0 {
                                self.refresh_gate();
                            }
                        }
                    }
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
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "answering a sync request failed");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    pub(super) fn start_sync(&mut self, peer: PeerId) {
        if !self.syncing.insert(peer) {
            return;
        }
        let (session, request) = self.core.lock().start_sync();
        let request = super::codec::SyncRequestBytes::of(&request);
        let id = self.swarm.behaviour_mut().sync.send_request(&peer, request);
        self.sessions.insert(id, (peer, session));
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
