//! One request: its needs with requested, pledged, accepted and open
//! quantities, ranked suggestions, pledges (with the accept form for the
//! requester), the pledge form for other members, and the mission orders.

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::{OfferKind, PledgeStatus, RequestStatus};
use amtshilfe_protocol::posture::{AidShareLevel, AidSummary, MeasureCatalogue};
use amtshilfe_protocol::read_model::{
    MissionOrder, NeedView, OfferEntry, PledgeLink, PledgeState, RequestView, Suggestion,
};
use maud::{Markup, html};

use super::{FormError, field, none, offer_what, refusal};
use crate::Ctx;
use crate::format::{date, date_time};
use crate::i18n::{Text, label};
use crate::layout::{Nav, page};

/// What the request page shows.
#[derive(Debug)]
pub struct RequestPage<'a> {
    /// The request with its needs and pledges.
    pub view: &'a RequestView<'a>,
    /// Whether it is this member's own request.
    pub mine: bool,
    /// Ranked suggestions per need (same order as `view.needs`).
    pub suggestions: Vec<Vec<Suggestion<'a>>>,
    /// This member's available offers, to pledge from.
    pub my_offers: Vec<OfferEntry<'a>>,
    /// Mission orders of this request.
    pub missions: Vec<MissionOrder<'a>>,
    /// A pledge or acceptance of this page that was just refused.
    pub refused: Option<PageRefusal>,
    /// The requester's posture summary, when it shares one with this
    /// member (a standing pledge) or this is the requester's own request.
    pub posture: Option<AidSummary>,
}

/// Which form on the request page was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRefusal {
    /// The form.
    pub form: RefusedForm,
    /// The reason; its `field` is the id of the control to point at.
    pub error: FormError,
}

/// A form of the request page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusedForm {
    /// The pledge form of one need.
    Pledge,
    /// The accept form of one pledge.
    Acceptance,
}

impl PageRefusal {
    /// The refusal of the pledge form of the need with id `need`, about
    /// its quantity (the one field a person types there).
    pub fn pledge(view: &RequestView<'_>, need: &str, message: String) -> Self {
        let index = view.needs.iter().position(|n| n.need.id.as_str() == need);
        Self {
            form: RefusedForm::Pledge,
            error: FormError {
                message,
                field: index.map(|index| format!("pq-{index}")),
            },
        }
    }

    /// The refusal of the accept form of the pledge with id `pledge`.
    pub fn acceptance(pledge: &str, message: String) -> Self {
        Self {
            form: RefusedForm::Acceptance,
            error: FormError {
                message,
                field: Some(format!("acc-{pledge}")),
            },
        }
    }

    fn points_at(&self, id: &str) -> Option<&'static str> {
        (self.error.field.as_deref() == Some(id)).then_some("true")
    }
}

