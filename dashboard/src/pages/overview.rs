//! Lagebild: open requests across the pact, available capacity by kind,
//! and which members are reachable and when each last synced.

use std::collections::BTreeMap;

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::{OfferDetail, RequestStatus};
use amtshilfe_protocol::read_model::{CapacityKey, CapacityTotal, RequestView};
use maud::html;

use super::none;
use crate::Ctx;
use crate::format::date_time;
use crate::i18n::{Text, label};
use crate::layout::page;

/// One member on the overview.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// Display name.
    pub name: String,
    /// This node's own member.
    pub is_self: bool,
    /// Last completed sync with one of its devices, ms.
    pub last_sync_ms: Option<i64>,
    /// Synced recently enough to count as reachable.
    pub reachable: bool,
    /// Why its 24/7 contacts are stale, if they are.
    pub contacts_stale: Option<amtshilfe_protocol::pact::StaleReason>,
}

/// The Lagebild page; `capacity` is the pact's available capacity as the
/// read model keeps it (a few rows, whatever the number of offers), here
/// labelled and summed by label.
pub fn overview(
    ctx: &Ctx,
    board: &[RequestView<'_>],
    capacity: &BTreeMap<CapacityKey, CapacityTotal>,
    members: &[MemberRow],
) -> String {
    let open: Vec<&RequestView<'_>> = board
        .iter()
        .filter(|view| view.request.status == RequestStatus::Open)
        .collect();
    let mut by_label: BTreeMap<String, u64> = BTreeMap::new();
    for (key, total) in capacity {
        let (catalogue, id) = match key {
            CapacityKey::EquipmentCategory(category) => {
                (CatalogueName::EquipmentCategory, category.as_str())
            }
            CapacityKey::Role(role) => (CatalogueName::Role, role.as_str()),
            CapacityKey::Kind(kind) => (CatalogueName::OfferKind, kind.id()),
        };
        *by_label.entry(label(ctx.lang, catalogue, id)).or_default() += total.units;
    }
    let capacity = by_label;
    let own_stale = members
        .iter()
        .find(|m| m.is_self)
        .and_then(|m| m.contacts_stale);
    let content = html! {
        @if let Some(reason) = own_stale {
            // The member's own contacts are its to confirm: said first,
            // with the way to do it.
            p.notice role="note" data-testid="own-contacts-stale" {
                (match ctx.lang {
                    crate::i18n::Lang::De => "Ihre 24/7-Kontakte sind ",
                    crate::i18n::Lang::En => "Your 24/7 contacts are ",
                })
                strong { (super::stale_text(ctx, reason)) } ". "
                a href=(super::OWN_CONTACTS_PATH) { (match ctx.lang {
                    crate::i18n::Lang::De => "Jetzt prüfen und bestätigen",
                    crate::i18n::Lang::En => "Check and confirm them now",
                }) }
            }
        }
        section id="open-requests" data-live aria-labelledby="h-open" {
            // Exercises are listed (marked) but never counted.
            h2 id="h-open" { (ctx.t(Text::OpenRequests)) " (" (open.iter().filter(|v| !v.exercise).count()) ")" }
            @if open.is_empty() { (none(ctx)) } @else {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t(Text::Request)) }
                        th scope="col" { (ctx.t(Text::Requester)) }
                        th scope="col" { (ctx.t(Text::Priority)) }
                        th scope="col" { (ctx.t(Text::Needs)) }
                        th scope="col" { (ctx.t(Text::StillOpen)) }
                    } }
                    tbody {
                        @for view in &open {
                            @let open_units: u32 = view.needs.iter().map(|n| n.totals.open).sum();
                            @let requested: u32 = view.needs.iter().map(|n| n.totals.requested).sum();
                            tr {
                                td { a href={ "/anfragen/" (view.address.owner) "/" (view.address.id) } { (view.request.title) } @if view.exercise { (super::exercise_badge(ctx)) } }
                                td { (ctx.name_of(view.requester_name, &view.address.owner.to_string())) (super::on_behalf_mark(ctx, view)) }
                                td { (label(ctx.lang, CatalogueName::Priority, &view.request.priority)) }
                                td { (view.needs.len()) " · " (date_time(view.request.start_ms)) }
                                td class=(if open_units > 0 { "open" } else { "done" }) { (open_units) " / " (requested) }
                            }
                        }
                    }
                }
            }
        }
        section id="capacity" data-live aria-labelledby="h-cap" {
            h2 id="h-cap" { (ctx.t(Text::AvailableCapacity)) }
            @if capacity.is_empty() { (none(ctx)) } @else {
                table {
                    thead { tr { th scope="col" { (ctx.t(Text::What)) } th scope="col" { (ctx.t(Text::Free)) } } }
                    tbody { @for (what, count) in &capacity { tr { td { (what) } td { (count) } } } }
                }
            }
        }
        // Quiet: its sync times change every round, which is no news to
        // announce (the live script still swaps it).
        section id="members" data-live data-quiet aria-labelledby="h-members" {
            h2 id="h-members" { (ctx.t(Text::Members)) }
            table {
                thead { tr {
                    th scope="col" { (ctx.t(Text::Member)) }
                    th scope="col" { (ctx.t(Text::Reachable)) }
                    th scope="col" { (ctx.t(Text::LastSync)) }
                    th scope="col" { (super::contact_sheet::contacts_heading(ctx)) }
                } }
                tbody {
                    @for member in members {
                        tr {
                            td { (member.name) @if member.is_self { " (" (ctx.t(Text::ThisNode)) ")" } }
                            td class=(if member.reachable || member.is_self { "done" } else { "open" }) {
                                (if member.is_self { ctx.t(Text::ThisNode) } else if member.reachable { ctx.t(Text::Yes) } else { ctx.t(Text::No) })
                            }
                            td { (member.last_sync_ms.map(date_time).unwrap_or_else(|| "–".into())) }
                            (super::contact_sheet::contacts_cell(ctx, member.contacts_stale))
                        }
                    }
                }
            }
            p { a href="/pakt/kontakte" { (super::contact_sheet::sheet_link(ctx)) } " · "
                a href="/pakt/vereinbarung" { (if ctx.lang == crate::i18n::Lang::De { "Vereinbarung des Pakts" } else { "The pact's agreement" }) } }
        }
    };
    page(ctx, ctx.t(Text::NavLagebild), content)
}

pub(crate) fn kind_id(detail: &OfferDetail) -> &'static str {
    match detail {
        OfferDetail::Person(_) => "person",
        OfferDetail::RemoteCapacity(_) => "remote_capacity",
        OfferDetail::Equipment(_) => "equipment",
        OfferDetail::TeamPackage(_) => "team_package",
        OfferDetail::ServiceRelocation(_) => "service_relocation",
    }
}
