//! The kind-specific part of an offer, one struct per offer kind, with the
//! fields of the domain's resource typing.
//!
//! Pure data and per-record checks; never looks at other records.

use serde::{Deserialize, Serialize};

use super::clean_image::CleanImageAttestation;
use super::common::{Mode, SkillLevel, TimeWindow, validate_skills};
use super::validation::{
    ValidationError, check_id, check_list, check_name, check_quantity, check_range, check_short,
    check_short_required, check_text, check_unique,
};
use crate::catalogue::CatalogueName;

/// Farthest a person travels for an on-site mission, in km.
pub const TRAVEL_RADIUS_KM_MAX: u32 = 1_000;
/// Longest deployment accepted, in days.
pub const DEPLOYMENT_DAYS_MAX: u16 = 365;
/// Default longest deployment, in days.
pub const DEPLOYMENT_DAYS_DEFAULT: u16 = 14;
/// Longest shift accepted, in hours.
pub const SHIFT_HOURS_MAX: u8 = 24;
/// Default longest shift, in hours.
pub const SHIFT_HOURS_DEFAULT: u8 = 12;
/// Hours in a week: the most remote support hours per week.
pub const HOURS_PER_WEEK_MAX: u16 = 168;
/// Slowest response time accepted, in minutes (one week).
pub const RESPONSE_TIME_MINUTES_MAX: u32 = 10_080;
/// Longest setup, mobilisation or self-sufficiency time, in hours (30 days).
pub const PREPARATION_HOURS_MAX: u16 = 720;
/// Longest team package duration, in days.
pub const DURATION_DAYS_MAX: u16 = 365;
/// Largest cost estimate, in euros.
pub const COST_EUR_MAX: u64 = 100_000_000;

fn default_deployment_days() -> u16 {
    DEPLOYMENT_DAYS_DEFAULT
}

fn default_shift_hours() -> u8 {
    SHIFT_HOURS_DEFAULT
}

fn default_clearance() -> String {
    "none".into()
}

/// One person lent to the hit member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonOffer {
    /// Id from the role catalogue.
    pub role: String,
    /// Skills with their levels.
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// Certificates, free text (e.g. "GIAC GCFA").
    #[serde(default)]
    pub certificates: Vec<String>,
    /// Id from the clearance catalogue (`none`, `ue1`, `ue2`).
    #[serde(default = "default_clearance")]
    pub clearance: String,
    /// Languages as ISO 639-1 codes ("de", "en").
    #[serde(default)]
    #[schemars(length(max = super::validation::LIST_ITEMS_MAX))]
    pub languages: Vec<String>,
    /// Remote, on site, or both.
    pub mode: Mode,
    /// How far the person travels for on-site work, km.
    #[serde(default)]
    pub travel_radius_km: u32,
    /// When the person can be deployed; empty means the whole validity window.
    #[serde(default)]
    #[schemars(length(max = super::validation::LIST_ITEMS_MAX))]
    pub availability: Vec<TimeWindow>,
    /// Reachable around the clock.
    #[serde(default)]
    pub on_call_24_7: bool,
    /// Longest deployment, days.
    #[serde(default = "default_deployment_days")]
    pub max_deployment_days: u16,
    /// Longest shift, hours.
    #[serde(default = "default_shift_hours")]
    pub max_shift_hours: u8,
    /// Id from the employment basis catalogue.
    pub employment_basis: String,
    /// The employer has approved the release.
    #[serde(default)]
    pub release_approved: bool,
}

impl PersonOffer {
    fn validate(&self) -> Result<(), ValidationError> {
        check_id("detail.role", CatalogueName::Role, &self.role)?;
        validate_skills("detail.skills", &self.skills)?;
        validate_short_list("detail.certificates", &self.certificates)?;
        check_id(
            "detail.clearance",
            CatalogueName::Clearance,
            &self.clearance,
        )?;
        check_list("detail.languages", &self.languages)?;
        for (index, language) in self.languages.iter().enumerate() {
            let iso_639_1 = language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase());
            if !iso_639_1 {
                return Err(super::validation::bad_format(
                    &format!("detail.languages[{index}]"),
                    "must be a two-letter ISO 639-1 code such as \"de\"",
                ));
            }
        }
        check_unique(
            "detail.languages",
            self.languages.iter().map(String::as_str),
        )?;
        check_range(
            "detail.travel_radius_km",
            self.travel_radius_km,
            0,
            i64::from(TRAVEL_RADIUS_KM_MAX),
        )?;
        check_list("detail.availability", &self.availability)?;
        for (index, window) in self.availability.iter().enumerate() {
            window.validate(&format!("detail.availability[{index}]"))?;
        }
        check_range(
            "detail.max_deployment_days",
            self.max_deployment_days,
            1,
            i64::from(DEPLOYMENT_DAYS_MAX),
        )?;
        check_range(
            "detail.max_shift_hours",
            self.max_shift_hours,
            1,
            i64::from(SHIFT_HOURS_MAX),
        )?;
        check_id(
            "detail.employment_basis",
            CatalogueName::EmploymentBasis,
            &self.employment_basis,
        )
    }
}

