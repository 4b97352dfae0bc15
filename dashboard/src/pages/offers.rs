//! Ressourcen (this member's offers: create, withdraw) and Register
//! (search every member's offers).

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::{Mode, OfferKind, OfferStatus};
use amtshilfe_protocol::read_model::OfferEntry;
use maud::{Markup, html};

use super::{field, none, offer_what, options, status_text};
use crate::Ctx;
use crate::format::{date, iso_date};
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
                            td { (offer_what(ctx.lang, entry.offer)) }
                            @if !own { td { (ctx.name_of(entry.owner_name, &entry.address.owner.to_string())) } }
                            td { (entry.remaining) " / " (entry.quantity) }
                            td { (status_text(ctx.lang, entry.offer.status)) }
                            td { (date(entry.offer.valid_from_ms))
                                 @if let Some(until) = entry.offer.valid_until_ms { " – " (date(until)) } }
                            td { (entry.offer.contact.role) ", " (entry.offer.contact.phone) }
                            @if own && ctx.can_offer {
                                td {
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

fn offer_form(ctx: &Ctx, today_ms: i64) -> Markup {
    let lang = ctx.lang;
    html! {
        section aria-labelledby="h-new" {
            h2 id="h-new" { (ctx.t(Text::NewOffer)) }
            form method="post" action="/ressourcen" {
                (ctx.csrf_field())
                fieldset {
                    legend { (ctx.t(Text::General)) }
                    div.grid {
                        (field("kind", ctx.t(Text::Kind), html! { select id="kind" name="kind" {
                            @for kind in [OfferKind::Equipment, OfferKind::Person, OfferKind::RemoteCapacity] {
                                option value=(kind.id()) { (label(lang, CatalogueName::OfferKind, kind.id())) }
                            }
                        } }))
                        (field("title", ctx.t(Text::Title), html! { input id="title" name="title" required maxlength="200"; }))
                        (field("valid_from", ctx.t(Text::ValidFrom), html! { input id="valid_from" name="valid_from" type="date" required value=(iso_date(today_ms)); }))
                        (field("valid_until", ctx.t(Text::ValidUntil), html! { input id="valid_until" name="valid_until" type="date"; }))
                        (field("contact_role", ctx.t(Text::ContactRole), html! { input id="contact_role" name="contact_role" required value="IT-Rufbereitschaft"; }))
                        (field("contact_phone", ctx.t(Text::ContactPhone), html! { input id="contact_phone" name="contact_phone" type="tel" required; }))
                        (field("contact_email", ctx.t(Text::ContactEmail), html! { input id="contact_email" name="contact_email" type="email" required; }))
                        (field("notes", ctx.t(Text::Notes), html! { input id="notes" name="notes"; }))
                    }
                }
                fieldset {
                    legend { (label(lang, CatalogueName::OfferKind, "equipment")) }
                    div.grid {
                        (field("category", ctx.t(Text::Category), html! { select id="category" name="category" { (options(lang, CatalogueName::EquipmentCategory, "laptop")) } }))
                        (field("quantity", ctx.t(Text::Quantity), html! { input id="quantity" name="quantity" type="number" min="1" value="1"; }))
                        (field("image_state", ctx.t(Text::ImageState), html! { select id="image_state" name="image_state" { (options(lang, CatalogueName::ImageState, "clean_standalone")) } }))
                        (field("location", ctx.t(Text::Location), html! { input id="location" name="location"; }))
                        (field("setup_hours", ctx.t(Text::SetupHours), html! { input id="setup_hours" name="setup_hours" type="number" min="0" value="0"; }))
                        (field("transport", ctx.t(Text::Transport), html! { input id="transport" name="transport"; }))
                    }
                    label { input type="checkbox" name="own_communications" value="on"; " " (ctx.t(Text::OwnCommunications)) }
                    label { input type="checkbox" name="wiped_on_return" value="on"; " " (ctx.t(Text::WipedOnReturn)) }
                }
                fieldset {
                    legend { (label(lang, CatalogueName::OfferKind, "person")) }
                    div.grid {
                        (field("role", ctx.t(Text::Role), html! { select id="role" name="role" { (options(lang, CatalogueName::Role, "responder")) } }))
                        (field("mode", ctx.t(Text::Mode), html! { select id="mode" name="mode" { (options(lang, CatalogueName::Mode, "both")) } }))
                        (field("skill", ctx.t(Text::Skill), html! { select id="skill" name="skill" { option value="" { "–" } (options(lang, CatalogueName::Skill, "")) } }))
                        (field("skill_level", ctx.t(Text::SkillLevel), html! { select id="skill_level" name="skill_level" { (options(lang, CatalogueName::SkillLevel, "2")) } }))
                        (field("employment_basis", ctx.t(Text::EmploymentBasis), html! { select id="employment_basis" name="employment_basis" { (options(lang, CatalogueName::EmploymentBasis, "")) } }))
                        (field("travel_radius_km", ctx.t(Text::TravelRadius), html! { input id="travel_radius_km" name="travel_radius_km" type="number" min="0" value="50"; }))
                    }
                }
                fieldset {
                    legend { (label(lang, CatalogueName::OfferKind, "remote_capacity")) }
                    div.grid {
                        (field("hours_per_week", ctx.t(Text::HoursPerWeek), html! { input id="hours_per_week" name="hours_per_week" type="number" min="1" value="8"; }))
                        (field("response_time_minutes", ctx.t(Text::ResponseMinutes), html! { input id="response_time_minutes" name="response_time_minutes" type="number" min="1" value="60"; }))
                        (field("coverage_hours", ctx.t(Text::CoverageHours), html! { input id="coverage_hours" name="coverage_hours" value="Mo–Fr 7–18 Uhr"; }))
                    }
                }
                button type="submit" { (ctx.t(Text::SaveOffer)) }
            }
        }
    }
}

/// The Ressourcen page: this member's offers and the form for a new one.
pub fn resources(ctx: &Ctx, own: &[OfferEntry<'_>], today_ms: i64) -> String {
    let content = html! {
        section id="own-offers" data-live aria-labelledby="h-own" {
            h2 id="h-own" { (ctx.t(Text::OwnOffers)) }
            (offer_table(ctx, own, true))
        }
        @if ctx.can_offer { (offer_form(ctx, today_ms)) }
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
}

/// The Register page: a filter form and the matching offers.
pub fn register(
    ctx: &Ctx,
    form: &RegisterForm,
    results: &[OfferEntry<'_>],
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
                (field("from", ctx.t(Text::AvailableFrom), html! { input id="from" name="from" type="date" value=(form.from); }))
                (field("until", ctx.t(Text::AvailableUntil), html! { input id="until" name="until" type="date" value=(form.until); }))
                (field("region", ctx.t(Text::Region), html! { input id="region" name="region" value=(form.region) placeholder="064"; }))
            }
            p { button type="submit" { (ctx.t(Text::Search)) } }
        }
        @if let Some(error) = error { p role="alert" class="open" { (error) } }
        section id="results" data-live aria-labelledby="h-results" {
            h2 id="h-results" { (ctx.t(Text::Results)) " (" (results.len()) ")" }
            (offer_table(ctx, results, false))
        }
    };
    page(ctx, ctx.t(Text::NavRegister), content)
}
