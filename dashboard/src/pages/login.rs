//! Anmelden: the only page without a session.

use maud::{DOCTYPE, html};

use crate::i18n::{Lang, Text};

/// The login page. `token` is the pre-session CSRF token (also in a
/// cookie); `error` a message from a failed attempt.
pub fn login(lang: Lang, token: &str, account: &str, error: Option<&str>) -> String {
    let t = |key: Text| key.get(lang);
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t(Text::Login)) " – amtshilfe" }
                link rel="stylesheet" href=(crate::assets::LOGIN_CSS_PATH);
            }
            body {
                main {
                    h1 { "amtshilfe – " (t(Text::Login)) }
                    p { (t(Text::LoginIntro)) }
                    @if let Some(error) = error { p role="alert" { (error) } }
                    form method="post" action="/anmelden" {
                        input type="hidden" name="login_token" value=(token);
                        label for="account" { (t(Text::AccountName)) }
                        input id="account" name="account" value=(account) autocomplete="username" required autofocus;
                        label for="password" { (t(Text::Password)) }
                        input id="password" name="password" type="password" autocomplete="current-password" required;
                        button type="submit" { (t(Text::Login)) }
                    }
                    p { a href={ "/anmelden?lang=" (other.code()) } lang=(other.code()) { (Text::LanguageName.get(other)) } }
                    p { a href="/barrierefreiheit" { (t(Text::StatementTitle)) } }
                }
            }
        }
    }
    .into_string()
}
