//! Peer exchange: admitted peers tell each other which members they reach
//! and where. identify only carries a peer's own addresses, so without this
//! members that share nothing but a bootstrap node (the central provider's
//! hub) would never meet, and would lose each other when the hub is down.
//! Asked when a peer is admitted and on every sync round; answered only to
//! admitted peers; only addresses of allowed peers are taken.

use libp2p::{Multiaddr, PeerId, request_response};

use super::codec::{
    ADDRESSES_SHARED_MAX, KnownPeer, KnownPeers, PEERS_SHARED_MAX, PeersRequest,
    SHARED_ADDRESS_BYTES_MAX,
};
use super::event_loop::EventLoop;

impl EventLoop {
    /// Asks an admitted peer which members it reaches.
    pub(super) fn ask_for_peers(&mut self, peer: PeerId) {
        self.swarm
            .behaviour_mut()
            .peers
            .send_request(&peer, PeersRequest);
    }

    pub(super) fn on_peers_event(
        &mut self,
        event: request_response::Event<PeersRequest, KnownPeers>,
    ) {
        match event {
            request_response::Event::Message {
                peer,
                message: request_response::Message::Request { channel, .. },
                ..
            } => {
                if !self.admitted.contains(&peer) {
                    // Dropping the channel leaves the request unanswered.
                    return;
                }
                let answer = self.known_peers_for(&peer);
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .peers
                    .send_response(channel, answer);
            }
            request_response::Event::Message {
                peer,
                message: request_response::Message::Response { response, .. },
                ..
            } if self.admitted.contains(&peer) => self.take_known_peers(response),
            request_response::Event::OutboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "peer exchange failed");
            }
            _ => {}
        }
    }

    /// The admitted peers other than `asker`, with their addresses.
    fn known_peers_for(&self, asker: &PeerId) -> KnownPeers {
        let peers = self
            .admitted
            .iter()
            .filter(|peer| *peer != asker)
            .filter_map(|peer| {
                let addresses: Vec<Vec<u8>> = self
                    .known
                    .get(peer)?
                    .iter()
                    .map(Multiaddr::to_vec)
                    .filter(|bytes| bytes.len() <= SHARED_ADDRESS_BYTES_MAX)
                    .take(ADDRESSES_SHARED_MAX)
                    .collect();
                (!addresses.is_empty()).then(|| KnownPeer {
                    peer: peer.to_bytes(),
                    addresses,
                })
            })
            .take(PEERS_SHARED_MAX)
            .collect();
        KnownPeers { peers }
    }

    /// Remembers the addresses of allowed peers; the redial timer connects.
    fn take_known_peers(&mut self, known: KnownPeers) {
        let local = *self.swarm.local_peer_id();
        for entry in known.peers {
            let Ok(peer) = PeerId::from_bytes(&entry.peer) else {
                continue;
            };
            if peer == local || !self.allowed.contains(&peer) {
                continue;
            }
            let addresses = entry
                .addresses
                .into_iter()
                .filter_map(|bytes| Multiaddr::try_from(bytes).ok())
                .collect();
            self.learn(peer, addresses);
        }
    }
}
