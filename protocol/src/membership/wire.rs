//! The wire form of membership entries: the canonical postcard encoding,
//! with the size cap checked before a single byte is decoded. Never checks
//! signatures or meaning; that is the log's job.

use serde::Serialize;

use super::{CHARTER_BYTES_MAX, ENTRY_BYTES_MAX, EntryRejection, SignedEntry};

/// The canonical encoding of `value`: postcard.
///
/// Encoding into a `Vec` fails only for sequences of unknown length or for
/// `Serialize` impls that return errors; the membership types have neither.
/// Should that ever change, the empty encoding is returned, which no
/// signature covers and no decoder accepts as an entry.
pub(crate) fn canonical_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).unwrap_or_default()
}

impl SignedEntry {
    /// The canonical bytes of the entry, as sent and stored.
    pub fn to_bytes(&self) -> Vec<u8> {
        canonical_bytes(self)
    }

    /// Most encoded bytes this entry may have: [`CHARTER_BYTES_MAX`] for
    /// the charter, [`ENTRY_BYTES_MAX`] for every other entry.
    pub fn bytes_max(&self) -> usize {
        if self.is_charter() {
            CHARTER_BYTES_MAX
        } else {
            ENTRY_BYTES_MAX
        }
    }

    /// Decodes an entry, refusing more than [`ENTRY_BYTES_MAX`] bytes
    /// ([`CHARTER_BYTES_MAX`] for what starts like a charter: no pact)
    /// before decoding and refusing trailing bytes after it. Signatures are
    /// not checked here.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EntryRejection> {
        // The body's first field is `pact: Option<PactId>`; only the
        // charter has none, encoded as the byte 0.
        let cap = if bytes.first() == Some(&0) {
            CHARTER_BYTES_MAX
        } else {
            ENTRY_BYTES_MAX
        };
        if bytes.len() > cap {
            return Err(EntryRejection::TooLarge { bytes: bytes.len() });
        }
        let (entry, rest) = postcard::take_from_bytes::<SignedEntry>(bytes)
            .map_err(|error| EntryRejection::Malformed(format!("does not decode: {error}")))?;
        if !rest.is_empty() {
            return Err(EntryRejection::Malformed(format!(
                "{} trailing bytes after the entry",
                rest.len()
            )));
        }
        if bytes.len() > entry.bytes_max() {
            return Err(EntryRejection::TooLarge { bytes: bytes.len() });
        }
        Ok(entry)
    }
}
