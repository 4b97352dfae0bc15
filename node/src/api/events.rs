//! `GET /events`: server-sent events for live pages. One `change` event,
//! whose data is a counter, whenever the node stored a change (its own
//! write, envelopes from a peer, a membership entry, a finished sync).
//! A slow client skips intermediate values; it only needs the latest.
//! The stream ends when the node stops, so a graceful shutdown never waits
//! on an open page.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;

use super::{ApiError, ApiState};

/// Seconds between keep-alive comments, so proxies keep the stream open.
pub const EVENTS_KEEP_ALIVE_SECS: u64 = 15;

/// The event stream.
pub(super) async fn events(
    State(state): State<ApiState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    // Held by the stream: its slot frees when the stream ends or the
    // client goes away.
    let permit = super::limits::event_stream_permit(&state)?;
    let mut changes = state.changes.clone();
    // Only changes from now on are news to this stream.
    changes.mark_unchanged();
    let stop = state.stop.clone();
    let stream = futures::stream::unfold(
        (changes, stop, permit),
        |(mut changes, mut stop, permit)| async move {
            tokio::select! {
                changed = changes.changed() => changed.ok()?,
                _ = stop.wait_for(|stop| *stop) => return None,
            }
            let version = *changes.borrow_and_update();
            let event = Event::default().event("change").data(version.to_string());
            Some((Ok(event), (changes, stop, permit)))
        },
    );
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(EVENTS_KEEP_ALIVE_SECS))))
}
