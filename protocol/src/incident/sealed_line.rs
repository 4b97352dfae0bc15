//! Timeline lines above TLP `clear`, sealed with the pact's one sealing
//! mechanism (`crate::seal`).
//!
//! The clear part of a line (incident, time, TLP level, author) is what
//! every node checks; it is bound into the seal together with pact,
//! owner and record id ([`line_context`]), so a value copied to another
//! line, another level or another document opens for nobody. The readers:
//!
//! - `red`: the hit member (the document's owner) and the officers the
//!   membership log appoints to serve it;
//! - `amber`: those and the incident's helpers (members it chose and
//!   members with a mission order on its requests).
//!
//! Ingress checks what it can without a secret
//! ([`check_line_readers`]): the owner is a reader (so its nodes can read
//! and re-seal the line), a `red` line names no other member, every other
//! member reader was admitted to the pact, and every officer reader was
//! appointed to serve the owner at some point. Which members are helpers
//! depends on pledges and mission orders, which nodes learn in any order;
//! ingress does not judge it, the owner's node seals to exactly the
//! helpers it knows and re-seals when they change.

use std::collections::BTreeSet;

use super::record::{TimelineEntry, Tlp};
use crate::ids::{MemberId, PactId, PublicKey};
use crate::membership::MembershipState;
use crate::seal::{
    EncryptionSecret, OpenError, Reader, ReaderId, ResealError, SealError, Sealed, seal,
};

/// Why a node refuses a sealed line it may not be able to read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineRejection {
    /// The document's owner (the hit member) is not among the readers.
    #[error("sealed timeline line: the incident's member is not among the readers")]
    OwnerNotReader,
    /// A `red` line names a member other than the owner.
    #[error("sealed timeline line: a red line is sealed to another member")]
    RedToOtherMember,
    /// A member reader this node's log never admitted; its admission may
    /// still be on its way.
    #[error("sealed timeline line: a reader is not a member of the pact as far as this log knows")]
    MemberNotAdmitted,
    /// An officer reader this node's log never appointed to serve the
    /// owner; the appointment may still be on its way.
    #[error("sealed timeline line: an officer reading it does not serve the incident's member")]
    OfficerNotAppointed,
}

impl LineRejection {
    /// Whether a later sync may cure it (the log entry it needs may still
    /// be on its way), so it says nothing bad about the relay.
    pub fn may_be_early(&self) -> bool {
        matches!(
            self,
            LineRejection::MemberNotAdmitted | LineRejection::OfficerNotAppointed
        )
    }
}

/// Why a reader could not read a sealed line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenLineError {
    /// The line is `clear`: nothing is sealed.
    #[error("the line is not sealed")]
    NotSealed,
    /// Could not open.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// Opened, but the text is not UTF-8.
    #[error("sealed line text is not UTF-8")]
    NotText,
}

/// Where a line is stored: pact, the owner of the Requests document (the
/// hit member) and the record id. All three are bound into its seal.
#[derive(Clone, Copy, Debug)]
pub struct LinePlace<'a> {
    /// The pact.
    pub pact: &'a PactId,
    /// The document's owner.
    pub owner: &'a MemberId,
    /// The record id (without the `timeline:` tag).
    pub record: &'a str,
}

/// What a sealed line's seal binds besides its readers: pact, owner,
/// record id and the line's clear fields. Each variable part is prefixed
/// with its length, so no two lines share a context.
pub fn line_context(place: LinePlace<'_>, entry: &TimelineEntry) -> Vec<u8> {
    let mut context = b"amtshilfe/v1/timeline\0".to_vec();
    context.extend_from_slice(&place.pact.0);
    context.extend_from_slice(&place.owner.0);
    for part in [place.record, entry.incident.as_str(), entry.author.as_str()] {
        context.extend_from_slice(&(part.len() as u64).to_le_bytes());
        context.extend_from_slice(part.as_bytes());
    }
    context.push(match entry.tlp {
        Tlp::Clear => 0,
        Tlp::Amber => 1,
        Tlp::Red => 2,
    });
    context.extend_from_slice(&entry.at_ms.to_le_bytes());
    context
}

