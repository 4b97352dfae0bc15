//! The node's local HTTP JSON API (bound to 127.0.0.1 unless configured
//! otherwise): health and status, writes (offers, requests, pledges,
//! acceptances), reads of the registry and the request board, and the
//! Prometheus metrics. Every write returns only after it is durable, then
//! is announced to the pact. Never decides validity itself: it calls the
//! core, which calls the protocol.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::core::SharedCore;
use crate::net::NetHandle;

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
        .route("/health", get(|| async { "ok" }))
        .with_state(state)
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
