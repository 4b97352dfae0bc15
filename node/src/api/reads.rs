//! Read routes: health, status, the registry, the request board, mission
//! orders and the metrics page. They never write. Each reads the core once
//! under its lock and answers from that one consistent state.

use std::collections::BTreeMap;

use amtshilfe_protocol::ids::{MemberId, PactId};
use amtshilfe_protocol::model::{Mode, OfferKind, OfferStatus, SkillLevel, TimeWindow};
use amtshilfe_protocol::read_model::RegistryFilter;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ApiError, ApiState, with_core};
use crate::core::Core;
use crate::metrics;

/// The value of `status` that asks for offers of every status.
pub const ANY_STATUS: &str = "any";

/// `GET /health`.
pub(super) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Marks the answer to a request that matched no route, so that the audit
/// layer does not log it (any account could otherwise fill the audit log
/// with requests that did nothing).
#[derive(Debug, Clone, Copy)]
pub(super) struct NoRoute;

/// Any route that does not exist: 404 `route_not_found`.
pub(super) async fn no_route() -> (Extension<NoRoute>, ApiError) {
    (
        Extension(NoRoute),
        ApiError::not_found("route_not_found", "There is no such route in this API."),
    )
}

/// `GET /metrics`: Prometheus text format.
pub(super) async fn metrics(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let text = with_core(&state, |core| Ok(metrics::render(core))).await?;
    Ok(([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text))
}

/// What `GET /api/status` shows.
#[derive(Debug, Clone, Serialize)]
struct StatusView {
    member_id: MemberId,
    /// The member's name in the membership log, if it is a current member.
    member_name: Option<String>,
    pact_id: PactId,
    members: usize,
    peers_connected: usize,
    envelopes_accepted: u64,
    envelopes_duplicate: u64,
    envelopes_rejected: u64,
    envelopes_pending: usize,
    changes_held: usize,
    /// Set after a store failure: the node no longer saves writes.
    writes_stopped: bool,
    /// Last completed sync per peer id, ms since the epoch.
    last_sync_ms: BTreeMap<String, i64>,
}

fn status_of(core: &Core) -> StatusView {
    let replica = core.replica();
    let state = replica.membership().state();
    let member = core.device().member;
    let stats = replica.stats();
    StatusView {
        member_id: member,
        member_name: state
            .members()
            .find(|(id, _)| **id == member)
            .map(|(_, info)| info.name.clone()),
        pact_id: replica.pact_id(),
        members: state.member_count(),
        peers_connected: core.counters.peers_connected,
        envelopes_accepted: stats.accepted,
        envelopes_duplicate: stats.duplicates,
        envelopes_rejected: stats.rejected.values().sum(),
        envelopes_pending: replica.pending_len(),
        changes_held: replica.held_len(),
        writes_stopped: core.is_stopped(),
        last_sync_ms: core.counters.last_sync_ms.clone(),
    }
}

/// `GET /api/status`.
pub(super) async fn status(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    with_core(&state, |core| to_json(&status_of(core)))
        .await
        .map(Json)
}

/// The query parameters of `GET /api/registry`; every one is optional.
/// Without `status` only available offers are listed; `status=any` lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryQuery {
    /// Offer kind (`person`, `equipment`, …).
    pub kind: Option<OfferKind>,
    /// A role id the offer provides.
    pub role: Option<String>,
    /// A skill id the offer brings …
    pub skill: Option<String>,
    /// … at this level or higher (default 1; needs `skill`).
    pub skill_level: Option<u8>,
    /// An equipment category id.
    pub category: Option<String>,
    /// Where the help is needed (`remote`, `onsite`, `both`).
    pub mode: Option<Mode>,
    /// Start of the window the offer must be usable in, ms (with `window_end_ms`).
    pub window_start_ms: Option<i64>,
    /// End of that window, ms (with `window_start_ms`).
    pub window_end_ms: Option<i64>,
    /// At least this many units still free.
    pub min_remaining: Option<u32>,
    /// Offers of this member only (hex member id).
    pub owner: Option<MemberId>,
    /// An offer status, or `any`.
    pub status: Option<String>,
    /// Most offers in one answer (default [`REGISTRY_LIMIT_DEFAULT`], at
    /// most [`REGISTRY_LIMIT_MAX`]).
    pub limit: Option<usize>,
    /// How many matching offers to skip (default 0). When more follow the
    /// answer, its `X-Next-Offset` header says where the next page starts.
    pub offset: Option<usize>,
}

