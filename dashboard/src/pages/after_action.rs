//! The after-action report of an exercise: how fast the pact answered and
//! how much of the need it covered, computed from the records
//! (`ReadModel::after_action_report`), and which members did not answer.

use amtshilfe_protocol::read_model::AfterActionReport;
use maud::html;

use crate::Ctx;
use crate::format::date_time;
use crate::i18n::Lang;
use crate::layout::{Nav, page};

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// A duration in ms as `3 h 05 min`.
fn duration(ms: i64) -> String {
    let minutes = ms / 60_000;
    format!("{} h {:02} min", minutes / 60, minutes % 60)
}

/// A notification of the exercise that no contact of this member
/// acknowledged.
#[derive(Debug, Clone)]
pub struct FailedContactRow {
    /// The outbox's event number.
    pub seq: u64,
    /// Its subject, in the viewer's language.
    pub subject: String,
    /// The contact it reached last, counted from 1 in escalation order.
    pub contact: u32,
    /// Whether the last contact's time ran out too (else still escalating).
    pub unanswered: bool,
    /// When it was recorded.
    pub sent_at_ms: i64,
}

/// The after-action report page of the exercise request `title`;
/// `not_answered` are the names of the members that pledged nothing,
/// `failed` this member's notifications of it that nobody acknowledged.
pub fn after_action(
    ctx: &Ctx,
    title: &str,
    report: &AfterActionReport,
    not_answered: &[String],
    failed: &[FailedContactRow],
) -> String {
    let never = t(ctx, "nie", "never");
    let content = html! {
        (super::exercise_banner(ctx))
        p { a href={ "/anfragen/" (report.request.owner) "/" (report.request.id) } { (title) } }
        dl data-testid="after-action" {
            dt { (t(ctx, "Angefragt am", "Requested at")) } dd { (date_time(report.requested_at_ms)) }
            dt { (t(ctx, "Zeit bis zur ersten Zusage", "Time to the first pledge")) }
            dd data-testid="to-first-pledge" { (report.to_first_pledge_ms.map(duration).unwrap_or_else(|| never.into())) }
            dt { (t(ctx, "Zeit bis zur ersten Annahme", "Time to the first acceptance")) }
            dd data-testid="to-first-acceptance" { (report.to_first_acceptance_ms.map(duration).unwrap_or_else(|| never.into())) }
            dt { (t(ctx, "Bedarf gedeckt", "Need covered")) }
            dd data-testid="covered" { (report.covered_permille / 10) "," (report.covered_permille % 10) " % ("
                (report.units_accepted) " / " (report.units_requested) ")" }
            dt { (t(ctx, "Einsatzaufträge (abgeschlossen / alle)", "Mission orders (closed / all)")) }
            dd data-testid="orders" { (report.mission_orders_closed) " / " (report.mission_orders) }
            dt { (t(ctx, "Mitglieder ohne Antwort", "Members that did not answer")) }
            dd data-testid="not-answered" {
                @if not_answered.is_empty() { "–" } @else { (not_answered.join(", ")) }
            }
        }
        section aria-labelledby="h-failed" {
            h2 id="h-failed" { (t(ctx, "Kontakte ohne Bestätigung", "Contacts that failed")) }
            p { (t(ctx, "Benachrichtigungen dieses Mitglieds zur Übung, die niemand bestätigt hat. Bestätigungen bleiben auf dem Knoten des Mitglieds; die anderen Mitglieder werten ihre eigenen aus.",
                "This member's notifications of the exercise that nobody acknowledged. Acknowledgements stay on each member's node; the other members report their own.")) }
            @if failed.is_empty() {
                p data-testid="contacts-failed" { (t(ctx, "Keine unbestätigten Benachrichtigungen.", "No unacknowledged notifications.")) }
            } @else {
                table data-testid="contacts-failed" {
                    thead { tr {
                        th scope="col" { (t(ctx, "Benachrichtigung", "Notification")) }
                        th scope="col" { (t(ctx, "Zuletzt an Kontakt", "Last sent to contact")) }
                        th scope="col" { (t(ctx, "Stand", "State")) }
                    } }
                    tbody { @for row in failed { tr {
                        td { (row.subject) " · " (date_time(row.sent_at_ms)) " · #" (row.seq) }
                        td { (row.contact) }
                        td { @if row.unanswered { (t(ctx, "niemand hat bestätigt", "nobody acknowledged")) }
                             @else { (t(ctx, "unbestätigt, Eskalation läuft", "not acknowledged, escalating")) } }
                    } } }
                }
            }
        }
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Other;
    let heading = super::exercise_title(
        &ctx,
        true,
        t(&ctx, "Auswertung der Übung", "After-action report"),
    );
    page(&ctx, &heading, content)
}
