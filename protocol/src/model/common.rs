//! Small value types shared by several records: contacts, time windows,
//! coordinates, modes, offer kinds, skills with a level.
//!
//! `Mode` and `OfferKind` are Rust enums, not catalogue strings, because the
//! matching logic depends on their values; their catalogues only carry the
//! labels, and a test keeps the two in step.

use serde::{Deserialize, Serialize};

use super::validation::{
    ValidationError, bad_format, check_id, check_range, check_short_required, check_window,
};
use crate::catalogue::CatalogueName;

/// Longest phone number, in characters.
pub const PHONE_CHARS_MAX: usize = 32;
/// Longest e-mail address, in characters (RFC 5321 path limit).
pub const EMAIL_CHARS_MAX: usize = 254;

/// A day, in ms (24 hours; dates are midnights in Berlin, made by the
/// dashboard's `format`).
pub const DAY_MS: i64 = 86_400_000;

/// An on-call contact path: a role's phone and mailbox, not a private number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The on-call role, e.g. "IT-Rufbereitschaft".
    pub role: String,
    /// Phone number: digits, spaces and `+ - / ( )`.
    pub phone: String,
    /// Functional mailbox.
    pub email: String,
}

impl Contact {
    /// Checks role, phone and e-mail.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_short_required(&format!("{field}.role"), &self.role)?;
        validate_phone(&format!("{field}.phone"), &self.phone)?;
        validate_email(&format!("{field}.email"), &self.email)
    }
}

fn validate_phone(field: &str, phone: &str) -> Result<(), ValidationError> {
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    let allowed = phone
        .bytes()
        .all(|b| b.is_ascii_digit() || b" +-/()".contains(&b));
    if phone.len() > PHONE_CHARS_MAX || !allowed || digits < 3 {
        return Err(bad_format(
            field,
            "must be a phone number of at most 32 characters: digits, spaces and + - / ( )",
        ));
    }
    Ok(())
}

fn validate_email(field: &str, email: &str) -> Result<(), ValidationError> {
    let well_formed = email.len() <= EMAIL_CHARS_MAX
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return Err(bad_format(field, "must be an e-mail address"));
    }
    Ok(())
}

/// A half-open time window `[start_ms, end_ms)`, ms since the epoch, UTC.
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
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// First millisecond inside the window.
    pub start_ms: i64,
    /// First millisecond after the window.
    pub end_ms: i64,
}

impl TimeWindow {
    /// Checks that the window ends after it starts.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_window(field, self.start_ms, self.end_ms)
    }

    /// Whether the two windows share at least one millisecond.
    pub fn overlaps(&self, other: &TimeWindow) -> bool {
        self.start_ms < other.end_ms && other.start_ms < self.end_ms
    }

    /// Milliseconds the two windows share.
    pub fn overlap_ms(&self, other: &TimeWindow) -> i64 {
        let start = self.start_ms.max(other.start_ms);
        let end = self.end_ms.min(other.end_ms);
        end.saturating_sub(start).max(0)
    }
}

/// A point on the map in integer micro-degrees (WGS 84), so that stored
/// records and comparisons are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    /// Latitude, micro-degrees, -90e6..=90e6.
    pub lat_microdeg: i32,
    /// Longitude, micro-degrees, -180e6..=180e6.
    pub lon_microdeg: i32,
}

impl GeoPoint {
    /// Checks the ranges.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{field}.lat_microdeg"),
            self.lat_microdeg,
            -90_000_000,
            90_000_000,
        )?;
        check_range(
            &format!("{field}.lon_microdeg"),
            self.lon_microdeg,
            -180_000_000,
            180_000_000,
        )
    }

    /// Great-circle distance in whole kilometres (haversine). Only used to
    /// rank suggestions locally, never in replicated state.
    pub fn distance_km(&self, other: &GeoPoint) -> u32 {
        const EARTH_RADIUS_KM: f64 = 6371.0;
        let rad = |microdeg: i32| (f64::from(microdeg) / 1e6).to_radians();
        let (lat1, lat2) = (rad(self.lat_microdeg), rad(other.lat_microdeg));
        let d_lat = lat2 - lat1;
        let d_lon = rad(other.lon_microdeg) - rad(self.lon_microdeg);
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        let km = 2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin();
        // At most half the circumference (~20,015 km): fits u32.
        km.round() as u32
    }
}

