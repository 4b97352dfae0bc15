//! The dashboard's HTTP side: routes for the pages, the login and logout
//! forms, and the form posts that turn into the same writes as the JSON
//! API (`crate::ops`: `ops::offers::create_offer` and friends, so the rules are
//! the API's). The HTML comes from `amtshilfe-dashboard`, which gets
//! read-model views and a `Ctx`; it never sees the core or the store.
//! Authentication, CSRF and the audit log are `crate::http::auth`, which
//! wraps these routes too.
//!
//! | route | permission |
//! | --- | --- |
//! | `GET/POST /anmelden`, `POST /abmelden` | none / a session |
//! | `GET /barrierefreiheit` (accessibility statement) | none |
//! | `GET /` (Lagebild), `/ressourcen`, `/register`, `/anfordern`, `/anfragen/{owner}/{id}`, `/auftraege/{requester}/{id}/druck` (printable mission order), `/pakt/kontakte` (contact sheet), `/pakt/vereinbarung` (agreement and history), `/anfragen/{owner}/{id}/auswertung` (an exercise's after-action report), `/netzwerk` | `Read` |
//! | `POST /ressourcen`, `GET/POST /ressourcen/{id}/bearbeiten` (edit form), `POST /ressourcen/{id}/zurueckziehen` | `Offer` |
//! | `POST /anfordern`, `POST /anfragen/{owner}/{id}/sicherheitslage` (what of the posture pledging helpers see) | `Request` |
//! | `GET /vorfaelle`, `/vorfaelle/{author}/{id}`, `…/meldungen/{kind}/druck`; `POST /meldungen/{seq}/bestaetigen` | `Read` |
//! | `POST /vorfaelle`, `/vorfaelle/{author}/{id}/schritte`, `…/verlauf`, `…/meldungen/{kind}`, `…/uebernehmen` | `Request` |
//! | `POST /vorfaelle/{author}/{id}/zusagen/{pledger}/{pledge}/ablehnen`, `…/auftraege/{acceptance}/status` | `Accept` |
//! | `POST /vorfaelle/{author}/{id}/abrechnung/{requester}/{acceptance}` | `Pledge` |
//! | `POST /anfragen/{owner}/{id}/zusage` | `Pledge` |
//! | `POST /anfragen/{owner}/{id}/annahme` | `Accept` |
//! | `POST /netzwerk/buendel` (upload of an offline bundle, `multipart/form-data`) | `Administer` |
//! | `GET/POST /pakt/kontakte/eigene` (the member's own 24/7 contacts), `POST …/bestaetigen` | `Administer` |
//! | `GET /pakt`, `POST /pakt/pruefen` (what will be signed), `/pakt/vorschlag`, `/pakt/einladung`, `/pakt/geraet-sperren` (a lost device revoked), `GET /pakt/vorschlaege/{hash}`, `POST …/zustimmen`, `POST …/ablehnen` (a signed decline) | `Administer` |
//! | `GET/POST /sicherheitslage` (the member's posture), `POST /sicherheitslage/einreichen`, `GET /sicherheitslage/vergleich` (the pact benchmark) | `EditPosture` |
//! | `GET /isb` (the hosted officer's workspace), `GET /isb/{member}`, `POST /isb/{member}/pruefung` | `ReviewPosture` |
//! | `GET /verwaltung` (accounts, tokens, audit log; `?seite=`), `POST /verwaltung/konten`, `…/konten/{name}/rolle`, `…/sperren`, `…/entsperren`, `POST /verwaltung/token/{id}/widerrufen` | `Administer` |

mod actions;
mod admin;
mod after_action;
mod agreement;
mod agreement_form;
mod aid_posture;
mod benchmark_page;
mod bundle_upload;
mod contact_sheet;
mod forms;
mod incident_pages;
mod login;
mod mission_print;
mod own_contacts;
mod pact;
mod pages;
mod posture_forms;
mod posture_pages;
mod request_pages;

use amtshilfe_dashboard::{Ctx, Lang, Nav};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::accounts::{Permission, Principal};
use crate::core::Core;
use crate::http::auth::{cookie, set_cookie};
use crate::http::{ApiState, guarded};

/// The language cookie.
pub const LANG_COOKIE: &str = "amtshilfe_lang";
/// How long the language choice is kept, in seconds (one year).
const LANG_COOKIE_SECS: i64 = 365 * 86_400;

