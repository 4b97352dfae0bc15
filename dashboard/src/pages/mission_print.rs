//! The printable mission order: one page a town hall can file or hand to
//! the helpers, with both parties, the units, the time window, terms,
//! status, settlement and the fingerprints of the keys that signed the
//! acceptance and the pledge. The print style sheet (`@media print` in
//! `app.css`) drops the navigation and prints black on white.

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::{AcceptanceStatus, Contact, Need};
use maud::{Markup, html};

use crate::Ctx;
use crate::format::{date, date_time};
use crate::i18n::{Lang, Text, label};
use crate::layout::{Nav, page};

/// One party of a mission order as its profile has it.
#[derive(Debug, Clone, Default)]
pub struct PrintParty {
    /// Member id (hex).
    pub member: String,
    /// Name from the profile, if the profile has arrived.
    pub name: Option<String>,
    /// AGS, if the profile has one.
    pub ags: Option<String>,
    /// 24/7 contacts from the profile.
    pub contacts: Vec<Contact>,
    /// The device key that signed this party's record (acceptance or
    /// pledge), hex; `None` while the record has not arrived.
    pub signer: Option<String>,
}

/// What the printable mission order shows; owned, made under the core's
/// lock.
#[derive(Debug, Clone)]
pub struct MissionPrint {
    /// The acceptance id.
    pub id: String,
    /// The request's title.
    pub request_title: String,
    /// The requesting member.
    pub requester: PrintParty,
    /// The helping member.
    pub helper: PrintParty,
    /// The need the acceptance fills, if the request has arrived.
    pub need: Option<Need>,
    /// Accepted quantity.
    pub quantity: u32,
    /// The offer the pledge draws on: title, if any.
    pub offer: Option<String>,
    /// The request's time window, start and end (ms).
    pub window: (i64, i64),
    /// When it was accepted (ms).
    pub accepted_at_ms: i64,
    /// Terms of the acceptance.
    pub terms: Option<String>,
    /// Status of the acceptance.
    pub status: AcceptanceStatus,
    /// Settlement: hours, expenses in cents, and whether confirmed.
    pub settlement: Option<(u32, u64, bool)>,
    /// For an exercise request: printed with the ÜBUNG banner.
    pub exercise: bool,
}

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// A key as four-character groups, easy to read out on the phone.
pub fn grouped_hex(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn need_text(ctx: &Ctx, need: Option<&Need>) -> String {
    let Some(need) = need else {
        return "–".to_owned();
    };
    let kind = label(ctx.lang, CatalogueName::OfferKind, need.kind.id());
    let what = match (&need.equipment_category, &need.role) {
        (Some(category), _) => label(ctx.lang, CatalogueName::EquipmentCategory, category),
        (None, Some(role)) => label(ctx.lang, CatalogueName::Role, role),
        (None, None) => return kind,
    };
    format!("{what} ({kind})")
}

fn status_text(ctx: &Ctx, status: AcceptanceStatus) -> &'static str {
    match status {
        AcceptanceStatus::Accepted => t(ctx, "Angenommen, verbindlich", "Accepted, binding"),
        AcceptanceStatus::Active => t(ctx, "Im Einsatz", "Active"),
        AcceptanceStatus::Released => t(ctx, "Zurückgegeben", "Released"),
        AcceptanceStatus::Closed => t(ctx, "Abgerechnet", "Closed"),
    }
}

fn party(ctx: &Ctx, heading: &str, id: &str, party: &PrintParty, signed: &str) -> Markup {
    html! {
        section.party aria-labelledby=(id) data-testid=(id) {
            h2 id=(id) { (heading) }
            p { strong { (ctx.name_of(party.name.as_deref(), &party.member)) } }
            dl {
                @if let Some(ags) = &party.ags { dt { "AGS" } dd { (ags) } }
                dt { (t(ctx, "Mitglieds-ID", "Member id")) } dd.key { (grouped_hex(&party.member)) }
                @for contact in &party.contacts {
                    dt { (t(ctx, "Kontakt", "Contact")) } dd { (contact.role) ", " (contact.phone) ", " (contact.email) }
                }
                dt { (signed) }
                dd.key data-testid="signer" { @match &party.signer {
                    Some(key) => (grouped_hex(key)),
                    None => (t(ctx, "noch nicht eingetroffen", "not arrived yet")),
                } }
            }
        }
    }
}

/// The printable mission order page.
pub fn mission_print(ctx: &Ctx, order: &MissionPrint) -> String {
    let last_day = crate::format::last_day_before(order.window.1).max(order.window.0);
    let content = html! {
        @if order.exercise { (super::exercise_banner(ctx)) }
        p.no-print { (t(ctx, "Zum Drucken die Druckfunktion des Browsers nutzen (Strg+P).", "Use the browser's print function to print (Ctrl+P).")) }
        p { (ctx.t(Text::MissionOrder)) " " strong { (order.id) } " · " (order.request_title) }
        (party(ctx, t(ctx, "Anfordernde Stelle", "Requesting member"), "party-requester", &order.requester,
            t(ctx, "Annahme signiert von Gerät", "Acceptance signed by device")))
        (party(ctx, ctx.t(Text::Helper), "party-helper", &order.helper,
            t(ctx, "Zusage signiert von Gerät", "Pledge signed by device")))
        section.units aria-labelledby="h-units" {
            h2 id="h-units" { (t(ctx, "Einheiten und Zeitraum", "Units and time window")) }
            table {
                thead { tr { th scope="col" { (ctx.t(Text::Need)) } th scope="col" { (ctx.t(Text::Quantity)) } th scope="col" { (t(ctx, "Angebot", "Offer")) } } }
                tbody { tr { td { (need_text(ctx, order.need.as_ref())) } td { (order.quantity) } td { (order.offer.as_deref().unwrap_or("–")) } } }
            }
            p { (t(ctx, "Zeitraum", "Time window")) ": " (date(order.window.0)) " – " (date(last_day)) }
            p { (ctx.t(Text::AcceptedAt)) " " (date_time(order.accepted_at_ms)) " · " (ctx.t(Text::Status)) ": " (status_text(ctx, order.status)) }
            @if let Some(terms) = &order.terms { p { (t(ctx, "Bedingungen", "Terms")) ": " (terms) } }
            @if let Some((hours, cents, confirmed)) = order.settlement {
                p { (t(ctx, "Abrechnung", "Settlement")) ": " (hours) " h, "
                    (cents / 100) "," (format!("{:02}", cents % 100)) " EUR · "
                    (if confirmed { t(ctx, "bestätigt", "confirmed") } else { t(ctx, "nicht bestätigt", "not confirmed") }) }
            }
        }
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Other;
    let title = super::exercise_title(
        &ctx,
        order.exercise,
        &format!("{} {}", ctx.t(Text::MissionOrder), order.id),
    );
    page(&ctx, &title, content)
}
