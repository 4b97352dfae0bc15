//! The membership log: who is in the pact, with which keys, which devices
//! may write for them, and which officers serve them.
//!
//! It is a signed operation log of its own (not automerge): a set of
//! [`SignedEntry`] values forming a DAG (each entry names its parents),
//! rooted in the pact's charter. [`MembershipLog`] checks and stores
//! entries; the [`MembershipState`] is recomputed by replaying the whole set
//! in a deterministic topological order, so two nodes holding the same
//! entries always agree, whatever order the entries arrived in.
//!
//! Never does I/O, never reads a clock: every time is an argument or a field
//! of an entry, and [`MembershipState::authorise`] compares a delegation's
//! expiry with the change's own timestamp.

mod authority;
mod check;
mod entry;
mod error;
mod log;
mod order;
mod replay;
mod state;
mod wire;

#[cfg(test)]
mod tests;

pub use authority::{Authority, AuthorityError};
pub use entry::{
    Charter, EntryBody, EntryKind, EntrySignature, Founder, FrozenHeads, Proposal, SignedEntry,
};
pub use error::EntryRejection;
pub use log::{InsertOutcome, MembershipLog};
pub use state::{
    AgreementVersion, DeclaredIncarnation, Delegation, DeviceRevocation, Freeze, KeyRecord,
    MemberInfo, MemberRecord, MembershipState, Officer, ProposalStatus,
};

/// Largest encoded entry other than the charter, in bytes. Checked before
/// decoding.
pub const ENTRY_BYTES_MAX: usize = 16 * 1024;
/// Largest encoded charter, in bytes: room for [`FOUNDERS_MAX`] founders,
/// each with a key, a name and a signature. Checked before decoding.
pub const CHARTER_BYTES_MAX: usize = 256 * 1024;
/// Most entries kept waiting for missing parents, in entries.
pub const PENDING_ENTRIES_MAX: usize = 1024;
/// Most entries a log holds (applied and pending together), in entries.
pub const LOG_ENTRIES_MAX: usize = 10_000;
/// Most founders a charter may name, in founders. A pact the size of a
/// federal state's municipalities (hundreds of members) can only be founded,
/// not grown, under [`LOG_ENTRIES_MAX`]: admitting members one by one takes
/// a majority of approvals each, about n²/4 entries for n members.
pub const FOUNDERS_MAX: usize = 512;
/// Most entries one key may author in a log (stored and pending), in
/// entries: a brake on a member flooding the log. A member approves each
/// proposal at most once, so even a pact grown to hundreds of members stays
/// far below it. An entry another entry names as parent is taken even past
/// the cap (see `MembershipLog::insert`).
pub const ENTRIES_PER_AUTHOR_MAX: usize = 1_000;
/// Most parents one entry may name, in entries.
pub const PARENTS_MAX: usize = 32;
/// Longest pact, member or officer name, in bytes of UTF-8.
pub const NAME_BYTES_MAX: usize = 256;
/// Most members one officer may serve, in members.
pub const SERVES_MAX: usize = 64;
/// Most incarnations of one key (a member key or a device) that count, in
/// incarnations: the first ones declared in replay order. A store is
/// created, restored or forked a few times in a device's life; a key
/// that needs more is replaced (a new device, a key rotation).
pub const INCARNATIONS_PER_KEY_MAX: usize = 16;
/// Most incarnations that count for one member across its keys still
/// writing (neither a revoked device nor a rotated-away key, and the member
/// not removed), in incarnations: the first ones in replay order. With
/// `replica::BYTES_PER_ACTOR_MAX` per actor and document this bounds what
/// a member can make every node keep (see `replica/quota.rs`). A revoked
/// device's or old key's incarnations stop counting here: their changes are
/// bounded by the heads frozen for them.
pub const INCARNATIONS_PER_MEMBER_MAX: usize = 32;
/// Most frozen heads per collection in a removal or rotation, in change hashes.
pub const FROZEN_HEADS_PER_COLLECTION_MAX: usize = 64;
