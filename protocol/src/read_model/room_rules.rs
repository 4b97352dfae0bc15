//! The rules a member's own node applies before it writes a record of the
//! incident room or of a mission order's end: a checklist step, a report
//! or a timeline line of its own incident, an adoption, a decline, a
//! helper's settlement and the requester's status changes. Pure functions
//! of the read model with typed refusals; [`RoomRefusal::CODES`] is what
//! the node's route table cites, as for [`super::rules`].
//!
//! Like those, these are rules of the writing node, not of ingress: what
//! ingress checks from the bytes is in `model` and `incident::acting`.

use crate::ids::{MemberId, RecordId};
use crate::incident::{Incident, IncidentRef, IncidentStatus};
use crate::model::{
    Acceptance, AcceptanceStatus, Decline, PledgeRef, PledgeStatus, Settlement, ValidationError,
};

use super::rules::RefusalKind;
use super::{ReadModel, RecordAddress};

/// Why a write of the incident room or a mission order's end is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoomRefusal {
    /// No incident with this id in this member's own document.
    #[error("This member has no incident {incident}.")]
    IncidentNotFound {
        /// The id asked for.
        incident: RecordId,
    },
    /// The incident to adopt is unknown here.
    #[error("The incident {incident} of member {author} is not known to this node (yet).")]
    AdoptedNotFound {
        /// Its author.
        author: MemberId,
        /// Its id.
        incident: RecordId,
    },
    /// The incident to adopt was not written on behalf of this member.
    #[error("The incident {incident} was not written on behalf of this member.")]
    NotForThisMember {
        /// Its id.
        incident: RecordId,
    },
    /// No such pledge known here.
    #[error("The pledge {pledge} of member {pledger} is not known to this node (yet).")]
    PledgeNotFound {
        /// The pledging member.
        pledger: MemberId,
        /// The pledge's id.
        pledge: RecordId,
    },
    /// The pledge is for another member's request.
    #[error("The pledge {pledge} is not for one of this member's requests.")]
    NotYourRequest {
        /// The pledge's id.
        pledge: RecordId,
    },
    /// The pledge was accepted: a mission order binds, it is not declined.
    #[error("The pledge {pledge} was accepted; release the mission order instead.")]
    PledgeAccepted {
        /// The pledge's id.
        pledge: RecordId,
    },
    /// No mission order with this acceptance id known here.
    #[error("No mission order {acceptance} of member {requester} is known to this node (yet).")]
    MissionOrderNotFound {
        /// The requester.
        requester: MemberId,
        /// The acceptance's id.
        acceptance: RecordId,
    },
    /// The mission order takes up another member's pledge.
    #[error("The mission order {acceptance} does not take up a pledge of this member.")]
    NotYourMissionOrder {
        /// The acceptance's id.
        acceptance: RecordId,
    },
    /// A mission order only moves on: accepted → active → released → closed.
    #[error("The mission order {acceptance} is {from:?}; it cannot become {to:?}.")]
    StatusNotForward {
        /// The acceptance's id.
        acceptance: RecordId,
        /// Where it is.
        from: AcceptanceStatus,
        /// Where it was asked to go.
        to: AcceptanceStatus,
    },
    /// This member adopted the incident already.
    #[error("This member adopted the incident {incident} already, as {adopted_as}.")]
    AlreadyAdopted {
        /// Its id.
        incident: RecordId,
        /// This member's incident that adopts it.
        adopted_as: RecordId,
    },
    /// The record breaks a rule of the model.
    #[error("{0}")]
    Invalid(ValidationError),
}