/// Hours of remote support per week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteCapacityOffer {
    /// Hours per week offered.
    pub hours_per_week: u16,
    /// Time to first response, minutes.
    pub response_time_minutes: u32,
    /// When support is staffed, e.g. "Mo–Fr 7–18 Uhr".
    pub coverage_hours: String,
    /// Ids from the channel catalogue.
    #[serde(default)]
    #[schemars(length(max = super::validation::LIST_ITEMS_MAX))]
    pub channels: Vec<String>,
    /// Tools the helpers bring, free text.
    #[serde(default)]
    pub tools: Vec<String>,
    /// Skills of the support team, so a skill search finds it.
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// The helpers need a clean jump host at the hit member.
    #[serde(default)]
    pub needs_clean_jump_host: bool,
}

impl RemoteCapacityOffer {
    fn validate(&self) -> Result<(), ValidationError> {
        check_range(
            "detail.hours_per_week",
            self.hours_per_week,
            1,
            i64::from(HOURS_PER_WEEK_MAX),
        )?;
        check_range(
            "detail.response_time_minutes",
            self.response_time_minutes,
            0,
            i64::from(RESPONSE_TIME_MINUTES_MAX),
        )?;
        check_short_required("detail.coverage_hours", &self.coverage_hours)?;
        check_list("detail.channels", &self.channels)?;
        for (index, channel) in self.channels.iter().enumerate() {
            check_id(
                &format!("detail.channels[{index}]"),
                CatalogueName::Channel,
                channel,
            )?;
        }
        check_unique("detail.channels", self.channels.iter().map(String::as_str))?;
        validate_short_list("detail.tools", &self.tools)?;
        validate_skills("detail.skills", &self.skills)
    }
}

/// Devices of one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentOffer {
    /// Id from the equipment category catalogue.
    pub category: String,
    /// Number of devices.
    #[schemars(range(min = 1, max = super::validation::QUANTITY_MAX))]
    pub quantity: u32,
    /// Id from the image state catalogue.
    pub image_state: String,
    /// Devices bring their own communications (LTE, satellite).
    #[serde(default)]
    pub own_communications: bool,
    /// Where the devices are.
    pub location: String,
    /// Hours from pick-up to ready for use.
    #[serde(default)]
    pub setup_hours: u16,
    /// How the devices travel, e.g. "Abholung" or "Lieferung durch Bauhof".
    #[serde(default)]
    pub transport: String,
    /// The devices are wiped when they come back.
    #[serde(default)]
    pub wiped_on_return: bool,
    /// Who imaged the devices, when, with which image; shown to helpers
    /// before they connect a device. Absent when nobody attests it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_image: Option<CleanImageAttestation>,
}

impl EquipmentOffer {
    fn validate(&self, updated_at_ms: i64) -> Result<(), ValidationError> {
        if let Some(attestation) = &self.clean_image {
            attestation.validate("detail.clean_image", updated_at_ms)?;
        }
        check_id(
            "detail.category",
            CatalogueName::EquipmentCategory,
            &self.category,
        )?;
        check_quantity("detail.quantity", self.quantity)?;
        check_id(
            "detail.image_state",
            CatalogueName::ImageState,
            &self.image_state,
        )?;
        check_short_required("detail.location", &self.location)?;
        check_range(
            "detail.setup_hours",
            self.setup_hours,
            0,
            i64::from(PREPARATION_HOURS_MAX),
        )?;
        check_short("detail.transport", &self.transport)
    }
}

/// One line of a team's composition: so many people in a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    /// Id from the role catalogue.
    pub role: String,
    /// How many people in that role.
    #[schemars(range(min = 1, max = super::validation::QUANTITY_MAX))]
    pub count: u32,
}

