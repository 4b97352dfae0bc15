//! Offline bundles: signed membership entries and envelopes of one pact in
//! a file, for when the network is down (a USB stick) or to seed a node
//! that recovers from a blank directory. A bundle adds no trust of its
//! own: every item keeps its own signature and goes through the same
//! ingress as an item from a peer.
//!
//! The file (all integers big-endian):
//!
//! ```text
//! "AMTSHBDL"  version u16  pact id [32]
//! address count u8, each: length u16, UTF-8 multiaddr
//! items: kind u8 (1 entry, 2 envelope), length u32, bytes
//! end:   kind 0, item count u32, SHA-256 of every byte before it [32]
//! ```
//!
//! Decoding never trusts a declared length beyond the bytes that are there
//! and never preallocates by a count it was told.
//!
//! Import is all or nothing for integrity: a bundle with one item that
//! does not decode, whose signature fails or that names another pact is
//! refused whole, with every such item's reason, and nothing of it is
//! applied. What passes goes through ingress, which may still refuse an
//! item on its merits (e.g. `signer_not_delegated`), exactly as for a peer.

use std::collections::BTreeSet;

use crate::envelope::{ENVELOPE_BYTES_MAX, Envelope};
use crate::identity::sha256;
use crate::ids::PactId;
use crate::ingress::Rejection;
use crate::membership::{CHARTER_BYTES_MAX, SignedEntry};
use crate::replica::Replica;
use crate::sync::{SyncRequest, SyncResponse};

/// The first bytes of every bundle.
pub const BUNDLE_MAGIC: &[u8; 8] = b"AMTSHBDL";
/// The format version written and read.
pub const BUNDLE_VERSION: u16 = 1;
/// Largest bundle read or written, in bytes.
pub const BUNDLE_BYTES_MAX: usize = 256 * 1024 * 1024;
/// Most items (entries and envelopes) in one bundle.
pub const BUNDLE_ITEMS_MAX: usize = 1_000_000;
/// Most addresses a bundle carries.
pub const BUNDLE_ADDRESSES_MAX: usize = 16;
/// Longest address, in bytes.
pub const BUNDLE_ADDRESS_BYTES_MAX: usize = 256;

const KIND_END: u8 = 0;
const KIND_ENTRY: u8 = 1;
const KIND_ENVELOPE: u8 = 2;

/// The signed items of one pact, and where the node that wrote them can
/// be reached (a recovering node dials these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The pact every item belongs to.
    pub pact: PactId,
    /// Multiaddrs of the exporting node (may be empty).
    pub addresses: Vec<String>,
    /// Membership entries, parents first.
    pub entries: Vec<SignedEntry>,
    /// Envelopes, in an order that applies front to back.
    pub envelopes: Vec<Envelope>,
}

/// Why a bundle was refused as a whole. Nothing of it is applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Larger than [`BUNDLE_BYTES_MAX`].
    #[error("the bundle has {bytes} bytes, more than {BUNDLE_BYTES_MAX}")]
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// Does not start with [`BUNDLE_MAGIC`].
    #[error("not an amtshilfe bundle")]
    NotABundle,
    /// A format version this node does not read.
    #[error("bundle format version {0} is not supported (this node reads {BUNDLE_VERSION})")]
    Version(u16),
    /// Ends before its end marker.
    #[error("the bundle is cut off")]
    Truncated,
    /// The checksum over its bytes does not match: damaged in transit.
    #[error("the bundle's checksum does not match; it was damaged or changed")]
    Checksum,
    /// Its structure is wrong (counts, trailing bytes, unknown item kind).
    #[error("malformed bundle: {0}")]
    Malformed(String),
    /// More than [`BUNDLE_ITEMS_MAX`] items.
    #[error("the bundle holds more than {BUNDLE_ITEMS_MAX} items")]
    TooManyItems,
    /// The bundle belongs to another pact than the node's.
    #[error("the bundle belongs to pact {bundle}, not to this node's pact {ours}")]
    WrongPact {
        /// The bundle's pact.
        bundle: PactId,
        /// The node's.
        ours: PactId,
    },
    /// Items failed the integrity checks (decoding, signatures, pact).
    #[error("{} items of the bundle are refused", .0.len())]
    Items(Vec<ItemRefusal>),
}

impl BundleError {
    /// A stable code for the command line, the API and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "bundle_too_large",
            Self::NotABundle => "not_a_bundle",
            Self::Version(_) => "bundle_version",
            Self::Truncated => "bundle_truncated",
            Self::Checksum => "bundle_checksum",
            Self::Malformed(_) => "bundle_malformed",
            Self::TooManyItems => "bundle_too_many_items",
            Self::WrongPact { .. } => "wrong_pact",
            Self::Items(_) => "bundle_items_refused",
        }
    }
}

