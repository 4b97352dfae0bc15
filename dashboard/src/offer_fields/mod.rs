//! The offer form's fields in one home: their names ([`name`]), how many
//! skill and team rows a form has, an offer → the values its edit form
//! shows ([`offer_values`]), and the values a form sends → an offer
//! ([`offer_of`]), for all five kinds. The page (`pages::offer_form`) draws
//! its controls with these names and the node's form handler calls
//! [`offer_of`], so a name cannot differ between the page and the reader;
//! the tests round-trip every kind through both directions.
//!
//! Only translates: every value is checked by the model's `validate()` on
//! the way to the store.

mod from_values;
#[cfg(test)]
mod tests;
mod to_values;

use std::collections::HashMap;

use amtshilfe_protocol::model::OfferKind;

pub use from_values::{form_field, offer_of};
pub use to_values::offer_values;

/// Field name → value, as a form sends them.
pub type FormValues = HashMap<String, String>;

/// Most skill rows a form has ([`name::skill`] 0 … ); no more are read.
pub const SKILL_ROWS_MAX: usize = 8;
/// Most team composition rows a form has ([`name::member_role`] 0 … ).
pub const TEAM_ROWS_MAX: usize = 8;

/// A refused form: what to tell the user and which field to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The reason, as the node's rules put it.
    pub message: String,
    /// The form field it is about, if known.
    pub field: Option<String>,
}

impl FormError {
    pub(crate) fn at(field: &str, message: String) -> Self {
        Self {
            message,
            field: Some(field.to_owned()),
        }
    }
}

/// The kind named by `id` (`?art=` or the form's `kind`), if any.
pub fn kind_of(id: &str) -> Option<OfferKind> {
    OfferKind::ALL.into_iter().find(|kind| kind.id() == id)
}

/// Every field name of the offer form. A checkbox sends [`ON`] when ticked
/// and nothing otherwise.
pub mod name {
    /// The value a ticked checkbox sends.
    pub const ON: &str = "on";

    // Every kind.
    pub const KIND: &str = "kind";
    pub const TITLE: &str = "title";
    pub const STATUS: &str = "status";
    pub const VALID_FROM: &str = "valid_from";
    pub const VALID_UNTIL: &str = "valid_until";
    pub const CONTACT_ROLE: &str = "contact_role";
    pub const CONTACT_PHONE: &str = "contact_phone";
    pub const CONTACT_EMAIL: &str = "contact_email";
    pub const NOTES: &str = "notes";

    // Equipment.
    pub const CATEGORY: &str = "category";
    pub const QUANTITY: &str = "quantity";
    pub const IMAGE_STATE: &str = "image_state";
    pub const OWN_COMMUNICATIONS: &str = "own_communications";
    /// Equipment and service relocation.
    pub const LOCATION: &str = "location";
    pub const SETUP_HOURS: &str = "setup_hours";
    pub const TRANSPORT: &str = "transport";
    pub const WIPED_ON_RETURN: &str = "wiped_on_return";
    /// The clean-image attestation: all four empty means none. Named as
    /// `form_field` maps the model's paths (`detail.clean_image.image_name`).
    pub const CLEAN_IMAGE_BY: &str = "clean_image_imaged_by";
    pub const CLEAN_IMAGE_DATE: &str = "clean_image_date";
    pub const CLEAN_IMAGE_NAME: &str = "clean_image_image_name";
    pub const CLEAN_IMAGE_SHA256: &str = "clean_image_image_sha256";

    // Person.
    pub const ROLE: &str = "role";
    /// Person and team package.
    pub const MODE: &str = "mode";
    pub const CLEARANCE: &str = "clearance";
    pub const EMPLOYMENT_BASIS: &str = "employment_basis";
    pub const TRAVEL_RADIUS_KM: &str = "travel_radius_km";
    pub const MAX_DEPLOYMENT_DAYS: &str = "max_deployment_days";
    pub const MAX_SHIFT_HOURS: &str = "max_shift_hours";
    pub const LANGUAGES: &str = "languages";
    pub const CERTIFICATES: &str = "certificates";
    pub const ON_CALL_24_7: &str = "on_call_24_7";
    pub const RELEASE_APPROVED: &str = "release_approved";

    // Remote capacity.
    pub const HOURS_PER_WEEK: &str = "hours_per_week";
    pub const RESPONSE_TIME_MINUTES: &str = "response_time_minutes";
    pub const COVERAGE_HOURS: &str = "coverage_hours";
    pub const TOOLS: &str = "tools";
    /// The legend of the channel checkboxes ([`channel`]).
    pub const CHANNELS: &str = "channels";
    pub const NEEDS_CLEAN_JUMP_HOST: &str = "needs_clean_jump_host";

    // Team package.
    pub const MISSION: &str = "mission";
    pub const LIMITATIONS: &str = "limitations";
    pub const REQUIRED_SUPPORT: &str = "required_support";
    pub const SELF_SUFFICIENCY_HOURS: &str = "self_sufficiency_hours";
    pub const MOBILISATION_HOURS: &str = "mobilisation_hours";
    pub const DURATION_DAYS: &str = "duration_days";
    pub const COST_ESTIMATE_EUR: &str = "cost_estimate_eur";

    // Service relocation.
    pub const SERVICE: &str = "service";
    pub const CAPACITY_CASES_PER_WEEK: &str = "capacity_cases_per_week";

    /// The skill of row `row` (person, remote capacity).
    pub fn skill(row: usize) -> String {
        format!("skill{row}")
    }

    /// The level of the skill in row `row`.
    pub fn skill_level(row: usize) -> String {
        format!("skill{row}_level")
    }

    /// The role of team row `row`.
    pub fn member_role(row: usize) -> String {
        format!("member{row}_role")
    }

    /// How many of that role team row `row` has.
    pub fn member_count(row: usize) -> String {
        format!("member{row}_count")
    }

    /// The checkbox of the channel catalogue entry `id`.
    pub fn channel(id: &str) -> String {
        format!("channel_{id}")
    }
}
