//! The incident room's pages: the list of incidents with the form to open
//! one (also on behalf of another member), the room itself (clocks as time
//! left with their 80 % and overdue marks, the checklist with a form per
//! step, the reports with their pre-filled fields and "mark as sent", the
//! timeline with a form for a new line, adopting an on-behalf incident,
//! acknowledging open notifications), and a report's print view.
//!
//! The texts of these pages live here, German first, English second, so
//! that the shared text table stays as it is.

use maud::{Markup, html};

use super::scroll_box;
use super::{exercise_badge, exercise_banner, exercise_title};
use crate::Ctx;
use crate::format::{date_time, parse_date};
use crate::i18n::Lang;
use crate::layout::{Nav, page};

const HOUR_MS: i64 = 3_600_000;

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

fn pick<'a>(ctx: &Ctx, de: &'a str, en: &'a str) -> &'a str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// An `<input type="datetime-local">` value (`JJJJ-MM-TTTHH:MM`, Berlin)
/// as UTC ms; `None` if it is not one.
pub fn parse_date_time(text: &str) -> Option<i64> {
    let (day, time) = text.trim().split_once('T')?;
    let midnight = parse_date(day)?;
    let (hours, minutes) = time.split_once(':')?;
    let hours: i64 = hours.parse().ok().filter(|h| (0..24).contains(h))?;
    let minutes: i64 = minutes
        .get(..2)?
        .parse()
        .ok()
        .filter(|m| (0..60).contains(m))?;
    Some(midnight + hours * HOUR_MS + minutes * 60_000)
}

/// One incident in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    /// Its author, hex.
    pub author: String,
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The hit member's name (or id).
    pub hit_member: String,
    /// The author's name when written on the hit member's behalf.
    pub on_behalf_by: Option<String>,
    /// Awareness, ms.
    pub aware_at_ms: i64,
    /// An exercise (ÜBUNG).
    pub exercise: bool,
}

/// The list page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentsView {
    /// Every incident.
    pub rows: Vec<IncidentRow>,
    /// Whether the viewer may open one.
    pub can_write: bool,
    /// Other members (hex id, name) this member may act for.
    pub members: Vec<(String, String)>,
    /// This member's open requests (id, title), to attach to an incident.
    pub own_requests: Vec<(String, String)>,
    /// Why the last form was refused.
    pub error: Option<String>,
}

fn error_box(ctx: &Ctx, error: Option<&String>) -> Markup {
    html! {
        @if let Some(error) = error {
            div.error id="form-error" role="alert" tabindex="-1" {
                p { strong { (t(ctx, "Nicht gespeichert.", "Not saved.")) } " " (error) }
            }
        }
    }
}