/// A self-contained team (after the EMAC "mission ready package").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamPackageOffer {
    /// What the team does, e.g. "Client-Neuaufbau 200 Arbeitsplätze".
    #[schemars(length(min = 1, max = super::validation::NAME_CHARS_MAX))]
    pub mission: String,
    /// Who is in the team.
    #[schemars(length(max = super::validation::LIST_ITEMS_MAX))]
    pub composition: Vec<TeamMember>,
    /// Where the team works.
    pub mode: Mode,
    /// What the team cannot do.
    #[serde(default)]
    pub limitations: String,
    /// What the hit member must provide (rooms, power, network).
    #[serde(default)]
    pub required_support: String,
    /// How long the team works without outside supply, hours.
    #[serde(default)]
    pub self_sufficiency_hours: u16,
    /// Time from acceptance to departure, hours.
    pub mobilisation_hours: u16,
    /// How long the team can stay, days.
    pub duration_days: u16,
    /// Rough cost, euros.
    #[serde(default)]
    pub cost_estimate_eur: Option<u64>,
}

impl TeamPackageOffer {
    fn validate(&self) -> Result<(), ValidationError> {
        check_name("detail.mission", &self.mission)?;
        if self.composition.is_empty() {
            return Err(ValidationError::Empty {
                field: "detail.composition".into(),
            });
        }
        check_list("detail.composition", &self.composition)?;
        for (index, member) in self.composition.iter().enumerate() {
            let field = format!("detail.composition[{index}]");
            check_id(&format!("{field}.role"), CatalogueName::Role, &member.role)?;
            check_quantity(&format!("{field}.count"), member.count)?;
        }
        check_unique(
            "detail.composition",
            self.composition.iter().map(|m| m.role.as_str()),
        )?;
        check_text("detail.limitations", &self.limitations)?;
        check_text("detail.required_support", &self.required_support)?;
        let hours_max = i64::from(PREPARATION_HOURS_MAX);
        check_range(
            "detail.self_sufficiency_hours",
            self.self_sufficiency_hours,
            0,
            hours_max,
        )?;
        check_range(
            "detail.mobilisation_hours",
            self.mobilisation_hours,
            0,
            hours_max,
        )?;
        check_range(
            "detail.duration_days",
            self.duration_days,
            1,
            i64::from(DURATION_DAYS_MAX),
        )?;
        if let Some(cost) = self.cost_estimate_eur {
            check_range(
                "detail.cost_estimate_eur",
                cost,
                0,
                COST_EUR_MAX.try_into().unwrap_or(i64::MAX),
            )?;
        }
        Ok(())
    }

    /// Whether the team includes someone in `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.composition.iter().any(|member| member.role == role)
    }
}

/// A neighbour runs a counter service for the hit member's residents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRelocationOffer {
    /// The service, e.g. "Melde- und Passwesen".
    #[schemars(length(min = 1, max = super::validation::NAME_CHARS_MAX))]
    pub service: String,
    /// Cases the host can take on per week.
    pub capacity_cases_per_week: u32,
    /// Where residents go.
    pub location: String,
}

impl ServiceRelocationOffer {
    fn validate(&self) -> Result<(), ValidationError> {
        check_name("detail.service", &self.service)?;
        check_quantity(
            "detail.capacity_cases_per_week",
            self.capacity_cases_per_week,
        )?;
        check_short_required("detail.location", &self.location)
    }
}

/// The kind-specific part of an offer, tagged by `kind` in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfferDetail {
    /// One person.
    Person(PersonOffer),
    /// Remote support hours.
    RemoteCapacity(RemoteCapacityOffer),
    /// Devices.
    Equipment(EquipmentOffer),
    /// A team.
    TeamPackage(TeamPackageOffer),
    /// A relocated counter service.
    ServiceRelocation(ServiceRelocationOffer),
}

impl OfferDetail {
    /// Checks the kind-specific fields of an offer saved at
    /// `updated_at_ms` (a clean-image attestation must not be later).
    pub fn validate(&self, updated_at_ms: i64) -> Result<(), ValidationError> {
        match self {
            OfferDetail::Person(detail) => detail.validate(),
            OfferDetail::RemoteCapacity(detail) => detail.validate(),
            OfferDetail::Equipment(detail) => detail.validate(updated_at_ms),
            OfferDetail::TeamPackage(detail) => detail.validate(),
            OfferDetail::ServiceRelocation(detail) => detail.validate(),
        }
    }
}

fn validate_short_list(field: &str, items: &[String]) -> Result<(), ValidationError> {
    check_list(field, items)?;
    for (index, item) in items.iter().enumerate() {
        check_short_required(&format!("{field}[{index}]"), item)?;
    }
    Ok(())
}