impl RoomRefusal {
    /// Every code of a refusal by state, with its kind. A model rule
    /// ([`RoomRefusal::Invalid`]) answers `validation_failed`.
    pub const CODES: [(&'static str, RefusalKind); 10] = [
        ("incident_not_found", RefusalKind::NotFound),
        ("adopted_incident_not_found", RefusalKind::NotFound),
        ("not_for_this_member", RefusalKind::Conflict),
        ("pledge_not_found", RefusalKind::NotFound),
        ("not_your_request", RefusalKind::Conflict),
        ("pledge_accepted", RefusalKind::Conflict),
        ("mission_order_not_found", RefusalKind::NotFound),
        ("not_your_mission_order", RefusalKind::Conflict),
        ("status_not_forward", RefusalKind::Conflict),
        ("already_adopted", RefusalKind::Conflict),
    ];

    /// The stable snake_case code (`validation_failed` for a model rule).
    pub fn code(&self) -> &'static str {
        self.entry().map_or("validation_failed", |(code, _)| code)
    }

    /// Its kind, or `None` for a model rule.
    pub fn kind(&self) -> Option<RefusalKind> {
        self.entry().map(|(_, kind)| kind)
    }

    fn entry(&self) -> Option<(&'static str, RefusalKind)> {
        let index = match self {
            RoomRefusal::IncidentNotFound { .. } => 0,
            RoomRefusal::AdoptedNotFound { .. } => 1,
            RoomRefusal::NotForThisMember { .. } => 2,
            RoomRefusal::PledgeNotFound { .. } => 3,
            RoomRefusal::NotYourRequest { .. } => 4,
            RoomRefusal::PledgeAccepted { .. } => 5,
            RoomRefusal::MissionOrderNotFound { .. } => 6,
            RoomRefusal::NotYourMissionOrder { .. } => 7,
            RoomRefusal::StatusNotForward { .. } => 8,
            RoomRefusal::AlreadyAdopted { .. } => 9,
            RoomRefusal::Invalid(_) => return None,
        };
        Some(Self::CODES[index])
    }
}

impl From<ValidationError> for RoomRefusal {
    fn from(error: ValidationError) -> Self {
        RoomRefusal::Invalid(error)
    }
}

/// The incident `id` in `me`'s own document: steps, reports and timeline
/// lines are written next to it, by its author only.
pub fn own_incident<'a>(
    model: &'a ReadModel,
    me: MemberId,
    id: &RecordId,
) -> Result<&'a Incident, RoomRefusal> {
    model
        .store
        .incidents
        .incidents
        .get(&RecordAddress::new(me, id.clone()))
        .ok_or_else(|| RoomRefusal::IncidentNotFound {
            incident: id.clone(),
        })
}

/// The incident record with which `me` adopts the incident `author` wrote
/// on its behalf, at `now_ms`: it names the adopted one, takes over its
/// title, awareness time, services and profile, and is open.
pub fn adopt_incident(
    model: &ReadModel,
    me: MemberId,
    author: MemberId,
    id: &RecordId,
    now_ms: i64,
) -> Result<Incident, RoomRefusal> {
    let adopted = model
        .store
        .incidents
        .incidents
        .get(&RecordAddress::new(author, id.clone()))
        .ok_or_else(|| RoomRefusal::AdoptedNotFound {
            author,
            incident: id.clone(),
        })?;
    if adopted.on_behalf_of != Some(me) || author == me {
        return Err(RoomRefusal::NotForThisMember {
            incident: id.clone(),
        });
    }
    let adopting = |own: &Incident| {
        own.adopts
            .as_ref()
            .is_some_and(|a| a.author == author && a.incident == *id)
    };
    if let Some((at, _)) = model
        .store
        .incidents
        .incidents
        .iter()
        .find(|(at, own)| at.owner == me && adopting(own))
    {
        return Err(RoomRefusal::AlreadyAdopted {
            incident: id.clone(),
            adopted_as: at.id.clone(),
        });
    }
    let incident = Incident {
        title: adopted.title.clone(),
        aware_at_ms: adopted.aware_at_ms,
        affected_services: adopted.affected_services.clone(),
        profile: adopted.profile,
        status: IncidentStatus::Open,
        on_behalf_of: None,
        adopts: Some(IncidentRef {
            author,
            incident: id.clone(),
        }),
        requests: Vec::new(),
        helpers: adopted.helpers.clone(),
        created_at_ms: now_ms,
        exercise: adopted.exercise,
    };
    incident.validate()?;
    Ok(incident)
}

