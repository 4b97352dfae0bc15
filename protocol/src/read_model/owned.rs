//! Copies of the read model's views that own their data.
//!
//! The node keeps the read model behind one lock shared by sync, writes
//! and every page. A view that borrows the read model can only be used
//! while that lock is held, so a page built from it would render, and an
//! answer serialise, under the lock. The node instead copies the views a
//! page shows under the lock (`to_owned_view`, `to_owned_entry`), releases
//! it, and renders from the copy through [`OwnedRequestView::view`] and
//! friends, which lend out the same borrowed view types the pages and the
//! API's serialisation already take: nothing renders differently.

use super::board::{NeedView, PledgeState, PledgeView, RequestView};
use super::derive::NeedTotals;
use super::missions::{MissionOrder, PledgeLink, SettlementState};
use super::registry::{OfferEntry, OwnedOfferEntry};
use super::store::RecordAddress;
use super::suggest::Suggestion;
use crate::ids::MemberId;
use crate::model::{Acceptance, AidRequest, Need, Offer, Pledge, Settlement};

/// A [`PledgeView`] that owns its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedPledgeView {
    address: RecordAddress,
    pledger_name: Option<String>,
    pledge: Pledge,
    state: PledgeState,
    accepted_quantity: u32,
    acceptances: Vec<RecordAddress>,
}

/// A [`NeedView`] that owns its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedNeedView {
    need: Need,
    totals: NeedTotals,
    pledges: Vec<OwnedPledgeView>,
}

/// A [`RequestView`] that owns its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedRequestView {
    address: RecordAddress,
    requester_name: Option<String>,
    request: AidRequest,
    needs: Vec<OwnedNeedView>,
    exercise: bool,
    on_behalf_of: Option<MemberId>,
    on_behalf_of_name: Option<String>,
}

impl PledgeView<'_> {
    /// A copy that no longer borrows the read model.
    pub fn to_owned_view(&self) -> OwnedPledgeView {
        OwnedPledgeView {
            address: self.address.clone(),
            pledger_name: self.pledger_name.map(str::to_owned),
            pledge: self.pledge.clone(),
            state: self.state,
            accepted_quantity: self.accepted_quantity,
            acceptances: self.acceptances.iter().map(|&a| a.clone()).collect(),
        }
    }
}

impl OwnedPledgeView {
    /// The view, borrowing this copy.
    pub fn view(&self) -> PledgeView<'_> {
        PledgeView {
            address: &self.address,
            pledger_name: self.pledger_name.as_deref(),
            pledge: &self.pledge,
            state: self.state,
            accepted_quantity: self.accepted_quantity,
            acceptances: self.acceptances.iter().collect(),
        }
    }
}

impl NeedView<'_> {
    /// A copy that no longer borrows the read model.
    pub fn to_owned_view(&self) -> OwnedNeedView {
        OwnedNeedView {
            need: self.need.clone(),
            totals: self.totals,
            pledges: self.pledges.iter().map(PledgeView::to_owned_view).collect(),
        }
    }
}

impl OwnedNeedView {
    /// The view, borrowing this copy.
    pub fn view(&self) -> NeedView<'_> {
        NeedView {
            need: &self.need,
            totals: self.totals,
            pledges: self.pledges.iter().map(OwnedPledgeView::view).collect(),
        }
    }
}

impl RequestView<'_> {
    /// A copy that no longer borrows the read model.
    pub fn to_owned_view(&self) -> OwnedRequestView {
        OwnedRequestView {
            address: self.address.clone(),
            requester_name: self.requester_name.map(str::to_owned),
            request: self.request.clone(),
            needs: self.needs.iter().map(NeedView::to_owned_view).collect(),
            exercise: self.exercise,
            on_behalf_of: self.on_behalf_of,
            on_behalf_of_name: self.on_behalf_of_name.map(str::to_owned),
        }
    }
}

impl OwnedRequestView {
    /// The view, borrowing this copy.
    pub fn view(&self) -> RequestView<'_> {
        RequestView {
            address: &self.address,
            requester_name: self.requester_name.as_deref(),
            request: &self.request,
            needs: self.needs.iter().map(OwnedNeedView::view).collect(),
            exercise: self.exercise,
            on_behalf_of: self.on_behalf_of,
            on_behalf_of_name: self.on_behalf_of_name.as_deref(),
        }
    }
}