/// `/vorfaelle`: the incidents and the form to open one.
pub fn incidents(ctx: &Ctx, view: &IncidentsView) -> String {
    let content = html! {
        (error_box(ctx, view.error.as_ref()))
        @if view.rows.is_empty() { (super::none(ctx)) } @else {
            (scroll_box(t(ctx, "Vorfälle", "Incidents"), html! { table data-testid="incidents" {
                thead { tr {
                    th scope="col" { (t(ctx, "Vorfall", "Incident")) }
                    th scope="col" { (t(ctx, "Betroffen", "Hit member")) }
                    th scope="col" { (t(ctx, "Bekannt seit", "Aware since")) }
                } }
                tbody { @for row in &view.rows { tr {
                    td { a href={ "/vorfaelle/" (row.author) "/" (row.id) } { (row.title) } @if row.exercise { (exercise_badge(ctx)) } }
                    td { (row.hit_member)
                        @if let Some(by) = &row.on_behalf_by { " (" (t(ctx, "vertreten durch", "on behalf, by")) " " (by) ")" } }
                    td { (date_time(row.aware_at_ms)) }
                } } }
            } }))
        }
        @if view.can_write {
            section aria-labelledby="h-open" {
                h2 id="h-open" { (t(ctx, "Vorfall eröffnen", "Open an incident")) }
                form method="post" action="/vorfaelle" {
                    (ctx.csrf_field())
                    label for="title" { (t(ctx, "Titel", "Title")) }
                    input id="title" name="title" required maxlength="200";
                    label for="aware" { (t(ctx, "Bekannt geworden am (Ortszeit)", "Became aware at (local time)")) }
                    input id="aware" name="aware" type="datetime-local" required;
                    label for="services" { (t(ctx, "Betroffene Dienste (durch Komma getrennt)", "Affected services (comma-separated)")) }
                    input id="services" name="services";
                    label for="profile" { (t(ctx, "Meldepflichten", "Reporting duties")) }
                    select id="profile" name="profile" {
                        option value="gdpr" { (t(ctx, "DSGVO (jede Kommune)", "GDPR (every municipality)")) }
                        option value="gdpr+bsig32" { (t(ctx, "DSGVO und § 32 BSIG (z. B. Stadtwerk)", "GDPR and § 32 BSIG (e.g. a Stadtwerk)")) }
                    }
                    @if !view.own_requests.is_empty() {
                        fieldset {
                            legend { (t(ctx, "Zugehörige Anfragen", "Requests that belong to it")) }
                            @for (index, (id, title)) in view.own_requests.iter().enumerate() {
                                div {
                                    input type="checkbox" id={ "request-" (index) } name={ "request_" (index) } value=(id);
                                    label for={ "request-" (index) } { (title) }
                                }
                            }
                        }
                    }
                    div {
                        input type="checkbox" id="incident-exercise" name="exercise" value="1";
                        label for="incident-exercise" { (t(ctx, "Übung (als ÜBUNG gekennzeichnet, zählt nie in echten Zahlen)", "Exercise (marked EXERCISE, never counted in real figures)")) }
                    }
                    label for="on_behalf_of" { (t(ctx, "Für ein anderes Mitglied (vertretungsweise)", "For another member (on its behalf)")) }
                    select id="on_behalf_of" name="on_behalf_of" {
                        option value="" { (t(ctx, "– für uns selbst –", "– for ourselves –")) }
                        @for (id, name) in &view.members { option value=(id) { (name) } }
                    }
                    button type="submit" { (t(ctx, "Eröffnen", "Open")) }
                }
            }
        }
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Vorfaelle;
    page(&ctx, t(&ctx, "Vorfälle", "Incidents"), content)
}

/// One legal clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRow {
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// Deadline, ms.
    pub due_at_ms: i64,
    /// Time left, ms; negative once overdue.
    pub left_ms: i64,
    /// `running`, `reminder`, `overdue` or `sent`.
    pub phase: &'static str,
    /// When the report was sent.
    pub sent_at_ms: Option<i64>,
}

/// One checklist step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// Step id.
    pub id: String,
    /// Number.
    pub number: u8,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// `open`, `in_progress`, `done`, `not_applicable`.
    pub state: &'static str,
    /// Owner.
    pub owner: String,
    /// Note.
    pub note: String,
    /// Due, ms.
    pub due_at_ms: Option<i64>,
    /// Due and not settled.
    pub overdue: bool,
}

/// One field of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFieldRow {
    /// Field id.
    pub id: String,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// Required before sending.
    pub required: bool,
    /// Current value.
    pub value: String,
}

/// One report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// Stable kind id (`gdpr_art33`, …).
    pub kind: String,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// Only the pre-filled draft so far.
    pub draft: bool,
    /// Its fields, in template order.
    pub fields: Vec<ReportFieldRow>,
    /// When it was sent.
    pub sent_at_ms: Option<i64>,
}

/// One timeline line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    /// When.
    pub at_ms: i64,
    /// `entry`, `step`, … (see the API's `LineAnswer`).
    pub kind: String,
    /// Author or owner.
    pub author: String,
    /// Text (for a step line: the step's label).
    pub text: String,
    /// For a step line: the state it was set to.
    pub step_state: Option<&'static str>,
    /// `clear`, `amber` or `red`.
    pub tlp: &'static str,
    /// `false` for a sealed line the viewer is not a reader of: its text
    /// is shown as a confidential placeholder.
    pub readable: bool,
}

/// An open notification the viewer can acknowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenNotification {
    /// Its number.
    pub seq: u64,
    /// Subject in the page's language.
    pub subject: String,
}

/// A pledge on one of the incident's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeRow {
    /// Pledger, hex.
    pub pledger: String,
    /// Pledger's name.
    pub pledger_name: String,
    /// Pledge id.
    pub id: String,
    /// Units.
    pub quantity: u32,
    /// `offered`, `accepted`, `finished`, `withdrawn`, `declined`, `lapsed`.
    pub state: &'static str,
    /// Whether the viewer may decline it.
    pub declinable: bool,
}