/// One item refused, by its position in the bundle (0-based over all
/// items) and the same reason code ingress or the membership log gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRefusal {
    /// Position among all items.
    pub index: usize,
    /// `entry` or `envelope`.
    pub kind: &'static str,
    /// The reason code (`bad_signature`, `malformed_envelope`, …).
    pub code: &'static str,
    /// The reason in words.
    pub reason: String,
}

/// Reads big-endian fields from a slice, never past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BundleError> {
        let end = self.at.checked_add(n).ok_or(BundleError::Truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(BundleError::Truncated)?;
        self.at = end;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, BundleError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, BundleError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, BundleError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl Bundle {
    /// The file's bytes; refuses to write more than [`BUNDLE_BYTES_MAX`]
    /// or [`BUNDLE_ITEMS_MAX`] (export for the peer's known state then).
    pub fn to_bytes(&self) -> Result<Vec<u8>, BundleError> {
        let items = self.entries.len() + self.envelopes.len();
        if items > BUNDLE_ITEMS_MAX {
            return Err(BundleError::TooManyItems);
        }
        if self.addresses.len() > BUNDLE_ADDRESSES_MAX
            || self
                .addresses
                .iter()
                .any(|a| a.len() > BUNDLE_ADDRESS_BYTES_MAX)
        {
            return Err(BundleError::Malformed(format!(
                "at most {BUNDLE_ADDRESSES_MAX} addresses of at most {BUNDLE_ADDRESS_BYTES_MAX} bytes"
            )));
        }
        let mut out = Vec::new();
        out.extend_from_slice(BUNDLE_MAGIC);
        out.extend_from_slice(&BUNDLE_VERSION.to_be_bytes());
        out.extend_from_slice(&self.pact.0);
        out.push(self.addresses.len() as u8);
        for address in &self.addresses {
            out.extend_from_slice(&(address.len() as u16).to_be_bytes());
            out.extend_from_slice(address.as_bytes());
        }
        let item = |kind: u8, bytes: &[u8], out: &mut Vec<u8>| {
            out.push(kind);
            out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            out.extend_from_slice(bytes);
        };
        for entry in &self.entries {
            item(KIND_ENTRY, &entry.to_bytes(), &mut out);
        }
        for envelope in &self.envelopes {
            item(KIND_ENVELOPE, &envelope.to_bytes(), &mut out);
        }
        out.push(KIND_END);
        out.extend_from_slice(&(items as u32).to_be_bytes());
        let checksum = sha256(&out);
        out.extend_from_slice(&checksum);
        if out.len() > BUNDLE_BYTES_MAX {
            return Err(BundleError::TooLarge { bytes: out.len() });
        }
        Ok(out)
    }

    /// Decodes a bundle. The frame (magic, version, checksum, counts) must
    /// be intact, or the whole bundle is refused; every item that does not
    /// decode is named in [`BundleError::Items`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > BUNDLE_BYTES_MAX {
            return Err(BundleError::TooLarge { bytes: bytes.len() });
        }
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(BUNDLE_MAGIC.len()).ok() != Some(&BUNDLE_MAGIC[..]) {
            return Err(BundleError::NotABundle);
        }
        let version = reader.u16()?;
        if version != BUNDLE_VERSION {
            return Err(BundleError::Version(version));
        }
        let mut pact = [0u8; 32];
        pact.copy_from_slice(reader.take(32)?);
        let pact = PactId(pact);
        let address_count = usize::from(reader.u8()?);
        if address_count > BUNDLE_ADDRESSES_MAX {
            return Err(BundleError::Malformed(format!(
                "{address_count} addresses, at most {BUNDLE_ADDRESSES_MAX}"
            )));
        }
        let mut addresses = Vec::new();
        for _ in 0..address_count {
            let len = usize::from(reader.u16()?);
            if len > BUNDLE_ADDRESS_BYTES_MAX {
                return Err(BundleError::Malformed("an address is too long".into()));
            }
            let text = std::str::from_utf8(reader.take(len)?)
                .map_err(|_| BundleError::Malformed("an address is not UTF-8".into()))?;
            addresses.push(text.to_owned());
        }
        let mut entries = Vec::new();
        let mut envelopes = Vec::new();
        let mut refused = Vec::new();
        let mut index = 0usize;
        loop {
            let kind = reader.u8()?;
            if kind == KIND_END {
                break;
            }
            if index >= BUNDLE_ITEMS_MAX {
                return Err(BundleError::TooManyItems);
            }
            let len = reader.u32()? as usize;
            let cap = match kind {
                KIND_ENTRY => CHARTER_BYTES_MAX,
                KIND_ENVELOPE => ENVELOPE_BYTES_MAX,
                other => return Err(BundleError::Malformed(format!("unknown item kind {other}"))),
            };
            if len > cap {
                // The length is not trusted to skip: the frame is broken.
                return Err(BundleError::Malformed(format!(
                    "item {index} declares {len} bytes, more than {cap}"
                )));
            }
            let item = reader.take(len)?;
            if kind == KIND_ENTRY {
                match SignedEntry::from_bytes(item) {
                    Ok(entry) => entries.push(entry),
                    Err(e) => refused.push(ItemRefusal {
                        index,
                        kind: "entry",
                        code: e.code(),
                        reason: e.to_string(),
                    }),
                }
            } else {
                match Envelope::from_bytes(item) {
                    Ok(envelope) => envelopes.push(envelope),
                    Err(e) => {
                        let rejection = Rejection::from(e);
                        refused.push(ItemRefusal {
                            index,
                            kind: "envelope",
                            code: rejection.code(),
                            reason: rejection.to_string(),
                        });
                    }
                }
            }
            index += 1;
        }
        let count = reader.u32()? as usize;
        let covered = reader.at;
        let checksum = reader.take(32)?;
        if reader.at != bytes.len() {
            return Err(BundleError::Malformed(format!(
                "{} bytes after the end",
                bytes.len() - reader.at
            )));
        }
        if checksum != sha256(&bytes[..covered]) {
            return Err(BundleError::Checksum);
        }
        if count != index {
            return Err(BundleError::Malformed(format!(
                "the end marker counts {count} items, the bundle holds {index}"
            )));
        }
        if !refused.is_empty() {
            return Err(BundleError::Items(refused));
        }
        Ok(Bundle {
            pact,
            addresses,
            entries,
            envelopes,
        })
    }

    /// Checks, before anything is applied, that every item belongs to
    /// `pact` and carries valid signatures: what a tampered bundle fails.
    /// What these checks pass, ingress checks again in full.
    pub fn check_integrity(&self, pact: &PactId) -> Result<(), BundleError> {
        if self.pact != *pact {
            return Err(BundleError::WrongPact {
                bundle: self.pact,
                ours: *pact,
            });
        }
        let mut refused = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            let wrong_pact = match entry.body.pact {
                Some(entry_pact) => entry_pact != *pact,
                None => PactId(entry.hash().0) != *pact,
            };
            let outcome = if wrong_pact {
                Err(crate::membership::EntryRejection::WrongPact)
            } else {
                entry.check_signatures()
            };
            if let Err(e) = outcome {
                refused.push(ItemRefusal {
                    index,
                    kind: "entry",
                    code: e.code(),
                    reason: e.to_string(),
                });
            }
        }
        for (n, envelope) in self.envelopes.iter().enumerate() {
            if envelope.verify_signature(pact).is_err() {
                let rejection = Rejection::BadSignature;
                refused.push(ItemRefusal {
                    index: self.entries.len() + n,
                    kind: "envelope",
                    code: rejection.code(),
                    reason: rejection.to_string(),
                });
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(BundleError::Items(refused))
        }
    }
}

