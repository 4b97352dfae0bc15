//! Posture records as they travel: sealed to the member and the officers
//! the membership log appointed to serve it, and nobody else.
//!
//! What a node that cannot read a record still checks
//! ([`SealedPosture::check`]): the sealed structure, that the member itself
//! is a reader, and that every other reader is an officer appointed to
//! serve the member. An officer appointed later reads older records once a
//! reader re-seals them ([`SealedPosture::reseal`]). What only a reader
//! checks after opening: the payload decodes and validates, and the
//! submission's and review's signatures speak for member and officer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::assessment::Assessment;
use super::review::{Review, Submission, officer_serves};
use super::shared::{AidSummary, BenchmarkShare, is_aid_record};
use crate::identity::{KeyPair, SigningPurpose, sha256, verify};
use crate::ids::{MemberId, PactId, PublicKey, SignatureBytes};
use crate::membership::MembershipState;
use crate::seal::{
    EncryptionPublicKey, EncryptionSecret, OpenError, Reader, ReaderId, ResealError, SealError,
    Sealed, StructureError, seal,
};

/// What a sealed posture record holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PosturePayload {
    /// A revision of the member's assessment (the draft is revision 0).
    Assessment {
        /// Revision number.
        revision: u32,
        /// The assessment.
        assessment: Assessment,
    },
    /// The member's signed submission of a revision.
    Submission(Submission),
    /// An officer's signed review of a revision.
    Review(Review),
    /// What the member lets pledging helpers see (record `aid-…`).
    AidSummary(AidSummary),
    /// The pact benchmark an officer shares with the member (record
    /// `bm-…`, carried by the officer's host).
    Benchmark(BenchmarkShare),
}

/// A sealed posture record: whose, which record, and the sealed payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedPosture {
    /// The member whose posture it is.
    pub member: MemberId,
    /// The record's id (bound into the seal: moving the value to another
    /// record makes it unreadable).
    pub record: String,
    /// The payload, sealed.
    pub sealed: Sealed,
    /// Set when an officer's record (its review) travels in the document
    /// of the member whose node hosts the officer, not the posture's
    /// member: the officer's signature that lets that document carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carriage: Option<OfficerCarriage>,
}

/// An officer owns no document: its records about a member it serves
/// travel in the document of the member whose node hosts its login. The
/// officer signs which document carries which sealed value, so no other
/// member can put records about someone else into its own document, and
/// a carried value cannot be moved to another carrier or record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficerCarriage {
    /// The officer key (appointed, serving the posture's member).
    pub officer: PublicKey,
    /// Signature for [`SigningPurpose::PostureCarriage`] over the carrying
    /// member, the record id and the SHA-256 of the sealed value's JSON.
    pub signature: SignatureBytes,
}

fn carriage_parts(carrier: &MemberId, record: &str, sealed: &Sealed) -> [Vec<u8>; 3] {
    let hash = sha256(&serde_json::to_vec(sealed).unwrap_or_default());
    [
        carrier.0.to_vec(),
        record.as_bytes().to_vec(),
        hash.to_vec(),
    ]
}

/// Why a node refuses a sealed posture record it cannot necessarily read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostureRejection {
    /// The sealed structure is broken.
    #[error("sealed posture record: {0}")]
    Structure(#[from] StructureError),
    /// The member itself is not a reader.
    #[error("sealed posture record: the member is not among the readers")]
    MemberNotReader,
    /// The record names another member than the document's owner.
    #[error("sealed posture record: names another member than the document's owner")]
    OtherMember,
    /// A reader is neither the member nor an officer serving it.
    #[error("sealed posture record: a reader is neither the member nor an officer serving it")]
    ForeignReader,
    /// A carried record whose officer signature does not verify, or a
    /// carriage on the member's own record.
    #[error(
        "sealed posture record: carried without a valid signature of an officer serving the member"
    )]
    BadCarriage,
    /// An officer reading or carrying the record is not appointed to serve
    /// the member, as far as this node's log knows: the appointment may
    /// still be on its way, so this says nothing bad about a relay.
    #[error("sealed posture record: an officer reading or carrying it does not serve the member")]
    OfficerNotAppointed,
    /// An aid summary is sealed to a member this node's log does not know
    /// (its admission may still be on its way, as with an appointment),
    /// or, on the writing node, to a member no longer current.
    #[error("sealed aid summary: a reader is not a member of the pact")]
    ReaderNotMember,
}

