//! An offer: a resource a member is prepared to lend (a person, remote
//! support, equipment, a team, a relocated service), with the fields every
//! offer has. The kind-specific fields are in [`super::offer_detail`].
//!
//! An offer is not binding; only an accepted pledge (a mission order) is.
//! This module never computes availability across records: how much of an
//! offer is still free is the read model's business.

use serde::{Deserialize, Serialize};

use super::common::{Contact, Mode, OfferKind, TimeWindow};
use super::offer_detail::OfferDetail;
use super::validation::{ValidationError, check_name, check_text, check_time, check_window};

/// Whether an offer can be asked for.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    /// Can be pledged.
    Available,
    /// Held back by the owner (e.g. for its own emergency).
    Reserved,
    /// On a mission.
    Assigned,
    /// Not usable (sick, broken, lent elsewhere).
    OutOfService,
}

impl OfferStatus {
    /// Every status, in the order the forms list them.
    pub const ALL: [OfferStatus; 4] = [
        OfferStatus::Available,
        OfferStatus::Reserved,
        OfferStatus::Assigned,
        OfferStatus::OutOfService,
    ];

    /// The stable id, as in JSON.
    pub fn id(self) -> &'static str {
        match self {
            OfferStatus::Available => "available",
            OfferStatus::Reserved => "reserved",
            OfferStatus::Assigned => "assigned",
            OfferStatus::OutOfService => "out_of_service",
        }
    }
}

/// A resource a member offers to the pact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// Short title, e.g. "20 Notebooks, sauber".
    #[schemars(length(min = 1, max = super::validation::NAME_CHARS_MAX))]
    pub title: String,
    /// Whether it can be asked for.
    pub status: OfferStatus,
    /// First millisecond the offer holds.
    pub valid_from_ms: i64,
    /// First millisecond it no longer holds; absent means open-ended.
    #[serde(default)]
    pub valid_until_ms: Option<i64>,
    /// On-call path for this offer.
    pub contact: Contact,
    /// Free notes.
    #[serde(default)]
    #[schemars(length(max = super::validation::TEXT_CHARS_MAX))]
    pub notes: String,
    /// When the owner last changed the offer, ms since the epoch.
    #[schemars(range(min = 0, max = super::validation::TIME_MS_MAX))]
    pub updated_at_ms: i64,
    /// The kind-specific fields.
    pub detail: OfferDetail,
}

impl Offer {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("title", &self.title)?;
        match self.valid_until_ms {
            Some(until) => check_window("validity", self.valid_from_ms, until)?,
            None => check_time("valid_from_ms", self.valid_from_ms)?,
        }
        self.contact.validate("contact")?;
        check_text("notes", &self.notes)?;
        check_time("updated_at_ms", self.updated_at_ms)?;
        self.detail.validate(self.updated_at_ms)
    }

    /// The kind of the offer.
    pub fn kind(&self) -> OfferKind {
        match &self.detail {
            OfferDetail::Person(_) => OfferKind::Person,
            OfferDetail::RemoteCapacity(_) => OfferKind::RemoteCapacity,
            OfferDetail::Equipment(_) => OfferKind::Equipment,
            OfferDetail::TeamPackage(_) => OfferKind::TeamPackage,
            OfferDetail::ServiceRelocation(_) => OfferKind::ServiceRelocation,
        }
    }

    /// How many units the offer has: the device count for equipment, 1 for
    /// everything else (a person, a team, a block of remote hours, a
    /// service are each one unit that is pledged whole).
    pub fn quantity(&self) -> u32 {
        match &self.detail {
            OfferDetail::Equipment(equipment) => equipment.quantity,
            _ => 1,
        }
    }

    /// Where the help is given. Remote capacity and relocated services are
    /// remote from the hit member's point of view; equipment is delivered.
    pub fn mode(&self) -> Mode {
        match &self.detail {
            OfferDetail::Person(person) => person.mode,
            OfferDetail::TeamPackage(team) => team.mode,
            // Every other kind has a fixed mode.
            _ => self.kind().fixed_mode().unwrap_or(Mode::Both),
        }
    }

    /// The validity window, open-ended windows ending at `i64::MAX`.
    pub fn validity(&self) -> TimeWindow {
        TimeWindow {
            start_ms: self.valid_from_ms,
            end_ms: self.valid_until_ms.unwrap_or(i64::MAX),
        }
    }

    /// Whether the offer can be used during `window`: the validity window
    /// overlaps it and, for a person with availability windows, one of them
    /// does too.
    pub fn available_during(&self, window: &TimeWindow) -> bool {
        if !self.validity().overlaps(window) {
            return false;
        }
        match &self.detail {
            OfferDetail::Person(person) if !person.availability.is_empty() => {
                person.availability.iter().any(|w| w.overlaps(window))
            }
            _ => true,
        }
    }

    /// Whether the offer provides `role`: a person in that role, or a team
    /// with someone in it.
    pub fn provides_role(&self, role: &str) -> bool {
        match &self.detail {
            OfferDetail::Person(person) => person.role == role,
            OfferDetail::TeamPackage(team) => team.has_role(role),
            _ => false,
        }
    }

    /// The level of `skill` the offer brings, if any.
    pub fn skill_level(&self, skill: &str) -> Option<u8> {
        let skills = match &self.detail {
            OfferDetail::Person(person) => &person.skills,
            OfferDetail::RemoteCapacity(remote) => &remote.skills,
            _ => return None,
        };
        skills.iter().find(|s| s.skill == skill).map(|s| s.level)
    }

    /// The equipment category, for equipment offers.
    pub fn equipment_category(&self) -> Option<&str> {
        match &self.detail {
            OfferDetail::Equipment(equipment) => Some(&equipment.category),
            _ => None,
        }
    }
}

