//! The form that proposes a change of the pact's agreement: every term,
//! prefilled from the version in force, sent to `/pakt/pruefen`, which
//! shows the whole terms that will be signed before anything is. It names
//! the version it replaces (`previous`), so that a change made on terms
//! another proposal has replaced meanwhile is refused, not signed.
//!
//! Field names (read by the node's `web/agreement_form.rs`): `legal_form`,
//! `stage_<stage>` (a date; empty: not reached), `council_<member id>`,
//! `may_request` (repeated), `obligation`, `reimbursement_model`,
//! `hour_rate`, `device_day_rate` (euro), `liability_clause`, and per row
//! `exercise_date_<i>`, `exercise_kind_<i>`, `exercise_title_<i>`.

use amtshilfe_protocol::pact::{Agreement, SCHEDULED_EXERCISES_MAX};
use maud::{Markup, html};

use crate::Ctx;
use crate::format::{euros, iso_date};
use crate::i18n::Lang;

/// Empty exercise rows offered beyond the scheduled ones.
const SPARE_EXERCISE_ROWS: usize = 2;

/// What the form needs beyond the terms in force.
#[derive(Debug, Clone, Default)]
pub struct AgreementForm {
    /// The proposal of the version in force, hex, if any.
    pub previous: Option<String>,
    /// Whether this node holds its member key (else the form is off).
    pub holds_member_key: bool,
}

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

const LEGAL_FORMS: [(&str, &str, &str); 5] = [
    ("letter_of_intent", "Absichtserklärung", "Letter of intent"),
    ("working_group", "Arbeitsgemeinschaft", "Working group"),
    (
        "public_law_agreement",
        "Öffentlich-rechtliche Vereinbarung",
        "Public-law agreement",
    ),
    (
        "special_purpose_association",
        "Zweckverband",
        "Special-purpose association",
    ),
    (
        "administrative_agreement",
        "Verwaltungsvereinbarung",
        "Administrative agreement",
    ),
];

/// The stages in their order, with the form's labels.
pub const STAGES: [(&str, &str, &str); 6] = [
    (
        "letter_of_intent",
        "Absichtserklärung unterzeichnet",
        "Letter of intent signed",
    ),
    ("contract_draft", "Vertragsentwurf", "Contract draft"),
    (
        "council_resolutions",
        "Gremienbeschlüsse",
        "Council resolutions",
    ),
    ("signed", "Unterzeichnet", "Signed"),
    (
        "supervisory_notice",
        "Anzeige bei der Aufsicht",
        "Supervisory notice",
    ),
    ("in_force", "In Kraft", "In force"),
];

const ROLES: [(&str, &str, &str); 4] = [
    (
        "head_of_administration",
        "Landrat / Bürgermeister/in",
        "Head of administration",
    ),
    (
        "crisis_staff_lead",
        "Leitung Krisenstab",
        "Head of the crisis staff",
    ),
    ("it_lead", "IT-Leitung", "IT lead"),
    (
        "security_officer",
        "Informationssicherheitsbeauftragte/r",
        "Security officer",
    ),
];

const OBLIGATIONS: [(&str, &str, &str); 2] = [
    ("best_effort", "nach Kräften (best effort)", "best effort"),
    ("committed", "verbindlich zugesagt", "committed"),
];

const MODELS: [(&str, &str, &str); 3] = [
    (
        "extra_costs_flat_rate",
        "Mehrkosten pauschal",
        "Extra costs at flat rates",
    ),
    (
        "extra_costs_actual",
        "Mehrkosten nach Nachweis",
        "Extra costs as documented",
    ),
    ("none", "unentgeltlich", "free of charge"),
];

const KINDS: [(&str, &str, &str); 3] = [
    ("alerting", "Alarmierungsübung", "Alerting exercise"),
    ("tabletop", "Planbesprechung", "Tabletop"),
    ("live", "Vollübung", "Live exercise"),
];

/// The wire name of a unit enum value (`best_effort`).
fn wire<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn select(
    ctx: &Ctx,
    id: &str,
    choices: &[(&str, &'static str, &'static str)],
    chosen: &str,
) -> Markup {
    html! {
        select id=(id) name=(id) {
            @for (value, de, en) in choices {
                option value=(value) selected[*value == chosen] { (t(ctx, de, en)) }
            }
        }
    }
}

