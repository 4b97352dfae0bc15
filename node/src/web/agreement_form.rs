//! The agreement form's fields (`amtshilfe_dashboard::pages::AgreementForm`
//! names them) → the `set_agreement` proposal the API takes. Only
//! translates: dates to Berlin midnights, euro amounts to cents, empty
//! rows left out. Every rule is `Agreement::validate`'s, applied by
//! `ops::pact_actions` exactly as for the JSON route.

use amtshilfe_dashboard::format::parse_date;
use amtshilfe_dashboard::pages::STAGES;
use amtshilfe_protocol::pact::SCHEDULED_EXERCISES_MAX;
use serde_json::json;

use super::forms::field;
use crate::http::ApiError;
use crate::ops::pact_actions::ProposalBody;

/// Largest euro amount read from a rate field before the agreement's own
/// cap applies, so that a long string of digits cannot overflow.
const EURO_DIGITS_MAX: usize = 9;

fn date(fields: &[(String, String)], name: &str) -> Result<Option<i64>, ApiError> {
    let value = field(fields, name);
    if value.is_empty() {
        return Ok(None);
    }
    parse_date(&value).map(Some).ok_or_else(|| {
        ApiError::InvalidBody(format!("{name}: {value:?} is not a date (TT.MM.JJJJ)"))
    })
}

/// `85`, `85,5`, `85,50` or `85.50` euro in cents; empty is 0.
fn cents(fields: &[(String, String)], name: &str) -> Result<u64, ApiError> {
    let value = field(fields, name);
    if value.is_empty() {
        return Ok(0);
    }
    let invalid = || ApiError::InvalidBody(format!("{name}: {value:?} is not an amount in euro"));
    let (whole, fraction) = value.split_once([',', '.']).unwrap_or((&value, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > EURO_DIGITS_MAX
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return Err(invalid());
    }
    let whole: u64 = whole.parse().map_err(|_| invalid())?;
    let fraction: u64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    Ok(whole * 100 + fraction)
}

/// The proposal the form asks for.
pub(super) fn body(fields: &[(String, String)]) -> Result<ProposalBody, ApiError> {
    let mut stages = Vec::new();
    for (stage, _, _) in STAGES {
        if let Some(date_ms) = date(fields, &format!("stage_{stage}"))? {
            stages.push(json!({ "stage": stage, "date_ms": date_ms }));
        }
    }
    let mut council_resolutions = Vec::new();
    for (name, _) in fields.iter().filter(|(n, _)| n.starts_with("council_")) {
        if let Some(date_ms) = date(fields, name)? {
            let member = name.trim_start_matches("council_");
            council_resolutions.push(json!({ "member": member, "date_ms": date_ms }));
        }
    }
    let may_request: Vec<&str> = fields
        .iter()
        .filter(|(n, _)| n == "may_request")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut exercise_schedule = Vec::new();
    for i in 0..SCHEDULED_EXERCISES_MAX + 1 {
        let title = field(fields, &format!("exercise_title_{i}"));
        let day = date(fields, &format!("exercise_date_{i}"))?;
        if title.is_empty() && day.is_none() {
            continue;
        }
        let Some(date_ms) = day else {
            return Err(ApiError::InvalidBody(format!(
                "exercise_date_{i}: an exercise needs its date"
            )));
        };
        exercise_schedule.push(json!({
            "date_ms": date_ms,
            "kind": field(fields, &format!("exercise_kind_{i}")),
            "title": title,
        }));
    }
    let agreement = json!({
        "legal_form": field(fields, "legal_form"),
        "stages": stages,
        "council_resolutions": council_resolutions,
        "may_request": may_request,
        "obligation": field(fields, "obligation"),
        "reimbursement": {
            "model": field(fields, "reimbursement_model"),
            "hour_rate_cents": cents(fields, "hour_rate")?,
            "device_day_rate_cents": cents(fields, "device_day_rate")?,
        },
        "liability_clause": field(fields, "liability_clause"),
        "exercise_schedule": exercise_schedule,
    });
    let previous = field(fields, "previous");
    let body = json!({
        "kind": "set_agreement",
        "agreement": agreement,
        "previous": (!previous.is_empty()).then_some(previous),
    });
    serde_json::from_value::<ProposalBody>(body)
        .map_err(|error| ApiError::InvalidBody(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn euro_amounts_become_cents_and_odd_ones_are_refused() {
        for (text, want) in [("", 0), ("85", 8_500), ("85,5", 8_550), ("0.07", 7)] {
            assert_eq!(
                cents(&fields(&[("r", text)]), "r").ok(),
                Some(want),
                "{text}"
            );
        }
        for text in ["-1", "1,234", "1e3", "9999999999", ",5", "85 €"] {
            assert!(cents(&fields(&[("r", text)]), "r").is_err(), "{text}");
        }
    }

    #[test]
    fn an_exercise_row_without_a_date_is_refused_and_empty_rows_left_out() {
        let mut form = fields(&[
            ("legal_form", "working_group"),
            ("stage_letter_of_intent", "2026-01-15"),
            ("may_request", "it_lead"),
            ("obligation", "best_effort"),
            ("reimbursement_model", "none"),
            ("liability_clause", "Keine."),
            ("exercise_title_0", ""),
        ]);
        let Ok(ProposalBody::SetAgreement {
            agreement,
            previous,
        }) = body(&form)
        else {
            panic!("the form reads");
        };
        assert!(agreement.exercise_schedule.is_empty());
        assert_eq!(previous, None);
        form.push(("exercise_title_1".into(), "Alarmierung".into()));
        assert!(body(&form).is_err());
    }
}
