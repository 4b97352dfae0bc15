//! Sealed records on this node, built once for every kind of confidential
//! record (posture, an incident room's TLP amber/red timeline lines).
//!
//! The protocol seals and opens (`amtshilfe_protocol::seal`); this module
//! brings the node's side:
//!
//! - [`SealIdentities`]: the encryption secrets this node holds (the
//!   member's `member-seal.key`; a hosted officer's `officer.key` and
//!   `officer-seal.key`), loaded once at start and kept in the core.
//! - [`publish`]: the signed encryption-key announcements this node owes
//!   the pact (its member's key, a hosted officer's key), written when
//!   missing.
//! - [`open`]: the published keys, the readers a record must be sealed to,
//!   and opening whatever this node may read.
//! - [`posture`]: sealing a posture record of the member for writing.
//! - [`reseal`]: sealing the member's own posture records again when an
//!   officer is appointed for it or a reader's key changes.
//! - [`timeline`]: sealing the member's amber and red timeline lines to
//!   the readers their level names (member, officers, for amber the
//!   incident's helpers), opening them, and re-sealing them when a helper,
//!   an officer or a key changes.
//! - [`task`]: the background task that keeps the last two true after
//!   every stored change.
//!
//! Only the member's own nodes write its documents, so only they re-seal;
//! an officer's node reads and writes nothing on the member's behalf.

pub mod open;
pub mod posture;
pub mod publish;
pub mod reseal;
pub mod task;
pub mod timeline;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod timeline_tests;

use std::path::Path;

use amtshilfe_protocol::ids::{MemberId, PublicKey};
use amtshilfe_protocol::seal::{EncryptionSecret, ReaderId};

use crate::keys::KeyFileError;
use crate::seal_keys::{OfficerKeys, read_member_seal_key, read_officer_keys};

/// The encryption secrets this node holds. Never logged or returned by
/// any route; `Debug` shows only public halves.
#[derive(Debug, Clone, Default)]
pub struct SealIdentities {
    /// The member's encryption secret (`member-seal.key`), if present.
    pub member: Option<EncryptionSecret>,
    /// A hosted officer's keys, if this node hosts an officer's login.
    pub officer: Option<OfficerKeys>,
}

impl SealIdentities {
    /// Reads the key files in `dir`. Missing files mean "not held"; a file
    /// others may read, or a damaged one, is an error (the node refuses to
    /// start, as with `member.key`).
    pub fn load(dir: &Path) -> Result<Self, KeyFileError> {
        Ok(Self {
            member: read_member_seal_key(dir)?,
            officer: read_officer_keys(dir)?,
        })
    }

    /// Whether this node holds no encryption secret at all.
    pub fn is_empty(&self) -> bool {
        self.member.is_none() && self.officer.is_none()
    }

    /// The hosted officer's signing key, if any.
    pub fn officer_key(&self) -> Option<PublicKey> {
        self.officer.as_ref().map(|keys| keys.signing.public())
    }

    /// Every reader this node can open for, with its secret: the member
    /// (`member` is the node's own member) and the hosted officer.
    pub fn local_readers(&self, member: MemberId) -> Vec<(ReaderId, &EncryptionSecret)> {
        let mut readers = Vec::new();
        if let Some(secret) = &self.member {
            readers.push((ReaderId::Member(member), secret));
        }
        if let Some(officer) = &self.officer {
            readers.push((
                ReaderId::Officer(officer.signing.public()),
                &officer.encryption,
            ));
        }
        readers
    }
}