/// A mission order on one of the incident's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// Requester, hex.
    pub requester: String,
    /// Acceptance id.
    pub id: String,
    /// Helper's name.
    pub helper: String,
    /// Units.
    pub quantity: u32,
    /// `accepted`, `active`, `released`, `closed`.
    pub status: &'static str,
    /// The helper's hours and cents, if recorded.
    pub helper_figures: Option<(u32, u64)>,
    /// The requester's hours and cents, once released or closed.
    pub closed_with: Option<(u32, u64)>,
    /// `not_recorded`, `recorded`, `confirmed`, `differs`.
    pub settlement: &'static str,
    /// Whether the viewer (the requester) may move it on.
    pub advance: bool,
    /// Whether the viewer (the helper) may record its figures.
    pub settle: bool,
}

/// The room page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomView {
    /// Author, hex.
    pub author: String,
    /// Incident id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The hit member's name.
    pub hit_member: String,
    /// The author's name when written on the hit member's behalf.
    pub on_behalf_by: Option<String>,
    /// Awareness, ms.
    pub aware_at_ms: i64,
    /// An exercise (ÜBUNG).
    pub exercise: bool,
    /// Affected services.
    pub services: Vec<String>,
    /// Clocks.
    pub clocks: Vec<ClockRow>,
    /// Checklist.
    pub steps: Vec<StepRow>,
    /// Reports.
    pub reports: Vec<ReportRow>,
    /// Timeline lines the viewer may read.
    pub lines: Vec<LineRow>,
    /// Whether the viewer's role may write and the incident is this
    /// member's own.
    pub writable: bool,
    /// Whether this member may adopt it.
    pub adoptable: bool,
    /// Pledges on its requests.
    pub pledges: Vec<PledgeRow>,
    /// Mission orders on its requests.
    pub orders: Vec<OrderRow>,
    /// Open notifications.
    pub notifications: Vec<OpenNotification>,
    /// Why the last form was refused.
    pub error: Option<String>,
}

/// Time left as `62 h 5 min`, or overdue by as much.
fn time_left(ctx: &Ctx, left_ms: i64) -> String {
    let minutes = left_ms.abs() / 60_000;
    let text = format!("{} h {} min", minutes / 60, minutes % 60);
    if left_ms < 0 {
        format!("{} {text}", t(ctx, "überfällig seit", "overdue by"))
    } else {
        text
    }
}

fn phase_text(ctx: &Ctx, phase: &str) -> &'static str {
    match phase {
        "reminder" => t(
            ctx,
            "Erinnerung: 80 % der Frist verstrichen",
            "Reminder: 80 % of the time used",
        ),
        "overdue" => t(ctx, "Überfällig", "Overdue"),
        "sent" => t(ctx, "Gesendet", "Sent"),
        _ => t(ctx, "Läuft", "Running"),
    }
}

fn state_text(ctx: &Ctx, state: &str) -> &'static str {
    match state {
        "in_progress" => t(ctx, "in Arbeit", "in progress"),
        "done" => t(ctx, "erledigt", "done"),
        "not_applicable" => t(ctx, "entfällt", "not applicable"),
        _ => t(ctx, "offen", "open"),
    }
}

const STATES: [&str; 4] = ["open", "in_progress", "done", "not_applicable"];

fn clocks(ctx: &Ctx, view: &RoomView) -> Markup {
    html! {
        section aria-labelledby="h-clocks" {
            h2 id="h-clocks" { (t(ctx, "Meldefristen", "Reporting deadlines")) }
            (scroll_box(t(ctx, "Meldefristen", "Reporting deadlines"), html! { table data-testid="clocks" {
                thead { tr {
                    th scope="col" { (t(ctx, "Meldung", "Report")) }
                    th scope="col" { (t(ctx, "Frist", "Deadline")) }
                    th scope="col" { (t(ctx, "Verbleibend", "Time left")) }
                    th scope="col" { (t(ctx, "Stand", "State")) }
                } }
                tbody { @for clock in &view.clocks { tr class={ "clock-" (clock.phase) } {
                    td { (pick(ctx, &clock.label_de, &clock.label_en)) }
                    td { (date_time(clock.due_at_ms)) }
                    td data-testid="time-left" { @if clock.phase == "sent" { "–" } @else { (time_left(ctx, clock.left_ms)) } }
                    td { strong { (phase_text(ctx, clock.phase)) }
                        @if let Some(sent) = clock.sent_at_ms { " " (date_time(sent)) } }
                } } }
            } }))
        }
    }
}

