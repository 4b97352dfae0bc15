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

/// The after-action report page of the exercise request `title`;
/// `not_answered` are the names of the members that pledged nothing.
pub fn after_action(
    ctx: &Ctx,
    title: &str,
    report: &AfterActionReport,
    not_answered: &[String],
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
        p { (t(ctx, "Nicht erreichte Kontakte (unbestätigte Benachrichtigungen) zeigt die Seite Benachrichtigungen dieses Knotens.",
            "Contacts that were not reached (unacknowledged notifications) are on this node's notifications page.")) }
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
