//! Small identifier types shared by every part of the protocol: members,
//! keys, pacts, documents and records. Pure values; never does I/O.

use serde::{Deserialize, Serialize};

use crate::bytes::byte_array_newtype;

byte_array_newtype!(
    /// An ed25519 public key (a member key, a device key or an officer key).
    PublicKey,
    32
);

byte_array_newtype!(
    /// A member's stable identity: the member key it was admitted with.
    /// It stays the same when the member rotates its key.
    MemberId,
    32
);

byte_array_newtype!(
    /// A pact's identity: the hash of its charter entry.
    PactId,
    32
);

byte_array_newtype!(
    /// The hash of a membership log entry.
    EntryHash,
    32
);

byte_array_newtype!(
    /// An ed25519 signature.
    SignatureBytes,
    64
);

byte_array_newtype!(
    /// An automerge actor id as used here: device public key ‖ 16-byte
    /// incarnation (see [`crate::identity::actor_id`]).
    ActorKey,
    48
);

byte_array_newtype!(
    /// SHA-256 of a byte string (an envelope's change bytes, a digest).
    Sha256Hash,
    32
);

impl MemberId {
    /// The member id of a member admitted with `key`.
    pub fn from_key(key: PublicKey) -> Self {
        Self(key.0)
    }
}

/// The kinds of document a member owns; one automerge document per
/// (owner, collection).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    /// The member's profile: name, AGS, kind, population, 24/7 contacts.
    Profile,
    /// The member's offers of every kind.
    Offers,
    /// The member's aid requests and its acceptances of pledges.
    Requests,
    /// The member's pledges against other members' requests.
    Pledges,
    /// The member's posture records, sealed to the member and its officers
    /// (`crate::posture`).
    Posture,
}

impl Collection {
    /// Every collection, in wire-code order.
    pub const ALL: [Collection; 5] = [
        Collection::Profile,
        Collection::Offers,
        Collection::Requests,
        Collection::Pledges,
        Collection::Posture,
    ];

    /// Stable one-byte code used in document ids on the wire and in signatures.
    pub fn code(self) -> u8 {
        match self {
            Collection::Profile => 1,
            Collection::Offers => 2,
            Collection::Requests => 3,
            Collection::Pledges => 4,
            Collection::Posture => 5,
        }
    }

    /// The collection with the given wire code.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Stable lower-case name, as used in paths and logs.
    pub fn name(self) -> &'static str {
        match self {
            Collection::Profile => "profile",
            Collection::Offers => "offers",
            Collection::Requests => "requests",
            Collection::Pledges => "pledges",
            Collection::Posture => "posture",
        }
    }
}

/// One automerge document: the collection `collection` of member `owner`.
/// Only devices delegated by `owner` may write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DocumentId {
    /// The member that owns (and alone writes) the document.
    pub owner: MemberId,
    /// Which of the owner's documents.
    pub collection: Collection,
}

impl DocumentId {
    /// Number of bytes of [`Self::to_bytes`].
    pub const LEN: usize = 33;

    /// A document id.
    pub fn new(owner: MemberId, collection: Collection) -> Self {
        Self { owner, collection }
    }

    /// The fixed 33-byte form used in signatures and storage keys.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        out[..32].copy_from_slice(&self.owner.0);
        out[32] = self.collection.code();
        out
    }

    /// Parses the 33-byte form.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::LEN {
            return None;
        }
        let owner = MemberId::from_slice(&bytes[..32])?;
        let collection = Collection::from_code(bytes[32])?;
        Some(Self { owner, collection })
    }
}

impl std::fmt::Display for DocumentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner.short(), self.collection.name())
    }
}

/// Longest record id, in characters.
pub const RECORD_ID_CHARS_MAX: usize = 64;

/// The key of one record (an offer, a request, a pledge, …) inside a
/// document: 1 to 64 characters of `a-z`, `0-9` and `-`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordId(String);

impl schemars::JsonSchema for RecordId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RecordId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": format!("^[a-z0-9-]{{1,{RECORD_ID_CHARS_MAX}}}$"),
            "description": "a record id: lower-case letters, digits and '-'",
        })
    }
}

/// A record id that breaks the rules of [`RecordId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record id must be 1 to {RECORD_ID_CHARS_MAX} characters of a-z, 0-9 and '-', got {0:?}")]
pub struct RecordIdError(pub String);

impl RecordId {
    /// Checks and wraps a record id.
    pub fn new(text: impl Into<String>) -> Result<Self, RecordIdError> {
        let text = text.into();
        let valid = !text.is_empty()
            && text.len() <= RECORD_ID_CHARS_MAX
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(text))
        } else {
            Err(RecordIdError(text))
        }
    }

    /// A fresh record id from caller-supplied randomness (the protocol has no
    /// randomness of its own): `prefix` followed by 16 hex characters.
    pub fn generate(prefix: &str, random: [u8; 8]) -> Result<Self, RecordIdError> {
        Self::new(format!("{prefix}-{}", hex::encode(random)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Below every valid id (the empty text, which `new` refuses): where a
    /// range over one owner's records starts.
    pub(crate) fn lowest() -> Self {
        Self(String::new())
    }
}

impl TryFrom<String> for RecordId {
    type Error = RecordIdError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl From<RecordId> for String {
    fn from(id: RecordId) -> String {
        id.0
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_id_round_trips_through_bytes() {
        let id = DocumentId::new(MemberId([7; 32]), Collection::Pledges);
        assert_eq!(DocumentId::from_bytes(&id.to_bytes()), Some(id));
        assert_eq!(
            DocumentId::from_bytes(&[0; 33]),
            None,
            "collection code 0 is unknown"
        );
        assert_eq!(DocumentId::from_bytes(&[0; 32]), None);
    }

    #[test]
    fn record_ids_are_checked() {
        assert!(RecordId::new("offer-1a").is_ok());
        assert!(RecordId::new("").is_err());
        assert!(RecordId::new("Offer").is_err());
        assert!(RecordId::new("a/b").is_err());
        assert!(RecordId::new("x".repeat(RECORD_ID_CHARS_MAX + 1)).is_err());
        assert_eq!(
            RecordId::generate("o", [0xab; 8]).map(|r| r.0),
            Ok("o-abababababababab".into())
        );
    }

    #[test]
    fn keys_serialise_as_hex_in_json_and_bytes_in_postcard() {
        let key = PublicKey([0xcd; 32]);
        let json = serde_json::to_string(&key).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", "cd".repeat(32)));
        assert_eq!(serde_json::from_str::<PublicKey>(&json).ok(), Some(key));
        let bin = postcard::to_stdvec(&key).unwrap_or_default();
        assert_eq!(bin.len(), 33, "one length byte and 32 key bytes");
        assert_eq!(postcard::from_bytes::<PublicKey>(&bin).ok(), Some(key));
        assert!(serde_json::from_str::<PublicKey>("\"abcd\"").is_err());
    }
}
