//! The request board: every request with, per need, the requested, pledged,
//! accepted and open quantities and the pledges themselves with their
//! acceptance state.
//!
//! Pledges that arrive before their request are kept and show up here as
//! soon as the request does. The board never writes: accepting a pledge is an
//! acceptance record in the requester's own document.

use serde::Serialize;

use super::ReadModel;
use super::derive::NeedTotals;
use super::store::{RecordAddress, request_of};
use crate::ids::MemberId;
use crate::model::{AidRequest, Need, Pledge, PledgeStatus, RequestRef};

/// Where a pledge stands, seen from the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PledgeState {
    /// Pledged, not accepted yet.
    Offered,
    /// Accepted: at least one active mission order.
    Accepted,
    /// Accepted, and every mission order is released or closed.
    Finished,
    /// Taken back by the pledger.
    Withdrawn,
    /// Refused by the requester.
    Declined,
    /// Not accepted within the window (only from [`PledgeView::state_at`]:
    /// lapsing depends on the time asked about).
    Lapsed,
}

/// One pledge on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PledgeView<'a> {
    /// Pledger and pledge id.
    pub address: &'a RecordAddress,
    /// The pledger's name, if known.
    pub pledger_name: Option<&'a str>,
    /// The pledge.
    pub pledge: &'a Pledge,
    /// Where it stands.
    pub state: PledgeState,
    /// Units accepted from this pledge.
    pub accepted_quantity: u32,
    /// The acceptances that take it up, in the requester's document.
    pub acceptances: Vec<&'a RecordAddress>,
}

/// One need of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NeedView<'a> {
    /// The need.
    pub need: &'a Need,
    /// Its quantities.
    pub totals: NeedTotals,
    /// Every pledge pointing at it, withdrawn ones included, by pledger and
    /// pledge id.
    pub pledges: Vec<PledgeView<'a>>,
}

/// One request on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RequestView<'a> {
    /// Requester and request id.
    pub address: &'a RecordAddress,
    /// The requester's name, if known.
    pub requester_name: Option<&'a str>,
    /// The request.
    pub request: &'a AidRequest,
    /// Its needs, in the request's order.
    pub needs: Vec<NeedView<'a>>,
    /// An exercise (ÜBUNG), never counted in real figures.
    pub exercise: bool,
    /// Set when the requester posted it on behalf of another member (in an
    /// incident written for that member, whose own node is down): the hit
    /// member. Such a request binds only the requester until the hit
    /// member adopts the incident; shown as such everywhere.
    pub on_behalf_of: Option<MemberId>,
    /// The hit member's name, if known.
    pub on_behalf_of_name: Option<&'a str>,
}

impl PledgeView<'_> {
    /// Where the pledge stands at `now_ms`: an offered pledge nobody
    /// accepted is lapsed once its window has passed, and counts as lapsed
    /// too while it claims to be made in the future
    /// ([`crate::model::Pledge::counts_at`]).
    pub fn state_at(&self, now_ms: i64) -> PledgeState {
        if self.state == PledgeState::Offered && !self.pledge.counts_at(now_ms) {
            PledgeState::Lapsed
        } else {
            self.state
        }
    }
}

impl RequestView<'_> {
    /// The view as it stands at `now_ms`: every pledge not accepted within
    /// its window shows as lapsed, and its units as open again. What pages
    /// and answers show, so that they agree with the rules a write meets
    /// (`check_pledge`, `accept_pledge` ask at the time of writing).
    #[must_use]
    pub fn at(mut self, now_ms: i64) -> Self {
        for need in &mut self.needs {
            need.totals.open = need.open_at(now_ms);
            for pledge in &mut need.pledges {
                pledge.state = pledge.state_at(now_ms);
            }
        }
        self
    }
}

impl NeedView<'_> {
    /// What still needs a pledge at `now_ms`: the requested units minus
    /// those of pledges that are accepted, finished, or offered and not yet
    /// lapsed. Withdrawn, declined and lapsed pledges free their units for
    /// others.
    pub fn open_at(&self, now_ms: i64) -> u32 {
        let standing = self
            .pledges
            .iter()
            .filter(|view| {
                matches!(
                    view.state_at(now_ms),
                    PledgeState::Offered | PledgeState::Accepted | PledgeState::Finished
                )
            })
            .fold(0u32, |sum, view| sum.saturating_add(view.pledge.quantity));
        self.totals.requested.saturating_sub(standing)
    }
}

