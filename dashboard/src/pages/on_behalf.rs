//! The mark of a request posted on behalf of another member: the member
//! whose own node is down is named next to the requester, on the
//! Lagebild and on the request's page, so nobody takes it for the
//! requester's own need (it binds only the requester until the hit member
//! adopts the incident).

use amtshilfe_protocol::read_model::RequestView;
use maud::{Markup, html};

use crate::Ctx;
use crate::i18n::Lang;

/// " (vertretungsweise für X)" after the requester's name, or nothing.
pub fn on_behalf_mark(ctx: &Ctx, view: &RequestView<'_>) -> Markup {
    let Some(hit) = view.on_behalf_of else {
        return html! {};
    };
    let name = ctx.name_of(view.on_behalf_of_name, &hit.to_string());
    let text = match ctx.lang {
        Lang::De => format!("vertretungsweise für {name}"),
        Lang::En => format!("on behalf of {name}"),
    };
    html! { " " em data-testid="on-behalf" { "(" (text) ")" } }
}
