//! Hilfe anfordern: one form with the request and up to
//! [`NEED_ROWS`] typed needs (rows left at quantity 0 are ignored).

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::OfferKind;
use maud::html;

use super::{field, options};
use crate::Ctx;
use crate::format::iso_date;
use crate::i18n::{Text, label};
use crate::layout::page;

/// Need rows on the form.
pub const NEED_ROWS: usize = 4;

/// The Hilfe-anfordern page.
pub fn request_form(ctx: &Ctx, today_ms: i64) -> String {
    let lang = ctx.lang;
    let content = html! {
        @if !ctx.can_request { p role="alert" { (ctx.t(Text::MayNotRequest)) } } @else {
        form method="post" action="/anfordern" {
            (ctx.csrf_field())
            fieldset {
                legend { (ctx.t(Text::Request)) }
                div.grid {
                    (field("title", ctx.t(Text::Title), html! { input id="title" name="title" required maxlength="200"; }))
                    (field("priority", ctx.t(Text::Priority), html! { select id="priority" name="priority" { (options(lang, CatalogueName::Priority, "")) } }))
                    (field("start", ctx.t(Text::NeededFrom), html! { input id="start" name="start" type="date" required value=(iso_date(today_ms)); }))
                    (field("end", ctx.t(Text::NeededUntil), html! { input id="end" name="end" type="date" required value=(iso_date(today_ms + 14 * 86_400_000)); }))
                }
                (field("situation", ctx.t(Text::Situation), html! { textarea id="situation" name="situation" rows="3" cols="60" {} }))
            }
            @for row in 0..NEED_ROWS {
                fieldset {
                    legend { (ctx.t(Text::Need)) " " (row + 1) }
                    div.grid {
                        (field(&format!("need{row}_kind"), ctx.t(Text::Kind), html! { select id={ "need" (row) "_kind" } name={ "need" (row) "_kind" } {
                            @for kind in OfferKind::ALL { option value=(kind.id()) { (label(lang, CatalogueName::OfferKind, kind.id())) } }
                        } }))
                        (field(&format!("need{row}_category"), ctx.t(Text::CategoryIfEquipment), html! { select id={ "need" (row) "_category" } name={ "need" (row) "_category" } {
                            (options(lang, CatalogueName::EquipmentCategory, "laptop")) } }))
                        (field(&format!("need{row}_role"), ctx.t(Text::RoleIfPerson), html! { select id={ "need" (row) "_role" } name={ "need" (row) "_role" } {
                            (options(lang, CatalogueName::Role, "responder")) } }))
                        (field(&format!("need{row}_mode"), ctx.t(Text::Mode), html! { select id={ "need" (row) "_mode" } name={ "need" (row) "_mode" } {
                            (options(lang, CatalogueName::Mode, "onsite")) } }))
                        (field(&format!("need{row}_quantity"), ctx.t(Text::Quantity), html! { input id={ "need" (row) "_quantity" } name={ "need" (row) "_quantity" } type="number" min="0" value=(if row == 0 { "1" } else { "0" }); }))
                    }
                }
            }
            button type="submit" { (ctx.t(Text::SendRequest)) }
        }
        }
    };
    page(ctx, ctx.t(Text::NavAnfordern), content)
}
