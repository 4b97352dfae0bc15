//! The wire form of membership entries: the canonical postcard encoding,
//! with the size cap checked before a single byte is decoded. Never checks
//! signatures or meaning; that is the log's job.

use serde::Serialize;

use super::{ENTRY_BYTES_MAX, EntryRejection, SignedEntry};

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

    /// Decodes an entry, refusing more than [`ENTRY_BYTES_MAX`] bytes before
    /// decoding and refusing trailing bytes after it. Signatures are not
    /// checked here.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EntryRejection> {
        if bytes.len() > ENTRY_BYTES_MAX {
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
        Ok(entry)
    }
}