/// The decline with which `me` refuses the pledge `pledger`/`pledge` on
/// one of its requests, at `now_ms`. A pledge already taken up by a
/// mission order is not declined (the acceptance would win anyway).
pub fn decline_pledge(
    model: &ReadModel,
    me: MemberId,
    pledger: MemberId,
    pledge_id: &RecordId,
    reason: String,
    now_ms: i64,
) -> Result<Decline, RoomRefusal> {
    let address = RecordAddress::new(pledger, pledge_id.clone());
    let pledge = model
        .pledge(&address)
        .ok_or_else(|| RoomRefusal::PledgeNotFound {
            pledger,
            pledge: pledge_id.clone(),
        })?;
    if pledge.request.requester != me {
        return Err(RoomRefusal::NotYourRequest {
            pledge: pledge_id.clone(),
        });
    }
    let taken_up = model
        .store
        .acceptances_of(&address, pledge)
        .next()
        .is_some();
    if taken_up && pledge.status == PledgeStatus::Offered {
        return Err(RoomRefusal::PledgeAccepted {
            pledge: pledge_id.clone(),
        });
    }
    let decline = Decline {
        pledge: PledgeRef {
            pledger,
            pledge: pledge_id.clone(),
        },
        request: pledge.request.request.clone(),
        need: pledge.request.need.clone(),
        reason,
        declined_at_ms: now_ms,
    };
    decline.validate()?;
    Ok(decline)
}

/// The acceptance `requester`/`acceptance` as a mission order, if known.
fn mission_order<'a>(
    model: &'a ReadModel,
    requester: MemberId,
    acceptance: &RecordId,
) -> Result<&'a Acceptance, RoomRefusal> {
    model
        .store
        .acceptances
        .get(&RecordAddress::new(requester, acceptance.clone()))
        .ok_or_else(|| RoomRefusal::MissionOrderNotFound {
            requester,
            acceptance: acceptance.clone(),
        })
}

/// The helper's figures for a mission order that takes up one of `me`'s
/// pledges, at `now_ms`.
pub fn settle_mission_order(
    model: &ReadModel,
    me: MemberId,
    requester: MemberId,
    acceptance_id: &RecordId,
    figures: (u32, u64, String),
    now_ms: i64,
) -> Result<Settlement, RoomRefusal> {
    let acceptance = mission_order(model, requester, acceptance_id)?;
    if acceptance.pledge.pledger != me {
        return Err(RoomRefusal::NotYourMissionOrder {
            acceptance: acceptance_id.clone(),
        });
    }
    let (hours, expenses_cents, note) = figures;
    let settlement = Settlement {
        pledge: acceptance.pledge.pledge.clone(),
        requester,
        acceptance: acceptance_id.clone(),
        hours,
        expenses_cents,
        note,
        recorded_at_ms: now_ms,
    };
    settlement.validate()?;
    Ok(settlement)
}

/// `me`'s own mission order moved on to `status` (with the figures when it
/// is released or closed: closing with the helper's figures confirms
/// them). Its acceptance time stays what it was.
pub fn advance_mission_order(
    model: &ReadModel,
    me: MemberId,
    acceptance_id: &RecordId,
    status: AcceptanceStatus,
    figures: Option<(u32, u64)>,
) -> Result<Acceptance, RoomRefusal> {
    let current = mission_order(model, me, acceptance_id)?;
    if status <= current.status {
        return Err(RoomRefusal::StatusNotForward {
            acceptance: acceptance_id.clone(),
            from: current.status,
            to: status,
        });
    }
    let mut next = current.clone();
    next.status = status;
    next.hours_recorded = figures.map(|(hours, _)| hours);
    next.expenses_cents = figures.map(|(_, cents)| cents);
    next.validate()?;
    Ok(next)
}
