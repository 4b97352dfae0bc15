//! The offer form's fields → an `Offer`, for all five kinds (field names
//! as in `amtshilfe_dashboard::pages::offer_form`). When editing, the
//! current offer is the base: what the form does not show (a person's
//! availability windows, exact times of an offer made through the API)
//! is kept, and a date left as shown keeps its exact time.
//!
//! Only translates: every value is checked by the model's `validate()` on
//! the way to the store. A refusal names the form field it is about, so
//! the page can point at it.

use amtshilfe_dashboard::format::{DAY_MS, date as shown_date, iso_date, parse_date};
use amtshilfe_dashboard::pages::{SKILL_ROWS_MAX, TEAM_ROWS_MAX, kind_of};
use amtshilfe_protocol::catalogue::{CatalogueName, catalogues};
use amtshilfe_protocol::model::{Offer, OfferKind};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::forms::{Fields, text};
use crate::http::ApiError;

/// Why a submitted offer form was refused, and which field it is about.
#[derive(Debug)]
pub(super) struct Refused {
    pub(super) error: ApiError,
    pub(super) field: Option<String>,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        let field = match &error {
            ApiError::Validation(invalid) => form_field(invalid.field()),
            _ => None,
        };
        Self { error, field }
    }
}

fn refused(field: &str, message: String) -> Refused {
    Refused {
        error: ApiError::InvalidBody(message),
        field: Some(field.to_owned()),
    }
}

/// The form field of a model field path: `detail.location` → `location`,
/// `contact.phone` → `contact_phone`, `detail.skills[1].level` →
/// `skill1_level`, `detail.composition[0].count` → `member0_count`.
pub(super) fn form_field(path: &str) -> Option<String> {
    match path {
        "validity.start_ms" | "valid_from_ms" => return Some("valid_from".to_owned()),
        "validity" | "validity.end_ms" => return Some("valid_until".to_owned()),
        "updated_at_ms" => return None,
        _ => {}
    }
    let path = path.strip_prefix("detail.").unwrap_or(path);
    let (head, rest) = path.split_once('[').unwrap_or((path, ""));
    let row: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let row = if row.is_empty() { "0".to_owned() } else { row };
    let leaf = rest.rsplit_once('.').map(|(_, leaf)| leaf);
    Some(match (head, leaf) {
        ("availability", _) => return None,
        ("skills", Some("level")) => format!("skill{row}_level"),
        ("skills", _) => format!("skill{row}"),
        ("composition", Some("count")) => format!("member{row}_count"),
        ("composition", _) => format!("member{row}_role"),
        (other, _) => other.replace('.', "_"),
    })
}

fn checked(fields: &Fields, name: &str) -> bool {
    fields.get(name).is_some_and(|v| v == "on")
}

/// A whole number that fits `T`; empty is 0.
fn num<T: TryFrom<u64> + Serialize>(fields: &Fields, name: &str) -> Result<Value, Refused> {
    let value = text(fields, name);
    let number: u64 = if value.is_empty() {
        0
    } else {
        value
            .parse()
            .map_err(|_| refused(name, format!("{name}: {value:?} is not a whole number")))?
    };
    let fitting =
        T::try_from(number).map_err(|_| refused(name, format!("{name}: {number} is too large")))?;
    Ok(json!(fitting))
}

fn list(fields: &Fields, name: &str) -> Value {
    let items: Vec<&str> = fields
        .get(name)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    json!(items)
}

/// A date field: empty is none; otherwise midnight in Berlin plus
/// `shift_ms` (a day for "valid until", whose date counts in full). A date
/// left as the edit page showed it keeps the base's exact time: the page
/// shows `base_ms` itself, or for a shifted field the day before it.
fn date(
    fields: &Fields,
    name: &str,
    base_ms: Option<i64>,
    shift_ms: i64,
) -> Result<Option<i64>, Refused> {
    let value = text(fields, name);
    if value.is_empty() {
        return Ok(None);
    }
    // The page shows TT.MM.JJJJ; a script may send the ISO form back.
    if let Some(base) = base_ms
        && [shown_date, iso_date]
            .iter()
            .any(|form| form(base - shift_ms.signum()) == value)
    {
        return Ok(Some(base));
    }
    parse_date(&value)
        .map(|day| Some(day + shift_ms))
        .ok_or_else(|| {
            refused(
                name,
                format!("{name}: {value:?} is not a date (TT.MM.JJJJ)"),
            )
        })
}

