//! Publishing an encryption key: a small value signed by the holder's
//! signing key, so any node can check it against the membership log.
//!
//! A member's key is signed by its current member key or a device it
//! delegated, dated within that delegation; an officer's by the officer key the log appointed. The value
//! carries its own signature, so it can travel in any document (an
//! officer owns no document: the member whose node hosts the officer's
//! login carries it) and a carrier cannot forge or alter it. When a holder
//! has published several keys, the newest counts (`issued_at_ms`, then the
//! key bytes, so every node picks the same one).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::keys::{EncryptionPublicKey, EncryptionSecret, ReaderId};
use crate::identity::{KeyPair, SigningPurpose, verify};
use crate::ids::{PactId, PublicKey, SignatureBytes};
use crate::membership::MembershipState;

/// A holder's encryption key, signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionKeyAnnouncement {
    /// The pact the key is for.
    pub pact: PactId,
    /// Whose key it is.
    pub holder: ReaderId,
    /// The encryption public key.
    pub key: EncryptionPublicKey,
    /// When it was issued, ms since the Unix epoch; the newest counts.
    pub issued_at_ms: i64,
    /// The signing key that signed it.
    pub signer: PublicKey,
    /// Signature for [`SigningPurpose::EncryptionKey`].
    pub signature: SignatureBytes,
}

/// Why an announcement does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnnouncementError {
    /// The signature does not verify.
    #[error("encryption key announcement: bad signature")]
    BadSignature,
    /// The key is a low-order point.
    #[error("encryption key announcement: weak key")]
    WeakKey,
    /// Made for another pact.
    #[error("encryption key announcement: other pact")]
    OtherPact,
    /// The signer may not speak for the holder (not the member's current
    /// key, nor a device it delegated until at least `issued_at_ms`; not
    /// the appointed officer's key).
    #[error("encryption key announcement: signer does not speak for the holder")]
    NotHoldersSigner,
}

impl AnnouncementError {
    /// A stable code for messages and logs.
    pub fn code(&self) -> &'static str {
        match self {
            AnnouncementError::BadSignature => "bad_signature",
            AnnouncementError::WeakKey => "weak_key",
            AnnouncementError::OtherPact => "other_pact",
            AnnouncementError::NotHoldersSigner => "not_holders_signer",
        }
    }
}

impl EncryptionKeyAnnouncement {
    /// Announces `secret`'s public key for `holder`, signed by `signer`.
    pub fn sign(
        pact: PactId,
        holder: ReaderId,
        secret: &EncryptionSecret,
        issued_at_ms: i64,
        signer: &KeyPair,
    ) -> Self {
        let key = secret.public();
        let signature = signer.sign(
            SigningPurpose::EncryptionKey,
            &signed_parts(&pact, &holder, &key, issued_at_ms).each(),
        );
        Self {
            pact,
            holder,
            key,
            issued_at_ms,
            signer: signer.public(),
            signature,
        }
    }

    /// What needs no membership state: signature and key strength.
    pub fn check_signature(&self) -> Result<(), AnnouncementError> {
        if self.key.is_weak() {
            return Err(AnnouncementError::WeakKey);
        }
        let parts = signed_parts(&self.pact, &self.holder, &self.key, self.issued_at_ms);
        verify(
            &self.signer,
            SigningPurpose::EncryptionKey,
            &parts.each(),
            &self.signature,
        )
        .map_err(|_| AnnouncementError::BadSignature)
    }

    /// The full check: signature, pact, and that the signer speaks for the
    /// holder in `state`.
    pub fn check(&self, pact: &PactId, state: &MembershipState) -> Result<(), AnnouncementError> {
        if self.pact != *pact {
            return Err(AnnouncementError::OtherPact);
        }
        self.check_signature()?;
        let speaks = match self.holder {
            // A device only within its delegation, at the announcement's
            // own time: a stolen device key cannot date one past its expiry
            // (or far ahead) and outbid every later key of the member.
            ReaderId::Member(member) => {
                state.member_of_key_at(&self.signer, self.issued_at_ms) == Some(member)
            }
            ReaderId::Officer(officer) => {
                self.signer == officer && state.officers().any(|o| o.key == officer)
            }
        };
        if speaks {
            Ok(())
        } else {
            Err(AnnouncementError::NotHoldersSigner)
        }
    }

    fn rank(&self) -> (i64, [u8; 32]) {
        (self.issued_at_ms, self.key.0)
    }
}

/// The newest valid announcement per holder among `announcements`.
pub fn newest_announcements<'a>(
    announcements: impl IntoIterator<Item = &'a EncryptionKeyAnnouncement>,
    pact: &PactId,
    state: &MembershipState,
) -> BTreeMap<ReaderId, EncryptionKeyAnnouncement> {
    let mut newest: BTreeMap<ReaderId, EncryptionKeyAnnouncement> = BTreeMap::new();
    for announcement in announcements {
        if announcement.check(pact, state).is_err() {
            continue;
        }
        let replace = newest
            .get(&announcement.holder)
            .is_none_or(|current| announcement.rank() > current.rank());
        if replace {
            newest.insert(announcement.holder, announcement.clone());
        }
    }
    newest
}

/// The signed parts, owned so their slices can be borrowed together.
struct SignedParts {
    pact: [u8; 32],
    holder: [u8; 33],
    key: [u8; 32],
    issued_at: [u8; 8],
}

impl SignedParts {
    fn each(&self) -> [&[u8]; 4] {
        [&self.pact, &self.holder, &self.key, &self.issued_at]
    }
}

fn signed_parts(
    pact: &PactId,
    holder: &ReaderId,
    key: &EncryptionPublicKey,
    issued_at_ms: i64,
) -> SignedParts {
    SignedParts {
        pact: pact.0,
        holder: holder.to_bytes(),
        key: key.0,
        issued_at: issued_at_ms.to_le_bytes(),
    }
}