/// Where help is given.
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
pub enum Mode {
    /// From the helper's premises.
    Remote,
    /// At the hit municipality.
    Onsite,
    /// Either.
    Both,
}

impl Mode {
    /// Every mode, in catalogue order.
    pub const ALL: [Mode; 3] = [Mode::Remote, Mode::Onsite, Mode::Both];

    /// The catalogue id.
    pub fn id(self) -> &'static str {
        match self {
            Mode::Remote => "remote",
            Mode::Onsite => "onsite",
            Mode::Both => "both",
        }
    }

    /// Whether an offer with mode `self` can serve a need with mode `need`:
    /// `both` on either side matches anything.
    pub fn serves(self, need: Mode) -> bool {
        self == Mode::Both || need == Mode::Both || self == need
    }
}

/// What an offer (or a need) is.
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
pub enum OfferKind {
    /// One named person.
    Person,
    /// Hours of remote support.
    RemoteCapacity,
    /// Devices.
    Equipment,
    /// A self-contained team (mission ready package).
    TeamPackage,
    /// A neighbour hosts a counter service.
    ServiceRelocation,
}

impl OfferKind {
    /// Every kind, in catalogue order.
    pub const ALL: [OfferKind; 5] = [
        OfferKind::Person,
        OfferKind::RemoteCapacity,
        OfferKind::Equipment,
        OfferKind::TeamPackage,
        OfferKind::ServiceRelocation,
    ];

    /// The catalogue id.
    pub fn id(self) -> &'static str {
        match self {
            OfferKind::Person => "person",
            OfferKind::RemoteCapacity => "remote_capacity",
            OfferKind::Equipment => "equipment",
            OfferKind::TeamPackage => "team_package",
            OfferKind::ServiceRelocation => "service_relocation",
        }
    }
}

/// A skill at a level (1 basic, 2 advanced, 3 expert). In a need, the level
/// is the minimum asked for.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct SkillLevel {
    /// Id from the skill catalogue.
    pub skill: String,
    /// Id from the skill level catalogue.
    pub level: u8,
}

impl SkillLevel {
    /// Checks the skill and the level against their catalogues.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_id(&format!("{field}.skill"), CatalogueName::Skill, &self.skill)?;
        check_id(
            &format!("{field}.level"),
            CatalogueName::SkillLevel,
            &self.level.to_string(),
        )
    }
}

