//! The deterministic replay order of a set of entries: Kahn's algorithm over
//! the parent links, always taking the smallest ready hash next. Two nodes
//! with the same set get the same order. Never looks at what entries mean.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::EntryHash;

use super::SignedEntry;

/// All entries of `entries`, parents before children, ties broken by hash.
/// Every entry's parents must be in `entries` (the log only stores entries
/// whose parents it has); an entry whose parents are not would be left out.
pub(super) fn topological(entries: &BTreeMap<EntryHash, SignedEntry>) -> Vec<EntryHash> {
    let mut waiting_for: BTreeMap<EntryHash, usize> = BTreeMap::new();
    let mut children: BTreeMap<EntryHash, Vec<EntryHash>> = BTreeMap::new();
    let mut ready = BTreeSet::new();
    for (hash, entry) in entries {
        let parents = &entry.body.parents;
        if parents.is_empty() {
            ready.insert(*hash);
        } else {
            waiting_for.insert(*hash, parents.len());
            for parent in parents {
                children.entry(*parent).or_default().push(*hash);
            }
        }
    }
    let mut order = Vec::with_capacity(entries.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for child in children.get(&next).into_iter().flatten() {
            if let Some(count) = waiting_for.get_mut(child) {
                *count -= 1;
                if *count == 0 {
                    ready.insert(*child);
                }
            }
        }
    }
    order
}
