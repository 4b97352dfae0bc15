//! The rules a member's own node applies before it writes a pledge or an
//! acceptance, as pure functions of the read model. Each refusal is a
//! variant with a stable `code()`; the node's API and pages answer with
//! that code, and its route table lists [`PledgeRefusal::CODES`] and
//! [`AcceptanceRefusal::CODES`], so a code cannot drift between the rule,
//! the answer and the documentation.
//!
//! These are rules of the writing node, not of ingress: a pledge that
//! another node wrote while it could not see a competing pledge is still
//! accepted everywhere, and the board then shows the need over-pledged.

use crate::ids::{MemberId, RecordId};
use crate::model::{
    Acceptance, AcceptanceStatus, OfferStatus, Pledge, PledgeRef, PledgeStatus, RequestStatus,
    ValidationError,
};

use super::{PledgeView, ReadModel, RecordAddress, RequestView};

/// What kind of refusal a code is: the request names something this
/// node does not know (yet), or it contradicts what the node knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Something named is unknown here.
    NotFound,
    /// The current state does not allow it.
    Conflict,
}

/// Why this node refuses to write a pledge of its member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PledgeRefusal {
    /// The request is this member's own.
    #[error("A member cannot pledge against its own request.")]
    OwnRequest,
    /// The request is not in the read model.
    #[error("The request {request} of member {requester} is not known to this node (yet).")]
    RequestNotFound {
        /// The request's id.
        request: RecordId,
        /// Its member.
        requester: MemberId,
    },
    /// The request has no such need.
    #[error("The request {request} has no need {need}.")]
    NeedNotFound {
        /// The request's id.
        request: RecordId,
        /// The need asked for.
        need: RecordId,
    },
    /// The request no longer wants pledges.
    #[error("The request {request} no longer wants pledges.")]
    RequestNotOpen {
        /// The request's id.
        request: RecordId,
    },
    /// More units than are still open.
    #[error(
        "Only {open} of the {requested} units of need {need} are still open; a pledge of {quantity} is too many."
    )]
    OverOpenQuantity {
        /// Units still open.
        open: u32,
        /// Units requested.
        requested: u32,
        /// The need.
        need: RecordId,
        /// Units pledged.
        quantity: u32,
    },
    /// The pledge draws on an offer this member does not have.
    #[error("This member has no offer with the id {offer:?}.")]
    OfferNotFound {
        /// The offer's id.
        offer: String,
    },
    /// The offer drawn on is not available.
    #[error("The offer {offer} is not available.")]
    OfferNotAvailable {
        /// The offer's id.
        offer: RecordId,
    },
    /// The offer has fewer units free.
    #[error(
        "The offer {offer} has only {remaining} of {total} units free; a pledge of {quantity} is too many."
    )]
    OverOfferRemaining {
        /// The offer's id.
        offer: RecordId,
        /// Units still free.
        remaining: u32,
        /// Units it has.
        total: u32,
        /// Units pledged.
        quantity: u32,
    },
}

impl PledgeRefusal {
    /// Every code with its kind, in the order of the rules.
    pub const CODES: [(&'static str, RefusalKind); 8] = [
        ("own_request", RefusalKind::Conflict),
        ("request_not_found", RefusalKind::NotFound),
        ("need_not_found", RefusalKind::NotFound),
        ("request_not_open", RefusalKind::Conflict),
        ("over_open_quantity", RefusalKind::Conflict),
        ("offer_not_found", RefusalKind::NotFound),
        ("offer_not_available", RefusalKind::Conflict),
        ("over_offer_remaining", RefusalKind::Conflict),
    ];

    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        self.entry().0
    }

    /// Whether it names something unknown or conflicts with the state.
    pub fn kind(&self) -> RefusalKind {
        self.entry().1
    }

    fn entry(&self) -> (&'static str, RefusalKind) {
        Self::CODES[match self {
            PledgeRefusal::OwnRequest => 0,
            PledgeRefusal::RequestNotFound { .. } => 1,
            PledgeRefusal::NeedNotFound { .. } => 2,
            PledgeRefusal::RequestNotOpen { .. } => 3,
            PledgeRefusal::OverOpenQuantity { .. } => 4,
            PledgeRefusal::OfferNotFound { .. } => 5,
            PledgeRefusal::OfferNotAvailable { .. } => 6,
            PledgeRefusal::OverOfferRemaining { .. } => 7,
        }]
    }
}