fn checklist(ctx: &Ctx, view: &RoomView) -> Markup {
    html! {
        section aria-labelledby="h-steps" {
            h2 id="h-steps" { (t(ctx, "Checkliste", "Checklist")) }
            ol.checklist data-testid="steps" {
                @for step in &view.steps {
                    li id={ "step-" (step.id) } value=(step.number) {
                        strong { (pick(ctx, &step.label_de, &step.label_en)) }
                        " – " span data-testid="step-state" { (state_text(ctx, step.state)) }
                        @if let Some(due) = step.due_at_ms { " · " (t(ctx, "fällig", "due")) " " (date_time(due)) }
                        @if step.overdue { " · " strong { (t(ctx, "überfällig", "overdue")) } }
                        @if !step.owner.is_empty() { " · " (step.owner) }
                        @if !step.note.is_empty() { br; span.muted { (step.note) } }
                        @if view.writable {
                            form.inline method="post" action={ "/vorfaelle/" (view.author) "/" (view.id) "/schritte" } {
                                (ctx.csrf_field())
                                input type="hidden" name="step" value=(step.id);
                                label for={ "state-" (step.id) } { (t(ctx, "Stand", "State")) " " (step.number) }
                                select id={ "state-" (step.id) } name="state" {
                                    @for state in STATES { option value=(state) selected[state == step.state] { (state_text(ctx, state)) } }
                                }
                                label for={ "owner-" (step.id) } { (t(ctx, "Zuständig", "Owner")) " " (step.number) }
                                input id={ "owner-" (step.id) } name="owner" value=(step.owner) maxlength="200";
                                label for={ "note-" (step.id) } { (t(ctx, "Notiz", "Note")) " " (step.number) }
                                input id={ "note-" (step.id) } name="note" value=(step.note);
                                button type="submit" { (t(ctx, "Speichern", "Save")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn reports(ctx: &Ctx, view: &RoomView) -> Markup {
    html! {
        section aria-labelledby="h-reports" {
            h2 id="h-reports" { (t(ctx, "Meldungen", "Reports")) }
            @for report in &view.reports {
                section.report aria-labelledby={ "h-" (report.kind) } data-testid={ "report-" (report.kind) } {
                    h3 id={ "h-" (report.kind) } { (pick(ctx, &report.label_de, &report.label_en)) }
                    p {
                        @if let Some(sent) = report.sent_at_ms { strong { (t(ctx, "Gesendet am", "Sent at")) " " (date_time(sent)) } }
                        @else if report.draft { (t(ctx, "Entwurf, aus dem Vorfall vorausgefüllt.", "Draft, pre-filled from the incident.")) }
                        @else { (t(ctx, "Entwurf gespeichert.", "Draft saved.")) }
                        " " a href={ "/vorfaelle/" (view.author) "/" (view.id) "/meldungen/" (report.kind) "/druck" } { (t(ctx, "Druckansicht", "Print view")) }
                    }
                    @if view.writable {
                        form method="post" action={ "/vorfaelle/" (view.author) "/" (view.id) "/meldungen/" (report.kind) } {
                            (ctx.csrf_field())
                            @for field in &report.fields {
                                label for={ (report.kind) "-" (field.id) } {
                                    (pick(ctx, &field.label_de, &field.label_en))
                                    @if field.required { " " span.muted { (t(ctx, "(Pflicht)", "(required)")) } }
                                }
                                textarea id={ (report.kind) "-" (field.id) } name={ "f_" (field.id) } rows="2" { (field.value) }
                            }
                            label for={ (report.kind) "-sent" } { (t(ctx, "Gesendet am (Ortszeit; leer: noch nicht gesendet)", "Sent at (local time; empty: not sent yet)")) }
                            input id={ (report.kind) "-sent" } name="sent" type="datetime-local";
                            button type="submit" { (t(ctx, "Speichern", "Save")) }
                        }
                    }
                }
            }
        }
    }
}

fn timeline(ctx: &Ctx, view: &RoomView) -> Markup {
    html! {
        section aria-labelledby="h-timeline" {
            h2 id="h-timeline" { (t(ctx, "Verlauf und Entscheidungen", "Timeline and decisions")) }
            @if view.lines.is_empty() { (super::none(ctx)) } @else {
                ol.timeline data-testid="timeline" { @for line in &view.lines {
                    li data-tlp=(line.tlp) { (date_time(line.at_ms)) " · " (line_kind(ctx, &line.kind))
                        @if line.kind == "entry" { " " (tlp_mark(line.tlp)) }
                        @if !line.author.is_empty() { " · " (line.author) }
                        @if !line.readable { ": " em.confidential { (confidential(ctx, line.tlp)) } }
                        @else if !line.text.is_empty() { ": " (line.text) }
                        @if let Some(state) = line.step_state { " → " (state_text(ctx, state)) } }
                } }
            }
            @if view.writable {
                form method="post" action={ "/vorfaelle/" (view.author) "/" (view.id) "/verlauf" } {
                    (ctx.csrf_field())
                    label for="line-text" { (t(ctx, "Eintrag", "Entry")) }
                    textarea id="line-text" name="text" rows="2" required {}
                    label for="line-tlp" { (t(ctx, "Wer darf ihn lesen? (TLP)", "Who may read it? (TLP)")) }
                    select id="line-tlp" name="tlp" {
                        option value="clear" { (t(ctx, "TLP:CLEAR – der ganze Pakt", "TLP:CLEAR – the whole pact")) }
                        option value="amber" { (t(ctx, "TLP:AMBER – nur Helfer und ISB (verschlüsselt)", "TLP:AMBER – helpers and security officer only (encrypted)")) }
                        option value="red" { (t(ctx, "TLP:RED – nur wir und unsere ISB (verschlüsselt)", "TLP:RED – only us and our security officer (encrypted)")) }
                    }
                    label for="line-author" { (t(ctx, "Verfasst von", "Written by")) }
                    input id="line-author" name="author" required value=(ctx.account);
                    button type="submit" { (t(ctx, "Eintragen", "Add")) }
                }
            }
        }
    }
}

/// The TLP level as its marking, e.g. `TLP:AMBER`.
fn tlp_mark(tlp: &str) -> Markup {
    let label = match tlp {
        "amber" => "TLP:AMBER",
        "red" => "TLP:RED",
        _ => "TLP:CLEAR",
    };
    html! { span class={ "tlp tlp-" (tlp) } { (label) } }
}

/// What a viewer who is not a reader of a sealed line sees instead.
fn confidential(ctx: &Ctx, tlp: &str) -> &'static str {
    if tlp == "red" {
        t(
            ctx,
            "vertraulich (TLP:RED) — nur für das betroffene Mitglied und seine ISB",
            "confidential (TLP:RED) — for the affected member and its security officer only",
        )
    } else {
        t(
            ctx,
            "vertraulich (TLP:AMBER) — nur für Helfer und ISB",
            "confidential (TLP:AMBER) — for helpers and the security officer only",
        )
    }
}

fn line_kind(ctx: &Ctx, kind: &str) -> &'static str {
    match kind {
        "entry" => t(ctx, "Eintrag", "Entry"),
        "step" => t(ctx, "Checkliste", "Checklist"),
        "request" => t(ctx, "Anfrage", "Request"),
        "pledge" => t(ctx, "Zusage", "Pledge"),
        "mission_order" => t(ctx, "Einsatzauftrag", "Mission order"),
        "decline" => t(ctx, "Zusage abgelehnt", "Pledge declined"),
        "settlement" => t(ctx, "Abrechnung", "Settlement"),
        "report_sent" => t(ctx, "Meldung gesendet", "Report sent"),
        _ => "–",
    }
}

fn euros(cents: u64) -> String {
    format!("{} EUR", crate::format::euros(cents))
}

fn figures(ctx: &Ctx, figures: Option<(u32, u64)>) -> String {
    match figures {
        Some((hours, cents)) => format!("{hours} h, {}", euros(cents)),
        None => t(ctx, "–", "–").to_owned(),
    }
}

fn pledge_state(ctx: &Ctx, state: &str) -> &'static str {
    match state {
        "accepted" => t(ctx, "angenommen", "accepted"),
        "finished" => t(ctx, "beendet", "finished"),
        "withdrawn" => t(ctx, "zurückgezogen", "withdrawn"),
        "declined" => t(ctx, "abgelehnt", "declined"),
        "lapsed" => t(ctx, "verfallen", "lapsed"),
        _ => t(ctx, "zugesagt", "offered"),
    }
}

fn order_status(ctx: &Ctx, status: &str) -> &'static str {
    match status {
        "active" => t(ctx, "im Einsatz", "active"),
        "released" => t(ctx, "zurückgegeben", "released"),
        "closed" => t(ctx, "abgeschlossen", "closed"),
        _ => t(ctx, "angenommen", "accepted"),
    }
}

fn settlement_text(ctx: &Ctx, state: &str) -> &'static str {
    match state {
        "recorded" => t(ctx, "von der Helferseite erfasst", "recorded by the helper"),
        "confirmed" => t(ctx, "bestätigt", "confirmed"),
        "differs" => t(ctx, "Angaben weichen ab", "figures differ"),
        _ => t(ctx, "noch nicht erfasst", "not recorded yet"),
    }
}

/// Hours and euros fields of a settlement form, ids made unique by `key`.
fn figure_fields(ctx: &Ctx, key: &str, prefill: Option<(u32, u64)>) -> Markup {
    let (hours, cents) = prefill.unwrap_or((0, 0));
    html! {
        label for={ "hours-" (key) } { (t(ctx, "Stunden", "Hours")) }
        input id={ "hours-" (key) } name="hours" type="number" min="0" max="100000" value=(hours) required;
        label for={ "euros-" (key) } { (t(ctx, "Mehrkosten in Euro", "Extra costs in euros")) }
        input id={ "euros-" (key) } name="euros" inputmode="decimal" value=(format!("{},{:02}", cents / 100, cents % 100)) required;
    }
}

fn aid(ctx: &Ctx, view: &RoomView) -> Markup {
    let base = format!("/vorfaelle/{}/{}", view.author, view.id);
    html! {
        @if !view.pledges.is_empty() || !view.orders.is_empty() {
            section aria-labelledby="h-aid" {
                h2 id="h-aid" { (t(ctx, "Zusagen und Einsatzaufträge", "Pledges and mission orders")) }
                @if !view.pledges.is_empty() {
                    ul data-testid="pledges" { @for pledge in &view.pledges { li {
                        (pledge.pledger_name) ": " (pledge.quantity) " · " (pledge_state(ctx, pledge.state))
                        @if pledge.declinable {
                            form.inline method="post" action={ (base) "/zusagen/" (pledge.pledger) "/" (pledge.id) "/ablehnen" } {
                                (ctx.csrf_field())
                                button.secondary type="submit" { (t(ctx, "Ablehnen", "Decline")) span.sr-only { " " (pledge.pledger_name) " " (pledge.id) } }
                            }
                        }
                    } } }
                }
                @for order in &view.orders {
                    section.order aria-labelledby={ "h-order-" (order.id) } data-testid="mission-order" {
                        h3 id={ "h-order-" (order.id) } { (t(ctx, "Einsatzauftrag", "Mission order")) " " (order.id) " · " (order.helper) }
                        p { (order.quantity) " · " strong { (order_status(ctx, order.status)) }
                            " · " (t(ctx, "Helferseite", "Helper")) ": " (figures(ctx, order.helper_figures))
                            " · " (t(ctx, "Anfordernde Seite", "Requester")) ": " (figures(ctx, order.closed_with))
                            " · " span data-testid="settlement" { (settlement_text(ctx, order.settlement)) } }
                        @if order.settle {
                            form method="post" action={ (base) "/abrechnung/" (order.requester) "/" (order.id) } {
                                (ctx.csrf_field())
                                (figure_fields(ctx, &format!("settle-{}", order.id), order.helper_figures))
                                button type="submit" { (t(ctx, "Stunden und Kosten erfassen", "Record hours and costs")) }
                            }
                        }
                        @if order.advance && order.status != "closed" {
                            form method="post" action={ (base) "/auftraege/" (order.id) "/status" } {
                                (ctx.csrf_field())
                                label for={ "status-" (order.id) } { (t(ctx, "Neuer Stand", "New status")) }
                                select id={ "status-" (order.id) } name="status" {
                                    @if order.status == "accepted" { option value="active" { (order_status(ctx, "active")) } }
                                    @if order.status != "released" { option value="released" { (order_status(ctx, "released")) } }
                                    option value="closed" selected { (order_status(ctx, "closed")) }
                                }
                                (figure_fields(ctx, &format!("close-{}", order.id), order.helper_figures.or(order.closed_with)))
                                button type="submit" { (t(ctx, "Stand setzen (mit den Zahlen der Helferseite: bestätigt)", "Set status (with the helper's figures: confirmed)")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn notifications(ctx: &Ctx, view: &RoomView) -> Markup {
    html! {
        @if !view.notifications.is_empty() {
            section aria-labelledby="h-notify" {
                h2 id="h-notify" { (t(ctx, "Offene Alarmierungen", "Open notifications")) }
                ul { @for note in &view.notifications { li {
                    (note.seq) ": " (note.subject) " "
                    form.inline method="post" action={ "/meldungen/" (note.seq) "/bestaetigen" } {
                        (ctx.csrf_field())
                        input type="hidden" name="back" value={ "/vorfaelle/" (view.author) "/" (view.id) };
                        button type="submit" { (t(ctx, "Bestätigen", "Acknowledge")) span.sr-only { " " (note.seq) } }
                    }
                } } }
            }
        }
    }
}

/// `/vorfaelle/{author}/{id}`: the room.
pub fn incident_room(ctx: &Ctx, view: &RoomView) -> String {
    let exercise = view.exercise;
    let content = html! {
        @if exercise { (exercise_banner(ctx)) }
        (error_box(ctx, view.error.as_ref()))
        p data-testid="incident-facts" {
            (t(ctx, "Betroffen", "Hit member")) ": " strong { (view.hit_member) }
            @if let Some(by) = &view.on_behalf_by { " · " strong { (t(ctx, "vertretungsweise eröffnet von", "opened on its behalf by")) " " (by) } }
            " · " (t(ctx, "Bekannt seit", "Aware since")) " " (date_time(view.aware_at_ms))
            @if !view.services.is_empty() { " · " (t(ctx, "Betroffene Dienste", "Affected services")) ": " (view.services.join(", ")) }
        }
        @if view.adoptable {
            form method="post" action={ "/vorfaelle/" (view.author) "/" (view.id) "/uebernehmen" } {
                (ctx.csrf_field())
                button type="submit" { (t(ctx, "Vorfall übernehmen", "Adopt this incident")) }
            }
        }
        (notifications(ctx, view))
        (clocks(ctx, view))
        (checklist(ctx, view))
        (reports(ctx, view))
        (aid(ctx, view))
        (timeline(ctx, view))
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Vorfaelle;
    page(&ctx, &exercise_title(&ctx, exercise, &view.title), content)
}

/// A report's print view.
pub fn report_print(ctx: &Ctx, view: &RoomView, report: &ReportRow) -> String {
    let content = html! {
        p.no-print { (t(ctx, "Zum Drucken die Druckfunktion des Browsers nutzen (Strg+P).", "Use the browser's print function to print (Ctrl+P).")) }
        p { (view.title) " · " (view.hit_member) }
        dl data-testid="report-print" {
            @for field in &report.fields {
                dt { (pick(ctx, &field.label_de, &field.label_en)) }
                dd { @if field.value.is_empty() { "–" } @else { (field.value) } }
            }
            @if let Some(sent) = report.sent_at_ms { dt { (t(ctx, "Gesendet am", "Sent at")) } dd { (date_time(sent)) } }
        }
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Other;
    page(
        &ctx,
        pick(&ctx, &report.label_de, &report.label_en),
        content,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_date_time_is_berlin_time() {
        // 06.12.2026 10:30 in Berlin (CET) is 09:30 UTC.
        let ms = parse_date_time("2026-12-06T10:30").unwrap();
        assert_eq!(date_time(ms), "06.12.2026 10:30");
        assert_eq!(parse_date_time("2026-12-06T24:00"), None);
        assert_eq!(parse_date_time("gestern"), None);
    }
}
