//! Hilfe anfordern: one form with the request and up to
//! [`NEED_ROWS`] typed needs (rows left at quantity 0 are ignored).

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::OfferKind;
use maud::html;

use super::{FormError, FormValues, date_input, field, options, refusal};
use crate::Ctx;
use crate::format::date;
use crate::i18n::{Text, label};
use crate::layout::page;

/// Need rows on the form.
pub const NEED_ROWS: usize = 4;

/// The Hilfe-anfordern page: empty, or after a refused submission with
/// what was typed (`values`) and why it was refused (`error`).
pub fn request_form(
    ctx: &Ctx,
    today_ms: i64,
    values: &FormValues,
    error: Option<&FormError>,
) -> String {
    let lang = ctx.lang;
    let value = |name: &str, default: String| values.get(name).cloned().unwrap_or(default);
    let invalid =
        |name: &str| (error.and_then(|e| e.field.as_deref()) == Some(name)).then_some("true");
    let content = html! {
        @if !ctx.can_request { p role="alert" { (ctx.t(Text::MayNotRequest)) } } @else {
        @if let Some(error) = error { (refusal(ctx, Text::RequestNotSent, error)) }
        form method="post" action="/anfordern" {
            (ctx.csrf_field())
            fieldset {
                legend { (ctx.t(Text::Request)) }
                div.grid {
                    (field("title", ctx.t(Text::Title), html! { input id="title" name="title" required maxlength="200" value=(value("title", String::new())) aria-invalid=[invalid("title")]; }))
                    (field("priority", ctx.t(Text::Priority), html! { select id="priority" name="priority" { (options(lang, CatalogueName::Priority, &value("priority", String::new()))) } }))
                    (date_input(lang, "start", ctx.t(Text::NeededFrom), &value("start", date(today_ms)), true, invalid("start")))
                    (date_input(lang, "end", ctx.t(Text::NeededUntil), &value("end", date(today_ms + 14 * 86_400_000)), true, invalid("end")))
                }
                (field("situation", ctx.t(Text::Situation), html! { textarea id="situation" name="situation" rows="3" cols="60" aria-invalid=[invalid("situation")] { (value("situation", String::new())) } }))
                div.field {
                    input id="exercise" name="exercise" type="checkbox" value="1" checked[values.contains_key("exercise")];
                    " "
                    label for="exercise" { (match lang {
                        crate::i18n::Lang::De => "Übung (ÜBUNG auf jeder Seite, in jeder Liste und Nachricht; zählt in keiner echten Zahl)",
                        crate::i18n::Lang::En => "Exercise (EXERCISE on every page, list and message; counts in no real figure)",
                    }) }
                }
            }
            @for row in 0..NEED_ROWS {
                @let name = |part: &str| format!("need{row}_{part}");
                fieldset {
                    legend { (ctx.t(Text::Need)) " " (row + 1) }
                    div.grid {
                        (field(&name("kind"), ctx.t(Text::Kind), html! { select id=(name("kind")) name=(name("kind")) {
                            @let chosen = value(&name("kind"), String::new());
                            @for kind in OfferKind::ALL { option value=(kind.id()) selected[kind.id() == chosen] { (label(lang, CatalogueName::OfferKind, kind.id())) } }
                        } }))
                        (field(&name("category"), ctx.t(Text::CategoryIfEquipment), html! { select id=(name("category")) name=(name("category")) aria-invalid=[invalid(&name("category"))] {
                            (options(lang, CatalogueName::EquipmentCategory, &value(&name("category"), "laptop".into()))) } }))
                        (field(&name("role"), ctx.t(Text::RoleIfPerson), html! { select id=(name("role")) name=(name("role")) aria-invalid=[invalid(&name("role"))] {
                            (options(lang, CatalogueName::Role, &value(&name("role"), "responder".into()))) } }))
                        (field(&name("mode"), ctx.t(Text::Mode), html! { select id=(name("mode")) name=(name("mode")) {
                            (options(lang, CatalogueName::Mode, &value(&name("mode"), "onsite".into()))) } }))
                        (field(&name("quantity"), ctx.t(Text::Quantity), html! { input id=(name("quantity")) name=(name("quantity")) type="number" min="0"
                            value=(value(&name("quantity"), (if row == 0 { "1" } else { "0" }).into())) aria-invalid=[invalid(&name("quantity"))]; }))
                    }
                }
            }
            button type="submit" { (ctx.t(Text::SendRequest)) }
        }
        }
    };
    page(ctx, ctx.t(Text::NavAnfordern), content)
}
