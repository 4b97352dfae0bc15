//! Suggestions: offers ranked by how well they fit one need of a request.
//!
//! Hard conditions (an offer failing one is not suggested): same kind,
//! available, not the requester's own, at least one unit free, mode serves
//! the need's mode, usable during the request window, the asked role and
//! equipment category. Soft points, 100 at most: skills, window overlap,
//! free quantity against the open quantity, distance. Ties break by owner
//! and record id, so the list is the same on every node. Suggestions are
//! advice for the requester; they never write anything.

use serde::Serialize;

use super::ReadModel;
use super::registry::OfferEntry;
use super::store::RecordAddress;
use crate::model::{Need, OfferDetail, OfferStatus, RequestRef, TimeWindow};

/// Points for meeting every asked skill at its level.
pub const SKILL_POINTS_MAX: u32 = 30;
/// Points for being usable during the whole request window.
pub const OVERLAP_POINTS_MAX: u32 = 20;
/// Points for covering the whole open quantity.
pub const QUANTITY_POINTS_MAX: u32 = 20;
/// Points for being next door; falls to 0 at [`DISTANCE_KM_HORIZON`].
pub const DISTANCE_POINTS_MAX: u32 = 30;
/// Distance beyond which nearness earns nothing, in km.
pub const DISTANCE_KM_HORIZON: u32 = 300;
/// Most suggestions returned for one need.
pub const SUGGESTIONS_MAX: usize = 50;

/// One ranked offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion<'a> {
    /// The offer as the registry shows it.
    pub offer: OfferEntry<'a>,
    /// Total points, 0..=100.
    pub score: u32,
    /// Asked skills the offer meets at the asked level.
    pub skills_met: usize,
    /// Skills the need asks for.
    pub skills_asked: usize,
    /// Distance between the two members' seats, if both are known, in km.
    pub distance_km: Option<u32>,
}

impl ReadModel {
    /// Offers of other members ranked for one need, best first, at most
    /// [`SUGGESTIONS_MAX`]. Empty if the request or the need is unknown.
    pub fn suggest(&self, need_ref: &RequestRef) -> Vec<Suggestion<'_>> {
        let request_address = RecordAddress::new(need_ref.requester, need_ref.request.clone());
        let Some(request) = self.store.requests.get(&request_address) else {
            return Vec::new();
        };
        let Some(need) = request.need(&need_ref.need) else {
            return Vec::new();
        };
        let open = self
            .need_totals(need_ref)
            .map_or(need.quantity, |totals| totals.open)
            .max(1);
        let window = request.window();
        let requester_seat = self
            .profile(&need_ref.requester)
            .and_then(|p| p.coordinates);
        let mut suggestions: Vec<Suggestion<'_>> = self
            .store
            .offers
            .iter()
            .filter(|(address, _)| address.owner != need_ref.requester)
            .map(|(address, offer)| self.offer_entry(address, offer))
            .filter(|entry| passes(entry, need, &window))
            .map(|entry| {
                let seat = self
                    .profile(&entry.address.owner)
                    .and_then(|p| p.coordinates);
                let distance_km = requester_seat.zip(seat).map(|(a, b)| a.distance_km(&b));
                score(entry, need, &window, open, distance_km)
            })
            .collect();
        suggestions.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.offer.address.cmp(b.offer.address))
        });
        suggestions.truncate(SUGGESTIONS_MAX);
        suggestions
    }
}

fn passes(entry: &OfferEntry<'_>, need: &Need, window: &TimeWindow) -> bool {
    let offer = entry.offer;
    offer.kind() == need.kind
        && offer.status == OfferStatus::Available
        && entry.remaining >= 1
        && offer.mode().serves(need.mode)
        && offer.available_during(window)
        && need.role.as_deref().is_none_or(|r| offer.provides_role(r))
        && need
            .equipment_category
            .as_deref()
            .is_none_or(|c| offer.equipment_category() == Some(c))
}

fn score<'a>(
    entry: OfferEntry<'a>,
    need: &Need,
    window: &TimeWindow,
    open: u32,
    distance_km: Option<u32>,
) -> Suggestion<'a> {
    let offer = entry.offer;
    // A skill at a lower level than asked earns half.
    let mut skill_halves = 0u32;
    let mut skills_met = 0usize;
    for asked in &need.skills {
        match offer.skill_level(&asked.skill) {
            Some(level) if level >= asked.level => {
                skills_met += 1;
                skill_halves += 2;
            }
            Some(_) => skill_halves += 1,
            None => {}
        }
    }
    let skills_asked = need.skills.len();
    let skill_points = match u32::try_from(skills_asked) {
        Ok(0) | Err(_) => SKILL_POINTS_MAX,
        Ok(asked) => SKILL_POINTS_MAX * skill_halves / (2 * asked),
    };
    let overlap_points = share(
        usable_ms(offer, window),
        window.end_ms.saturating_sub(window.start_ms),
        OVERLAP_POINTS_MAX,
    );
    let quantity_points = share(
        i64::from(entry.remaining.min(open)),
        i64::from(open),
        QUANTITY_POINTS_MAX,
    );
    let beyond_travel_radius = match (&offer.detail, distance_km) {
        (OfferDetail::Person(person), Some(km)) => {
            need.mode != crate::model::Mode::Remote
                && person.travel_radius_km > 0
                && km > person.travel_radius_km
        }
        _ => false,
    };
    let distance_points = match distance_km {
        Some(km) if !beyond_travel_radius => share(
            i64::from(DISTANCE_KM_HORIZON.saturating_sub(km)),
            i64::from(DISTANCE_KM_HORIZON),
            DISTANCE_POINTS_MAX,
        ),
        _ => 0,
    };
    Suggestion {
        offer: entry,
        score: skill_points + overlap_points + quantity_points + distance_points,
        skills_met,
        skills_asked,
        distance_km,
    }
}

/// `max × part / whole` in integers, 0 for an empty whole.
fn share(part: i64, whole: i64, max: u32) -> u32 {
    if whole <= 0 {
        return 0;
    }
    let points = i128::from(max) * i128::from(part.clamp(0, whole)) / i128::from(whole);
    u32::try_from(points).unwrap_or(0)
}

/// Milliseconds of `window` in which the offer is usable.
fn usable_ms(offer: &crate::model::Offer, window: &TimeWindow) -> i64 {
    let valid = offer.validity();
    match &offer.detail {
        OfferDetail::Person(person) if !person.availability.is_empty() => person
            .availability
            .iter()
            .map(|w| {
                let clipped = TimeWindow {
                    start_ms: w.start_ms.max(valid.start_ms),
                    end_ms: w.end_ms.min(valid.end_ms),
                };
                clipped.overlap_ms(window)
            })
            .fold(0i64, i64::saturating_add)
            .min(window.end_ms.saturating_sub(window.start_ms)),
        _ => valid.overlap_ms(window),
    }
}
