//! The node's HTTP server in one place: the shared state every handler
//! gets, the router that mounts the JSON API (`crate::api`) and the pages
//! (`crate::web`) side by side, authentication, CSRF and the audit log
//! (`auth.rs`, `audit.rs`), the limits (`limits.rs`), the one error type
//! and its JSON form (`error.rs`), and `serve`.
//!
//! The JSON API and the pages are sibling adapters over the use cases in
//! `crate::ops`: neither imports the other; only this module knows both.

pub mod audit;
pub mod auth;
pub(crate) mod error;
pub mod limits;
mod multipart_csrf;
pub(crate) mod posture;
pub(crate) mod session_store;
mod whole_numbers;

#[cfg(test)]
mod layering_tests;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::model::RECORD_JSON_BYTES_MAX;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::MethodRouter;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::accounts::{Accounts, Permission};
use crate::api::routes;
use crate::core::{Core, SharedCore};
use crate::net::NetHandle;

pub use error::ApiError;

/// Largest request body, in bytes: twice the largest record JSON, so a
/// pretty-printed record still fits. Larger bodies get 413.
pub const API_BODY_BYTES_MAX: usize = 2 * RECORD_JSON_BYTES_MAX;
/// Largest body of the Netzwerk page's bundle upload: a whole bundle plus
/// the form's framing (the CSRF field, part headers and boundaries). A
/// larger bundle inside is refused by the bundle's own cap.
pub const UPLOAD_BYTES_MAX: usize = amtshilfe_protocol::bundle::BUNDLE_BYTES_MAX + 64 * 1024;

/// What every handler gets.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The node's state.
    pub core: SharedCore,
    /// The network, to announce writes.
    pub net: NetHandle,
    /// Sessions and the login limiter.
    pub accounts: Arc<Accounts>,
    /// The store's handle for accounts, sessions, tokens and audit rows
    /// (`Store::handle`): used without the core's lock.
    pub store: Arc<crate::store::Store>,
    /// Turns true when the node stops (ends event streams).
    pub stop: watch::Receiver<bool>,
    /// Whether cookies carry the `Secure` flag: on when browsers reach the
    /// node over HTTPS, directly or through a TLS proxy (configuration
    /// `secure_cookies`). Off by default, since the node itself serves
    /// plain HTTP on 127.0.0.1, where a browser would drop Secure cookies.
    pub secure_cookies: bool,
    /// This node's member (fixed for the node's life), so that handlers
    /// need not take the core's lock on the async runtime to learn it.
    pub member: MemberId,
    /// The core's change counter (`Core::subscribe_changes`), cloned per
    /// event stream.
    pub changes: watch::Receiver<u64>,
    /// Who takes reports of barriers (configuration
    /// `accessibility_contact`); empty if none is named.
    pub accessibility_contact: Arc<str>,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (configuration `trusted_proxies`); empty by default.
    pub trusted_proxies: Arc<[IpAddr]>,
    /// Refused writes per account, for the audit log's limit.
    pub refused_rows: Arc<std::sync::Mutex<audit::RefusedRows>>,
    /// The host names answered for (`limits::allowed_hosts`).
    pub allowed_hosts: Arc<[String]>,
    /// Permits for open event streams (`limits::EVENT_STREAMS_MAX`).
    pub event_streams: Arc<tokio::sync::Semaphore>,
}

impl ApiState {
    /// The state of a node's HTTP server; `stop` turns true at shutdown.
    /// Sessions stored before a restart are taken back.
    pub fn new(core: SharedCore, net: NetHandle, stop: watch::Receiver<bool>) -> Self {
        let accounts = Accounts::new();
        let (member, changes, store) = {
            let core = core.lock();
            session_store::restore_sessions(core.store(), &accounts);
            (
                core.device().member,
                core.subscribe_changes(),
                core.store().handle(),
            )
        };
        Self {
            core,
            store: Arc::new(store),
            net,
            accounts: Arc::new(accounts),
            stop,
            secure_cookies: false,
            member,
            changes,
            accessibility_contact: Arc::from(""),
            trusted_proxies: Arc::new([]),
            refused_rows: Arc::default(),
            allowed_hosts: limits::allowed_hosts(None, &[]).into(),
            event_streams: Arc::new(tokio::sync::Semaphore::new(limits::EVENT_STREAMS_MAX)),
        }
    }