impl ReadModel {
    /// Every request, by requester and request id.
    pub fn request_board(&self) -> Vec<RequestView<'_>> {
        self.store
            .requests
            .iter()
            .map(|(address, request)| self.request_view_of(address, request))
            .collect()
    }

    /// One request.
    pub fn request_view(&self, address: &RecordAddress) -> Option<RequestView<'_>> {
        let (address, request) = self.store.requests.get_key_value(address)?;
        Some(self.request_view_of(address, request))
    }

    /// [`Self::request_board`] as it stands at `now_ms` ([`RequestView::at`]).
    pub fn request_board_at(&self, now_ms: i64) -> Vec<RequestView<'_>> {
        self.request_board()
            .into_iter()
            .map(|view| view.at(now_ms))
            .collect()
    }

    /// [`Self::request_view`] as it stands at `now_ms` ([`RequestView::at`]).
    pub fn request_view_at(&self, address: &RecordAddress, now_ms: i64) -> Option<RequestView<'_>> {
        self.request_view(address).map(|view| view.at(now_ms))
    }

    /// The quantities of one need, if its request is known.
    pub fn need_totals(&self, need: &RequestRef) -> Option<NeedTotals> {
        self.derived.needs.get(need).copied()
    }

    /// One pledge, by its pledger and id.
    pub fn pledge(&self, address: &RecordAddress) -> Option<&Pledge> {
        self.store.pledges.get(address)
    }

    /// Pledges whose request has not arrived (yet), by pledger and id.
    pub fn pledges_awaiting_request(&self) -> Vec<(&RecordAddress, &Pledge)> {
        self.store
            .pledges
            .iter()
            .filter(|(_, pledge)| !self.store.requests.contains_key(&request_of(pledge)))
            .collect()
    }

    fn request_view_of<'a>(
        &'a self,
        address: &'a RecordAddress,
        request: &'a AidRequest,
    ) -> RequestView<'a> {
        let needs = request
            .needs
            .iter()
            .map(|need| {
                let key = RequestRef {
                    requester: address.owner,
                    request: address.id.clone(),
                    need: need.id.clone(),
                };
                NeedView {
                    need,
                    totals: self.need_totals(&key).unwrap_or_default(),
                    pledges: self.pledge_views(&key),
                }
            })
            .collect();
        let on_behalf_of = self.request_on_behalf_of(address);
        RequestView {
            address,
            requester_name: self.member_name(&address.owner),
            request,
            needs,
            exercise: crate::pact::is_exercise_id(&address.id),
            on_behalf_of,
            on_behalf_of_name: on_behalf_of.and_then(|hit| self.member_name(&hit)),
        }
    }

    fn pledge_views(&self, need: &RequestRef) -> Vec<PledgeView<'_>> {
        self.store
            .pledges_in(self.store.pledges_by_need.get(need))
            .map(|(address, pledge)| self.pledge_view(address, pledge))
            .collect()
    }

    pub(crate) fn pledge_view<'a>(
        &'a self,
        address: &'a RecordAddress,
        pledge: &'a Pledge,
    ) -> PledgeView<'a> {
        let mut acceptances = Vec::new();
        let mut accepted_quantity = 0u32;
        let mut any_active = false;
        for (acceptance_address, acceptance) in self.store.acceptances_of(address, pledge) {
            acceptances.push(acceptance_address);
            accepted_quantity = accepted_quantity.saturating_add(acceptance.quantity);
            any_active |= acceptance.is_running();
        }
        let declined = self.store.is_declined(address, pledge);
        let state = match (pledge.status, acceptances.is_empty(), any_active) {
            (PledgeStatus::Withdrawn, _, _) => PledgeState::Withdrawn,
            (PledgeStatus::Offered, true, _) if declined => PledgeState::Declined,
            (PledgeStatus::Offered, true, _) => PledgeState::Offered,
            (PledgeStatus::Offered, false, true) => PledgeState::Accepted,
            (PledgeStatus::Offered, false, false) => PledgeState::Finished,
        };
        PledgeView {
            address,
            pledger_name: self.member_name(&address.owner),
            pledge,
            state,
            accepted_quantity,
            acceptances,
        }
    }
}
