//! A member's profile: who the member is and how to reach its 24/7 on-call
//! contacts. Stored once per member (`profile:main` in the Profile document).
//!
//! The profile never holds private phone numbers or posture data.

use serde::{Deserialize, Serialize};

use super::common::{Contact, GeoPoint};
use super::validation::{
    ValidationError, bad_format, check_id, check_name, check_range, check_short, check_time,
    inconsistent,
};
use crate::catalogue::CatalogueName;

/// Fewest digits of an AGS (a Land has 2).
pub const AGS_DIGITS_MIN: usize = 2;
/// Most digits of an AGS (a Gemeinde has 8).
pub const AGS_DIGITS_MAX: usize = 8;
/// Largest population accepted, in residents.
pub const POPULATION_MAX: u32 = 100_000_000;

/// The member kind id that may leave the AGS empty.
const IT_PROVIDER: &str = "it_provider";

/// A pact member's profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberProfile {
    /// Official name, e.g. "Kreis Bergstraße".
    pub name: String,
    /// Amtlicher Gemeindeschlüssel, 2 to 8 digits (e.g. "06431"). Required
    /// except for an IT provider.
    #[serde(default)]
    pub ags: Option<String>,
    /// Id from the member kind catalogue.
    pub kind: String,
    /// Residents served (0 or absent for an IT provider).
    #[serde(default)]
    pub population: Option<u32>,
    /// Region, e.g. "Südhessen".
    #[serde(default)]
    pub region: String,
    /// Seat or address of the administration.
    #[serde(default)]
    pub location: String,
    /// 24/7 primary on-call contact.
    pub primary_contact: Contact,
    /// 24/7 deputy on-call contact.
    pub deputy_contact: Contact,
    /// Seat of the administration, for distance ranking.
    #[serde(default)]
    pub coordinates: Option<GeoPoint>,
    /// When the owner last changed the profile, ms since the epoch.
    pub updated_at_ms: i64,
    /// When the owner last confirmed that both 24/7 contacts still answer,
    /// ms since the epoch. Absent in profiles written before it existed
    /// (and then left out of the stored form, so those stay byte-equal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts_confirmed_ms: Option<i64>,
}

impl MemberProfile {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("name", &self.name)?;
        check_id("kind", CatalogueName::MemberKind, &self.kind)?;
        match &self.ags {
            Some(ags) => validate_ags(ags)?,
            None if self.kind != IT_PROVIDER => {
                return Err(inconsistent(
                    "ags",
                    "required for every member except an IT provider",
                ));
            }
            None => {}
        }
        if let Some(population) = self.population {
            check_range("population", population, 0, i64::from(POPULATION_MAX))?;
        }
        check_short("region", &self.region)?;
        check_short("location", &self.location)?;
        self.primary_contact.validate("primary_contact")?;
        self.deputy_contact.validate("deputy_contact")?;
        if let Some(point) = &self.coordinates {
            point.validate("coordinates")?;
        }
        if let Some(confirmed) = self.contacts_confirmed_ms {
            check_time("contacts_confirmed_ms", confirmed)?;
        }
        check_time("updated_at_ms", self.updated_at_ms)
    }
}

fn validate_ags(ags: &str) -> Result<(), ValidationError> {
    let digits_only = ags.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || !(AGS_DIGITS_MIN..=AGS_DIGITS_MAX).contains(&ags.len()) {
        return Err(bad_format("ags", "must be 2 to 8 digits"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::profile;

    #[test]
    fn a_complete_profile_is_valid() {
        assert_eq!(profile("Kreis Bergstraße", "06431").validate(), Ok(()));
    }

    #[test]
    fn ags_must_be_digits_and_present_unless_it_provider() {
        for bad in ["6", "064310000", "0643a", ""] {
            let mut p = profile("X", "06431");
            p.ags = Some(bad.into());
            assert!(
                matches!(p.validate(), Err(ValidationError::BadFormat { field, .. }) if field == "ags"),
                "{bad}"
            );
        }
        let mut p = profile("X", "06431");
        p.ags = None;
        assert!(matches!(
            p.validate(),
            Err(ValidationError::Inconsistent { .. })
        ));
        p.kind = "it_provider".into();
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn each_field_is_checked() {
        let base = profile("X", "06431");
        type Break = Box<dyn Fn(&mut MemberProfile)>;
        let cases: Vec<(&str, Break)> = vec![
            ("name", Box::new(|p| p.name = " ".into())),
            ("kind", Box::new(|p| p.kind = "bundesland".into())),
            (
                "population",
                Box::new(|p| p.population = Some(POPULATION_MAX + 1)),
            ),
            ("region", Box::new(|p| p.region = "r".repeat(300))),
            ("location", Box::new(|p| p.location = "a\u{0}".into())),
            (
                "primary_contact.phone",
                Box::new(|p| p.primary_contact.phone = "x".into()),
            ),
            (
                "deputy_contact.email",
                Box::new(|p| p.deputy_contact.email = "x".into()),
            ),
            (
                "coordinates.lat_microdeg",
                Box::new(|p| {
                    p.coordinates = Some(GeoPoint {
                        lat_microdeg: 100_000_000,
                        lon_microdeg: 0,
                    })
                }),
            ),
            (
                "contacts_confirmed_ms",
                Box::new(|p| p.contacts_confirmed_ms = Some(-1)),
            ),
            ("updated_at_ms", Box::new(|p| p.updated_at_ms = -5)),
        ];
        for (field, break_it) in cases {
            let mut p = base.clone();
            break_it(&mut p);
            let error = p.validate().unwrap_err();
            assert!(error.to_string().starts_with(field), "{field}: got {error}");
        }
    }
}