/// Offers in one registry answer unless `limit` says otherwise.
pub const REGISTRY_LIMIT_DEFAULT: usize = 100;
/// Most offers one registry answer may hold: a whole federal state's pact
/// has tens of thousands, far too many for one answer.
pub const REGISTRY_LIMIT_MAX: usize = 1_000;
/// The header naming the offset of the next page, if there is one.
pub const NEXT_OFFSET_HEADER: &str = "x-next-offset";

impl RegistryQuery {
    /// The page asked for: (offset, limit).
    pub fn page(&self) -> Result<(usize, usize), ApiError> {
        let limit = self.limit.unwrap_or(REGISTRY_LIMIT_DEFAULT);
        if !(1..=REGISTRY_LIMIT_MAX).contains(&limit) {
            return Err(ApiError::InvalidQuery(format!(
                "limit must be between 1 and {REGISTRY_LIMIT_MAX}, got {limit}"
            )));
        }
        Ok((self.offset.unwrap_or(0), limit))
    }

    /// The read model's filter for this query.
    pub fn to_filter(&self) -> Result<RegistryFilter, ApiError> {
        let skill = match (&self.skill, self.skill_level) {
            (Some(skill), level) => Some(SkillLevel {
                skill: skill.clone(),
                level: level.unwrap_or(1),
            }),
            (None, Some(_)) => {
                return Err(ApiError::InvalidQuery("skill_level needs a skill".into()));
            }
            (None, None) => None,
        };
        let window = match (self.window_start_ms, self.window_end_ms) {
            (Some(start_ms), Some(end_ms)) => {
                let window = TimeWindow { start_ms, end_ms };
                window.validate("window")?;
                Some(window)
            }
            (None, None) => None,
            _ => {
                return Err(ApiError::InvalidQuery(
                    "window_start_ms and window_end_ms go together".into(),
                ));
            }
        };
        let status = match self.status.as_deref() {
            None => Some(OfferStatus::Available),
            Some(ANY_STATUS) => None,
            Some(text) => Some(serde_json::from_value(json!(text)).map_err(|_| {
                ApiError::InvalidQuery(format!(
                    "status must be an offer status or {ANY_STATUS:?}, got {text:?}"
                ))
            })?),
        };
        Ok(RegistryFilter {
            kind: self.kind,
            role: self.role.clone(),
            skill,
            equipment_category: self.category.clone(),
            mode: self.mode,
            window,
            min_remaining: self.min_remaining.unwrap_or(0),
            owner: self.owner,
            status,
        })
    }
}

/// `GET /api/registry`: one page of the offers that pass the filter, by
/// owner and id; `X-Next-Offset` names the next page if there is one.
pub(super) async fn registry(
    State(state): State<ApiState>,
    query: Result<Query<RegistryQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let filter = query.to_filter()?;
    let (offset, limit) = query.page()?;
    let (body, more) = with_core(&state, move |core| {
        let mut matching = core
            .replica()
            .read_model()
            .registry_iter(&filter)
            .skip(offset);
        let page: Vec<_> = matching.by_ref().take(limit).collect();
        let more = matching.next().is_some();
        // Straight to bytes while the entries borrow the read model: no
        // intermediate JSON tree, no copies of the offers.
        let body =
            serde_json::to_vec(&page).map_err(|error| ApiError::Internal(error.to_string()))?;
        Ok((body, more))
    })
    .await?;
    let mut response = ([(CONTENT_TYPE, "application/json")], body).into_response();
    if more {
        response
            .headers_mut()
            .insert(NEXT_OFFSET_HEADER, HeaderValue::from(offset + limit));
    }
    Ok(response)
}

/// `GET /api/board`: every request with its needs' quantities and pledges.
pub(super) async fn board(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    with_core(&state, |core| {
        to_json(&core.replica().read_model().request_board())
    })
    .await
    .map(Json)
}

/// `GET /api/missions`: every mission order.
pub(super) async fn missions(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    with_core(&state, |core| {
        to_json(&core.replica().read_model().mission_orders())
    })
    .await
    .map(Json)
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|error| ApiError::Internal(error.to_string()))
}