/// Checks a new pledge of member `me` against the read model:
/// 1. the request is not `me`'s own;
/// 2. the request is known and has the need;
/// 3. the request is `open`;
/// 4. the quantity is at most the need's open quantity at `now_ms`
///    (requested minus the standing pledges of every member,
///    [`super::NeedView::open_at`]: a lapsed pledge no longer blocks it);
/// 5. if the pledge draws on an offer: it is `me`'s, `available`, and has
///    that many units still free.
///
/// The pledge's own validation (`Pledge::validate`) is the model's.
pub fn check_pledge(
    model: &ReadModel,
    me: MemberId,
    pledge: &Pledge,
    now_ms: i64,
) -> Result<(), PledgeRefusal> {
    let target = &pledge.request;
    if target.requester == me {
        return Err(PledgeRefusal::OwnRequest);
    }
    let address = RecordAddress::new(target.requester, target.request.clone());
    let view = model
        .request_view(&address)
        .ok_or_else(|| PledgeRefusal::RequestNotFound {
            request: target.request.clone(),
            requester: target.requester,
        })?;
    let need = view
        .needs
        .iter()
        .find(|need| need.need.id == target.need)
        .ok_or_else(|| PledgeRefusal::NeedNotFound {
            request: target.request.clone(),
            need: target.need.clone(),
        })?;
    if view.request.status != RequestStatus::Open {
        return Err(PledgeRefusal::RequestNotOpen {
            request: target.request.clone(),
        });
    }
    let open = need.open_at(now_ms);
    if pledge.quantity > open {
        return Err(PledgeRefusal::OverOpenQuantity {
            open,
            requested: need.totals.requested,
            need: target.need.clone(),
            quantity: pledge.quantity,
        });
    }
    if let Some(offer) = &pledge.offer {
        check_offer(
            model,
            RecordAddress::new(me, offer.clone()),
            pledge.quantity,
        )?;
    }
    Ok(())
}

/// Rule 5: the offer a pledge draws on.
fn check_offer(
    model: &ReadModel,
    address: RecordAddress,
    quantity: u32,
) -> Result<(), PledgeRefusal> {
    let entry = model
        .offer(&address)
        .ok_or_else(|| PledgeRefusal::OfferNotFound {
            offer: address.id.as_str().to_owned(),
        })?;
    if entry.offer.status != OfferStatus::Available {
        return Err(PledgeRefusal::OfferNotAvailable { offer: address.id });
    }
    if quantity > entry.remaining {
        return Err(PledgeRefusal::OverOfferRemaining {
            offer: address.id,
            remaining: entry.remaining,
            total: entry.quantity,
            quantity,
        });
    }
    Ok(())
}

/// Why this node refuses to write an acceptance of its member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptanceRefusal {
    /// The pledge is not known here, or not under a need its request has.
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
    /// The pledger withdrew it.
    #[error("The pledge {pledge} was withdrawn by its member.")]
    PledgeWithdrawn {
        /// The pledge's id.
        pledge: RecordId,
    },
    /// The pledge was not accepted within `PLEDGE_ACCEPT_WINDOW_MS` of
    /// being made and has lapsed.
    #[error("The pledge {pledge} was not accepted in time and has lapsed.")]
    PledgeLapsed {
        /// The pledge's id.
        pledge: RecordId,
    },
    /// The request is no longer open.
    #[error("The request {request} is no longer open.")]
    RequestNotOpen {
        /// The request's id.
        request: RecordId,
    },
    /// More units than are left of the pledge.
    #[error(
        "Only {left} of the {pledged} pledged units are left to accept; {quantity} is too many."
    )]
    OverPledgedQuantity {
        /// Units not yet accepted.
        left: u32,
        /// Units pledged.
        pledged: u32,
        /// Units asked for.
        quantity: u32,
    },
    /// The acceptance breaks a rule of the model (quantity 0, terms too long).
    #[error("{0}")]
    Invalid(ValidationError),
}

