//! Every term of an agreement as term–value lines, for the review before
//! a `SetAgreement` proposal is signed or approved (the Pakt page's
//! review, the proposal's page, `amtshilfe member`): the whole text the
//! signature covers, not a summary. Values keep the wire names
//! (`best_effort`, `in_force`) so that the lines match the JSON file
//! exactly; dates are `TT.MM.JJJJ` in Berlin.

use amtshilfe_dashboard::format::{date, euros};
use amtshilfe_protocol::pact::Agreement;
use serde::Serialize;

/// The wire name of a unit enum value (`best_effort`).
fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The lines, in the agreement's field order; members by their full id,
/// as signed.
pub(crate) fn agreement_lines(agreement: &Agreement) -> Vec<(String, String)> {
    let line = |term: &str, value: String| (term.to_owned(), value);
    let mut lines = vec![line("Rechtsform / legal form", wire(&agreement.legal_form))];
    lines.extend(agreement.stages.iter().map(|s| {
        line(
            "Stand / stage",
            format!("{} {}", wire(&s.stage), date(s.date_ms)),
        )
    }));
    lines.extend(agreement.council_resolutions.iter().map(|c| {
        line(
            "Gremienbeschluss / council resolution",
            format!("{} {}", c.member, date(c.date_ms)),
        )
    }));
    let r = &agreement.reimbursement;
    lines.extend([
        line(
            "Anfordern dürfen / may request",
            agreement
                .may_request
                .iter()
                .map(wire)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        line("Verpflichtung / obligation", wire(&agreement.obligation)),
        line(
            "Erstattung / reimbursement",
            format!(
                "{}; {} EUR/h; {} EUR/Gerät·Tag / device-day",
                wire(&r.model),
                euros(u64::from(r.hour_rate_cents)),
                euros(u64::from(r.device_day_rate_cents))
            ),
        ),
        line("Haftung / liability", agreement.liability_clause.clone()),
    ]);
    lines.extend(agreement.exercise_schedule.iter().map(|e| {
        line(
            "Übung / exercise",
            format!("{} {} {}", date(e.date_ms), wire(&e.kind), e.title),
        )
    }));
    lines
}
