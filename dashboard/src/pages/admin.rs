//! Verwaltung (admins only): this node's accounts with role and state, a
//! new account, API tokens, and the audit log, newest first, paged. Every
//! change is a small form of its own, so each works without script.

use maud::{Markup, html};

use super::scroll_box;
use crate::Ctx;
use crate::format::date_time;
use crate::i18n::{Text, role_label};
use crate::layout::page;

/// Roles an account can have, in the order the forms offer them.
const ROLES: [&str; 5] = [
    "admin",
    "it_lead",
    "requester",
    "security_officer",
    "viewer",
];

/// One account.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// Its name.
    pub name: String,
    /// Its role id.
    pub role: String,
    /// Whether it is disabled.
    pub disabled: bool,
    /// When it was made, ms.
    pub created_at_ms: i64,
}

/// One API token (never its secret).
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// The SHA-256 of the token, hex.
    pub id: String,
    /// The account it acts as.
    pub account: String,
    /// Its label.
    pub label: String,
    /// When it was made, ms.
    pub created_at_ms: i64,
    /// The role it acts with (a role id); `None`: the account's own.
    pub role: Option<String>,
    /// When it stops working, ms; `None`: never.
    pub expires_at_ms: Option<i64>,
}

/// One audit log row.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// When, ms.
    pub at_ms: i64,
    /// Who.
    pub account: String,
    /// What.
    pub action: String,
    /// Outcome or detail.
    pub detail: String,
}

/// What the Verwaltung page shows.
#[derive(Debug, Clone, Default)]
pub struct AdminView {
    /// Every account.
    pub accounts: Vec<AccountRow>,
    /// Every API token.
    pub tokens: Vec<TokenRow>,
    /// One page of the audit log, newest first.
    pub audit: Vec<AuditRow>,
    /// The page shown (0 = newest).
    pub audit_page: usize,
    /// How many pages there are.
    pub audit_pages: usize,
    /// The newest on-call notifications with their delivery state.
    pub notifications: Vec<super::NotificationRow>,
    /// A generated password, shown once after making an account.
    pub new_password: Option<(String, String)>,
    /// Why the last change was refused.
    pub error: Option<String>,
}

fn role_select(ctx: &Ctx, id: &str, selected: &str) -> Markup {
    html! {
        select id=(id) name="role" required {
            @for role in ROLES {
                option value=(role) selected[role == selected] { (role_label(ctx.lang, role)) }
            }
        }
    }
}

fn accounts(ctx: &Ctx, rows: &[AccountRow]) -> Markup {
    // Forms in cells cannot wrap: on a narrow screen the table scrolls in
    // its own box, not the page.
    scroll_box(
        ctx.t(Text::Accounts),
        html! {
            table {
                thead { tr {
                    th scope="col" { (ctx.t(Text::AccountName)) }
                    th scope="col" { (ctx.t(Text::Role)) }
                    th scope="col" { (ctx.t(Text::State)) }
                    th scope="col" { (ctx.t(Text::Created)) }
                    th scope="col" { (ctx.t(Text::Actions)) }
                } }
                tbody { @for row in rows {
                    @let base = format!("/verwaltung/konten/{}", row.name);
                    tr {
                        td { (row.name) }
                        td {
                            form method="post" action={ (base) "/rolle" } {
                                (ctx.csrf_field())
                                label.sr-only for={ "role-" (row.name) } { (ctx.t(Text::Role)) ": " (row.name) }
                                (role_select(ctx, &format!("role-{}", row.name), &row.role))
                                " " button.secondary type="submit" { (ctx.t(Text::ChangeRole)) }
                            }
                        }
                        td { (if row.disabled { ctx.t(Text::AccountDisabled) } else { ctx.t(Text::AccountActive) }) }
                        td { (date_time(row.created_at_ms)) }
                        td {
                            form method="post" action={ (base) (if row.disabled { "/entsperren" } else { "/sperren" }) } {
                                (ctx.csrf_field())
                                @let text = if row.disabled { ctx.t(Text::Enable) } else { ctx.t(Text::Disable) };
                                button.secondary type="submit" aria-label={ (text) ": " (row.name) } { (text) }
                            }
                        }
                    }
                } }
            }
        },
    )
}

