//! The values a submitted offer form sends → an `Offer`. When editing, the
//! current offer is the base: what the form does not show (a person's
//! availability windows, exact times of an offer made through the API) is
//! kept, and a date left as shown keeps its exact time. A refusal names the
//! form field it is about, so the page can point at it.

use amtshilfe_protocol::catalogue::{CatalogueName, catalogues};
use amtshilfe_protocol::model::{Offer, OfferKind, OfferStatus};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::name::{self, ON};
use super::{FormError, FormValues, SKILL_ROWS_MAX, TEAM_ROWS_MAX, kind_of};
use crate::format::{date as shown_date, end_after_last_day, iso_date, parse_date};

/// The form field of a model field path (as the model's validation errors
/// name it): `detail.location` → `location`, `contact.phone` →
/// `contact_phone`, `detail.skills[1].level` → `skill1_level`,
/// `detail.composition[0].count` → `member0_count`. `None` for what the
/// form does not show.
pub fn form_field(path: &str) -> Option<String> {
    match path {
        "validity.start_ms" | "valid_from_ms" => return Some(name::VALID_FROM.to_owned()),
        "validity" | "validity.end_ms" => return Some(name::VALID_UNTIL.to_owned()),
        "updated_at_ms" => return None,
        "detail.clean_image.imaged_at_ms" => return Some(name::CLEAN_IMAGE_DATE.to_owned()),
        _ => {}
    }
    let path = path.strip_prefix("detail.").unwrap_or(path);
    let (head, rest) = path.split_once('[').unwrap_or((path, ""));
    let row: usize = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    let leaf = rest.rsplit_once('.').map(|(_, leaf)| leaf);
    Some(match (head, leaf) {
        ("availability", _) => return None,
        ("skills", Some("level")) => name::skill_level(row),
        ("skills", _) => name::skill(row),
        ("composition", Some("count")) => name::member_count(row),
        ("composition", _) => name::member_role(row),
        (other, _) => other.replace('.', "_"),
    })
}

fn text(values: &FormValues, name: &str) -> String {
    values
        .get(name)
        .map(|value| value.trim().to_owned())
        .unwrap_or_default()
}

fn checked(values: &FormValues, name: &str) -> bool {
    values.get(name).is_some_and(|v| v == ON)
}

/// A whole number that fits `T`; empty is 0.
fn num<T: TryFrom<u64> + Serialize>(values: &FormValues, name: &str) -> Result<Value, FormError> {
    let value = text(values, name);
    let number: u64 = if value.is_empty() {
        0
    } else {
        value
            .parse()
            .map_err(|_| FormError::at(name, format!("{name}: {value:?} is not a whole number")))?
    };
    let fitting = T::try_from(number)
        .map_err(|_| FormError::at(name, format!("{name}: {number} is too large")))?;
    Ok(json!(fitting))
}

