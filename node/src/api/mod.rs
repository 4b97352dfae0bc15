//! The node's local HTTP JSON API (bound to 127.0.0.1 unless configured
//! otherwise): health and status, writes (offers, requests, pledges,
//! acceptances), reads of the registry, the request board and the mission
//! orders, and the Prometheus metrics.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /health` | `{"status":"ok"}` |
//! | `GET /api/status` | this member, the pact, peers, envelope counts, last syncs |
//! | `POST /api/offers` | a new offer → 201 `{"id","envelope"}` |
//! | `PUT /api/offers/{id}` | replaces one of this member's offers (same kind) → 200 `{"id","envelope"}` |
//! | `POST /api/offers/{id}/withdraw` | sets one of this member's offers `out_of_service` |
//! | `POST /api/requests` | a new aid request → 201 |
//! | `POST /api/pledges` | a pledge against another member's need → 201 (rules in `pledges.rs`) |
//! | `POST /api/acceptances` | accepts a pledge for this member's request → 201 (rules in `acceptances.rs`) |
//! | `GET /api/registry` | offers, filtered (parameters in `reads.rs`) |
//! | `GET /api/board` | every request with pledged, accepted and open quantities |
//! | `GET /api/missions` | every mission order |
//! | `GET /metrics` | Prometheus text format (see [`crate::metrics`]) |
//! | `GET /events` | server-sent events: `change` after every stored change (`events.rs`) |
//! | login, logout, tokens, accounts, audit | see `sessions.rs` |
//!
//! The dashboard's pages (`crate::web`) are served by the same router.
//! Every route but `/health`, `/api/login` and the login page needs a
//! session cookie or an API token (`auth.rs`); each write route also needs
//! a role that may do it:
//!
//! | route | permission | roles |
//! | --- | --- | --- |
//! | offers, replace, withdraw | `Offer` | `it_lead`, `admin` |
//! | pledges | `Pledge` | `it_lead`, `admin` |
//! | requests | `Request` | `requester`, `admin` |
//! | acceptances | `Accept` | `requester`, `admin` |
//! | accounts, audit | `Administer` | `admin` |
//!
//! Every write returns only after it is durable, and is then announced to
//! the pact; on any error nothing is written and nothing announced. Errors
//! are [`ApiError`]. Never decides validity of a record itself: the model's
//! `validate()` and the core do; the handlers add only the rules that need
//! the read model (what is open, whose request it is).

pub(crate) mod acceptances;
pub mod auth;
mod error;
pub mod events;
pub(crate) mod offers;
pub(crate) mod pledges;
mod reads;
pub(crate) mod requests;
pub mod sessions;
mod write;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;

use amtshilfe_protocol::model::RECORD_JSON_BYTES_MAX;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::{MethodRouter, get, post, put};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::accounts::{Accounts, Permission};
use crate::core::{Core, SharedCore};
use crate::net::NetHandle;

pub use acceptances::AcceptanceBody;
pub use error::ApiError;
pub use reads::{ANY_STATUS, RegistryQuery};
pub use write::Saved;

/// Largest request body, in bytes: twice the largest record JSON, so a
/// pretty-printed record still fits. Larger bodies get 413.
pub const API_BODY_BYTES_MAX: usize = 2 * RECORD_JSON_BYTES_MAX;

/// What every handler gets.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The node's state.
    pub core: SharedCore,
    /// The network, to announce writes.
    pub net: NetHandle,
    /// Sessions and the login limiter.
    pub accounts: Arc<Accounts>,
    /// Turns true when the node stops (ends event streams).
    pub stop: watch::Receiver<bool>,
}

impl ApiState {
    /// The state of a node's HTTP server; `stop` turns true at shutdown.
    pub fn new(core: SharedCore, net: NetHandle, stop: watch::Receiver<bool>) -> Self {
        Self {
            core,
            net,
            accounts: Arc::new(Accounts::new()),
            stop,
        }
    }
}

/// `route` wrapped in the role check for `permission`.
pub(crate) fn guarded(
    route: MethodRouter<ApiState>,
    permission: Permission,
) -> MethodRouter<ApiState> {
    route.route_layer(from_fn_with_state(permission, auth::require))
}

/// The API's and the dashboard's routes, behind the authentication layer.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(reads::health))
        .route("/metrics", get(reads::metrics))
        .route("/events", get(events::events))
        .route("/api/login", post(sessions::login_json))
        .route("/api/logout", post(sessions::logout_json))
        .route("/api/me", get(sessions::me))
        .route("/api/tokens", post(sessions::create_token))
        .route(
            "/api/accounts",
            guarded(
                get(sessions::list_accounts).post(sessions::create_account),
                Permission::Administer,
            ),
        )
        .route(
            "/api/audit",
            guarded(get(sessions::audit_log), Permission::Administer),
        )
        .route("/api/status", get(reads::status))
        .route("/api/registry", get(reads::registry))
        .route("/api/board", get(reads::board))
        .route("/api/missions", get(reads::missions))
        .route(
            "/api/offers",
            guarded(post(offers::create), Permission::Offer),
        )
        .route(
            "/api/offers/{id}",
            guarded(put(offers::replace), Permission::Offer),
        )
        .route(
            "/api/offers/{id}/withdraw",
            guarded(post(offers::withdraw), Permission::Offer),
        )
        .route(
            "/api/requests",
            guarded(post(requests::create), Permission::Request),
        )
        .route(
            "/api/pledges",
            guarded(post(pledges::create), Permission::Pledge),
        )
        .route(
            "/api/acceptances",
            guarded(post(acceptances::create), Permission::Accept),
        )
        .merge(crate::web::routes())
        .fallback(reads::no_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(map_response(security_headers))
        .layer(DefaultBodyLimit::max(API_BODY_BYTES_MAX))
        .with_state(state)
}

/// Headers on every answer: no framing, no sniffing, no referrer leaks,
/// no caching of pages that show pact data.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Runs `f` on the locked core on a blocking thread: a write fsyncs under
/// the lock, which must not stall the async runtime.
pub(crate) async fn with_core<T, F>(state: &ApiState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Core) -> Result<T, ApiError> + Send + 'static,
{
    let core = state.core.clone();
    tokio::task::spawn_blocking(move || f(&mut core.lock()))
        .await
        .map_err(|error| ApiError::Internal(format!("an API task failed: {error}")))?
}

/// Binds `bind` and serves the API until `shutdown` turns true.
pub async fn serve(
    core: SharedCore,
    net: NetHandle,
    bind: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let address = listener.local_addr()?;
    let app = router(ApiState::new(core, net, shutdown.clone()))
        .into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        let stopped = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(%error, "HTTP API stopped");
        }
    });
    tracing::info!(%address, "HTTP API listening");
    Ok((address, task))
}