impl OfferKind {
    /// The mode every offer of this kind has, for the kinds that do not
    /// name one: remote capacity and relocated services are remote from
    /// the hit member's point of view, equipment is delivered.
    pub fn fixed_mode(self) -> Option<Mode> {
        match self {
            OfferKind::RemoteCapacity | OfferKind::ServiceRelocation => Some(Mode::Remote),
            OfferKind::Equipment => Some(Mode::Onsite),
            OfferKind::Person | OfferKind::TeamPackage => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_status_ids_are_the_json_ones() {
        for status in OfferStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.id())
            );
        }
    }
    use crate::model::fixtures::{equipment_offer, person_offer, remote_offer, team_offer};
    use crate::model::offer_detail::*;

    fn first_error_field(offer: &Offer) -> String {
        let error = offer.validate().unwrap_err();
        error
            .to_string()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn fixtures_are_valid_and_report_kind_quantity_mode() {
        let person = person_offer("forensics", Mode::Both);
        assert_eq!(person.validate(), Ok(()));
        assert_eq!(
            (person.kind(), person.quantity(), person.mode()),
            (OfferKind::Person, 1, Mode::Both)
        );
        let laptops = equipment_offer("laptop", 20);
        assert_eq!(laptops.validate(), Ok(()));
        assert_eq!(
            (laptops.kind(), laptops.quantity(), laptops.mode()),
            (OfferKind::Equipment, 20, Mode::Onsite)
        );
        assert_eq!(remote_offer().validate(), Ok(()));
        assert_eq!(remote_offer().mode(), Mode::Remote);
        assert_eq!(team_offer().validate(), Ok(()));
        assert!(team_offer().provides_role("client_rollout"));
        assert!(!laptops.provides_role("lead"));
    }

    #[test]
    fn detail_defaults_apply() {
        let json =
            r#"{"kind":"person","role":"lead","mode":"onsite","employment_basis":"abordnung"}"#;
        let detail: OfferDetail = serde_json::from_str(json).unwrap();
        let OfferDetail::Person(person) = detail else {
            panic!("not a person")
        };
        assert_eq!(person.max_deployment_days, DEPLOYMENT_DAYS_DEFAULT);
        assert_eq!(person.max_shift_hours, SHIFT_HOURS_DEFAULT);
        assert_eq!(person.clearance, "none");
    }

    #[test]
    fn common_fields_are_checked() {
        let base = equipment_offer("laptop", 5);
        let mut o = base.clone();
        o.title = String::new();
        assert_eq!(first_error_field(&o), "title");
        let mut o = base.clone();
        o.valid_until_ms = Some(o.valid_from_ms - 1);
        assert!(matches!(
            o.validate(),
            Err(ValidationError::EndNotAfterStart { .. })
        ));
        let mut o = base.clone();
        o.valid_until_ms = None;
        o.valid_from_ms = -1;
        assert_eq!(first_error_field(&o), "valid_from_ms");
        let mut o = base.clone();
        o.contact.email = "x".into();
        assert_eq!(first_error_field(&o), "contact.email");
        let mut o = base.clone();
        o.notes = "n".repeat(5000);
        assert_eq!(first_error_field(&o), "notes");
        let mut o = base;
        o.updated_at_ms = -1;
        assert_eq!(first_error_field(&o), "updated_at_ms");
    }

    #[test]
    fn person_fields_are_checked() {
        type Break = Box<dyn Fn(&mut PersonOffer)>;
        let cases: Vec<(&str, Break)> = vec![
            ("detail.role", Box::new(|p| p.role = "x".into())),
            (
                "detail.skills[0].skill",
                Box::new(|p| p.skills[0].skill = "x".into()),
            ),
            (
                "detail.certificates[0]",
                Box::new(|p| p.certificates = vec![String::new()]),
            ),
            ("detail.clearance", Box::new(|p| p.clearance = "ue3".into())),
            (
                "detail.languages[0]",
                Box::new(|p| p.languages = vec!["deu".into()]),
            ),
            (
                "detail.languages",
                Box::new(|p| p.languages = vec!["de".into(), "de".into()]),
            ),
            (
                "detail.travel_radius_km",
                Box::new(|p| p.travel_radius_km = TRAVEL_RADIUS_KM_MAX + 1),
            ),
            (
                "detail.availability[0]",
                Box::new(|p| p.availability[0].end_ms = p.availability[0].start_ms),
            ),
            (
                "detail.max_deployment_days",
                Box::new(|p| p.max_deployment_days = 0),
            ),
            (
                "detail.max_shift_hours",
                Box::new(|p| p.max_shift_hours = 25),
            ),
            (
                "detail.employment_basis",
                Box::new(|p| p.employment_basis = "leihe".into()),
            ),
        ];
        for (field, break_it) in cases {
            let mut offer = person_offer("lead", Mode::Onsite);
            if let OfferDetail::Person(person) = &mut offer.detail {
                break_it(person);
            }
            assert_eq!(first_error_field(&offer), field);
        }
    }

    #[test]
    fn other_kinds_are_checked() {
        let mut o = remote_offer();
        if let OfferDetail::RemoteCapacity(r) = &mut o.detail {
            r.hours_per_week = 0;
        }
        assert_eq!(first_error_field(&o), "detail.hours_per_week");
        let mut o = remote_offer();
        if let OfferDetail::RemoteCapacity(r) = &mut o.detail {
            r.channels = vec!["fax".into()];
        }
        assert_eq!(first_error_field(&o), "detail.channels[0]");
        let mut o = remote_offer();
        if let OfferDetail::RemoteCapacity(r) = &mut o.detail {
            r.response_time_minutes = RESPONSE_TIME_MINUTES_MAX + 1;
        }
        assert_eq!(first_error_field(&o), "detail.response_time_minutes");

        let o = equipment_offer("laptop", 0);
        assert_eq!(
            o.validate().unwrap_err().to_string(),
            "detail.quantity: must be at least 1, got 0"
        );
        assert_eq!(
            first_error_field(&equipment_offer("toaster", 1)),
            "detail.category"
        );
        let mut o = equipment_offer("laptop", 1);
        if let OfferDetail::Equipment(e) = &mut o.detail {
            e.image_state = "dirty".into();
        }
        assert_eq!(first_error_field(&o), "detail.image_state");

        let mut o = team_offer();
        if let OfferDetail::TeamPackage(t) = &mut o.detail {
            t.composition.clear();
        }
        assert_eq!(first_error_field(&o), "detail.composition");
        let mut o = team_offer();
        if let OfferDetail::TeamPackage(t) = &mut o.detail {
            t.composition[0].count = 0;
        }
        assert_eq!(first_error_field(&o), "detail.composition[0].count");
        let mut o = team_offer();
        if let OfferDetail::TeamPackage(t) = &mut o.detail {
            t.duration_days = 0;
        }
        assert_eq!(first_error_field(&o), "detail.duration_days");
        let mut o = team_offer();
        if let OfferDetail::TeamPackage(t) = &mut o.detail {
            t.cost_estimate_eur = Some(COST_EUR_MAX + 1);
        }
        assert_eq!(first_error_field(&o), "detail.cost_estimate_eur");

        let mut o = team_offer();
        o.detail = OfferDetail::ServiceRelocation(ServiceRelocationOffer {
            service: "Melde- und Passwesen".into(),
            capacity_cases_per_week: 0,
            location: "Bürgerbüro Heppenheim".into(),
        });
        assert_eq!(first_error_field(&o), "detail.capacity_cases_per_week");
    }

    #[test]
    fn availability_uses_validity_and_person_windows() {
        let offer = person_offer("lead", Mode::Onsite);
        let inside = offer.validity();
        let OfferDetail::Person(person) = &offer.detail else {
            panic!()
        };
        let window = person.availability[0];
        assert!(offer.available_during(&window));
        // Inside validity but outside the person's windows.
        let after = TimeWindow {
            start_ms: window.end_ms,
            end_ms: window.end_ms + 1000,
        };
        assert!(inside.overlaps(&after));
        assert!(!offer.available_during(&after));
        let before = TimeWindow {
            start_ms: 0,
            end_ms: offer.valid_from_ms,
        };
        assert!(!equipment_offer("laptop", 1).available_during(&before));
    }
}
