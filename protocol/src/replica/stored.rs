//! How many bytes of each member's documents this replica keeps: applied,
//! held and waiting changes together, by owner.
//!
//! This is a figure to watch, not a quota. What refuses is decided alike
//! on every node (DESIGN.md promise 3): a quota per actor (`quota.rs`)
//! and a cap on the incarnations that count per member (the membership
//! log, `incarnations.rs`), which bound a member loosely (ARCHITECTURE.md,
//! "Member-wide bound"). The node shows this figure and warns when a
//! member passes a threshold far below that bound, so that the pact can
//! remove a member that floods it; after its removal nothing new of it is
//! accepted.

use std::collections::BTreeMap;

use super::Replica;
use crate::ids::MemberId;

impl Replica {
    /// Encoded bytes of every member's documents' changes that this
    /// replica keeps (applied, held and waiting), by owner. Members with
    /// nothing kept are left out.
    pub fn stored_bytes_by_member(&self) -> BTreeMap<MemberId, usize> {
        let mut bytes: BTreeMap<MemberId, usize> = BTreeMap::new();
        for (id, document) in &self.documents {
            *bytes.entry(id.owner).or_default() += document.bytes();
        }
        for (id, held) in &self.held {
            let sum: usize = held.iter().map(|c| c.envelope.encoded_len()).sum();
            *bytes.entry(id.owner).or_default() += sum;
        }
        for (id, waiting) in &self.pending {
            let sum: usize = waiting
                .iter()
                .map(|w| w.checked.envelope.encoded_len())
                .sum();
            *bytes.entry(id.owner).or_default() += sum;
        }
        bytes.retain(|_, sum| *sum > 0);
        bytes
    }
}