    /// The same state with the configuration's HTTP settings.
    pub fn with_settings(mut self, settings: &HttpSettings) -> Self {
        self.secure_cookies = settings.secure_cookies;
        self.trusted_proxies = settings.trusted_proxies.clone().into();
        self.allowed_hosts = limits::allowed_hosts(settings.bind, &settings.allowed_hosts).into();
        self
    }

    /// The same state with `Secure` cookies on or off.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// The same state with the accessibility statement's contact.
    pub fn with_accessibility_contact(mut self, contact: &str) -> Self {
        self.accessibility_contact = Arc::from(contact.trim());
        self
    }
}

/// The HTTP server's settings from the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpSettings {
    /// See [`ApiState::secure_cookies`].
    pub secure_cookies: bool,
    /// See [`ApiState::accessibility_contact`].
    pub accessibility_contact: String,
    /// See [`ApiState::trusted_proxies`].
    pub trusted_proxies: Vec<IpAddr>,
    /// Host names answered for besides this machine's and the bound
    /// address (configuration `allowed_hosts`).
    pub allowed_hosts: Vec<String>,
    /// The address the server is bound to (set by [`serve`]).
    pub bind: Option<SocketAddr>,
}

/// `route` wrapped in the role check for `permission`.
pub(crate) fn guarded(
    route: MethodRouter<ApiState>,
    permission: Permission,
) -> MethodRouter<ApiState> {
    route.route_layer(from_fn_with_state(permission, auth::require))
}

/// The API's and the dashboard's routes, behind the authentication layer.
/// The JSON routes come from the one table in `routes.rs`.
pub fn router(state: ApiState) -> Router {
    let mut api = Router::new();
    for route in routes::api_routes() {
        let handler = match route.access {
            routes::Access::Role(permission) => guarded(route.handler, permission),
            routes::Access::Public | routes::Access::Session => route.handler,
        };
        api = api.route(route.path, handler);
    }
    // JSON bodies only: `3.0` fits an integer's schema (see whole_numbers).
    api.layer(axum::middleware::from_fn(whole_numbers::whole_numbers))
        .merge(crate::web::routes())
        .fallback(crate::api::no_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn(limits::time_limit))
        .layer(from_fn_with_state(state.clone(), limits::check_host))
        .layer(map_response(security_headers))
        .layer(DefaultBodyLimit::max(API_BODY_BYTES_MAX))
        .with_state(state)
}

/// The Content-Security-Policy of every answer: script, style, images
/// and connections (the event stream) from this node only, nothing inline,
/// forms post only here, no framing, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Headers on every answer: a strict CSP, no framing, no sniffing, no
/// referrer leaks, no caching of pages that show pact data.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
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

/// Runs `f` on the accounts' store handle (accounts, sessions, tokens,
/// audit) on a blocking thread, without the core's lock.
pub(crate) async fn with_store<T, F>(state: &ApiState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&crate::store::Store) -> Result<T, ApiError> + Send + 'static,
{
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|error| ApiError::Internal(format!("an API task failed: {error}")))?
}

/// Runs `f` on the locked core on a blocking thread: a write fsyncs under
/// the lock, which must not stall the async runtime.
pub(crate) async fn with_core<T, F>(state: &ApiState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Core) -> Result<T, ApiError> + Send + 'static,
{
    let core = state.core.clone();
    let net = state.net.clone();
    tokio::task::spawn_blocking(move || {
        let mut core = core.lock();
        let result = f(&mut core);
        // A write may have declared this device's incarnation: announced
        // before the caller announces the write's envelopes, so that peers
        // count them on arrival.
        for entry in core.take_declarations() {
            net.send(crate::net::NetCommand::Announce(
                crate::net::Announcement::Entry(entry),
            ));
        }
        result
    })
    .await
    .map_err(|error| ApiError::Internal(format!("an API task failed: {error}")))?
}

/// Binds `bind` and serves the API until `shutdown` turns true.
pub async fn serve(
    core: SharedCore,
    net: NetHandle,
    bind: SocketAddr,
    settings: HttpSettings,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let address = listener.local_addr()?;
    let settings = HttpSettings {
        bind: Some(address),
        ..settings
    };
    let state = ApiState::new(core, net, shutdown.clone())
        .with_settings(&settings)
        .with_accessibility_contact(&settings.accessibility_contact);
    // `tap_io` adds nothing but lets axum hand the peer's address to
    // handlers (`ConnectInfo<SocketAddr>`) for a listener of our own.
    let listener = axum::serve::ListenerExt::tap_io(
        limits::CappedListener::new(listener, state.trusted_proxies.clone()),
        |_| {},
    );
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
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
