//! Peer addresses: learned from identify, mDNS and our own dials, kept in
//! the store so that after the first contact no bootstrap address is
//! needed, and redialled under capped backoff.

use std::time::Instant;

use libp2p::{Multiaddr, PeerId};

use super::event_loop::EventLoop;
use super::identity::key_of_peer;
use crate::clock::now_ms;

impl EventLoop {
    /// Remembers addresses of an allowed peer, in memory and in the store.
    pub(super) fn learn(&mut self, peer: PeerId, addresses: Vec<Multiaddr>) {
        if addresses.is_empty() || peer == *self.swarm.local_peer_id() {
            return;
        }
        let known = self.known.entry(peer).or_default();
        let mut changed = false;
        for address in addresses {
            if !known.contains(&address) {
                known.insert(0, address);
                changed = true;
            }
        }
        known.truncate(crate::store::PEER_ADDRESSES_MAX);
        if changed
            && key_of_peer(&peer)
                .is_some_and(|k| self.core.lock().may_connect(&k, crate::clock::now_ms()))
        {
            let texts: Vec<String> = known.iter().map(ToString::to_string).collect();
            if let Err(error) = self.core.lock().store().remember_peer_addresses(
                &peer.to_string(),
                &texts,
                now_ms(),
            ) {
                tracing::warn!(%error, "could not store peer addresses");
            }
        }
    }

    pub(super) fn load_known_addresses(&mut self) {
        let stored = match self.core.lock().store().peer_addresses() {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(%error, "could not read stored peer addresses");
                return;
            }
        };
        for entry in stored {
            let Ok(peer) = entry.peer.parse::<PeerId>() else {
                continue;
            };
            let addresses = entry
                .addresses
                .iter()
                .filter_map(|a| a.parse().ok())
                .collect();
            self.known.insert(peer, addresses);
        }
    }

    /// Dials allowed peers that are not connected, and bootstrap addresses,
    /// each under its own capped backoff.
    pub(super) fn redial(&mut self) {
        let now = Instant::now();
        let peers: Vec<(PeerId, Vec<Multiaddr>)> = self
            .known
            .iter()
            .filter(|(peer, _)| self.allowed.contains(peer) && !self.connected.contains(peer))
            .map(|(peer, addresses)| (*peer, addresses.clone()))
            .collect();
        for (peer, addresses) in peers {
            if self.peer_backoff.try_dial(&peer, now) {
                let options = libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                    .addresses(addresses)
                    .build();
                let _ = self.swarm.dial(options);
            }
        }
        if self.connected.is_empty() {
            for address in self.settings.bootstrap.clone() {
                if self.address_backoff.try_dial(&address, now) {
                    let _ = self.swarm.dial(address);
                }
            }
        }
    }
}
