//! Form fields → model records. Every value is checked again by the
//! model's `validate()` on the way to the store; these functions only
//! translate and report a missing or malformed field by name.

use std::collections::HashMap;

use amtshilfe_dashboard::format::parse_date;
use amtshilfe_dashboard::pages::NEED_ROWS;
use amtshilfe_protocol::model::{AidRequest, Offer};
use serde_json::{Value, json};

use crate::api::ApiError;

/// The submitted fields.
pub(super) type Fields = HashMap<String, String>;

fn text(fields: &Fields, name: &str) -> String {
    fields
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

fn number(fields: &Fields, name: &str) -> Result<u64, ApiError> {
    let value = text(fields, name);
    if value.is_empty() {
        return Ok(0);
    }
    value
        .parse()
        .map_err(|_| ApiError::InvalidBody(format!("{name}: {value:?} is not a whole number")))
}

fn date(fields: &Fields, name: &str) -> Result<Option<i64>, ApiError> {
    let value = text(fields, name);
    if value.is_empty() {
        return Ok(None);
    }
    parse_date(&value).map(Some).ok_or_else(|| {
        ApiError::InvalidBody(format!("{name}: {value:?} is not a date (TT.MM.JJJJ)"))
    })
}

fn checked(fields: &Fields, name: &str) -> bool {
    fields.get(name).is_some_and(|v| v == "on")
}

fn into<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|error| ApiError::InvalidBody(error.to_string()))
}

/// The offer of the Ressourcen form (kind `equipment`, `person` or
/// `remote_capacity`).
pub(super) fn offer(fields: &Fields, now_ms: i64) -> Result<Offer, ApiError> {
    let detail = match text(fields, "kind").as_str() {
        "equipment" => json!({
            "kind": "equipment",
            "category": text(fields, "category"),
            "quantity": number(fields, "quantity")?,
            "image_state": text(fields, "image_state"),
            "own_communications": checked(fields, "own_communications"),
            "location": text(fields, "location"),
            "setup_hours": number(fields, "setup_hours")?,
            "transport": text(fields, "transport"),
            "wiped_on_return": checked(fields, "wiped_on_return"),
        }),
        "person" => {
            let skill = text(fields, "skill");
            let skills = if skill.is_empty() {
                json!([])
            } else {
                json!([{ "skill": skill, "level": number(fields, "skill_level")? }])
            };
            json!({
                "kind": "person",
                "role": text(fields, "role"),
                "mode": text(fields, "mode"),
                "skills": skills,
                "employment_basis": text(fields, "employment_basis"),
                "travel_radius_km": number(fields, "travel_radius_km")?,
            })
        }
        "remote_capacity" => json!({
            "kind": "remote_capacity",
            "hours_per_week": number(fields, "hours_per_week")?,
            "response_time_minutes": number(fields, "response_time_minutes")?,
            "coverage_hours": text(fields, "coverage_hours"),
        }),
        other => {
            return Err(ApiError::InvalidBody(format!(
                "kind: {other:?} is not offered here"
            )));
        }
    };
    into(json!({
        "title": text(fields, "title"),
        "status": "available",
        "valid_from_ms": date(fields, "valid_from")?.unwrap_or(now_ms),
        "valid_until_ms": date(fields, "valid_until")?,
        "contact": {
            "role": text(fields, "contact_role"),
            "phone": text(fields, "contact_phone"),
            "email": text(fields, "contact_email"),
        },
        "notes": text(fields, "notes"),
        "updated_at_ms": now_ms,
        "detail": detail,
    }))
}

/// The request of the Hilfe-anfordern form; need rows with quantity 0 are
/// left out.
pub(super) fn request(fields: &Fields, now_ms: i64) -> Result<AidRequest, ApiError> {
    let mut needs = Vec::new();
    for row in 0..NEED_ROWS {
        let quantity = number(fields, &format!("need{row}_quantity"))?;
        if quantity == 0 {
            continue;
        }
        let kind = text(fields, &format!("need{row}_kind"));
        let mut need = json!({
            "id": format!("n{}", row + 1),
            "kind": kind,
            "mode": text(fields, &format!("need{row}_mode")),
            "quantity": quantity,
        });
        match kind.as_str() {
            "equipment" => {
                need["equipment_category"] = json!(text(fields, &format!("need{row}_category")))
            }
            "person" | "team_package" => {
                need["role"] = json!(text(fields, &format!("need{row}_role")))
            }
            _ => {}
        }
        needs.push(need);
    }
    let start_ms = date(fields, "start")?.unwrap_or(now_ms);
    // The end date counts in full: help is needed until its midnight.
    let end_ms = date(fields, "end")?.map_or(start_ms, |end| end + 86_400_000);
    into(json!({
        "title": text(fields, "title"),
        "situation": text(fields, "situation"),
        "priority": text(fields, "priority"),
        "start_ms": start_ms,
        "end_ms": end_ms,
        "needs": needs,
        "status": "open",
        "created_at_ms": now_ms,
    }))
}

/// A whole positive number field, e.g. a pledge's quantity.
pub(super) fn quantity(fields: &Fields) -> Result<u32, ApiError> {
    u32::try_from(number(fields, "quantity")?)
        .map_err(|_| ApiError::InvalidBody("quantity: too large".into()))
}

/// A text field.
pub(super) fn field(fields: &Fields, name: &str) -> String {
    text(fields, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn equipment_form_becomes_a_valid_offer() {
        let offer = offer(
            &fields(&[
                ("kind", "equipment"),
                ("title", "3 Notebooks"),
                ("valid_from", "2026-01-01"),
                ("contact_role", "IT-Rufbereitschaft"),
                ("contact_phone", "+49 6252 15-0"),
                ("contact_email", "it@example.de"),
                ("category", "laptop"),
                ("quantity", "3"),
                ("image_state", "clean_standalone"),
                ("location", "Heppenheim"),
                ("wiped_on_return", "on"),
            ]),
            1_767_225_600_000,
        )
        .unwrap();
        offer.validate().unwrap();
        assert!(offer.valid_until_ms.is_none());
    }

    #[test]
    fn request_form_skips_empty_rows() {
        let request = request(
            &fields(&[
                ("title", "Clients"),
                ("priority", "critical"),
                ("start", "2026-01-02"),
                ("end", "2026-01-20"),
                ("need0_kind", "equipment"),
                ("need0_category", "laptop"),
                ("need0_mode", "onsite"),
                ("need0_quantity", "5"),
                ("need1_kind", "person"),
                ("need1_role", "forensics"),
                ("need1_mode", "remote"),
                ("need1_quantity", "0"),
            ]),
            1_767_225_600_000,
        )
        .unwrap();
        assert_eq!(request.needs.len(), 1);
        request.validate().unwrap();
        assert!(number(&fields(&[("quantity", "drei")]), "quantity").is_err());
    }
}
