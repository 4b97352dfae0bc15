//! Peer addresses: learned from identify, mDNS and our own dials, kept in
//! the store so that after the first contact no bootstrap address is
//! needed, and redialled under capped backoff. The address book holds at
//! most [`KNOWN_PEERS_MAX`] peers: anyone on the network can make identify
//! or mDNS name fresh peer ids, and redial scans the book every second, so
//! when it is full a new peer that is not an allowed member is not added,
//! and a member takes the place of a peer that is not.

use std::collections::{BTreeSet, HashMap};
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
        if !make_room(&mut self.known, &peer, &self.allowed) {
            return;
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
        // `allowed` is the log's answer as of the last gate refresh; the
        // store write goes to a blocking thread, so the network task never
        // waits for the core's lock or the disk here.
        if changed && key_of_peer(&peer).is_some() && self.allowed.contains(&peer) {
            let texts: Vec<String> = known.iter().map(ToString::to_string).collect();
            let core = self.core.clone();
            tokio::task::spawn_blocking(move || {
                let stored = core.lock().store().remember_peer_addresses(
                    &peer.to_string(),
                    &texts,
                    now_ms(),
                );
                if let Err(error) = stored {
                    tracing::warn!(%error, "could not store peer addresses");
                }
            });
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

/// Whether `peer` may be in the address book, making room if it is full:
/// a peer already in it stays; a new peer is added while there is room;
/// when full, a stranger is not added, and a member takes the place of a
/// peer that is not a member (none left: not added).
fn make_room(
    known: &mut HashMap<PeerId, Vec<Multiaddr>>,
    peer: &PeerId,
    allowed: &BTreeSet<PeerId>,
) -> bool {
    if known.contains_key(peer) || known.len() < KNOWN_PEERS_MAX {
        return true;
    }
    if !allowed.contains(peer) {
        return false;
    }
    let stranger = known.keys().find(|known| !allowed.contains(known)).copied();
    match stranger {
        Some(stranger) => {
            known.remove(&stranger);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(known: &mut HashMap<PeerId, Vec<Multiaddr>>, peer: PeerId, allowed: &BTreeSet<PeerId>) {
        if make_room(known, &peer, allowed) {
            known
                .entry(peer)
                .or_default()
                .push("/ip4/127.0.0.1/tcp/4001".parse().unwrap());
        }
    }

    #[test]
    fn the_address_book_stays_bounded_and_keeps_members() {
        let members: Vec<PeerId> = (0..10).map(|_| PeerId::random()).collect();
        let allowed: BTreeSet<PeerId> = members.iter().copied().collect();
        let mut known = HashMap::new();
        add(&mut known, members[0], &allowed);
        for _ in 0..KNOWN_PEERS_MAX * 2 {
            add(&mut known, PeerId::random(), &allowed);
        }
        assert_eq!(
            known.len(),
            KNOWN_PEERS_MAX,
            "strangers beyond the cap are not added"
        );
        assert!(
            known.contains_key(&members[0]),
            "a member already known stays"
        );

        // Members arriving at a full book take strangers' places.
        for member in &members[1..] {
            add(&mut known, *member, &allowed);
        }
        assert_eq!(known.len(), KNOWN_PEERS_MAX);
        assert!(members.iter().all(|m| known.contains_key(m)));

        // More strangers still change nothing, and known peers are updated.
        let before: BTreeSet<PeerId> = known.keys().copied().collect();
        for _ in 0..100 {
            add(&mut known, PeerId::random(), &allowed);
        }
        add(&mut known, members[3], &allowed);
        let after: BTreeSet<PeerId> = known.keys().copied().collect();
        assert_eq!(before, after);
        assert_eq!(known[&members[3]].len(), 2);
    }

    #[test]
    fn a_book_full_of_members_takes_no_one_else() {
        let members: Vec<PeerId> = (0..KNOWN_PEERS_MAX + 1).map(|_| PeerId::random()).collect();
        let allowed: BTreeSet<PeerId> = members.iter().copied().collect();
        let mut known = HashMap::new();
        for member in &members {
            add(&mut known, *member, &allowed);
        }
        assert_eq!(known.len(), KNOWN_PEERS_MAX);
        assert!(!known.contains_key(&members[KNOWN_PEERS_MAX]));
    }
}
