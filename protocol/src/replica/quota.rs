//! How much one member may keep waiting in the pending queue: at most
//! [`PENDING_PER_MEMBER_MAX`] envelopes and [`PENDING_BYTES_PER_MEMBER_MAX`]
//! bytes of its documents' changes, beside the queue's own cap
//! (`PENDING_ENVELOPES_MAX`). Only a member's own devices sign its
//! documents, so a member that sends changes with dependencies that never
//! come fills its own share and nobody else's: another member's
//! out-of-order gossip still waits instead of being refused. Over its
//! share a change is refused as `too_many_pending`, like a full queue, and
//! comes again with a later sync once its dependencies have arrived.
//!
//! What one actor (a device under one incarnation) may write to one
//! document in all: at most [`CHANGES_PER_ACTOR_MAX`] changes and
//! [`BYTES_PER_ACTOR_MAX`] encoded bytes, refused beyond as `over_quota`.
//! An actor's changes form one chain (each depends on its previous, see
//! `place.rs`), so the changes and bytes up to a given change are the same
//! on every node whatever the arrival order: the decision is deterministic
//! and the replicas converge. A device that reaches the quota writes on
//! under a new incarnation, which it declares first.
//!
//! What a member may write in all: its actors are bounded by the
//! membership log, which counts at most `INCARNATIONS_PER_MEMBER_MAX`
//! declared incarnations across the member's keys still writing
//! (`membership::EntryKind::Incarnation`, `incarnations.rs`), so a member
//! keeps at most that many times the per-actor quota on any node, plus
//! the histories frozen for its revoked devices and old keys.
//!
//! Never decides anything else about a change.

use super::Replica;
use crate::ids::{Collection, DocumentId, MemberId};

/// Most envelopes of one member's documents waiting at a time.
pub const PENDING_PER_MEMBER_MAX: usize = 1_000;
/// Most encoded bytes of one member's waiting envelopes (8 MiB; parsed,
/// a change costs about twice its bytes in memory).
pub const PENDING_BYTES_PER_MEMBER_MAX: usize = 8 * 1024 * 1024;

/// Most changes one actor may write to one document (its sequence numbers):
/// well above what one member's register holds (the flood benchmark writes
/// 20,000 offers from one device); the bytes bound is usually reached first.
pub const CHANGES_PER_ACTOR_MAX: u64 = 50_000;
/// Most encoded bytes of one actor's changes to one document (64 MiB).
pub const BYTES_PER_ACTOR_MAX: usize = 64 * 1024 * 1024;

/// Whether an actor's change number `seq` of `bytes` fits its quota after
/// `before` bytes of its changes `1..seq` in the same document.
pub(super) fn within_actor_quota(seq: u64, before: usize, bytes: usize) -> bool {
    seq <= CHANGES_PER_ACTOR_MAX && before.saturating_add(bytes) <= BYTES_PER_ACTOR_MAX
}

/// One member's share of the pending queue, as it fills.
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingShare {
    count: usize,
    bytes: usize,
}

impl PendingShare {
    /// Whether one more envelope of `bytes` fits; if so, it is counted.
    pub(super) fn take(&mut self, bytes: usize) -> bool {
        if self.count >= PENDING_PER_MEMBER_MAX
            || self.bytes.saturating_add(bytes) > PENDING_BYTES_PER_MEMBER_MAX
        {
            return false;
        }
        self.count += 1;
        self.bytes += bytes;
        true
    }
}

impl Replica {
    /// What `owner`'s documents hold in the pending queue now.
    pub(super) fn pending_share(&self, owner: MemberId) -> PendingShare {
        let mut share = PendingShare { count: 0, bytes: 0 };
        for collection in Collection::ALL {
            let document = DocumentId { owner, collection };
            for waiting in self.pending.get(&document).into_iter().flatten() {
                share.count += 1;
                share.bytes += waiting.checked.envelope.encoded_len();
            }
        }
        share
    }
}