/// Why a reader could not use a sealed posture record; shown to the author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenPostureError {
    /// Could not open.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// Opened, but the payload is not a posture record.
    #[error("sealed posture record does not decode: {0}")]
    Malformed(String),
}

/// A reader's encryption key is unknown, so the record cannot be sealed
/// to everyone it must be sealed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no published encryption key for reader {0:?}")]
pub struct MissingKey(pub ReaderId);

/// The context every posture seal binds: pact, member, record id.
pub fn posture_context(pact: &PactId, member: &MemberId, record: &str) -> Vec<u8> {
    let mut context = b"amtshilfe/v1/posture\0".to_vec();
    context.extend_from_slice(&pact.0);
    context.extend_from_slice(&member.0);
    context.extend_from_slice(record.as_bytes());
    context
}

/// Who must be able to read `member`'s posture: the member and every
/// officer appointed to serve it, with their published keys (`keys`, from
/// [`crate::seal::newest_announcements`]).
pub fn posture_readers(
    member: &MemberId,
    state: &MembershipState,
    keys: &BTreeMap<ReaderId, EncryptionPublicKey>,
) -> Result<Vec<Reader>, MissingKey> {
    let mut ids = vec![ReaderId::Member(*member)];
    ids.extend(
        state
            .officers()
            .filter(|o| o.serves.contains(member))
            .map(|o| ReaderId::Officer(o.key)),
    );
    ids.into_iter()
        .map(|id| {
            keys.get(&id)
                .map(|key| Reader { id, key: *key })
                .ok_or(MissingKey(id))
        })
        .collect()
}

impl SealedPosture {
    /// Seals `payload` as record `record` of `member`'s posture to `readers`.
    pub fn seal(
        pact: &PactId,
        member: MemberId,
        record: &str,
        payload: &PosturePayload,
        readers: &[Reader],
        entropy: [u8; 32],
    ) -> Result<Self, SealError> {
        let plaintext = serde_json::to_vec(payload).unwrap_or_default();
        let sealed = seal(
            &plaintext,
            &posture_context(pact, &member, record),
            readers,
            entropy,
        )?;
        Ok(Self {
            member,
            record: record.to_owned(),
            sealed,
            carriage: None,
        })
    }

    /// What every node checks, reader or not: every officer among the
    /// readers was appointed to serve the member at some point
    /// ([`MembershipState::officer_ever_served`]), so that a later dismissal
    /// leaves the verdict alone on every node.
    /// An aid summary ([`is_aid_record`]) may also be sealed to members
    /// ever admitted (the pledging helpers): which ones pledged is not in
    /// the record's causal history, so the member's node picks them and
    /// readers cannot be checked for it here.
    pub fn check(&self, state: &MembershipState) -> Result<(), PostureRejection> {
        self.check_readers(
            |officer| state.officer_ever_served(officer, &self.member),
            |member| state.member_record(member).is_some(),
        )
    }

    /// What the member's own node checks before it writes: [`Self::check`]
    /// and [`Self::check_owner`], with every officer reading or carrying
    /// the record serving the member now (a dismissed officer gets no new
    /// records).
    pub fn check_serving_now(
        &self,
        owner: &MemberId,
        state: &MembershipState,
    ) -> Result<(), PostureRejection> {
        let serves = |officer: &PublicKey| officer_serves(state, officer, &self.member);
        self.check_carrier(owner, serves)?;
        self.check_readers(serves, |member| state.is_member(member))
    }

