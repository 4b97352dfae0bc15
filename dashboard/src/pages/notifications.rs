//! The on-call notifications' delivery log, a section of the Verwaltung
//! page: each alert with its number (for the acknowledgement), subject,
//! state and its latest delivery attempt. Read-only; acknowledging is the
//! API's `POST /api/notifications/{seq}/ack`.

use maud::{Markup, html};

use super::scroll_box;
use crate::Ctx;
use crate::format::date_time;
use crate::i18n::{Lang, Text};

/// One notification as the section shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    /// Its number.
    pub seq: u64,
    /// When it was recorded, ms since the epoch.
    pub created_ms: i64,
    /// German subject.
    pub subject_de: String,
    /// English subject.
    pub subject_en: String,
    /// `open`, `acknowledged`, `unanswered` or `baseline`.
    pub status: &'static str,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// The latest delivery line: contact, channel, result.
    pub last_delivery: Option<String>,
}

fn status_text(ctx: &Ctx, row: &NotificationRow) -> String {
    let text = match row.status {
        "open" => Text::NotifyOpen,
        "acknowledged" => Text::NotifyAcknowledged,
        "unanswered" => Text::NotifyUnanswered,
        _ => Text::NotifyBaseline,
    };
    match &row.acknowledged_by {
        Some(by) => format!("{} {by}", ctx.t(text)),
        None => ctx.t(text).to_owned(),
    }
}

/// The section's content.
pub(super) fn notifications(ctx: &Ctx, rows: &[NotificationRow]) -> Markup {
    html! {
        p { (ctx.t(Text::NotifyAckHint)) }
        @if rows.is_empty() { (super::none(ctx)) } @else {
            (scroll_box(ctx.t(Text::NotifyLog), html! { table data-testid="notifications" {
                thead { tr {
                    th scope="col" { (ctx.t(Text::NotifyNumber)) }
                    th scope="col" { (ctx.t(Text::When)) }
                    th scope="col" { (ctx.t(Text::NotifySubject)) }
                    th scope="col" { (ctx.t(Text::NotifyState)) }
                    th scope="col" { (ctx.t(Text::NotifyLastDelivery)) }
                } }
                tbody { @for row in rows { tr {
                    td { (row.seq) }
                    td { (date_time(row.created_ms)) }
                    td { @if ctx.lang == Lang::De { (row.subject_de) } @else { (row.subject_en) } }
                    td { (status_text(ctx, row)) }
                    td { (row.last_delivery.as_deref().unwrap_or("–")) }
                } } }
            } }))
        }
    }
}