impl OwnedOfferEntry {
    /// The entry, borrowing this copy.
    pub fn entry(&self) -> OfferEntry<'_> {
        OfferEntry {
            address: &self.address,
            owner_name: self.owner_name.as_deref(),
            owner_ags: self.owner_ags.as_deref(),
            offer: &self.offer,
            quantity: self.quantity,
            held: self.held,
            remaining: self.remaining,
        }
    }
}

/// A [`Suggestion`] that owns its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedSuggestion {
    offer: OwnedOfferEntry,
    score: u32,
    skills_met: usize,
    skills_asked: usize,
    distance_km: Option<u32>,
}

impl Suggestion<'_> {
    /// A copy that no longer borrows the read model.
    pub fn to_owned_view(&self) -> OwnedSuggestion {
        OwnedSuggestion {
            offer: self.offer.to_owned_entry(),
            score: self.score,
            skills_met: self.skills_met,
            skills_asked: self.skills_asked,
            distance_km: self.distance_km,
        }
    }
}

impl OwnedSuggestion {
    /// The suggestion, borrowing this copy.
    pub fn view(&self) -> Suggestion<'_> {
        Suggestion {
            offer: self.offer.entry(),
            score: self.score,
            skills_met: self.skills_met,
            skills_asked: self.skills_asked,
            distance_km: self.distance_km,
        }
    }
}

/// A [`PledgeLink`] that owns its data.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OwnedPledgeLink {
    AwaitingPledge,
    Mismatch(Pledge),
    Late(Pledge),
    // Boxed: an offer is large, and most orders hold none.
    Joined(Pledge, Option<Box<Offer>>),
}

/// A [`SettlementState`] that owns its data.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OwnedSettlementState {
    NotRecorded,
    Recorded(Settlement),
    Confirmed(Settlement),
    Differs(Settlement),
}

/// A [`MissionOrder`] that owns its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedMissionOrder {
    address: RecordAddress,
    acceptance: Acceptance,
    pledger: MemberId,
    pledge: OwnedPledgeLink,
    settlement: OwnedSettlementState,
    exercise: bool,
}

impl MissionOrder<'_> {
    /// A copy that no longer borrows the read model.
    pub fn to_owned_view(&self) -> OwnedMissionOrder {
        let pledge = match &self.pledge {
            PledgeLink::AwaitingPledge => OwnedPledgeLink::AwaitingPledge,
            PledgeLink::Mismatch { pledge } => OwnedPledgeLink::Mismatch((*pledge).clone()),
            PledgeLink::Late { pledge } => OwnedPledgeLink::Late((*pledge).clone()),
            PledgeLink::Joined { pledge, offer } => {
                OwnedPledgeLink::Joined((*pledge).clone(), offer.cloned().map(Box::new))
            }
        };
        let settlement = match &self.settlement {
            SettlementState::NotRecorded => OwnedSettlementState::NotRecorded,
            SettlementState::Recorded { settlement } => {
                OwnedSettlementState::Recorded((*settlement).clone())
            }
            SettlementState::Confirmed { settlement } => {
                OwnedSettlementState::Confirmed((*settlement).clone())
            }
            SettlementState::Differs { settlement } => {
                OwnedSettlementState::Differs((*settlement).clone())
            }
        };
        OwnedMissionOrder {
            address: self.address.clone(),
            acceptance: self.acceptance.clone(),
            pledger: self.pledger,
            pledge,
            settlement,
            exercise: self.exercise,
        }
    }
}

impl OwnedMissionOrder {
    /// The mission order, borrowing this copy.
    pub fn view(&self) -> MissionOrder<'_> {
        let pledge = match &self.pledge {
            OwnedPledgeLink::AwaitingPledge => PledgeLink::AwaitingPledge,
            OwnedPledgeLink::Mismatch(pledge) => PledgeLink::Mismatch { pledge },
            OwnedPledgeLink::Late(pledge) => PledgeLink::Late { pledge },
            OwnedPledgeLink::Joined(pledge, offer) => PledgeLink::Joined {
                pledge,
                offer: offer.as_deref(),
            },
        };
        let settlement = match &self.settlement {
            OwnedSettlementState::NotRecorded => SettlementState::NotRecorded,
            OwnedSettlementState::Recorded(settlement) => SettlementState::Recorded { settlement },
            OwnedSettlementState::Confirmed(settlement) => {
                SettlementState::Confirmed { settlement }
            }
            OwnedSettlementState::Differs(settlement) => SettlementState::Differs { settlement },
        };
        MissionOrder {
            address: &self.address,
            acceptance: &self.acceptance,
            pledger: self.pledger,
            pledge,
            settlement,
            exercise: self.exercise,
        }
    }
}
