//! The pact's emergency contact sheet: every member's 24/7 primary and
//! deputy contact on one page, to print and keep on paper (when the mail
//! server is encrypted, the list on the wall is what is left; DOMAIN
//! "red flags"). Members whose contacts are stale are marked. The print
//! style sheet (`@media print` in `app.css`) drops the navigation.

use amtshilfe_protocol::model::Contact;
use amtshilfe_protocol::pact::{CONTACTS_CONFIRM_DAYS, StaleReason};
use maud::{Markup, html};

use crate::Ctx;
use crate::format::{date, date_time};
use crate::i18n::Lang;
use crate::layout::{Nav, page};

/// One member on the contact sheet.
#[derive(Debug, Clone)]
pub struct ContactSheetRow {
    /// Name (profile, else membership log).
    pub name: String,
    /// AGS, if the profile has one.
    pub ags: Option<String>,
    /// 24/7 primary contact; `None` while no profile has arrived.
    pub primary: Option<Contact>,
    /// 24/7 deputy contact.
    pub deputy: Option<Contact>,
    /// Last confirmation of the contacts, ms.
    pub confirmed_ms: Option<i64>,
    /// Why the contacts are stale, if they are.
    pub stale: Option<StaleReason>,
}

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// "veraltet" with its reason, for the sheet and the Lagebild.
pub fn stale_text(ctx: &Ctx, reason: StaleReason) -> &'static str {
    match reason {
        StaleReason::NoProfile => t(ctx, "fehlt (kein Profil)", "missing (no profile)"),
        StaleReason::NeverConfirmed => t(ctx, "nie bestätigt", "never confirmed"),
        StaleReason::Expired => t(
            ctx,
            "veraltet (älter als ein Quartal)",
            "stale (older than a quarter)",
        ),
    }
}

fn contact(ctx: &Ctx, contact: Option<&Contact>) -> Markup {
    html! {
        @match contact {
            Some(c) => {
                (c.role) br;
                a href={ "tel:" (c.phone.replace(' ', "")) } { (c.phone) } br;
                a href={ "mailto:" (c.email) } { (c.email) }
            }
            None => (t(ctx, "nicht bekannt", "not known")),
        }
    }
}

/// The contact sheet page, printed at `now_ms`.
pub fn contact_sheet(ctx: &Ctx, pact_name: &str, rows: &[ContactSheetRow], now_ms: i64) -> String {
    let content = html! {
        p.no-print { (t(ctx, "Zum Drucken die Druckfunktion des Browsers nutzen (Strg+P). Ausgedruckt aufbewahren: bei einem Angriff sind E-Mail und Telefonanlage oft weg.",
            "Use the browser's print function (Ctrl+P). Keep it on paper: in an attack, e-mail and the phone system are often gone.")) }
        p { strong { (pact_name) } " · " (t(ctx, "Stand", "As of")) " " (date_time(now_ms)) }
        p { (t(ctx, "Jedes Mitglied bestätigt seine Kontakte mindestens alle", "Every member confirms its contacts at least every"))
            " " (CONTACTS_CONFIRM_DAYS) " " (t(ctx, "Tage.", "days.")) }
        table data-testid="contact-sheet" {
            thead { tr {
                th scope="col" { (t(ctx, "Mitglied", "Member")) }
                th scope="col" { (t(ctx, "24/7-Kontakt", "24/7 contact")) }
                th scope="col" { (t(ctx, "Vertretung", "Deputy")) }
                th scope="col" { (t(ctx, "Bestätigt", "Confirmed")) }
            } }
            tbody {
                @for row in rows {
                    tr data-stale=[row.stale.map(|_| "true")] {
                        th scope="row" { (row.name) @if let Some(ags) = &row.ags { br; "AGS " (ags) } }
                        td { (contact(ctx, row.primary.as_ref())) }
                        td { (contact(ctx, row.deputy.as_ref())) }
                        td class=(if row.stale.is_some() { "open" } else { "done" }) {
                            (row.confirmed_ms.map(date).unwrap_or_else(|| "–".into()))
                            @if let Some(reason) = row.stale { br; strong { (stale_text(ctx, reason)) } }
                        }
                    }
                }
            }
        }
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Other;
    page(
        &ctx,
        t(
            &ctx,
            "Notfall-Kontaktliste des Pakts",
            "Pact emergency contact sheet",
        ),
        content,
    )
}

/// The Lagebild's column heading for the contacts' state.
pub(super) fn contacts_heading(ctx: &Ctx) -> &'static str {
    t(ctx, "24/7-Kontakte", "24/7 contacts")
}

/// The Lagebild's cell: current, or stale with its reason.
pub(super) fn contacts_cell(ctx: &Ctx, stale: Option<StaleReason>) -> Markup {
    html! {
        @match stale {
            None => td.done { (t(ctx, "bestätigt", "confirmed")) },
            Some(reason) => td.open data-testid="contacts-stale" { strong { (stale_text(ctx, reason)) } },
        }
    }
}

/// The Lagebild's link to the contact sheet.
pub(super) fn sheet_link(ctx: &Ctx) -> &'static str {
    t(
        ctx,
        "Notfall-Kontaktliste zum Ausdrucken",
        "Emergency contact sheet to print",
    )
}