/// Checks a list of skills: length, catalogue ids, no skill twice.
pub(crate) fn validate_skills(field: &str, skills: &[SkillLevel]) -> Result<(), ValidationError> {
    super::validation::check_list(field, skills)?;
    for (index, skill) in skills.iter().enumerate() {
        skill.validate(&format!("{field}[{index}]"))?;
    }
    super::validation::check_unique(field, skills.iter().map(|s| s.skill.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogues;
    use crate::model::fixtures::contact;

    #[test]
    fn enums_match_their_catalogues() {
        let ids = |name| -> Vec<String> {
            catalogues()
                .get(name)
                .entries()
                .iter()
                .map(|e| e.id.clone())
                .collect()
        };
        let modes: Vec<String> = Mode::ALL.iter().map(|m| m.id().to_string()).collect();
        assert_eq!(modes, ids(CatalogueName::Mode));
        let kinds: Vec<String> = OfferKind::ALL.iter().map(|k| k.id().to_string()).collect();
        assert_eq!(kinds, ids(CatalogueName::OfferKind));
        for mode in Mode::ALL {
            assert_eq!(
                serde_json::to_string(&mode).unwrap(),
                format!("\"{}\"", mode.id())
            );
        }
        for kind in OfferKind::ALL {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.id())
            );
        }
    }

    #[test]
    fn contacts_are_checked() {
        assert!(contact().validate("c").is_ok());
        let mut c = contact();
        c.role = String::new();
        assert!(matches!(
            c.validate("c"),
            Err(ValidationError::Empty { field }) if field == "c.role"
        ));
        let mut c = contact();
        c.phone = "call me".into();
        assert!(
            matches!(c.validate("c"), Err(ValidationError::BadFormat { field, .. }) if field == "c.phone")
        );
        let mut c = contact();
        c.phone = "1".repeat(PHONE_CHARS_MAX + 1);
        assert!(c.validate("c").is_err());
        for bad in [
            "it-notfall",
            "@example.de",
            "a@b",
            "a b@example.de",
            "a@b@c.de",
        ] {
            let mut c = contact();
            c.email = bad.into();
            assert!(
                matches!(c.validate("c"), Err(ValidationError::BadFormat { field, .. }) if field == "c.email"),
                "{bad}"
            );
        }
    }

    #[test]
    fn windows_overlap_half_open() {
        let a = TimeWindow {
            start_ms: 0,
            end_ms: 10,
        };
        let b = TimeWindow {
            start_ms: 10,
            end_ms: 20,
        };
        let c = TimeWindow {
            start_ms: 5,
            end_ms: 15,
        };
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c) && c.overlaps(&b));
        assert_eq!(a.overlap_ms(&c), 5);
        assert_eq!(a.overlap_ms(&b), 0);
        assert!(
            TimeWindow {
                start_ms: 5,
                end_ms: 5
            }
            .validate("w")
            .is_err()
        );
    }

    #[test]
    fn geo_points_are_checked_and_measured() {
        let heppenheim = GeoPoint {
            lat_microdeg: 49_641_000,
            lon_microdeg: 8_638_000,
        };
        let darmstadt = GeoPoint {
            lat_microdeg: 49_872_000,
            lon_microdeg: 8_651_000,
        };
        let km = heppenheim.distance_km(&darmstadt);
        assert!((25..=27).contains(&km), "{km}");
        assert_eq!(heppenheim.distance_km(&heppenheim), 0);
        assert!(heppenheim.validate("p").is_ok());
        let bad = GeoPoint {
            lat_microdeg: 90_000_001,
            lon_microdeg: 0,
        };
        assert!(
            matches!(bad.validate("p"), Err(ValidationError::AboveMax { field, .. }) if field == "p.lat_microdeg")
        );
        let bad = GeoPoint {
            lat_microdeg: 0,
            lon_microdeg: -180_000_001,
        };
        assert!(matches!(
            bad.validate("p"),
            Err(ValidationError::BelowMin { .. })
        ));
    }

    #[test]
    fn modes_serve_needs() {
        assert!(Mode::Both.serves(Mode::Remote) && Mode::Both.serves(Mode::Onsite));
        assert!(Mode::Remote.serves(Mode::Both));
        assert!(!Mode::Remote.serves(Mode::Onsite));
        assert!(Mode::Onsite.serves(Mode::Onsite));
    }

    #[test]
    fn skills_are_checked() {
        let ok = SkillLevel {
            skill: "entra_id".into(),
            level: 2,
        };
        assert!(validate_skills("skills", std::slice::from_ref(&ok)).is_ok());
        let bad_level = SkillLevel {
            skill: "entra_id".into(),
            level: 4,
        };
        assert!(matches!(
            validate_skills("skills", &[bad_level]),
            Err(ValidationError::UnknownId { catalogue: CatalogueName::SkillLevel, field, .. }) if field == "skills[0].level"
        ));
        let bad_skill = SkillLevel {
            skill: "juggling".into(),
            level: 1,
        };
        assert!(validate_skills("skills", &[bad_skill]).is_err());
        assert!(matches!(
            validate_skills("skills", &[ok.clone(), ok]),
            Err(ValidationError::Duplicate { .. })
        ));
    }
}