impl AcceptanceRefusal {
    /// Every code of a refusal by state, with its kind. A model rule
    /// ([`AcceptanceRefusal::Invalid`]) answers with the model's
    /// validation code instead.
    pub const CODES: [(&'static str, RefusalKind); 6] = [
        ("pledge_not_found", RefusalKind::NotFound),
        ("not_your_request", RefusalKind::Conflict),
        ("pledge_withdrawn", RefusalKind::Conflict),
        ("pledge_lapsed", RefusalKind::Conflict),
        ("request_not_open", RefusalKind::Conflict),
        ("over_pledged_quantity", RefusalKind::Conflict),
    ];

    /// The stable snake_case code (`validation_failed` for a model rule).
    pub fn code(&self) -> &'static str {
        match self.entry() {
            Some((code, _)) => code,
            None => "validation_failed",
        }
    }

    /// Its kind, or `None` for a model rule.
    pub fn kind(&self) -> Option<RefusalKind> {
        self.entry().map(|(_, kind)| kind)
    }

    fn entry(&self) -> Option<(&'static str, RefusalKind)> {
        let index = match self {
            AcceptanceRefusal::PledgeNotFound { .. } => 0,
            AcceptanceRefusal::NotYourRequest { .. } => 1,
            AcceptanceRefusal::PledgeWithdrawn { .. } => 2,
            AcceptanceRefusal::PledgeLapsed { .. } => 3,
            AcceptanceRefusal::RequestNotOpen { .. } => 4,
            AcceptanceRefusal::OverPledgedQuantity { .. } => 5,
            AcceptanceRefusal::Invalid(_) => return None,
        };
        Some(Self::CODES[index])
    }
}

/// What the requester says when it accepts a pledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceDraft {
    /// The pledging member.
    pub pledger: MemberId,
    /// The pledge's id in the pledger's document.
    pub pledge: RecordId,
    /// Units to accept.
    pub quantity: u32,
    /// Agreed terms, free text.
    pub terms: Option<String>,
}

/// Builds the acceptance of member `me` for a pledge, at `now_ms`:
/// 1. the pledge is known, under a need its request really has;
/// 2. the request is `me`'s;
/// 3. the pledge still stands, has not lapsed (accepted within
///    `PLEDGE_ACCEPT_WINDOW_MS` of being made), and the request is `open`;
/// 4. the acceptance validates;
/// 5. the quantity is at most what is left of the pledge (pledged minus
///    already accepted).
pub fn accept_pledge(
    model: &ReadModel,
    me: MemberId,
    draft: AcceptanceDraft,
    now_ms: i64,
) -> Result<Acceptance, AcceptanceRefusal> {
    let wanted = RecordAddress::new(draft.pledger, draft.pledge.clone());
    let not_found = || AcceptanceRefusal::PledgeNotFound {
        pledger: draft.pledger,
        pledge: draft.pledge.clone(),
    };
    let pledge = model.pledge(&wanted).ok_or_else(not_found)?;
    let request = RecordAddress::new(pledge.request.requester, pledge.request.request.clone());
    let view = model
        .request_view(&request)
        .filter(|_| request.owner == me)
        .ok_or_else(|| AcceptanceRefusal::NotYourRequest {
            pledge: draft.pledge.clone(),
        })?;
    // The pledge counts only under a need its request really has.
    let found = view
        .needs
        .iter()
        .flat_map(|need| &need.pledges)
        .find(|p| *p.address == wanted)
        .ok_or_else(not_found)?;
    accept_found(&view, found, draft, now_ms)
}