fn points_at(page: &RequestPage<'_>, id: &str) -> Option<&'static str> {
    page.refused.as_ref().and_then(|r| r.points_at(id))
}

fn need_what(ctx: &Ctx, need: &NeedView<'_>) -> String {
    let need = need.need;
    let kind = label(ctx.lang, CatalogueName::OfferKind, need.kind.id());
    match (&need.equipment_category, &need.role) {
        (Some(category), _) => format!(
            "{} ({kind})",
            label(ctx.lang, CatalogueName::EquipmentCategory, category)
        ),
        (None, Some(role)) => format!("{} ({kind})", label(ctx.lang, CatalogueName::Role, role)),
        (None, None) => kind,
    }
}

fn need_section(ctx: &Ctx, page: &RequestPage<'_>, index: usize, need: &NeedView<'_>) -> Markup {
    let view = page.view;
    let open = view.request.status == RequestStatus::Open;
    let base = format!("/anfragen/{}/{}", view.address.owner, view.address.id);
    let suggestions = page
        .suggestions
        .get(index)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let totals = need.totals;
    html! {
        section aria-labelledby={ "h-need-" (index) } {
            h2 id={ "h-need-" (index) } { (need_what(ctx, need)) ": " (totals.requested) " · "
                (label(ctx.lang, CatalogueName::Mode, need.need.mode.id())) }
            p { (ctx.t(Text::Requested)) ": " (totals.requested) " · " (ctx.t(Text::Pledged)) ": " (totals.pledged)
                " · " (ctx.t(Text::Accepted)) ": " (totals.accepted) " · "
                span class=(if totals.open > 0 { "open" } else { "done" }) data-testid="still-open" { (ctx.t(Text::StillOpen)) ": " (totals.open) } }
            h3 { (ctx.t(Text::Pledges)) }
            @if need.pledges.is_empty() { (none(ctx)) } @else {
                table {
                    thead { tr { th scope="col" { (ctx.t(Text::Member)) } th scope="col" { (ctx.t(Text::Quantity)) } th scope="col" { (ctx.t(Text::Accepted)) } th scope="col" { (ctx.t(Text::Status)) }
                        @if page.mine && ctx.can_accept { th scope="col" { (ctx.t(Text::Accept)) } } } }
                    tbody { @for pledge in &need.pledges {
                        @let left = pledge.pledge.quantity.saturating_sub(pledge.accepted_quantity);
                        tr {
                            td { (ctx.name_of(pledge.pledger_name, &pledge.address.owner.to_string())) }
                            td { (pledge.pledge.quantity) }
                            td { (pledge.accepted_quantity) }
                            td data-testid="pledge-state" { (pledge_state(ctx, pledge.state)) }
                            @if page.mine && ctx.can_accept {
                                td { @if open && left > 0 && pledge.pledge.status == PledgeStatus::Offered && pledge.state != PledgeState::Lapsed {
                                    form method="post" action={ (base) "/annahme" } {
                                        (ctx.csrf_field())
                                        input type="hidden" name="pledger" value=(pledge.address.owner);
                                        input type="hidden" name="pledge" value=(pledge.address.id);
                                        label for={ "acc-" (pledge.address.id) } { (ctx.t(Text::Quantity)) }
                                        @let id = format!("acc-{}", pledge.address.id);
                                        input id=(id) name="quantity" type="number" min="1" max=(left) value=(left) aria-invalid=[points_at(page, &id)];
                                        " " button type="submit" { (ctx.t(Text::Accept)) }
                                    }
                                } }
                            }
                        }
                    } }
                }
            }
            @if !page.mine && open && ctx.can_pledge && totals.open > 0 {
                h3 { (ctx.t(Text::PledgeHeading)) }
                form method="post" action={ (base) "/zusage" } {
                    (ctx.csrf_field())
                    input type="hidden" name="need" value=(need.need.id);
                    div.grid {
                        @let id = format!("pq-{index}");
                        (field(&id, ctx.t(Text::Quantity), html! { input id=(id) name="quantity" type="number" min="1" max=(totals.open) value=(totals.open) aria-invalid=[points_at(page, &id)]; }))
                        (field(&format!("po-{index}"), ctx.t(Text::FromOffer), html! { select id={ "po-" (index) } name="offer" {
                            option value="" { "–" }
                            @for offer in page.my_offers.iter().filter(|o| kind_fits(need, o)) {
                                option value=(offer.address.id) { (offer.offer.title) " (" (offer.remaining) ")" }
                            }
                        } }))
                    }
                    p { button type="submit" { (ctx.t(Text::Pledge)) } }
                }
            }
            @if !suggestions.is_empty() {
                details {
                    summary { (ctx.t(Text::Suggestions)) " (" (suggestions.len()) ")" }
                    ol { @for suggestion in suggestions.iter().take(10) {
                        li { (suggestion.offer.offer.title) " – " (offer_what(ctx.lang, suggestion.offer.offer)) ", "
                             (ctx.name_of(suggestion.offer.owner_name, &suggestion.offer.address.owner.to_string())) ", " (ctx.t(Text::Free)) " " (suggestion.offer.remaining) }
                    } }
                }
            }
        }
    }
}

fn kind_fits(need: &NeedView<'_>, offer: &OfferEntry<'_>) -> bool {
    let kind = super::overview::kind_id(&offer.offer.detail);
    kind == need.need.kind.id() || (need.need.kind == OfferKind::Person && kind == "team_package")
}

fn missions_section(ctx: &Ctx, page: &RequestPage<'_>) -> Markup {
    html! {
        h2 id="h-missions" { (ctx.t(Text::MissionOrders)) }
        @if page.missions.is_empty() { (none(ctx)) }
        @for order in &page.missions {
            div.mission role="group" aria-label=(ctx.t(Text::MissionOrder)) data-testid="mission-order" {
                strong { (ctx.t(Text::MissionOrder)) " " (order.address.id) }
                p { (ctx.t(Text::Requester)) ": " (ctx.name_of(None, &order.address.owner.to_string()))
                    " · " (ctx.t(Text::Helper)) ": " (ctx.name_of(None, &order.pledger.to_string()))
                    " · " (ctx.t(Text::Quantity)) ": " (order.acceptance.quantity)
                    " · " (ctx.t(Text::AcceptedAt)) " " (date_time(order.acceptance.accepted_at_ms)) }
                @match &order.pledge {
                    PledgeLink::Joined { offer: Some(offer), .. } => p { (offer.title) ", " (offer.contact.role) ", " (offer.contact.phone) }
                    PledgeLink::Joined { offer: None, .. } => {}
                    _ => p.muted { (ctx.t(Text::AwaitingPledge)) }
                }
                @if let Some(terms) = &order.acceptance.terms { p { (terms) } }
                p { a href={ "/auftraege/" (order.address.owner) "/" (order.address.id) "/druck" } data-testid="print-link" {
                    (print_label(ctx)) span.sr-only { " " (ctx.t(Text::MissionOrder)) " " (order.address.id) } } }
            }
        }
    }
}

fn print_label(ctx: &Ctx) -> &'static str {
    match ctx.lang {
        crate::i18n::Lang::De => "Drucken",
        crate::i18n::Lang::En => "Print",
    }
}

