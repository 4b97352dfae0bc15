//! This member's own 24/7 contacts: the form that sets them (which
//! confirms them) and the button that confirms them unchanged, due every
//! quarter. A member writes only its own profile, so this is the page the
//! Pakt page, the contact sheet and the Lagebild's hint link to.

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::Contact;
use amtshilfe_protocol::pact::{CONTACTS_CONFIRM_DAYS, StaleReason};
use maud::{Markup, html};

use super::options;
use crate::Ctx;
use crate::format::date_time;
use crate::i18n::Lang;
use crate::layout::{Nav, page};

/// Where the page posts.
pub const OWN_CONTACTS_PATH: &str = "/pakt/kontakte/eigene";

/// What the page shows.
#[derive(Debug, Clone, Default)]
pub struct OwnContactsView {
    /// The contacts as saved, if the member has a profile.
    pub primary: Option<Contact>,
    /// The deputy as saved.
    pub deputy: Option<Contact>,
    /// The last confirmation, ms.
    pub confirmed_ms: Option<i64>,
    /// Why they are stale now, if they are.
    pub stale: Option<StaleReason>,
    /// The form's values after a refusal (name → value).
    pub values: Vec<(String, String)>,
    /// Why the last form was refused.
    pub error: Option<String>,
}

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

fn contact_fields(
    ctx: &Ctx,
    view: &OwnContactsView,
    prefix: &str,
    saved: Option<&Contact>,
) -> Markup {
    let value = |field: &str, saved: Option<&str>| {
        let name = format!("{prefix}_{field}");
        view.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| saved.map(str::to_owned))
            .unwrap_or_default()
    };
    html! {
        label for={ (prefix) "_role" } { (t(ctx, "Funktion", "Role")) }
        input id={ (prefix) "_role" } name={ (prefix) "_role" } required maxlength="200" value=(value("role", saved.map(|c| c.role.as_str())));
        label for={ (prefix) "_phone" } { (t(ctx, "Telefon (24/7)", "Phone (24/7)")) }
        input type="tel" id={ (prefix) "_phone" } name={ (prefix) "_phone" } required autocomplete="tel" value=(value("phone", saved.map(|c| c.phone.as_str())));
        label for={ (prefix) "_email" } { (t(ctx, "E-Mail (Funktionspostfach)", "E-mail (functional mailbox)")) }
        input type="email" id={ (prefix) "_email" } name={ (prefix) "_email" } required autocomplete="email" value=(value("email", saved.map(|c| c.email.as_str())));
    }
}

/// The page.
pub fn own_contacts(ctx: &Ctx, view: &OwnContactsView) -> String {
    let has_profile = view.primary.is_some();
    let content = html! {
        p { (t(ctx, "Die 24/7-Kontakte dieses Mitglieds stehen auf der Kontaktliste des Pakts. Bestätigen Sie sie mindestens einmal im Quartal (",
                "This member's 24/7 contacts are on the pact's contact sheet. Confirm them at least once a quarter ("))
            (CONTACTS_CONFIRM_DAYS) (t(ctx, " Tage); jedes Mitglied pflegt nur seine eigenen.", " days); each member keeps only its own.")) }
        p data-testid="own-contacts-state" {
            (t(ctx, "Zuletzt bestätigt: ", "Last confirmed: "))
            @match view.confirmed_ms { Some(at) => (date_time(at)), None => (t(ctx, "nie", "never")) }
            @if let Some(reason) = view.stale {
                " – " strong.open { (super::stale_text(ctx, reason)) }
            }
        }
        @if let Some(error) = &view.error { p.error role="alert" { (error) } }
        @if has_profile {
            form method="post" action={ (OWN_CONTACTS_PATH) "/bestaetigen" } {
                (ctx.csrf_field())
                button type="submit" data-testid="confirm-contacts" { (t(ctx, "Kontakte unverändert bestätigen", "Confirm the contacts unchanged")) }
            }
        }
        form method="post" action=(OWN_CONTACTS_PATH) data-testid="own-contacts-form" {
            (ctx.csrf_field())
            fieldset {
                legend { (t(ctx, "Erster Kontakt (24/7)", "Primary contact (24/7)")) }
                (contact_fields(ctx, view, "primary", view.primary.as_ref()))
            }
            fieldset {
                legend { (t(ctx, "Vertretung (24/7)", "Deputy (24/7)")) }
                (contact_fields(ctx, view, "deputy", view.deputy.as_ref()))
            }
            @if !has_profile {
                fieldset {
                    legend { (t(ctx, "Mitglied (einmalig)", "Member (once)")) }
                    label for="kind" { (t(ctx, "Art", "Kind")) }
                    select id="kind" name="kind" { (options(ctx.lang, CatalogueName::MemberKind, "landkreis")) }
                    label for="ags" { (t(ctx, "Amtlicher Gemeindeschlüssel (AGS)", "Official municipality key (AGS)")) }
                    input id="ags" name="ags" inputmode="numeric" pattern="[0-9]{2,8}";
                }
            }
            button type="submit" { (t(ctx, "Speichern und bestätigen", "Save and confirm")) }
        }
        p { a href="/pakt/kontakte" { (t(ctx, "Kontaktliste des Pakts", "The pact's contact sheet")) } }
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Other;
    page(
        &ctx,
        t(&ctx, "Eigene 24/7-Kontakte", "Own 24/7 contacts"),
        content,
    )
}