/// Rules 3 to 5 for a pledge found under one of the member's requests.
fn accept_found(
    view: &RequestView<'_>,
    found: &PledgeView<'_>,
    draft: AcceptanceDraft,
    now_ms: i64,
) -> Result<Acceptance, AcceptanceRefusal> {
    let pledge = found.pledge;
    if pledge.status != PledgeStatus::Offered {
        return Err(AcceptanceRefusal::PledgeWithdrawn {
            pledge: draft.pledge,
        });
    }
    if !pledge.accepted_in_time(now_ms) {
        return Err(AcceptanceRefusal::PledgeLapsed {
            pledge: draft.pledge,
        });
    }
    if view.request.status != RequestStatus::Open {
        return Err(AcceptanceRefusal::RequestNotOpen {
            request: view.address.id.clone(),
        });
    }
    let acceptance = Acceptance {
        pledge: PledgeRef {
            pledger: draft.pledger,
            pledge: draft.pledge,
        },
        request: pledge.request.request.clone(),
        need: pledge.request.need.clone(),
        quantity: draft.quantity,
        accepted_at_ms: now_ms,
        terms: draft.terms,
        status: AcceptanceStatus::Active,
        hours_recorded: None,
        expenses_cents: None,
    };
    acceptance.validate().map_err(AcceptanceRefusal::Invalid)?;
    let left = pledge.quantity.saturating_sub(found.accepted_quantity);
    if acceptance.quantity > left {
        return Err(AcceptanceRefusal::OverPledgedQuantity {
            left,
            pledged: pledge.quantity,
            quantity: acceptance.quantity,
        });
    }
    Ok(acceptance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> RecordId {
        RecordId::new(text).unwrap()
    }

    #[test]
    fn every_pledge_refusal_has_its_own_listed_code() {
        let member = MemberId([7; 32]);
        let all = [
            PledgeRefusal::OwnRequest,
            PledgeRefusal::RequestNotFound {
                request: id("r1"),
                requester: member,
            },
            PledgeRefusal::NeedNotFound {
                request: id("r1"),
                need: id("n1"),
            },
            PledgeRefusal::RequestNotOpen { request: id("r1") },
            PledgeRefusal::OverOpenQuantity {
                open: 1,
                requested: 2,
                need: id("n1"),
                quantity: 3,
            },
            PledgeRefusal::OfferNotFound { offer: "o1".into() },
            PledgeRefusal::OfferNotAvailable { offer: id("o1") },
            PledgeRefusal::OverOfferRemaining {
                offer: id("o1"),
                remaining: 1,
                total: 2,
                quantity: 3,
            },
        ];
        let codes: Vec<_> = all.iter().map(|r| (r.code(), r.kind())).collect();
        assert_eq!(codes, PledgeRefusal::CODES.to_vec());
    }

    #[test]
    fn every_acceptance_refusal_has_its_own_listed_code() {
        let all = [
            AcceptanceRefusal::PledgeNotFound {
                pledger: MemberId([7; 32]),
                pledge: id("p1"),
            },
            AcceptanceRefusal::NotYourRequest { pledge: id("p1") },
            AcceptanceRefusal::PledgeWithdrawn { pledge: id("p1") },
            AcceptanceRefusal::PledgeLapsed { pledge: id("p1") },
            AcceptanceRefusal::RequestNotOpen { request: id("r1") },
            AcceptanceRefusal::OverPledgedQuantity {
                left: 1,
                pledged: 2,
                quantity: 3,
            },
        ];
        let codes: Vec<_> = all.iter().map(|r| (r.code(), r.kind().unwrap())).collect();
        assert_eq!(codes, AcceptanceRefusal::CODES.to_vec());
        let invalid = AcceptanceRefusal::Invalid(ValidationError::Inconsistent {
            field: "quantity".into(),
            reason: "zero",
        });
        assert_eq!(
            (invalid.code(), invalid.kind()),
            ("validation_failed", None)
        );
    }

    #[test]
    fn an_unknown_request_is_refused_with_its_code() {
        let model = ReadModel::new();
        let me = MemberId([1; 32]);
        let pledge: Pledge = serde_json::from_value(serde_json::json!({
            "request": { "requester": MemberId([2; 32]), "request": "r1", "need": "n1" },
            "quantity": 1,
            "created_at_ms": 0,
            "status": "offered"
        }))
        .unwrap();
        let refusal = check_pledge(&model, me, &pledge, 0).unwrap_err();
        assert_eq!(refusal.code(), "request_not_found");
        let own = Pledge {
            request: crate::model::RequestRef {
                requester: me,
                ..pledge.request.clone()
            },
            ..pledge
        };
        assert_eq!(
            check_pledge(&model, me, &own, 0).unwrap_err().code(),
            "own_request"
        );
    }
}
