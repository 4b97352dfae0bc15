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
//! | `POST /api/offers/{id}/withdraw` | sets one of this member's offers `out_of_service` |
//! | `POST /api/requests` | a new aid request → 201 |
//! | `POST /api/pledges` | a pledge against another member's need → 201 (rules in `pledges.rs`) |
//! | `POST /api/acceptances` | accepts a pledge for this member's request → 201 (rules in `acceptances.rs`) |
//! | `GET /api/registry` | offers, filtered (parameters in `reads.rs`) |
//! | `GET /api/board` | every request with pledged, accepted and open quantities |
//! | `GET /api/missions` | every mission order |
//! | `GET /metrics` | Prometheus text format (see [`crate::metrics`]) |
//!
//! Every write returns only after it is durable, and is then announced to
//! the pact; on any error nothing is written and nothing announced. Errors
//! are [`ApiError`]. Never decides validity of a record itself: the model's
//! `validate()` and the core do; the handlers add only the rules that need
//! the read model (what is open, whose request it is).

mod acceptances;
mod error;
mod offers;
mod pledges;
mod reads;
mod requests;
mod write;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;

use amtshilfe_protocol::model::RECORD_JSON_BYTES_MAX;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::sync::watch;
use tokio::task::JoinHandle;

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
}

/// The API's routes.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(reads::health))
        .route("/metrics", get(reads::metrics))
        .route("/api/status", get(reads::status))
        .route("/api/registry", get(reads::registry))
        .route("/api/board", get(reads::board))
        .route("/api/missions", get(reads::missions))
        .route("/api/offers", post(offers::create))
        .route("/api/offers/{id}/withdraw", post(offers::withdraw))
        .route("/api/requests", post(requests::create))
        .route("/api/pledges", post(pledges::create))
        .route("/api/acceptances", post(acceptances::create))
        .fallback(reads::no_route)
        .layer(DefaultBodyLimit::max(API_BODY_BYTES_MAX))
        .with_state(state)
}

/// Runs `f` on the locked core on a blocking thread: a write fsyncs under
/// the lock, which must not stall the async runtime.
async fn with_core<T, F>(state: &ApiState, f: F) -> Result<T, ApiError>
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
    let app = router(ApiState { core, net });
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