fn new_account(ctx: &Ctx) -> Markup {
    html! {
        form method="post" action="/verwaltung/konten" {
            (ctx.csrf_field())
            div.grid {
                div { label for="account" { (ctx.t(Text::AccountName)) " *" }
                      input id="account" name="account" required maxlength="64" pattern="[a-z0-9._\\-]+" autocomplete="off"; }
                div { label for="new-role" { (ctx.t(Text::Role)) " *" } (role_select(ctx, "new-role", "viewer")) }
                div { label for="password" { (ctx.t(Text::PasswordOptional)) }
                      input id="password" name="password" type="password" minlength="12" autocomplete="new-password"; }
            }
            p { button type="submit" { (ctx.t(Text::CreateAccount)) } }
        }
    }
}

fn tokens(ctx: &Ctx, rows: &[TokenRow]) -> Markup {
    html! {
        @if rows.is_empty() { (super::none(ctx)) } @else {
            table {
                thead { tr {
                    th scope="col" { (ctx.t(Text::Label)) }
                    th scope="col" { (ctx.t(Text::AccountName)) }
                    th scope="col" { (ctx.t(Text::Role)) }
                    th scope="col" { (ctx.t(Text::Created)) }
                    th scope="col" { (ctx.t(Text::Expires)) }
                    th scope="col" { (ctx.t(Text::Actions)) }
                } }
                tbody { @for row in rows { tr {
                    td { (row.label) }
                    td { (row.account) }
                    td { @match &row.role {
                        Some(role) => (role_label(ctx.lang, role)),
                        None => (ctx.t(Text::AccountsOwnRole)),
                    } }
                    td { (date_time(row.created_at_ms)) }
                    td { @match row.expires_at_ms {
                        Some(at) => (date_time(at)),
                        None => (ctx.t(Text::Never)),
                    } }
                    td { form method="post" action={ "/verwaltung/token/" (row.id) "/widerrufen" } {
                        (ctx.csrf_field())
                        button.secondary type="submit" aria-label={ (ctx.t(Text::Revoke)) ": " (row.label) } { (ctx.t(Text::Revoke)) }
                    } }
                } } }
            }
        }
    }
}

fn audit(ctx: &Ctx, view: &AdminView) -> Markup {
    let page_no = view.audit_page;
    html! {
        @if view.audit.is_empty() { (super::none(ctx)) } @else {
            table {
                thead { tr {
                    th scope="col" { (ctx.t(Text::When)) }
                    th scope="col" { (ctx.t(Text::AccountName)) }
                    th scope="col" { (ctx.t(Text::Action)) }
                    th scope="col" { (ctx.t(Text::Detail)) }
                } }
                tbody { @for row in &view.audit { tr {
                    td { (date_time(row.at_ms)) } td { (row.account) } td { (row.action) } td { (row.detail) }
                } } }
            }
        }
        nav aria-label=(ctx.t(Text::AuditLog)) {
            p {
                @if page_no > 0 { a href={ "/verwaltung?seite=" (page_no - 1) "#h-audit" } rel="prev" { (ctx.t(Text::Newer)) } " · " }
                (ctx.t(Text::Page)) " " (page_no + 1) " / " (view.audit_pages.max(1))
                @if page_no + 1 < view.audit_pages { " · " a href={ "/verwaltung?seite=" (page_no + 1) "#h-audit" } rel="next" { (ctx.t(Text::Older)) } }
            }
        }
    }
}

/// The Verwaltung page.
pub fn admin(ctx: &Ctx, view: &AdminView) -> String {
    let content = html! {
        @if let Some(error) = &view.error {
            div.error role="alert" { strong { (ctx.t(Text::ChangeRefused)) } " " (error) }
        }
        @if let Some((account, password)) = &view.new_password {
            div.notice role="status" data-testid="new-password" {
                (ctx.t(Text::PasswordShownOnce)) " " strong { (account) } ": " code { (password) }
            }
        }
        section aria-labelledby="h-accounts" {
            h2 id="h-accounts" { (ctx.t(Text::Accounts)) }
            (accounts(ctx, &view.accounts))
            h3 { (ctx.t(Text::NewAccount)) }
            (new_account(ctx))
        }
        section aria-labelledby="h-tokens" {
            h2 id="h-tokens" { (ctx.t(Text::ApiTokens)) }
            (tokens(ctx, &view.tokens))
        }
        section aria-labelledby="h-audit" {
            h2 id="h-audit" { (ctx.t(Text::AuditLog)) }
            (audit(ctx, view))
        }
        section aria-labelledby="h-notifications" {
            h2 id="h-notifications" { (ctx.t(Text::NotifyLog)) }
            (super::notifications::notifications(ctx, &view.notifications))
        }
    };
    page(ctx, ctx.t(Text::NavVerwaltung), content)
}
