//! Who may act for whom: the authority check on incidents written on behalf
//! of another member, run in ingress (on every envelope) and on local
//! writes (so a node never signs what its peers refuse).
//!
//! The rule: any current member may open an incident for another current
//! member, never for itself, and only a member adopts an incident written
//! by someone else. Why any member and not a designated one: the hit
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

/// Checks the acting fields of a record written into `owner`'s document.
/// Records other than incidents always pass.
pub fn check_acting(
    owner: &MemberId,
    record: &Record,
    is_member: impl Fn(&MemberId) -> bool,
) -> Result<(), ActingError> {
    let Record::Incident(incident) = record else {
        return Ok(());
    };
    if let Some(hit) = &incident.on_behalf_of {
        if hit == owner {
            return Err(ActingError::ForItself);
        }
        if !is_member(hit) {
            return Err(ActingError::NotAMember);
        }
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