/// The form, prefilled from `current`; only for those who administer.
pub(super) fn agreement_form(
    ctx: &Ctx,
    current: Option<&Agreement>,
    form: &AgreementForm,
) -> Markup {
    if !ctx.can_administer {
        return html! {};
    }
    let off = !form.holds_member_key;
    let stage_date = |stage: &str| {
        current
            .and_then(|a| a.stages.iter().find(|s| wire(&s.stage) == stage))
            .map(|s| iso_date(s.date_ms))
            .unwrap_or_default()
    };
    let council_date = |member: &str| {
        current
            .and_then(|a| {
                a.council_resolutions
                    .iter()
                    .find(|c| c.member.to_string() == member)
            })
            .map(|c| iso_date(c.date_ms))
            .unwrap_or_default()
    };
    let roles: Vec<String> = current
        .map(|a| a.may_request.iter().map(wire).collect())
        .unwrap_or_default();
    let rates = current.map(|a| &a.reimbursement);
    let cents = |value: Option<u32>| value.map(|c| euros(u64::from(c))).unwrap_or_default();
    let scheduled = current.map_or(&[][..], |a| &a.exercise_schedule[..]);
    let rows = (scheduled.len() + SPARE_EXERCISE_ROWS).min(SCHEDULED_EXERCISES_MAX);
    html! {
        section aria-labelledby="h-change" {
            h2 id="h-change" { (t(ctx, "Änderung vorschlagen", "Propose a change")) }
            p { (t(ctx, "Die Fassung unten ersetzt die gültige als Ganzes, sobald die Mehrheit zustimmt. Vor dem Signieren wird sie vollständig angezeigt.",
                "The terms below replace the version in force as a whole once a majority approves. They are shown in full before anything is signed.")) }
            @if off {
                p.notice role="note" {
                    (t(ctx, "Der Mitgliedsschlüssel liegt nicht auf diesem Knoten. Signieren Sie mit dem Schlüssel vom Stick: ",
                        "This node does not hold the member key. Sign with the key from its stick: "))
                    code { "amtshilfe member propose-agreement --file vereinbarung.json --member-key /media/stick/member.key" }
                }
            }
            form method="post" action="/pakt/pruefen" data-testid="agreement-form" {
                (ctx.csrf_field())
                input type="hidden" name="kind" value="set_agreement";
                @if let Some(previous) = &form.previous { input type="hidden" name="previous" value=(previous); }
                label for="legal_form" { (t(ctx, "Rechtsform", "Legal form")) }
                (select(ctx, "legal_form", &LEGAL_FORMS, &current.map(|a| wire(&a.legal_form)).unwrap_or_default()))
                fieldset {
                    legend { (t(ctx, "Stand (Datum, leer: nicht erreicht)", "Stage (date, empty: not reached)")) }
                    @for (stage, de, en) in STAGES {
                        label for={ "stage_" (stage) } { (t(ctx, de, en)) }
                        input type="date" id={ "stage_" (stage) } name={ "stage_" (stage) } value=(stage_date(stage));
                    }
                }
                fieldset {
                    legend { (t(ctx, "Gremienbeschlüsse (Datum je Mitglied)", "Council resolutions (date per member)")) }
                    @for (id, name) in &ctx.member_names {
                        label for={ "council_" (id) } { (name) }
                        input type="date" id={ "council_" (id) } name={ "council_" (id) } value=(council_date(id));
                    }
                }
                fieldset {
                    legend { (t(ctx, "Wer darf anfordern", "Who may request")) }
                    @for (role, de, en) in ROLES {
                        label { input type="checkbox" name="may_request" value=(role) checked[roles.iter().any(|r| r == role)]; " " (t(ctx, de, en)) }
                    }
                }
                label for="obligation" { (t(ctx, "Verpflichtung", "Obligation")) }
                (select(ctx, "obligation", &OBLIGATIONS, &current.map(|a| wire(&a.obligation)).unwrap_or_default()))
                fieldset {
                    legend { (t(ctx, "Erstattung", "Reimbursement")) }
                    label for="reimbursement_model" { (t(ctx, "Modell", "Model")) }
                    (select(ctx, "reimbursement_model", &MODELS, &rates.map(|r| wire(&r.model)).unwrap_or_default()))
                    label for="hour_rate" { (t(ctx, "Pauschale je Stunde (EUR)", "Flat rate per hour (EUR)")) }
                    input id="hour_rate" name="hour_rate" inputmode="decimal" value=(cents(rates.map(|r| r.hour_rate_cents)));
                    label for="device_day_rate" { (t(ctx, "Pauschale je Gerät und Tag (EUR)", "Flat rate per device-day (EUR)")) }
                    input id="device_day_rate" name="device_day_rate" inputmode="decimal" value=(cents(rates.map(|r| r.device_day_rate_cents)));
                }
                label for="liability_clause" { (t(ctx, "Haftungsklausel", "Liability clause")) }
                textarea id="liability_clause" name="liability_clause" rows="4" cols="60" { (current.map(|a| a.liability_clause.as_str()).unwrap_or_default()) }
                fieldset {
                    legend { (t(ctx, "Übungsplan (leere Zeilen entfallen)", "Exercise schedule (empty rows are left out)")) }
                    @for i in 0..rows {
                        @let row = scheduled.get(i);
                        div.row {
                            label for={ "exercise_date_" (i) } { (t(ctx, "Datum", "Date")) " " (i + 1) }
                            input type="date" id={ "exercise_date_" (i) } name={ "exercise_date_" (i) } value=(row.map(|e| iso_date(e.date_ms)).unwrap_or_default());
                            label for={ "exercise_kind_" (i) } { (t(ctx, "Art", "Kind")) " " (i + 1) }
                            (select(ctx, &format!("exercise_kind_{i}"), &KINDS, &row.map(|e| wire(&e.kind)).unwrap_or_default()))
                            label for={ "exercise_title_" (i) } { (t(ctx, "Was wird geübt", "What is practised")) " " (i + 1) }
                            input id={ "exercise_title_" (i) } name={ "exercise_title_" (i) } value=(row.map(|e| e.title.as_str()).unwrap_or_default());
                        }
                    }
                }
                button type="submit" disabled[off] { (t(ctx, "Prüfen …", "Review …")) }
            }
        }
    }
}
