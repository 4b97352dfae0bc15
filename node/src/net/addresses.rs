//! Peer addresses: learned from identify, mDNS and our own dials, kept in
//! the store so that after the first contact no bootstrap address is
//! needed, and redialled under capped backoff. The address book holds at
//! most [`KNOWN_PEERS_MAX`] peers: anyone on the network can make identify
//! or mDNS name fresh peer ids, and redial scans the book every second, so
//! when it is full a new peer that is not an allowed member is not added,
//! and a member takes the place of a peer that is not.

use std::time::Instant;

use libp2p::{Multiaddr, PeerId};

use super::event_loop::EventLoop;
use super::identity::key_of_peer;
use crate::clock::now_ms;

/// Most peers in the address book.
pub const KNOWN_PEERS_MAX: usize = 2_048;

impl EventLoop {
    /// Remembers addresses of a peer in memory, and in the store if it is
    /// an allowed member; see the module docs for the bound.
    pub(super) fn learn(&mut self, peer: PeerId, addresses: Vec<Multiaddr>) {
        if addresses.is_empty() || peer == *self.swarm.local_peer_id() {
            return;
        }
        if !self.known.contains_key(&peer) && self.known.len() >= KNOWN_PEERS_MAX {
            // Full: a stranger is not added; a member takes a stranger's
            // place.
            if !self.allowed.contains(&peer) {
                return;
            }
            let stranger = self
                .known
                .keys()
                .find(|known| !self.allowed.contains(known))
                .copied();
            match stranger {
                Some(stranger) => {
                    self.known.remove(&stranger);
                }
                None => return,
            }
        }
        self.known.entry(peer).or_default();
        let count = self.known.len();
        self.stats
            .known_peers
            .store(count, std::sync::atomic::Ordering::Relaxed);
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
