//! The frame of every page: skip link, header with navigation, language
//! switch and logout, the main region, and the live-update script.

use maud::{DOCTYPE, Markup, PreEscaped, html};

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
    /// Accounts, tokens, audit log (admins).
    Verwaltung,
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

    /// A member's display name: its profile's name if it published one,
    /// else its name in the membership log, else the start of its id.
    pub fn name_of(&self, profile_name: Option<&str>, member: &str) -> String {
        if let Some(name) = profile_name {
            return name.to_owned();
        }
        self.member_names
            .iter()
            .find(|(id, _)| id == member)
            .map_or_else(
                || member.chars().take(12).collect(),
                |(_, name)| name.clone(),
            )
    }

    /// The hidden CSRF field of a form.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
    }
}

const STYLE: &str = r#"
:root{--fg:#1a1a1a;--bg:#fff;--accent:#0b4f9c;--muted:#555;--line:#c8c8c8;--warn:#8a1c1c;--ok:#1d5e20}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0b400;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
header{background:var(--accent);color:#fff;padding:8px 16px;display:flex;flex-wrap:wrap;gap:12px;align-items:center}
header a{color:#fff}header nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:12px;margin:0;padding:0}
header nav a[aria-current=page]{font-weight:bold;text-decoration:underline}
header .who{margin-left:auto;display:flex;gap:8px;align-items:center}
main{padding:16px;max-width:1200px}table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef2f7}
fieldset{border:1px solid var(--line);margin:0 0 12px;padding:8px 12px}label{display:block;margin:6px 0 2px;font-weight:600}
input,select,textarea{font:inherit;padding:4px;border:1px solid #767676;max-width:100%}
button{font:inherit;padding:6px 14px;background:var(--accent);color:#fff;border:0;border-radius:3px;cursor:pointer}
button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
.open{color:var(--warn);font-weight:bold}.done{color:var(--ok);font-weight:bold}.muted{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:8px 16px}
.mission{border:2px solid var(--ok);padding:8px 12px;margin:8px 0}
.notice{border:2px solid var(--ok);padding:8px 12px;margin:8px 0 16px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.error{border:2px solid var(--warn);padding:8px 12px;margin:8px 0 16px;color:var(--warn)}
[aria-invalid=true]{border:2px solid var(--warn)}
"#;

/// Reloads the `[data-live]` sections of the page when the node reports a
/// change; forms outside those sections keep what the user typed.
const LIVE_SCRIPT: &str = r#"
(function(){if(!window.EventSource||!window.fetch)return;var es=new EventSource('/events'),busy=false;
es.addEventListener('change',function(){if(busy)return;busy=true;setTimeout(function(){
fetch(location.href,{credentials:'same-origin'}).then(function(r){return r.ok?r.text():null}).then(function(t){busy=false;if(!t)return;
var d=new DOMParser().parseFromString(t,'text/html');
document.querySelectorAll('[data-live]').forEach(function(el){var n=d.getElementById(el.id);if(n)el.replaceWith(n);});
var s=document.getElementById('live-status');if(s)s.textContent=s.getAttribute('data-updated')+' '+new Date().toLocaleTimeString('de-DE');
}).catch(function(){busy=false;});},250);});})();
"#;

fn nav_link(ctx: &Ctx, nav: Nav, href: &str, text: Text) -> Markup {
    html! {
        li { a href=(href) aria-current=[(ctx.nav == nav).then_some("page")] { (ctx.t(text)) } }
    }
}

/// A whole page.
pub(crate) fn page(ctx: &Ctx, title: &str, content: Markup) -> String {
    let other = ctx.lang.other();
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – amtshilfe" }
                style { (PreEscaped(STYLE)) }
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
                            (nav_link(ctx, Nav::Netzwerk, "/netzwerk", Text::NavNetzwerk))
                            @if ctx.can_administer { (nav_link(ctx, Nav::Verwaltung, "/verwaltung", Text::NavVerwaltung)) }
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
                main id="inhalt" {
                    h1 { (title) }
                    p.muted id="live-status" role="status" aria-live="polite" data-updated=(ctx.t(Text::Updated)) {}
                    (content)
                }
                script { (PreEscaped(LIVE_SCRIPT)) }
            }
        }
    }
    .into_string()
}