impl Replica {
    /// The membership log alone, parents first, as a bundle: a recovery
    /// ticket (`amtshilfe recover --ticket`). Its size follows the log, not
    /// the pact's documents.
    pub fn export_membership_bundle(&self, addresses: Vec<String>) -> Bundle {
        Bundle {
            pact: self.pact_id(),
            addresses,
            entries: self
                .membership()
                .entries_in_order()
                .into_iter()
                .map(|(_, entry)| entry.clone())
                .collect(),
            envelopes: Vec::new(),
        }
    }

    /// Everything this replica holds as a bundle, or, given a peer's known
    /// state ([`Replica::known_state`] on the peer), only what that peer
    /// lacks. Fork evidence is not carried: sync spreads it.
    pub fn export_bundle(
        &self,
        since: Option<&SyncRequest>,
        addresses: Vec<String>,
    ) -> Result<Bundle, BundleError> {
        let everything = SyncRequest::Want {
            pact: self.pact_id(),
            entries: BTreeSet::new(),
            documents: Default::default(),
            tips: Default::default(),
            forks: Default::default(),
        };
        let request = since.unwrap_or(&everything);
        let request_pact = match request {
            SyncRequest::Want { pact, .. } | SyncRequest::Digest { pact, .. } => *pact,
        };
        match self.answer_sync_paged(request, usize::MAX) {
            SyncResponse::Page {
                entries, envelopes, ..
            } => Ok(Bundle {
                pact: self.pact_id(),
                addresses,
                entries,
                envelopes,
            }),
            SyncResponse::WrongPact => Err(BundleError::WrongPact {
                bundle: request_pact,
                ours: self.pact_id(),
            }),
            SyncResponse::Digest { .. } => Err(BundleError::Malformed(
                "a known state must list what the peer has, not a digest".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
