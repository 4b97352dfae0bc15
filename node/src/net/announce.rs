//! What the pact's gossip topic carries: a new envelope or membership
//! entry, announced by the node that made or first received it. Gossip is
//! best-effort; anti-entropy sync repairs whatever it misses.

use amtshilfe_protocol::envelope::{ENVELOPE_BYTES_MAX, Envelope};
use amtshilfe_protocol::ids::PactId;
use amtshilfe_protocol::membership::SignedEntry;
use serde::{Deserialize, Serialize};

/// Largest gossip message, in bytes: one envelope and its framing.
pub const ANNOUNCEMENT_BYTES_MAX: usize = ENVELOPE_BYTES_MAX + 1024;

/// One gossip message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Announcement {
    /// A signed change.
    Envelope(Envelope),
    /// A membership entry.
    Entry(SignedEntry),
}

impl Announcement {
    /// The wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Decodes a gossip message, refusing oversized ones first.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > ANNOUNCEMENT_BYTES_MAX {
            return None;
        }
        postcard::from_bytes(bytes).ok()
    }
}

/// The pact's gossip topic name.
pub fn topic_name(pact: &PactId) -> String {
    format!("amtshilfe/{pact}/announce")
}
