//! The on-disk layout of the store: table definitions, key encodings and the
//! schema version. Pure definitions and byte encodings; never opens a file.
//!
//! Changing any table, key or value layout means raising [`SCHEMA_VERSION`].
//! Adding a table does not: a table that a store does not have yet reads as
//! empty and is created by its first write (the account tables came so).

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::ACTOR_ID_LEN;
use amtshilfe_protocol::ids::DocumentId;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

/// The layout version this build reads and writes. A store of any other
/// version is refused when opened, never guessed at.
pub const SCHEMA_VERSION: u32 = 1;

/// Bytes of an envelope key: document id ‖ actor id ‖ seq (u64, big-endian),
/// so the keys of one document, and of one actor in it, sort together and
/// in sequence order.
pub const ENVELOPE_KEY_LEN: usize = DocumentId::LEN + ACTOR_ID_LEN + 8;

/// The storage key of one envelope.
pub(super) type EnvelopeKey = [u8; ENVELOPE_KEY_LEN];

/// Envelope key → envelope bytes ([`Envelope::to_bytes`]).
pub(super) const ENVELOPES: TableDefinition<EnvelopeKey, &[u8]> = TableDefinition::new("envelopes");
/// Append counter → envelope key: the order envelopes were stored in.
pub(super) const ENVELOPE_ORDER: TableDefinition<u64, EnvelopeKey> =
    TableDefinition::new("envelope_order");
/// SHA-256 of the change bytes → envelope key.
pub(super) const ENVELOPE_HASHES: TableDefinition<[u8; 32], EnvelopeKey> =
    TableDefinition::new("envelope_hashes");
/// Membership entry hash → entry bytes (`SignedEntry::to_bytes`).
pub(super) const ENTRIES: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("entries");
/// Append counter → entry hash: the order entries were stored in.
pub(super) const ENTRY_ORDER: TableDefinition<u64, [u8; 32]> = TableDefinition::new("entry_order");
/// Meta key → value bytes; see the `META_*` keys.
pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Fork evidence: the two content hashes → the evidence (postcard).
pub(super) const FORKS: TableDefinition<[u8; 64], &[u8]> = TableDefinition::new("forks");
/// libp2p peer id (text) → postcard-encoded [`PeerRecord`].
pub(super) const PEERS: TableDefinition<&str, &[u8]> = TableDefinition::new("peers");

/// Account name → postcard-encoded [`crate::store::AccountRecord`].
pub(super) const ACCOUNTS: TableDefinition<&str, &[u8]> = TableDefinition::new("accounts");
/// SHA-256 of an API token → postcard-encoded [`crate::store::TokenRecord`].
pub(super) const API_TOKENS: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("api_tokens");
/// SHA-256 of a session id → postcard-encoded [`crate::store::SessionRecord`].
pub(super) const SESSIONS: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("sessions");
/// Append counter → postcard-encoded [`crate::store::AuditRecord`]: the
/// audit log before its hash chains; moved into the security chain by the
/// first append (`audit.rs`).
pub(super) const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// Append counter → postcard-encoded chained security audit row.
pub(super) const AUDIT_SECURITY: TableDefinition<u64, &[u8]> =
    TableDefinition::new("audit_security");
/// Append counter → postcard-encoded chained request audit row.
pub(super) const AUDIT_REQUESTS: TableDefinition<u64, &[u8]> =
    TableDefinition::new("audit_requests");
/// Chain name → postcard-encoded anchor, head and row count of the chain.
pub(super) const AUDIT_CHAINS: TableDefinition<&str, &[u8]> = TableDefinition::new("audit_chains");

/// `u32` big-endian.
pub(super) const META_SCHEMA_VERSION: &str = "schema_version";
/// 32 bytes.
pub(super) const META_PACT_ID: &str = "pact_id";
/// 16 bytes.
pub(super) const META_INCARNATION: &str = "incarnation";
/// `i64` big-endian, ms since the epoch.
pub(super) const META_CREATED_AT_MS: &str = "created_at_ms";

/// What is known about how to reach one peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PeerRecord {
    /// Multiaddrs, most recently learned first.
    pub(super) addresses: Vec<String>,
    /// When the peer was last seen, ms since the epoch.
    pub(super) last_seen_ms: i64,
}

/// Why an envelope cannot be given a storage key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum KeyError {
    /// The change bytes are not one automerge change.
    Unparsable(String),
    /// The actor id is not device key ‖ incarnation.
    ActorLength(usize),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Unparsable(detail) => write!(f, "the change does not parse: {detail}"),
            KeyError::ActorLength(len) => {
                write!(f, "the actor id is {len} bytes, expected {ACTOR_ID_LEN}")
            }
        }
    }
}

/// The storage key of `envelope`: its document, its change's actor and seq.
pub(super) fn envelope_key(envelope: &Envelope) -> Result<EnvelopeKey, KeyError> {
    let change = automerge::Change::from_bytes(envelope.change.clone())
        .map_err(|error| KeyError::Unparsable(error.to_string()))?;
    let actor = change.actor_id().to_bytes();
    if actor.len() != ACTOR_ID_LEN {
        return Err(KeyError::ActorLength(actor.len()));
    }
    let mut key = [0u8; ENVELOPE_KEY_LEN];
    key[..DocumentId::LEN].copy_from_slice(&envelope.document.to_bytes());
    key[DocumentId::LEN..DocumentId::LEN + ACTOR_ID_LEN].copy_from_slice(actor);
    key[DocumentId::LEN + ACTOR_ID_LEN..].copy_from_slice(&change.seq().to_be_bytes());
    Ok(key)
}
