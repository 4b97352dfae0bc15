//! Ressourcen (this member's offers: create, edit, withdraw) and Register
//! (search every member's offers).

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::{Mode, Offer, OfferDetail, OfferStatus};
use amtshilfe_protocol::read_model::OfferEntry;
use maud::{Markup, html};

use super::offer_form::{OfferForm, kind_chooser, offer_form};
use super::{date_input, field, none, offer_what, options, status_text};
use crate::Ctx;
use crate::format::date;
use crate::i18n::{Text, label};
use crate::layout::page;

fn offer_table(ctx: &Ctx, entries: &[OfferEntry<'_>], own: bool) -> Markup {
    html! {
        @if entries.is_empty() { (none(ctx)) } @else {
            table {
                thead { tr {
                    th scope="col" { (ctx.t(Text::Title)) }
                    th scope="col" { (ctx.t(Text::What)) }
                    @if !own { th scope="col" { (ctx.t(Text::Member)) } }
                    th scope="col" { (ctx.t(Text::Free)) }
                    th scope="col" { (ctx.t(Text::Status)) }
                    th scope="col" { (ctx.t(Text::ValidFrom)) }
                    th scope="col" { (ctx.t(Text::Contact)) }
                    @if own && ctx.can_offer { th scope="col" { span.muted { (ctx.t(Text::Actions)) } } }
                } }
                tbody {
                    @for entry in entries {
                        tr {
                            td { (entry.offer.title) }
                            td { (offer_what(ctx.lang, entry.offer)) (clean_image(ctx, entry.offer)) }
                            @if !own { td { (ctx.name_of(entry.owner_name, &entry.address.owner.to_string())) } }
                            td { (entry.remaining) " / " (entry.quantity) }
                            td { (status_text(ctx.lang, entry.offer.status)) }
                            td { (date(entry.offer.valid_from_ms))
                                 @if let Some(until) = entry.offer.valid_until_ms { " – " (date(until)) } }
                            td { (entry.offer.contact.role) ", " (entry.offer.contact.phone) }
                            @if own && ctx.can_offer {
                                td {
                                    a href={ "/ressourcen/" (entry.address.id) "/bearbeiten" } aria-label={ (ctx.t(Text::Edit)) ": " (entry.offer.title) } { (ctx.t(Text::Edit)) }
                                    @if entry.offer.status != OfferStatus::OutOfService {
                                        form method="post" action={ "/ressourcen/" (entry.address.id) "/zurueckziehen" } {
                                            (ctx.csrf_field())
                                            button.secondary type="submit" aria-label={ (ctx.t(Text::Withdraw)) ": " (entry.offer.title) } { (ctx.t(Text::Withdraw)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An equipment offer's clean-image attestation, so a helper sees who
/// vouches for which image before connecting a device; equipment without
/// one says so.
fn clean_image(ctx: &Ctx, offer: &Offer) -> Markup {
    let OfferDetail::Equipment(equipment) = &offer.detail else {
        return html! {};
    };
    html! {
        @match &equipment.clean_image {
            Some(image) => {
                br;
                small.clean-image {
                    (ctx.t(Text::CleanImageBy)) " " (image.imaged_by) ", " (date(image.imaged_at_ms)) ": "
                    (image.image_name) " (SHA-256 " code { (image.image_sha256) } ")"
                }
            }
            None => { br; small.muted { (ctx.t(Text::NoCleanImage)) } }
        }
    }
}

/// The Ressourcen page: this member's offers, then the choice of kind and
/// the form for a new offer of that kind (re-shown with the error and the
/// sent values when the node refused it).
pub fn resources(ctx: &Ctx, own: &[OfferEntry<'_>], form: &OfferForm<'_>, today_ms: i64) -> String {
    let content = html! {
        section id="own-offers" data-live aria-labelledby="h-own" {
            h2 id="h-own" { (ctx.t(Text::OwnOffers)) }
            (offer_table(ctx, own, true))
        }
        @if ctx.can_offer {
            section aria-labelledby="h-new" {
                h2 id="h-new" { (ctx.t(Text::NewOffer)) ": " (label(ctx.lang, CatalogueName::OfferKind, form.kind.id())) }
                (kind_chooser(ctx, form.kind))
                (offer_form(ctx, form, today_ms))
            }
        }
    };
    page(ctx, ctx.t(Text::NavRessourcen), content)
}

/// The Register search form's values, as sent (empty means any).
#[derive(Debug, Clone, Default)]
pub struct RegisterForm {
    /// Offer kind id.
    pub kind: String,
    /// Role id.
    pub role: String,
    /// Skill id.
    pub skill: String,
    /// Equipment category id.
    pub category: String,
    /// Mode id.
    pub mode: String,
    /// Window start, `JJJJ-MM-TT`.
    pub from: String,
    /// Window end, `JJJJ-MM-TT`.
    pub until: String,
    /// Member name or AGS prefix.
    pub region: String,
    /// Matching offers skipped (the page shown starts after them).
    pub offset: usize,
}

/// Offers on one page of the Register.
pub const REGISTER_PAGE: usize = 100;

impl RegisterForm {
    /// The Register's address for this search, starting at `offset`.
    fn address(&self, offset: usize) -> String {
        let fields = [
            ("kind", &self.kind),
            ("role", &self.role),
            ("skill", &self.skill),
            ("category", &self.category),
            ("mode", &self.mode),
            ("from", &self.from),
            ("until", &self.until),
            ("region", &self.region),
        ];
        let mut query: Vec<String> = fields
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", query_value(value)))
            .collect();
        query.push(format!("offset={offset}"));
        format!("/register?{}", query.join("&"))
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The Register page: a filter form and one page of the matching offers
/// (`more`: another page follows).
pub fn register(
    ctx: &Ctx,
    form: &RegisterForm,
    results: &[OfferEntry<'_>],
    more: bool,
    error: Option<&str>,
) -> String {
    let lang = ctx.lang;
    let content = html! {
        form method="get" action="/register" role="search" {
            div.grid {
                (field("kind", ctx.t(Text::Kind), html! { select id="kind" name="kind" {
                    option value="" { "–" } (options(lang, CatalogueName::OfferKind, &form.kind)) } }))
                (field("role", ctx.t(Text::Role), html! { select id="role" name="role" {
                    option value="" { "–" } (options(lang, CatalogueName::Role, &form.role)) } }))
                (field("skill", ctx.t(Text::Skill), html! { select id="skill" name="skill" {
                    option value="" { "–" } (options(lang, CatalogueName::Skill, &form.skill)) } }))
                (field("category", ctx.t(Text::Category), html! { select id="category" name="category" {
                    option value="" { "–" } (options(lang, CatalogueName::EquipmentCategory, &form.category)) } }))
                (field("mode", ctx.t(Text::Mode), html! { select id="mode" name="mode" {
                    option value="" { "–" }
                    @for mode in Mode::ALL { option value=(mode.id()) selected[mode.id() == form.mode] { (label(lang, CatalogueName::Mode, mode.id())) } } } }))
                (date_input(lang, "from", ctx.t(Text::AvailableFrom), &form.from, false, None))
                (date_input(lang, "until", ctx.t(Text::AvailableUntil), &form.until, false, None))
                (field("region", ctx.t(Text::Region), html! { input id="region" name="region" value=(form.region) placeholder="064"; }))
            }
            p { button type="submit" { (ctx.t(Text::Search)) } }
        }
        @if let Some(error) = error { p role="alert" class="open" { (error) } }
        section id="results" data-live aria-labelledby="h-results" {
            h2 id="h-results" { (ctx.t(Text::Results)) " "
                @if results.is_empty() { "(0)" } @else { (form.offset + 1) "–" (form.offset + results.len()) } }
            (offer_table(ctx, results, false))
            nav aria-label=(ctx.t(Text::Results)) {
                @if form.offset > 0 {
                    a href=(form.address(form.offset.saturating_sub(REGISTER_PAGE))) { (ctx.t(Text::EarlierResults)) } " "
                }
                @if more { a href=(form.address(form.offset + REGISTER_PAGE)) { (ctx.t(Text::MoreResults)) } }
            }
        }
        (exports(ctx))
    };
    page(ctx, ctx.t(Text::NavRegister), content)
}

/// Download links of the registry, the request board and the mission
/// orders as CSV and JSON (`GET /api/exports/{file}`).
fn exports(ctx: &Ctx) -> Markup {
    let tables = [
        ("registry", ctx.t(Text::NavRegister)),
        ("board", ctx.t(Text::ExportBoard)),
        ("missions", ctx.t(Text::MissionOrders)),
    ];
    html! {
        section id="exports" aria-labelledby="h-exports" {
            h2 id="h-exports" { (ctx.t(Text::Exports)) }
            p { (ctx.t(Text::ExportsNote)) }
            ul {
                @for (file, name) in tables {
                    li {
                        (name) ": "
                        a href=(format!("/api/exports/{file}.csv")) download { "CSV" } " · "
                        a href=(format!("/api/exports/{file}.json")) download { "JSON" }
                    }
                }
            }
        }
    }
}
