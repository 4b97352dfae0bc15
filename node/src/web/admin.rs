//! The Verwaltung page (admins only) and its forms. Each form runs the
//! same function as its JSON route (`ops::accounts`), so the rules (last admin, sessions end,
//! audit rows) are the API's. A refused change shows the page again with
//! the reason; a generated password is shown once, on the page that
//! answers the form.

use std::collections::HashMap;

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages::{self as html, AccountRow, AdminView, AuditRow, TokenRow};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};

use super::forms::{Fields, text};
use super::pages::render_as;
use super::{LangChoice, ctx_for};
use crate::accounts::{Principal, Role};
use crate::http::auth::refuse;
use crate::http::{ApiError, ApiState, with_store};
use crate::ops::accounts::{
    AccountChange, NewAccount, audit_page, change, new_account, revoke, tokens,
};

/// Audit rows on one page.
const AUDIT_ROWS_PER_PAGE: usize = 50;
const PATH: &str = "/verwaltung";
/// Newest on-call notifications shown on the page.
const NOTIFICATIONS_SHOWN: usize = 20;

fn notification_row(event: &crate::store::NotifyEvent) -> html::NotificationRow {
    use crate::store::NotifyStatus;
    let (status, acknowledged_by) = match &event.status {
        NotifyStatus::Open => ("open", None),
        NotifyStatus::Acknowledged { by, .. } => ("acknowledged", Some(by.clone())),
        NotifyStatus::Unanswered => ("unanswered", None),
        NotifyStatus::Baseline => ("baseline", None),
    };
    html::NotificationRow {
        seq: event.seq,
        created_ms: event.created_ms,
        subject_de: event.subject_de.clone(),
        subject_en: event.subject_en.clone(),
        status,
        acknowledged_by,
        last_delivery: event.log.last().map(|line| {
            let result = if line.ok { "ok" } else { "Fehler / failed" };
            format!(
                "#{} {}: {result} ({})",
                line.contact + 1,
                line.channel,
                line.detail
            )
        }),
    }
}

fn role(fields: &Fields) -> Result<Role, ApiError> {
    let id = text(fields, "role");
    Role::from_id(&id).ok_or_else(|| ApiError::InvalidBody(format!("role: {id:?} is not a role")))
}

async fn view(state: &ApiState, page: usize) -> Result<AdminView, ApiError> {
    let accounts = with_store(state, |store| store.accounts().map_err(ApiError::from)).await?;
    let token_rows = tokens(state).await?;
    let (rows, total) = audit_page(
        state,
        page.saturating_mul(AUDIT_ROWS_PER_PAGE),
        AUDIT_ROWS_PER_PAGE,
    )
    .await?;
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    let notifications = with_store(state, |store| {
        store
            .notify_events(NOTIFICATIONS_SHOWN)
            .map_err(ApiError::from)
    })
    .await?;
    Ok(AdminView {
        notifications: notifications.iter().map(notification_row).collect(),
        accounts: accounts
            .into_iter()
            .map(|(name, record)| AccountRow {
                name,
                role: record.role,
                disabled: record.disabled,
                created_at_ms: record.created_at_ms,
            })
            .collect(),
        tokens: token_rows
            .into_iter()
            .map(|(id, record)| TokenRow {
                id,
                account: record.account,
                label: record.label,
                created_at_ms: record.created_at_ms,
                role: record.role,
                expires_at_ms: record.expires_at_ms,
            })
            .collect(),
        audit: rows
            .into_iter()
            .map(|row| AuditRow {
                at_ms: row.at_ms,
                account: row.account,
                action: row.action,
                detail: row.detail,
            })
            .collect(),
        audit_page: page,
        audit_pages: total.div_ceil(AUDIT_ROWS_PER_PAGE),
        new_password: None,
        error: None,
    })
}

/// The page, with `error` (and its status) or a password to show once.
async fn render(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    page: usize,
    error: Option<ApiError>,
    new_password: Option<(String, String)>,
) -> Response {
    let mut view = match view(state, page).await {
        Ok(view) => view,
        Err(error) => return refuse(PATH, error),
    };
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, ApiError::status);
    view.error = error.map(|e| e.to_string());
    view.new_password = new_password;
    render_as(
        state,
        PATH,
        lang,
        status,
        move |core| Ok(ctx_for(core, &me, lang.lang, Nav::Verwaltung)),
        move |ctx| html::admin(&ctx, &view),
    )
    .await
}

/// After a form: back to the page, or the page with the reason.
async fn done(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    result: Result<(), ApiError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(PATH).into_response(),
        Err(error) => render(state, lang, me, 0, Some(error), None).await,
    }
}

/// `GET /verwaltung?seite=N`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let page = params
        .get("seite")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    render(&state, lang, me, page, None, None).await
}

/// `POST /verwaltung/konten`: a new account; a generated password is
/// shown once.
pub(super) async fn create(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let password = Some(text(&fields, "password")).filter(|p| !p.is_empty());
        let body = NewAccount {
            account: text(&fields, "account"),
            role: role(&fields)?,
            password,
        };
        new_account(&state, &me, body).await
    }
    .await;
    match result {
        Ok(answer) => match answer.password {
            Some(password) => {
                let shown = (answer.account, password);
                render(&state, lang, me, 0, None, Some(shown)).await
            }
            None => Redirect::to(PATH).into_response(),
        },
        Err(error) => render(&state, lang, me, 0, Some(error), None).await,
    }
}

/// `POST /verwaltung/konten/{name}/rolle`.
pub(super) async fn change_role(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(name): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let wanted = AccountChange {
            role: Some(role(&fields)?),
            disabled: None,
        };
        change(&state, &me, name, wanted).await.map(|_| ())
    }
    .await;
    done(&state, lang, me, result).await
}

async fn set_disabled(
    state: ApiState,
    lang: LangChoice,
    me: Principal,
    name: String,
    disabled: bool,
) -> Response {
    let wanted = AccountChange {
        role: None,
        disabled: Some(disabled),
    };
    let result = change(&state, &me, name, wanted).await.map(|_| ());
    done(&state, lang, me, result).await
}

/// `POST /verwaltung/konten/{name}/sperren`.
pub(super) async fn disable(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(name): Path<String>,
) -> Response {
    set_disabled(state, lang, me, name, true).await
}

/// `POST /verwaltung/konten/{name}/entsperren`.
pub(super) async fn enable(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(name): Path<String>,
) -> Response {
    set_disabled(state, lang, me, name, false).await
}

/// `POST /verwaltung/token/{id}/widerrufen`.
pub(super) async fn revoke_token(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    let result = revoke(&state, &me, id).await;
    done(&state, lang, me, result).await
}