/// The request page.
pub fn request(ctx: &Ctx, page_data: &RequestPage<'_>) -> String {
    let view = page_data.view;
    let request = view.request;
    // The end counts in full (the form's last day runs to its midnight):
    // show that last day, as it was entered, not the midnight after it.
    let last_day_ms = crate::format::last_day_before(request.end_ms).max(request.start_ms);
    let content = html! {
        @if view.exercise {
            (super::exercise_banner(ctx))
            p { a href={ "/anfragen/" (view.address.owner) "/" (view.address.id) "/auswertung" } {
                (if ctx.lang == crate::i18n::Lang::De { "Auswertung der Übung" } else { "After-action report" }) } }
        }
        p { (ctx.t(Text::Requester)) ": " strong { (ctx.name_of(view.requester_name, &view.address.owner.to_string())) } (super::on_behalf_mark(ctx, view))
            " · " (ctx.t(Text::Priority)) ": " (label(ctx.lang, CatalogueName::Priority, &request.priority))
            " · " (date(request.start_ms)) " – " (date(last_day_ms)) }
        @if !request.situation.is_empty() { p { (request.situation) } }
        @if request.status != RequestStatus::Open { p role="status" class="open" { (ctx.t(Text::RequestNotOpen)) } }
        @if let Some(refused) = &page_data.refused {
            (refusal(ctx, match refused.form {
                RefusedForm::Pledge => Text::PledgeNotSaved,
                RefusedForm::Acceptance => Text::AcceptanceNotSaved,
            }, &refused.error))
        }
        div id="request-live" data-live data-src=(format!("/anfragen/{}/{}", view.address.owner, view.address.id)) {
            @for (index, need) in view.needs.iter().enumerate() { (need_section(ctx, page_data, index, need)) }
            (missions_section(ctx, page_data))
        }
        @if let Some(summary) = &page_data.posture { (posture_section(ctx, summary)) }
        @if page_data.mine && ctx.can_request { (posture_share_form(ctx, page_data)) }
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Other;
    let title = super::exercise_title(&ctx, view.exercise, &request.title);
    page(&ctx, &title, content)
}

/// What the requester shares of its security posture with the helpers
/// pledging on its request: flags, never answers.
fn posture_section(ctx: &Ctx, summary: &AidSummary) -> Markup {
    let flags = MeasureCatalogue::builtin();
    let label_of = |id: &str| {
        flags
            .red_flags
            .iter()
            .find(|entry| entry.id == id)
            .map_or_else(
                || id.to_owned(),
                |entry| match ctx.lang {
                    crate::i18n::Lang::De => entry.de.clone(),
                    crate::i18n::Lang::En => entry.en.clone(),
                },
            )
    };
    html! {
        section aria-labelledby="h-posture" {
            h2 id="h-posture" { (ctx.t(Text::RequesterPosture)) }
            p.muted { (ctx.t(Text::RequesterPostureHint)) " " (date(summary.shared_at_ms)) }
            p { (ctx.t(Text::IrsEligible)) ": "
                strong { (if summary.irs_eligible { ctx.t(Text::Yes) } else { ctx.t(Text::No) }) } }
            @if let Some(raised) = &summary.raised_red_flags {
                @if raised.is_empty() { p { (ctx.t(Text::NoRedFlags)) } } @else {
                    p { (ctx.t(Text::RedFlagsRaised)) ":" }
                    ul { @for flag in raised { li { (label_of(flag)) } } }
                }
            }
        }
    }
}

/// The requester's consent: what of its posture the members pledging on
/// this request may see, or nothing.
fn posture_share_form(ctx: &Ctx, page_data: &RequestPage<'_>) -> Markup {
    let view = page_data.view;
    let current = page_data.posture.as_ref().map(|summary| summary.level);
    let choices = [
        ("none", Text::ShareNothing, current.is_none()),
        (
            "eligibility",
            Text::ShareEligibility,
            current == Some(AidShareLevel::Eligibility),
        ),
        (
            "eligibility_and_red_flags",
            Text::ShareEligibilityAndFlags,
            current == Some(AidShareLevel::EligibilityAndRedFlags),
        ),
    ];
    html! {
        form method="post" action={ "/anfragen/" (view.address.owner) "/" (view.address.id) "/sicherheitslage" } {
            (ctx.csrf_field())
            fieldset {
                legend { (ctx.t(Text::SharePosture)) }
                p.muted { (ctx.t(Text::SharePostureHint)) }
                @for (value, text, checked) in choices {
                    label { input type="radio" name="level" value=(value) checked[checked]; " " (ctx.t(text)) }
                }
            }
            button type="submit" { (ctx.t(Text::SharePostureSave)) }
        }
    }
}

/// Where a pledge stands, as the page says it.
fn pledge_state(ctx: &Ctx, state: PledgeState) -> &'static str {
    ctx.t(match state {
        PledgeState::Offered => Text::PledgeStanding,
        PledgeState::Accepted => Text::PledgeAccepted,
        PledgeState::Finished => Text::PledgeFinished,
        PledgeState::Withdrawn => Text::PledgeWithdrawn,
        PledgeState::Declined => Text::PledgeDeclined,
        PledgeState::Lapsed => Text::PledgeLapsed,
    })
}
