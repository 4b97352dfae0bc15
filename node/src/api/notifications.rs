//! The on-call notifications' delivery log and their acknowledgement
//! (`crate::notify`): `GET /api/notifications`, newest first, and
//! `POST /api/notifications/{seq}/ack`, which stops further sending and
//! escalation of that alert. Any signed-in account may acknowledge: the
//! person on call is often not an administrator; the log names who did.

use axum::Json;
use axum::extract::{Extension, Path, State};

use crate::accounts::Principal;
use crate::http::{ApiError, ApiState, with_store};
use crate::store::NotifyEvent;

/// Most events the log shows.
pub(crate) const NOTIFICATIONS_SHOWN_MAX: usize = 200;

/// `GET /api/notifications`.
pub(super) async fn log(State(state): State<ApiState>) -> Result<Json<Vec<NotifyEvent>>, ApiError> {
    with_store(&state, |store| {
        Ok(store.notify_events(NOTIFICATIONS_SHOWN_MAX)?)
    })
    .await
    .map(Json)
}

/// `POST /api/notifications/{seq}/ack`: 200 with the event; 404
/// `notification_not_found` if there is no such event.
pub(super) async fn acknowledge(
    State(state): State<ApiState>,
    Extension(me): Extension<Principal>,
    Path(seq): Path<String>,
) -> Result<Json<NotifyEvent>, ApiError> {
    let missing = || {
        ApiError::not_found(
            "notification_not_found",
            "Keine solche Meldung / no such notification",
        )
    };
    let seq: u64 = seq.parse().map_err(|_| missing())?;
    let now_ms = crate::clock::now_ms();
    with_store(&state, move |store| {
        crate::notify::acknowledge(store, seq, &me.account, now_ms)?.ok_or_else(missing)
    })
    .await
    .map(Json)
}
