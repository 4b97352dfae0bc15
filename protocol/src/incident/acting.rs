//! Who may act for whom: the authority check on incidents written on behalf
//! of another member, run in ingress (on every envelope) and, with the
//! membership check on top, on local writes.
//!
//! The rule: any current member may open an incident for another current
//! member, never for itself, and only a member adopts an incident written
//! by someone else (ingress checks what the bytes decide; the membership
//! part on the local write, see [`check_acting`]). Why any member and not a designated one: the hit
//! member's own node, and often its keys, are the thing that is down, so it
//! cannot authorise anyone at the time; a designation made beforehand
//! would have to live in the membership log, which the pact has not
//! decided on. What keeps this safe: everything written on behalf is
//! marked as such everywhere and lives in the author's own documents, so a
//! request posted on behalf commits only its author (pledges and mission
//! orders bind the author until the hit member adopts), and the hit member
//! decides whether to adopt.

use crate::ids::MemberId;
use crate::model::Record;

/// Why an incident's on-behalf or adoption fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActingError {
    /// The author names itself as the member it acts for.
    #[error("a member does not act on behalf of itself")]
    ForItself,
    /// The member named is not a current member of the pact.
    #[error("the member acted for is not a current member of the pact")]
    NotAMember,
    /// The author adopts its own incident.
    #[error("a member adopts only an incident another member wrote for it")]
    AdoptsOwn,
}

/// Checks the acting fields of a record written into `owner`'s document,
/// from its bytes alone; records other than incidents always pass.
///
/// This is what ingress runs. It must not depend on the membership as the
/// receiving node knows it at the time: a node that learned of a removal
/// earlier than another would refuse a change the other applied, and every
/// later change of the author's document would wait on it for ever on that
/// node. Whether the member acted for is (still) a member is checked when
/// writing ([`check_acting_write`]) and shown by the reader.
pub fn check_acting(owner: &MemberId, record: &Record) -> Result<(), ActingError> {
    let Record::Incident(incident) = record else {
        return Ok(());
    };
    if incident.on_behalf_of.as_ref() == Some(owner) {
        return Err(ActingError::ForItself);
    }
    if incident
        .adopts
        .as_ref()
        .is_some_and(|adopted| adopted.author == *owner)
    {
        return Err(ActingError::AdoptsOwn);
    }
    Ok(())
}

/// [`check_acting`], and for a local write also: the member acted for is a
/// current member.
pub fn check_acting_write(
    owner: &MemberId,
    record: &Record,
    is_member: impl Fn(&MemberId) -> bool,
) -> Result<(), ActingError> {
    check_acting(owner, record)?;
    match record {
        Record::Incident(incident) if incident.on_behalf_of.is_some_and(|hit| !is_member(&hit)) => {
            Err(ActingError::NotAMember)
        }
        _ => Ok(()),
    }
}
