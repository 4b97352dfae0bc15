//! The out-of-band invitation a member hands to a joining member (on a USB
//! stick, by e-mail): the pact's membership log including the proposal to
//! admit the joiner, and addresses of the inviting node to start from.

use std::path::Path;

use amtshilfe_protocol::ids::{PactId, PublicKey};
use amtshilfe_protocol::membership::SignedEntry;
use amtshilfe_protocol::replica::Replica;
use serde::{Deserialize, Serialize};

/// Largest invitation file, in bytes.
pub const INVITATION_BYTES_MAX: usize = 8 * 1024 * 1024;

/// An invitation file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// The pact.
    #[schemars(with = "String")]
    pub pact: PactId,
    /// The pact's name, for the joiner to check.
    pub pact_name: String,
    /// Who invites.
    pub inviter: String,
    /// The invited member's name.
    pub invited_name: String,
    /// The invited member key.
    #[schemars(with = "String")]
    pub invited_member_key: PublicKey,
    /// The hash of the proposal to admit the joiner.
    #[schemars(with = "String")]
    pub proposal: amtshilfe_protocol::ids::EntryHash,
    /// The membership log (hex of each entry's wire form), charter first.
    pub entries: Vec<String>,
    /// Multiaddrs (with /p2p/ peer id) of the inviting node.
    pub bootstrap: Vec<String>,
}

/// Why an invitation could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    /// The file could not be read or written.
    #[error("invitation file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not an invitation.
    #[error("{path} is not an amtshilfe invitation: {reason}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Who is invited, by whom, and through which proposal.
#[derive(Debug, Clone)]
pub struct Invited {
    /// The inviting member's name.
    pub inviter: String,
    /// The invited member's name.
    pub name: String,
    /// The invited member key.
    pub member_key: PublicKey,
    /// The hash of the proposal to admit it.
    pub proposal: amtshilfe_protocol::ids::EntryHash,
}

impl Invitation {
    /// The invitation to `invited` with `replica`'s whole membership log
    /// (the proposal included), starting from `addresses` of the inviting
    /// node, each given `/p2p/{peer}` unless it names a peer already.
    pub fn new(replica: &Replica, invited: Invited, bootstrap: Vec<String>) -> Self {
        Invitation {
            pact: replica.pact_id(),
            pact_name: crate::ops::pact::pact_name(replica),
            inviter: invited.inviter,
            invited_name: invited.name,
            invited_member_key: invited.member_key,
            proposal: invited.proposal,
            entries: replica
                .membership()
                .entries_in_order()
                .iter()
                .map(|(_, e)| hex::encode(e.to_bytes()))
                .collect(),
            bootstrap,
        }
    }

    /// The decoded entries.
    pub fn decode_entries(&self) -> Result<Vec<SignedEntry>, String> {
        self.entries
            .iter()
            .map(|text| {
                let bytes = hex::decode(text).map_err(|e| e.to_string())?;
                SignedEntry::from_bytes(&bytes).map_err(|e| e.to_string())
            })
            .collect()
    }

    /// Reads an invitation file.
    pub fn read(path: &Path) -> Result<Self, InvitationError> {
        let shown = path.display().to_string();
        let unreadable = |e: std::io::Error| InvitationError::File {
            path: shown.clone(),
            reason: e.to_string(),
        };
        // Checked before reading: a wrong path may name a huge file.
        if std::fs::metadata(path).map_err(unreadable)?.len() > INVITATION_BYTES_MAX as u64 {
            return Err(InvitationError::Malformed {
                path: shown,
                reason: "the file is too large".into(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(unreadable)?;
        serde_json::from_str(&text).map_err(|e| InvitationError::Malformed {
            path: shown,
            reason: e.to_string(),
        })
    }

    /// Writes the invitation; refuses to overwrite a file.
    pub fn write(&self, path: &Path) -> Result<(), InvitationError> {
        let shown = path.display().to_string();
        let text = serde_json::to_string_pretty(self).map_err(|e| InvitationError::File {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
            .map_err(|e| InvitationError::File {
                path: shown,
                reason: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_unread_and_a_missing_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("gross.json");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(INVITATION_BYTES_MAX as u64 + 1).unwrap();
        let error = Invitation::read(&big).expect_err("too large");
        assert!(error.to_string().contains("too large"), "{error}");
        let missing = Invitation::read(&dir.path().join("fehlt.json")).expect_err("missing");
        assert!(missing.to_string().contains("fehlt.json"), "{missing}");
    }
}