/// The dashboard's routes (the authentication layer is added by
/// [`crate::http::router`]).
pub(crate) fn routes() -> Router<ApiState> {
    Router::new()
        .route("/anmelden", get(login::page).post(login::submit))
        .route("/abmelden", post(login::logout))
        .route("/", get(pages::overview))
        .route(
            "/ressourcen",
            get(pages::resources).merge(guarded(post(actions::create_offer), Permission::Offer)),
        )
        .route(
            "/ressourcen/{id}/bearbeiten",
            guarded(
                get(pages::edit_offer).post(actions::edit_offer),
                Permission::Offer,
            ),
        )
        .route(
            "/ressourcen/{id}/zurueckziehen",
            guarded(post(actions::withdraw_offer), Permission::Offer),
        )
        .route("/register", get(pages::register))
        .route(
            "/anfordern",
            get(request_pages::request_form)
                .merge(guarded(post(actions::create_request), Permission::Request)),
        )
        .route("/anfragen/{owner}/{id}", get(request_pages::request))
        .route(
            "/anfragen/{owner}/{id}/zusage",
            guarded(post(actions::pledge), Permission::Pledge),
        )
        .route(
            "/anfragen/{owner}/{id}/annahme",
            guarded(post(actions::accept), Permission::Accept),
        )
        .route(
            "/anfragen/{owner}/{id}/sicherheitslage",
            guarded(post(aid_posture::share), Permission::Request),
        )
        .route("/auftraege/{owner}/{id}/druck", get(mission_print::page))
        .route("/pakt/kontakte", get(contact_sheet::page))
        .route(
            "/pakt/kontakte/eigene",
            guarded(
                get(own_contacts::page).post(own_contacts::set),
                Permission::Administer,
            ),
        )
        .route(
            "/pakt/kontakte/eigene/bestaetigen",
            guarded(post(own_contacts::confirm), Permission::Administer),
        )
        .route("/pakt/vereinbarung", get(agreement::page))
        .route("/anfragen/{owner}/{id}/auswertung", get(after_action::page))
        .route("/netzwerk", get(pages::network))
        .route(
            amtshilfe_dashboard::pages::BUNDLE_UPLOAD_PATH,
            guarded(
                post(bundle_upload::upload).layer(axum::extract::DefaultBodyLimit::max(
                    bundle_upload::UPLOAD_BYTES_MAX,
                )),
                Permission::Administer,
            ),
        )
        .merge(incident_routes())
        .route("/barrierefreiheit", get(statement))
        .route("/static/{file}", get(static_file))
        .route(
            "/verwaltung",
            guarded(get(admin::page), Permission::Administer),
        )
        .route(
            "/verwaltung/konten",
            guarded(post(admin::create), Permission::Administer),
        )
        .route(
            "/verwaltung/konten/{name}/rolle",
            guarded(post(admin::change_role), Permission::Administer),
        )
        .route(
            "/verwaltung/konten/{name}/sperren",
            guarded(post(admin::disable), Permission::Administer),
        )
        .route(
            "/verwaltung/konten/{name}/entsperren",
            guarded(post(admin::enable), Permission::Administer),
        )
        .route(
            "/verwaltung/token/{id}/widerrufen",
            guarded(post(admin::revoke_token), Permission::Administer),
        )
        .merge(pact_routes())
        .merge(posture_routes())
}

/// The posture pages (`posture_pages.rs`): the member's own for its
/// admins and IT leads, the hosted officer's workspace for its account.
fn posture_routes() -> Router<ApiState> {
    use posture_pages as posture;
    let edit = |route| guarded(route, Permission::EditPosture);
    let review = |route| guarded(route, Permission::ReviewPosture);
    Router::new()
        .route(
            "/sicherheitslage",
            edit(get(posture::own).post(posture::save)),
        )
        .route(
            "/sicherheitslage/einreichen",
            edit(post(posture::submit_own)),
        )
        .route(benchmark_page::PATH, edit(get(benchmark_page::page)))
        .route("/isb", review(get(posture::workspace_page)))
        .route("/isb/{member}", review(get(posture::member_page)))
        .route("/isb/{member}/pruefung", review(post(posture::review_page)))
}

/// The Pakt page and its forms (`web/pact.rs`), admins only.
fn pact_routes() -> Router<ApiState> {
    let admin = |route| guarded(route, Permission::Administer);
    Router::new()
        .route("/pakt", admin(get(pact::page)))
        .route("/pakt/pruefen", admin(post(pact::review)))
        .route("/pakt/vorschlag", admin(post(pact::sign_proposal)))
        .route("/pakt/einladung", admin(post(pact::sign_invitation)))
        .route(pact::REVOKE_PATH, admin(post(pact::sign_revocation)))
        .route(
            "/pakt/vorschlaege/{hash}/ablehnen",
            admin(post(pact::sign_decline)),
        )
        .route("/pakt/vorschlaege/{hash}", admin(get(pact::proposal)))
        .route(
            "/pakt/vorschlaege/{hash}/zustimmen",
            admin(post(pact::sign_approval)),
        )
}

