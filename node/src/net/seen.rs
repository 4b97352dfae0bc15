//! A bounded memory of gossip messages this node has published or
//! received, so that relaying what sync pulled never re-announces a message
//! the pact has already seen.

use std::collections::{HashSet, VecDeque};

/// How many message hashes are remembered.
pub(super) const SEEN_MESSAGES_MAX: usize = 8_192;

/// Message hashes, oldest forgotten first.
#[derive(Debug, Default)]
pub(super) struct SeenMessages {
    order: VecDeque<[u8; 32]>,
    set: HashSet<[u8; 32]>,
}

impl SeenMessages {
    /// Records `hash`; returns false if it was already known.
    pub(super) fn insert(&mut self, hash: [u8; 32]) -> bool {
        if !self.set.insert(hash) {
            return false;
        }
        self.order.push_back(hash);
        if self.order.len() > SEEN_MESSAGES_MAX
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_recent_messages_and_forgets_the_oldest() {
        let mut seen = SeenMessages::default();
        assert!(seen.insert([1; 32]));
        assert!(!seen.insert([1; 32]));
        for n in 0..SEEN_MESSAGES_MAX {
            let mut hash = [0u8; 32];
            hash[..8].copy_from_slice(&(n as u64 + 10).to_le_bytes());
            seen.insert(hash);
        }
        assert!(seen.insert([1; 32]), "the oldest hash was forgotten");
    }
}