    fn check_readers(
        &self,
        serves: impl Fn(&PublicKey) -> bool,
        is_member: impl Fn(&MemberId) -> bool,
    ) -> Result<(), PostureRejection> {
        self.sealed.check_structure()?;
        if !self.sealed.is_reader(&ReaderId::Member(self.member)) {
            return Err(PostureRejection::MemberNotReader);
        }
        let mut others = self.sealed.readers().filter_map(|reader| match reader.id {
            ReaderId::Member(member) if member != self.member => Some(member),
            _ => None,
        });
        if is_aid_record(&self.record) {
            if others.any(|member| !is_member(&member)) {
                return Err(PostureRejection::ReaderNotMember);
            }
        } else if others.next().is_some() {
            return Err(PostureRejection::ForeignReader);
        }
        let unappointed = self.sealed.readers().any(|reader| match reader.id {
            ReaderId::Member(_) => false,
            ReaderId::Officer(officer) => !serves(&officer),
        });
        if unappointed {
            return Err(PostureRejection::OfficerNotAppointed);
        }
        Ok(())
    }

    /// Opens the payload as `reader`.
    pub fn open(
        &self,
        pact: &PactId,
        reader: &ReaderId,
        secret: &EncryptionSecret,
    ) -> Result<PosturePayload, OpenPostureError> {
        let plaintext = self.sealed.open(
            reader,
            secret,
            &posture_context(pact, &self.member, &self.record),
        )?;
        serde_json::from_slice(&plaintext).map_err(|e| OpenPostureError::Malformed(e.to_string()))
    }

    /// Re-seals the record to `readers` (a new officer, a rotated key).
    pub fn reseal(
        &self,
        pact: &PactId,
        reader: &ReaderId,
        secret: &EncryptionSecret,
        readers: &[Reader],
        entropy: [u8; 32],
    ) -> Result<Self, ResealError> {
        let sealed = self.sealed.reseal(
            reader,
            secret,
            &posture_context(pact, &self.member, &self.record),
            readers,
            entropy,
        )?;
        Ok(Self {
            member: self.member,
            record: self.record.clone(),
            sealed,
            carriage: None,
        })
    }

    /// `officer` signs that `carrier`'s document carries this record.
    pub fn carried_by(mut self, carrier: &MemberId, officer: &KeyPair) -> Self {
        let parts = carriage_parts(carrier, &self.record, &self.sealed);
        let signature = officer.sign(
            SigningPurpose::PostureCarriage,
            &[&parts[0], &parts[1], &parts[2]],
        );
        self.carriage = Some(OfficerCarriage {
            officer: officer.public(),
            signature,
        });
        self
    }

    /// Whether the document of `owner` may hold this record: its own
    /// posture (no carriage), or another member's posture carried with the
    /// signature of an officer ever appointed to serve that member (see
    /// [`Self::check`]).
    pub fn check_owner(
        &self,
        owner: &MemberId,
        state: &MembershipState,
    ) -> Result<(), PostureRejection> {
        self.check_carrier(owner, |officer| {
            state.officer_ever_served(officer, &self.member)
        })
    }

    fn check_carrier(
        &self,
        owner: &MemberId,
        serves: impl Fn(&PublicKey) -> bool,
    ) -> Result<(), PostureRejection> {
        match &self.carriage {
            None if self.member == *owner => Ok(()),
            None => Err(PostureRejection::OtherMember),
            // Only the member shares its aid summary, never a carrier.
            Some(_) if self.member == *owner || is_aid_record(&self.record) => {
                Err(PostureRejection::BadCarriage)
            }
            Some(carriage) => {
                let parts = carriage_parts(owner, &self.record, &self.sealed);
                verify(
                    &carriage.officer,
                    SigningPurpose::PostureCarriage,
                    &[&parts[0], &parts[1], &parts[2]],
                    &carriage.signature,
                )
                .map_err(|_| PostureRejection::BadCarriage)?;
                if serves(&carriage.officer) {
                    Ok(())
                } else {
                    Err(PostureRejection::OfficerNotAppointed)
                }
            }
        }
    }
}