fn skills(fields: &Fields) -> Result<Value, Refused> {
    let mut skills = Vec::new();
    for row in 0..SKILL_ROWS_MAX {
        let skill = text(fields, &format!("skill{row}"));
        if !skill.is_empty() {
            let level = num::<u8>(fields, &format!("skill{row}_level"))?;
            skills.push(json!({ "skill": skill, "level": level }));
        }
    }
    Ok(json!(skills))
}

fn composition(fields: &Fields) -> Result<Value, Refused> {
    let mut members = Vec::new();
    for row in 0..TEAM_ROWS_MAX {
        let role = text(fields, &format!("member{row}_role"));
        if !role.is_empty() {
            let count = num::<u32>(fields, &format!("member{row}_count"))?;
            members.push(json!({ "role": role, "count": count }));
        }
    }
    Ok(json!(members))
}

fn channels(fields: &Fields) -> Value {
    let chosen: Vec<&str> = catalogues()
        .get(CatalogueName::Channel)
        .entries()
        .iter()
        .map(|entry| entry.id.as_str())
        .filter(|id| checked(fields, &format!("channel_{id}")))
        .collect();
    json!(chosen)
}

fn detail(fields: &Fields, kind: OfferKind) -> Result<Value, Refused> {
    let f = fields;
    Ok(match kind {
        OfferKind::Equipment => json!({
            "category": text(f, "category"),
            "quantity": num::<u32>(f, "quantity")?,
            "image_state": text(f, "image_state"),
            "own_communications": checked(f, "own_communications"),
            "location": text(f, "location"),
            "setup_hours": num::<u16>(f, "setup_hours")?,
            "transport": text(f, "transport"),
            "wiped_on_return": checked(f, "wiped_on_return"),
        }),
        OfferKind::Person => json!({
            "role": text(f, "role"),
            "mode": text(f, "mode"),
            "clearance": text(f, "clearance"),
            "employment_basis": text(f, "employment_basis"),
            "travel_radius_km": num::<u32>(f, "travel_radius_km")?,
            "max_deployment_days": num::<u16>(f, "max_deployment_days")?,
            "max_shift_hours": num::<u8>(f, "max_shift_hours")?,
            "languages": list(f, "languages"),
            "certificates": list(f, "certificates"),
            "on_call_24_7": checked(f, "on_call_24_7"),
            "release_approved": checked(f, "release_approved"),
            "skills": skills(f)?,
        }),
        OfferKind::RemoteCapacity => json!({
            "hours_per_week": num::<u16>(f, "hours_per_week")?,
            "response_time_minutes": num::<u32>(f, "response_time_minutes")?,
            "coverage_hours": text(f, "coverage_hours"),
            "tools": list(f, "tools"),
            "channels": channels(f),
            "needs_clean_jump_host": checked(f, "needs_clean_jump_host"),
            "skills": skills(f)?,
        }),
        OfferKind::TeamPackage => json!({
            "mission": text(f, "mission"),
            "mode": text(f, "mode"),
            "composition": composition(f)?,
            "limitations": text(f, "limitations"),
            "required_support": text(f, "required_support"),
            "self_sufficiency_hours": num::<u16>(f, "self_sufficiency_hours")?,
            "mobilisation_hours": num::<u16>(f, "mobilisation_hours")?,
            "duration_days": num::<u16>(f, "duration_days")?,
            "cost_estimate_eur": if text(f, "cost_estimate_eur").is_empty() {
                Value::Null
            } else {
                num::<u64>(f, "cost_estimate_eur")?
            },
        }),
        OfferKind::ServiceRelocation => json!({
            "service": text(f, "service"),
            "capacity_cases_per_week": num::<u32>(f, "capacity_cases_per_week")?,
            "location": text(f, "location"),
        }),
    })
}