/// The incident room's pages (`incident_pages.rs`): reading needs `Read`,
/// its forms `Request`; acknowledging a notification any session.
fn incident_routes() -> Router<ApiState> {
    use incident_pages as room;
    Router::new()
        .route(
            "/vorfaelle",
            get(room::list).merge(guarded(post(room::open), Permission::Request)),
        )
        .route("/vorfaelle/{author}/{id}", get(room::room))
        .route(
            "/vorfaelle/{author}/{id}/meldungen/{kind}/druck",
            get(room::print),
        )
        .route(
            "/vorfaelle/{author}/{id}/schritte",
            guarded(post(room::step), Permission::Request),
        )
        .route(
            "/vorfaelle/{author}/{id}/verlauf",
            guarded(post(room::line), Permission::Request),
        )
        .route(
            "/vorfaelle/{author}/{id}/meldungen/{kind}",
            guarded(post(room::report), Permission::Request),
        )
        .route(
            "/vorfaelle/{author}/{id}/uebernehmen",
            guarded(post(room::adopt_page), Permission::Request),
        )
        .route(
            "/vorfaelle/{author}/{id}/zusagen/{pledger}/{pledge}/ablehnen",
            guarded(post(room::decline_page), Permission::Accept),
        )
        .route(
            "/vorfaelle/{author}/{id}/auftraege/{acceptance}/status",
            guarded(post(room::status_page), Permission::Accept),
        )
        .route(
            "/vorfaelle/{author}/{id}/abrechnung/{requester}/{acceptance}",
            guarded(post(room::settle_page), Permission::Pledge),
        )
        .route("/meldungen/{seq}/bestaetigen", post(room::acknowledge))
}

/// `GET /static/{file}`: a style sheet or the live script
/// (`amtshilfe_dashboard::assets`); no session needed.
async fn static_file(Path(file): Path<String>) -> Response {
    let path = format!("/static/{file}");
    match amtshilfe_dashboard::assets::ALL
        .iter()
        .find(|(served, _, _)| *served == path)
    {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /barrierefreiheit`: the accessibility statement, with or without a
/// session (see `auth::PUBLIC_PATHS`); it shows no pact data.
async fn statement(State(state): State<ApiState>, lang: LangChoice) -> Response {
    lang.html(amtshilfe_dashboard::pages::accessibility_statement(
        lang.lang,
        &state.accessibility_contact,
    ))
}

/// The viewer's language: `?lang=` (remembered in a cookie), else the
/// cookie, else German.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LangChoice {
    lang: Lang,
    /// Chosen in this request's query, so the cookie is set.
    chosen: bool,
    /// Cookies get the `Secure` flag (see `ApiState::secure_cookies`).
    secure: bool,
}

impl FromRequestParts<ApiState> for LangChoice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        let secure = state.secure_cookies;
        let query = parts.uri.query().unwrap_or_default();
        let asked = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .map(Lang::from_code);
        Ok(match asked {
            Some(lang) => LangChoice {
                lang,
                chosen: true,
                secure,
            },
            None => LangChoice {
                lang: cookie(&parts.headers, LANG_COOKIE).map_or(Lang::De, Lang::from_code),
                chosen: false,
                secure,
            },
        })
    }
}

impl LangChoice {
    /// An HTML answer, setting the language cookie if it was chosen now.
    pub(crate) fn html(self, body: String) -> Response {
        let mut response = Html(body).into_response();
        if self.chosen
            && let Ok(value) =
                set_cookie(LANG_COOKIE, self.lang.code(), LANG_COOKIE_SECS, self.secure).parse()
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

/// The page context for `principal` on this node.
pub(crate) fn ctx_for(core: &Core, principal: &Principal, lang: Lang, nav: Nav) -> Ctx {
    let member = core.device().member;
    let member_names: Vec<(String, String)> = core
        .replica()
        .membership()
        .state()
        .members()
        .map(|(id, info)| (id.to_string(), info.name.clone()))
        .collect();
    let member_name = member_names
        .iter()
        .find(|(id, _)| *id == member.to_string())
        .map_or_else(|| member.short(), |(_, name)| name.clone());
    Ctx {
        lang,
        account: principal.account.clone(),
        role: principal.role.id().to_owned(),
        csrf: principal.csrf.clone().unwrap_or_default(),
        member_name,
        can_offer: principal.may(Permission::Offer),
        can_pledge: principal.may(Permission::Pledge),
        can_request: principal.may(Permission::Request),
        can_accept: principal.may(Permission::Accept),
        can_administer: principal.may(Permission::Administer),
        can_edit_posture: principal.may(Permission::EditPosture),
        can_review_posture: principal.may(Permission::ReviewPosture),
        member_names,
        nav,
    }
}
