//! Form fields → model records (the offer form's are in
//! `amtshilfe_dashboard::offer_fields`). Every value is checked again by the
//! model's `validate()` on the way to the store; these functions only
//! translate and report a missing or malformed field by name.

use std::collections::HashMap;

use amtshilfe_dashboard::format::{end_after_last_day, parse_date};
use amtshilfe_dashboard::pages::NEED_ROWS;
use amtshilfe_protocol::model::{AidRequest, Pledge};
use amtshilfe_protocol::read_model::RecordAddress;
use serde_json::{Value, json};

use crate::http::ApiError;
use crate::ops::acceptances::AcceptanceBody;

/// The submitted fields.
pub(super) type Fields = HashMap<String, String>;

/// The fields of a form in order, for forms whose names repeat
/// (checkboxes) or whose order matters.
pub(super) type FormFields = Vec<(String, String)>;

/// The first field named `name` of an ordered form, trimmed; empty if
/// absent.
pub(super) fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// A text field, trimmed; empty if absent.
pub(super) fn text(fields: &Fields, name: &str) -> String {
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

fn into<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|error| ApiError::InvalidBody(error.to_string()))
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
    let end_ms = date(fields, "end")?.map_or(start_ms, end_after_last_day);
    into(json!({
        "title": text(fields, "title"),
        "situation": text(fields, "situation"),
        "priority": text(fields, "priority"),
        "start_ms": start_ms,
        "end_ms": end_ms,
        "needs": needs,
        "status": "open",
        "created_at_ms": now_ms,
        // A checkbox: present (any value) only when ticked.
        "exercise": fields.contains_key("exercise"),
    }))
}

/// The field of the Hilfe-anfordern form a refusal is about: the form's
/// own complaint names it (`need2_quantity: …`), a rule of the model names
/// its path (`needs[1].quantity`: the second need row that was filled in).
pub(super) fn request_field(error: &ApiError, fields: &Fields) -> Option<String> {
    let path = match error {
        ApiError::Validation(invalid) => invalid.field().to_owned(),
        ApiError::InvalidBody(message) => {
            let name = message.split(':').next().unwrap_or_default();
            return fields.contains_key(name).then(|| name.to_owned());
        }
        _ => return None,
    };
    match path.as_str() {
        "title" | "situation" | "priority" => return Some(path),
        "window" | "start_ms" | "end_ms" => return Some("end".to_owned()),
        "needs" => return Some("need0_quantity".to_owned()),
        _ => {}
    }
    let rest = path.strip_prefix("needs[")?;
    let (index, leaf) = rest.split_once(']')?;
    let index: usize = index.parse().ok()?;
    // Rows left at quantity 0 are not part of the request.
    let row = (0..NEED_ROWS)
        .filter(|row| number(fields, &format!("need{row}_quantity")).is_ok_and(|q| q > 0))
        .nth(index)?;
    let part = match leaf.trim_start_matches('.') {
        "equipment_category" => "category",
        "role" => "role",
        "kind" => "kind",
        "mode" => "mode",
        _ => "quantity",
    };
    Some(format!("need{row}_{part}"))
}

/// The pledge of a request page's pledge form, for the request at
/// `request`.
pub(super) fn pledge(
    fields: &Fields,
    request: &RecordAddress,
    now_ms: i64,
) -> Result<Pledge, ApiError> {
    let offer = text(fields, "offer");
    into(json!({
        "request": { "requester": request.owner, "request": request.id, "need": text(fields, "need") },
        "offer": (!offer.is_empty()).then_some(offer),
        "quantity": quantity(fields)?,
        "status": "offered",
        "created_at_ms": now_ms,
    }))
}

/// The acceptance of a request page's accept form.
pub(super) fn acceptance(fields: &Fields) -> Result<AcceptanceBody, ApiError> {
    into(json!({
        "pledger": text(fields, "pledger"),
        "pledge": text(fields, "pledge"),
        "quantity": quantity(fields)?,
    }))
}

/// A whole positive number field, e.g. a pledge's quantity.
pub(super) fn quantity(fields: &Fields) -> Result<u32, ApiError> {
    u32::try_from(number(fields, "quantity")?)
        .map_err(|_| ApiError::InvalidBody("quantity: too large".into()))
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