/// The base's detail with the form's fields laid over it, so fields the
/// form does not show survive an edit.
fn over_base(form: Value, base: Option<&Offer>, kind: OfferKind) -> Value {
    let base_detail = base
        .filter(|base| base.kind() == kind)
        .and_then(|base| serde_json::to_value(&base.detail).ok());
    let mut merged = match base_detail {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Value::Object(form) = form {
        merged.extend(form);
    }
    merged.insert("kind".into(), json!(kind.id()));
    Value::Object(merged)
}

/// The offer of a submitted form; `base` is the offer being edited.
pub(super) fn offer(fields: &Fields, now_ms: i64, base: Option<&Offer>) -> Result<Offer, Refused> {
    let kind_id = text(fields, "kind");
    let kind = kind_of(&kind_id)
        .ok_or_else(|| refused("kind", format!("kind: {kind_id:?} is not a kind of offer")))?;
    let detail = over_base(detail(fields, kind)?, base, kind);
    let status = match (text(fields, "status"), base) {
        (sent, _) if !sent.is_empty() => json!(sent),
        (_, Some(base)) => json!(base.status),
        _ => json!("available"),
    };
    let valid_from = date(fields, "valid_from", base.map(|b| b.valid_from_ms), 0)?;
    let valid_until = date(
        fields,
        "valid_until",
        base.and_then(|b| b.valid_until_ms),
        DAY_MS,
    )?;
    let offer = json!({
        "title": text(fields, "title"),
        "status": status,
        "valid_from_ms": valid_from.unwrap_or(now_ms),
        "valid_until_ms": valid_until,
        "contact": {
            "role": text(fields, "contact_role"),
            "phone": text(fields, "contact_phone"),
            "email": text(fields, "contact_email"),
        },
        "notes": text(fields, "notes"),
        "updated_at_ms": now_ms,
        "detail": detail,
    });
    serde_json::from_value(offer).map_err(|error| Refused {
        error: ApiError::InvalidBody(error.to_string()),
        field: None,
    })
}

#[cfg(test)]
mod tests {
    use amtshilfe_dashboard::pages::offer_values;

    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const NOW_MS: i64 = 1_767_225_600_000;

    fn common(kind: &str) -> Vec<(&str, &str)> {
        vec![
            ("kind", kind),
            ("title", "Angebot"),
            ("valid_from", "2026-01-01"),
            ("valid_until", "2026-03-31"),
            ("contact_role", "IT-Rufbereitschaft"),
            ("contact_phone", "+49 6252 15-0"),
            ("contact_email", "it@example.de"),
        ]
    }

    /// One filled form per kind: each becomes a valid offer, and the edit
    /// page's values of that offer read back into the same offer.
    #[test]
    fn every_kind_round_trips_through_the_form() {
        let per_kind: Vec<(&str, Vec<(&str, &str)>)> = vec![
            (
                "equipment",
                vec![
                    ("category", "laptop"),
                    ("quantity", "3"),
                    ("image_state", "clean_standalone"),
                    ("location", "Heppenheim"),
                    ("wiped_on_return", "on"),
                ],
            ),
            (
                "person",
                vec![
                    ("role", "forensics"),
                    ("mode", "both"),
                    ("clearance", "none"),
                    ("employment_basis", "abordnung"),
                    ("travel_radius_km", "80"),
                    ("max_deployment_days", "14"),
                    ("max_shift_hours", "10"),
                    ("languages", "de, en"),
                    ("skill0", "forensics_disk"),
                    ("skill0_level", "3"),
                    ("skill1", ""),
                    ("on_call_24_7", "on"),
                ],
            ),
            (
                "remote_capacity",
                vec![
                    ("hours_per_week", "8"),
                    ("response_time_minutes", "60"),
                    ("coverage_hours", "Mo–Fr 7–18 Uhr"),
                    ("channel_phone", "on"),
                    ("channel_chat", "on"),
                    ("tools", "Teams, Jitsi"),
                ],
            ),
            (
                "team_package",
                vec![
                    ("mission", "Clients neu aufsetzen"),
                    ("mode", "onsite"),
                    ("member0_role", "lead"),
                    ("member0_count", "1"),
                    ("member1_role", "client_rollout"),
                    ("member1_count", "4"),
                    ("member2_role", ""),
                    ("mobilisation_hours", "24"),
                    ("duration_days", "10"),
                    ("cost_estimate_eur", "25000"),
                ],
            ),
            (
                "service_relocation",
                vec![
                    ("service", "Melde- und Passwesen"),
                    ("capacity_cases_per_week", "120"),
                    ("location", "Bürgerbüro Heppenheim"),
                ],
            ),
        ];
        for (kind, specific) in per_kind {
            let mut pairs = common(kind);
            pairs.extend(specific);
            let made = offer(&fields(&pairs), NOW_MS, None)
                .unwrap_or_else(|r| panic!("{kind}: {}", r.error));
            made.validate()
                .unwrap_or_else(|error| panic!("{kind}: {error}"));
            assert_eq!(made.kind().id(), kind);
            let again = offer(&offer_values(&made), NOW_MS, Some(&made))
                .unwrap_or_else(|r| panic!("{kind}: {}", r.error));
            assert_eq!(again, made, "{kind}");
        }
    }

    #[test]
    fn an_edit_keeps_what_the_form_does_not_show() {
        let mut pairs = common("person");
        pairs.extend([("role", "lead"), ("mode", "onsite")]);
        pairs.extend([("employment_basis", "abordnung"), ("clearance", "none")]);
        pairs.extend([("max_deployment_days", "14"), ("max_shift_hours", "12")]);
        let mut base = offer(&fields(&pairs), NOW_MS, None).unwrap();
        let window = json!([{ "start_ms": NOW_MS, "end_ms": NOW_MS + DAY_MS }]);
        if let amtshilfe_protocol::model::OfferDetail::Person(person) = &mut base.detail {
            person.availability = serde_json::from_value(window).unwrap();
        }
        base.valid_from_ms += 3_600_000;
        let mut values = offer_values(&base);
        values.insert("title".into(), "Neue Leitung".into());
        let edited = offer(&values, NOW_MS + 1, Some(&base)).unwrap();
        assert_eq!(edited.title, "Neue Leitung");
        assert_eq!(edited.valid_from_ms, base.valid_from_ms, "exact time kept");
        assert_eq!(edited.detail, base.detail, "availability kept");
        assert_eq!(edited.updated_at_ms, NOW_MS + 1);
    }

    #[test]
    fn refusals_name_the_form_field() {
        let mut pairs = common("equipment");
        pairs.extend([("quantity", "drei"), ("category", "laptop")]);
        let refusal = offer(&fields(&pairs), NOW_MS, None).unwrap_err();
        assert_eq!(refusal.field.as_deref(), Some("quantity"));
        assert_eq!(form_field("detail.location").as_deref(), Some("location"));
        assert_eq!(
            form_field("contact.phone").as_deref(),
            Some("contact_phone")
        );
        assert_eq!(
            form_field("detail.skills[1].level").as_deref(),
            Some("skill1_level")
        );
        assert_eq!(
            form_field("detail.composition[2].count").as_deref(),
            Some("member2_count")
        );
        assert_eq!(
            form_field("detail.composition").as_deref(),
            Some("member0_role")
        );
        assert_eq!(form_field("validity").as_deref(), Some("valid_until"));
        assert_eq!(
            form_field("validity.start_ms").as_deref(),
            Some("valid_from")
        );
        assert!(form_field("updated_at_ms").is_none());
    }
}