/// A comma-separated list.
fn list(values: &FormValues, name: &str) -> Value {
    let items: Vec<&str> = values
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

/// How a date field becomes a time.
#[derive(Clone, Copy)]
enum Day {
    /// Its midnight in Berlin ("valid from").
    Start,
    /// The midnight after it: the date counts in full ("valid until").
    CountsInFull,
}

/// A date field: empty is none. A date left as the edit page showed it
/// keeps the base's exact time: the page shows `base_ms` itself, or for an
/// end the last day before it.
fn date(
    values: &FormValues,
    name: &str,
    base_ms: Option<i64>,
    day: Day,
) -> Result<Option<i64>, FormError> {
    let value = text(values, name);
    if value.is_empty() {
        return Ok(None);
    }
    let shown = |ms: i64| match day {
        Day::Start => ms,
        Day::CountsInFull => crate::format::last_day_before(ms),
    };
    // The page shows TT.MM.JJJJ; a script may send the ISO form back.
    if let Some(base) = base_ms
        && [shown_date, iso_date]
            .iter()
            .any(|form| form(shown(base)) == value)
    {
        return Ok(Some(base));
    }
    let midnight = parse_date(&value).ok_or_else(|| {
        FormError::at(
            name,
            format!("{name}: {value:?} is not a date (TT.MM.JJJJ)"),
        )
    })?;
    Ok(Some(match day {
        Day::Start => midnight,
        Day::CountsInFull => end_after_last_day(midnight),
    }))
}

fn skills(values: &FormValues) -> Result<Value, FormError> {
    let mut skills = Vec::new();
    for row in 0..SKILL_ROWS_MAX {
        let skill = text(values, &name::skill(row));
        if !skill.is_empty() {
            let level = num::<u8>(values, &name::skill_level(row))?;
            skills.push(json!({ "skill": skill, "level": level }));
        }
    }
    Ok(json!(skills))
}

fn composition(values: &FormValues) -> Result<Value, FormError> {
    let mut members = Vec::new();
    for row in 0..TEAM_ROWS_MAX {
        let role = text(values, &name::member_role(row));
        if !role.is_empty() {
            let count = num::<u32>(values, &name::member_count(row))?;
            members.push(json!({ "role": role, "count": count }));
        }
    }
    Ok(json!(members))
}

fn channels(values: &FormValues) -> Value {
    let chosen: Vec<&str> = catalogues()
        .get(CatalogueName::Channel)
        .entries()
        .iter()
        .map(|entry| entry.id.as_str())
        .filter(|id| checked(values, &name::channel(id)))
        .collect();
    json!(chosen)
}

/// The clean-image attestation: `null` when all its fields are empty (an
/// edit that clears them removes it), else every field for the model to
/// check. The date is midnight in Berlin of the day given.
fn clean_image(v: &FormValues) -> Result<Value, FormError> {
    use name as n;
    let fields = [
        n::CLEAN_IMAGE_BY,
        n::CLEAN_IMAGE_DATE,
        n::CLEAN_IMAGE_NAME,
        n::CLEAN_IMAGE_SHA256,
    ];
    if fields.iter().all(|field| text(v, field).is_empty()) {
        return Ok(Value::Null);
    }
    let day = text(v, n::CLEAN_IMAGE_DATE);
    let imaged_at_ms = parse_date(&day).ok_or_else(|| {
        FormError::at(
            n::CLEAN_IMAGE_DATE,
            format!("detail.clean_image.imaged_at_ms: {day:?} is not a date (TT.MM.JJJJ)"),
        )
    })?;
    Ok(json!({
        "imaged_by": text(v, n::CLEAN_IMAGE_BY),
        "imaged_at_ms": imaged_at_ms,
        "image_name": text(v, n::CLEAN_IMAGE_NAME),
        // Tools print hashes in either case; the model keeps one form.
        "image_sha256": text(v, n::CLEAN_IMAGE_SHA256).to_ascii_lowercase(),
    }))
}

fn detail(v: &FormValues, kind: OfferKind) -> Result<Value, FormError> {
    use name as n;
    Ok(match kind {
        OfferKind::Equipment => json!({
            "category": text(v, n::CATEGORY),
            "quantity": num::<u32>(v, n::QUANTITY)?,
            "image_state": text(v, n::IMAGE_STATE),
            "own_communications": checked(v, n::OWN_COMMUNICATIONS),
            "location": text(v, n::LOCATION),
            "setup_hours": num::<u16>(v, n::SETUP_HOURS)?,
            "transport": text(v, n::TRANSPORT),
            "wiped_on_return": checked(v, n::WIPED_ON_RETURN),
            "clean_image": clean_image(v)?,
        }),
        OfferKind::Person => json!({
            "role": text(v, n::ROLE),
            "mode": text(v, n::MODE),
            "clearance": text(v, n::CLEARANCE),
            "employment_basis": text(v, n::EMPLOYMENT_BASIS),
            "travel_radius_km": num::<u32>(v, n::TRAVEL_RADIUS_KM)?,
            "max_deployment_days": num::<u16>(v, n::MAX_DEPLOYMENT_DAYS)?,
            "max_shift_hours": num::<u8>(v, n::MAX_SHIFT_HOURS)?,
            "languages": list(v, n::LANGUAGES),
            "certificates": list(v, n::CERTIFICATES),
            "on_call_24_7": checked(v, n::ON_CALL_24_7),
            "release_approved": checked(v, n::RELEASE_APPROVED),
            "skills": skills(v)?,
        }),
        OfferKind::RemoteCapacity => json!({
            "hours_per_week": num::<u16>(v, n::HOURS_PER_WEEK)?,
            "response_time_minutes": num::<u32>(v, n::RESPONSE_TIME_MINUTES)?,
            "coverage_hours": text(v, n::COVERAGE_HOURS),
            "tools": list(v, n::TOOLS),
            "channels": channels(v),
            "needs_clean_jump_host": checked(v, n::NEEDS_CLEAN_JUMP_HOST),
            "skills": skills(v)?,
        }),
        OfferKind::TeamPackage => json!({
            "mission": text(v, n::MISSION),
            "mode": text(v, n::MODE),
            "composition": composition(v)?,
            "limitations": text(v, n::LIMITATIONS),
            "required_support": text(v, n::REQUIRED_SUPPORT),
            "self_sufficiency_hours": num::<u16>(v, n::SELF_SUFFICIENCY_HOURS)?,
            "mobilisation_hours": num::<u16>(v, n::MOBILISATION_HOURS)?,
            "duration_days": num::<u16>(v, n::DURATION_DAYS)?,
            "cost_estimate_eur": if text(v, n::COST_ESTIMATE_EUR).is_empty() {
                Value::Null
            } else {
                num::<u64>(v, n::COST_ESTIMATE_EUR)?
            },
        }),
        OfferKind::ServiceRelocation => json!({
            "service": text(v, n::SERVICE),
            "capacity_cases_per_week": num::<u32>(v, n::CAPACITY_CASES_PER_WEEK)?,
            "location": text(v, n::LOCATION),
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

/// The offer of a submitted form at `now_ms`; `base` is the offer being
/// edited.
pub fn offer_of(
    values: &FormValues,
    now_ms: i64,
    base: Option<&Offer>,
) -> Result<Offer, FormError> {
    let kind_id = text(values, name::KIND);
    let kind = kind_of(&kind_id).ok_or_else(|| {
        FormError::at(
            name::KIND,
            format!("kind: {kind_id:?} is not a kind of offer"),
        )
    })?;
    let detail = over_base(detail(values, kind)?, base, kind);
    let status = match (text(values, name::STATUS), base) {
        (sent, _) if !sent.is_empty() => {
            let status = OfferStatus::ALL
                .into_iter()
                .find(|status| status.id() == sent)
                .ok_or_else(|| {
                    FormError::at(name::STATUS, format!("status: {sent:?} is not a status"))
                })?;
            json!(status)
        }
        (_, Some(base)) => json!(base.status),
        _ => json!(OfferStatus::Available),
    };
    let valid_from = date(
        values,
        name::VALID_FROM,
        base.map(|b| b.valid_from_ms),
        Day::Start,
    )?;
    let valid_until = date(
        values,
        name::VALID_UNTIL,
        base.and_then(|b| b.valid_until_ms),
        Day::CountsInFull,
    )?;
    let offer = json!({
        "title": text(values, name::TITLE),
        "status": status,
        "valid_from_ms": valid_from.unwrap_or(now_ms),
        "valid_until_ms": valid_until,
        "contact": {
            "role": text(values, name::CONTACT_ROLE),
            "phone": text(values, name::CONTACT_PHONE),
            "email": text(values, name::CONTACT_EMAIL),
        },
        "notes": text(values, name::NOTES),
        "updated_at_ms": now_ms,
        "detail": detail,
    });
    serde_json::from_value(offer).map_err(|error| FormError {
        message: error.to_string(),
        field: None,
    })
}