/// Who must read a line of level `tlp` in `owner`'s incident now: the
/// owner, the officers serving it, and for `amber` the `helpers` that are
/// current members. Sorted, distinct; `clear` lines need none.
pub fn line_reader_ids(
    tlp: Tlp,
    owner: &MemberId,
    helpers: &BTreeSet<MemberId>,
    state: &MembershipState,
) -> Vec<ReaderId> {
    if tlp == Tlp::Clear {
        return Vec::new();
    }
    let mut ids: BTreeSet<ReaderId> = BTreeSet::from([ReaderId::Member(*owner)]);
    ids.extend(
        state
            .officers()
            .filter(|officer| officer.serves.contains(owner))
            .map(|officer| ReaderId::Officer(officer.key)),
    );
    if tlp == Tlp::Amber {
        ids.extend(
            helpers
                .iter()
                .filter(|helper| *helper != owner && state.is_member(helper))
                .map(|helper| ReaderId::Member(*helper)),
        );
    }
    ids.into_iter().collect()
}

/// Seals the text of `entry` (an `amber` or `red` line with its text) to
/// `readers`, as the record at `place`: the line comes
/// back with the text only sealed.
pub fn seal_line(
    place: LinePlace<'_>,
    mut entry: TimelineEntry,
    readers: &[Reader],
    entropy: [u8; 32],
) -> Result<TimelineEntry, SealError> {
    let text = std::mem::take(&mut entry.text);
    entry.sealed = None;
    let context = line_context(place, &entry);
    entry.sealed = Some(seal(text.as_bytes(), &context, readers, entropy)?);
    Ok(entry)
}

/// Opens a sealed line's text as `reader`.
pub fn open_line(
    place: LinePlace<'_>,
    entry: &TimelineEntry,
    reader: &ReaderId,
    secret: &EncryptionSecret,
) -> Result<String, OpenLineError> {
    let sealed = entry.sealed.as_ref().ok_or(OpenLineError::NotSealed)?;
    let plaintext = sealed.open(reader, secret, &line_context(place, entry))?;
    String::from_utf8(plaintext).map_err(|_| OpenLineError::NotText)
}

/// Seals a line's text again to `readers` (a new helper, officer or key):
/// only a reader can.
pub fn reseal_line(
    place: LinePlace<'_>,
    entry: &TimelineEntry,
    reader: &ReaderId,
    secret: &EncryptionSecret,
    readers: &[Reader],
    entropy: [u8; 32],
) -> Result<TimelineEntry, ResealError> {
    let sealed: &Sealed = entry
        .sealed
        .as_ref()
        .ok_or(ResealError::Open(OpenError::NotAReader))?;
    let context = line_context(place, entry);
    let resealed = sealed.reseal(reader, secret, &context, readers, entropy)?;
    Ok(TimelineEntry {
        sealed: Some(resealed),
        ..entry.clone()
    })
}

/// What every node checks of a line in `owner`'s document, reader or not
/// (the structure is checked by [`TimelineEntry::validate`]). Officers
/// count if they were ever appointed to serve the owner and members if
/// they were ever admitted, so that a later dismissal or removal leaves
/// the verdict alone on every node.
pub fn check_line_readers(
    entry: &TimelineEntry,
    owner: &MemberId,
    state: &MembershipState,
) -> Result<(), LineRejection> {
    check_readers(
        entry,
        owner,
        |member| state.member_record(member).is_some(),
        |officer| state.officer_ever_served(officer, owner),
    )
}

/// What the owner's node checks before it writes: as
/// [`check_line_readers`], with members current and officers serving now.
pub fn check_line_readers_now(
    entry: &TimelineEntry,
    owner: &MemberId,
    state: &MembershipState,
) -> Result<(), LineRejection> {
    check_readers(
        entry,
        owner,
        |member| state.is_member(member),
        |officer| {
            state
                .officers()
                .any(|o| o.key == *officer && o.serves.contains(owner))
        },
    )
}

fn check_readers(
    entry: &TimelineEntry,
    owner: &MemberId,
    admitted: impl Fn(&MemberId) -> bool,
    serves: impl Fn(&PublicKey) -> bool,
) -> Result<(), LineRejection> {
    let Some(sealed) = &entry.sealed else {
        return Ok(());
    };
    if !sealed.is_reader(&ReaderId::Member(*owner)) {
        return Err(LineRejection::OwnerNotReader);
    }
    for reader in sealed.readers() {
        match reader.id {
            ReaderId::Member(member) if member == *owner => {}
            ReaderId::Member(_) if entry.tlp == Tlp::Red => {
                return Err(LineRejection::RedToOtherMember);
            }
            ReaderId::Member(member) if !admitted(&member) => {
                return Err(LineRejection::MemberNotAdmitted);
            }
            ReaderId::Member(_) => {}
            ReaderId::Officer(officer) if !serves(&officer) => {
                return Err(LineRejection::OfficerNotAppointed);
            }
            ReaderId::Officer(_) => {}
        }
    }
    Ok(())
}
