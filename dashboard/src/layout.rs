//! The frame of every page: skip link, header with navigation, language
//! switch and logout, the main region, and the live-update script (served
//! as a file, see `assets.rs`, so the Content-Security-Policy can forbid
//! inline script and style).

use maud::{DOCTYPE, Markup, html};

use crate::i18n::{Lang, Text};

/// Which navigation entry is the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Lagebild (overview).
    Lagebild,
    /// Own offers.
    Ressourcen,
    /// Search all offers.
    Register,
    /// Ask for help.
    Anfordern,
    /// Peers and sync.
    Netzwerk,
    /// Incident rooms.
    Vorfaelle,
    /// Accounts, tokens, audit log (admins).
    Verwaltung,
    /// Members, officers, proposals (admins).
    Pakt,
    /// The member's own security posture.
    Sicherheitslage,
    /// The joint security officer's workspace.
    Isb,
    /// A page outside the navigation (request detail).
    Other,
}

/// What every page needs to know about the viewer.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Interface language.
    pub lang: Lang,
    /// The account name.
    pub account: String,
    /// The role id (`admin`, `it_lead`, …).
    pub role: String,
    /// The session's CSRF token, put into every form.
    pub csrf: String,
    /// This member's name.
    pub member_name: String,
    /// May create and withdraw offers.
    pub can_offer: bool,
    /// May pledge.
    pub can_pledge: bool,
    /// May ask for help.
    pub can_request: bool,
    /// May accept pledges.
    pub can_accept: bool,
    /// May manage accounts and read the audit log.
    pub can_administer: bool,
    /// May read and edit the member's own posture.
    pub can_edit_posture: bool,
    /// Is the account of the joint security officer hosted on this node.
    pub can_review_posture: bool,
    /// Member id (text) → name from the membership log: the fallback for
    /// members that have published no profile record.
    pub member_names: Vec<(String, String)>,
    /// The current page.
    pub nav: Nav,
}

impl Ctx {
    /// The text `key` in the viewer's language.
    pub fn t(&self, key: Text) -> &'static str {
        key.get(self.lang)
    }

    /// A member's display name: its name in the membership log (approved
    /// by the pact), else the name its profile gives, else the start of its
    /// id. The log's name comes first so that a member cannot pass itself
    /// off as another by naming its profile after it.
    pub fn name_of(&self, profile_name: Option<&str>, member: &str) -> String {
        if let Some((_, name)) = self.member_names.iter().find(|(id, _)| id == member) {
            return name.clone();
        }
        profile_name.map_or_else(|| member.chars().take(12).collect(), str::to_owned)
    }

    /// The hidden CSRF field of a form.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
    }
}

fn nav_link(ctx: &Ctx, nav: Nav, href: &str, text: Text) -> Markup {
    html! {
        li { a href=(href) aria-current=[(ctx.nav == nav).then_some("page")] { (ctx.t(text)) } }
    }
}

/// A whole page.
pub(crate) fn page(ctx: &Ctx, title: &str, content: Markup) -> String {
    crate::render_check::assert_may_render();
    let other = ctx.lang.other();
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – amtshilfe" }
                link rel="stylesheet" href=(crate::assets::APP_CSS_PATH);
                script src=(crate::assets::LIVE_JS_PATH) defer {}
            }
            body {
                a.skip href="#inhalt" { (ctx.t(Text::SkipToContent)) }
                header {
                    strong { "amtshilfe · " (ctx.member_name) }
                    nav aria-label=(ctx.t(Text::Navigation)) {
                        ul {
                            (nav_link(ctx, Nav::Lagebild, "/", Text::NavLagebild))
                            (nav_link(ctx, Nav::Ressourcen, "/ressourcen", Text::NavRessourcen))
                            (nav_link(ctx, Nav::Register, "/register", Text::NavRegister))
                            (nav_link(ctx, Nav::Anfordern, "/anfordern", Text::NavAnfordern))
                            li { a href="/vorfaelle" aria-current=[(ctx.nav == Nav::Vorfaelle).then_some("page")] { (if ctx.lang == crate::Lang::De { "Vorfälle" } else { "Incidents" }) } }
                            @if ctx.can_edit_posture { li { a href="/sicherheitslage" aria-current=[(ctx.nav == Nav::Sicherheitslage).then_some("page")] { (if ctx.lang == crate::Lang::De { "Sicherheitslage" } else { "Security posture" }) } } }
                            @if ctx.can_review_posture { li { a href="/isb" aria-current=[(ctx.nav == Nav::Isb).then_some("page")] { (if ctx.lang == crate::Lang::De { "ISB-Arbeitsplatz" } else { "Officer's workspace" }) } } }
                            (nav_link(ctx, Nav::Netzwerk, "/netzwerk", Text::NavNetzwerk))
                            @if ctx.can_administer { (nav_link(ctx, Nav::Verwaltung, "/verwaltung", Text::NavVerwaltung)) }
                            // "Pakt" in both languages.
                            @if ctx.can_administer { li { a href="/pakt" aria-current=[(ctx.nav == Nav::Pakt).then_some("page")] { "Pakt" } } }
                        }
                    }
                    div.who {
                        a href={ "?lang=" (other.code()) } lang=(other.code()) { (Text::LanguageName.get(other)) }
                        span { (ctx.account) " (" (crate::i18n::role_label(ctx.lang, &ctx.role)) ")" }
                        form method="post" action="/abmelden" {
                            (ctx.csrf_field())
                            button.secondary type="submit" { (ctx.t(Text::Logout)) }
                        }
                    }
                }
                // Focusable by script and fragment only, so the skip link moves the
                // focus into the content even when it holds no link or field.
                main id="inhalt" tabindex="-1" {
                    h1 { (title) }
                    p.muted id="live-status" role="status" aria-live="polite" data-updated=(ctx.t(Text::Updated)) {}
                    (content)
                }
                footer {
                    a href="/barrierefreiheit" { (ctx.t(Text::StatementTitle)) }
                }
            }
        }
    }
    .into_string()
}
