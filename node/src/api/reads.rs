//! Read routes: health, status, the registry, the request board, mission
//! orders and the metrics page. They never write. Each reads the core once
//! under its lock and answers from that one consistent state.

use std::collections::BTreeMap;

use amtshilfe_protocol::ids::{MemberId, PactId};
use amtshilfe_protocol::read_model::{
    MissionOrder, OwnedMissionOrder, OwnedRequestView, RequestView,
};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Value, json};

use crate::core::Core;
use crate::http::{ApiError, ApiState, with_core};
use crate::metrics;
use crate::ops::exports::{self, Export, Format};
use crate::ops::reads::{NEXT_OFFSET_HEADER, RegistryQuery};

/// `GET /health`.
pub(super) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Marks the answer to a request that matched no route, so that the audit
/// layer does not log it (any account could otherwise fill the audit log
/// with requests that did nothing).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoRoute;

/// Any route that does not exist: 404 `route_not_found`.
pub(crate) async fn no_route() -> (Extension<NoRoute>, ApiError) {
    (
        Extension(NoRoute),
        ApiError::not_found("route_not_found", "There is no such route in this API."),
    )
}

/// `GET /metrics`: Prometheus text format.
pub(super) async fn metrics(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let snapshot = with_core(&state, |core| Ok(metrics::Snapshot::of(core))).await?;
    let text = metrics::render(&snapshot);
    Ok(([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text))
}

/// What `GET /api/status` shows.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "Status")]
pub(crate) struct StatusView {
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
    /// Members whose 24/7 contacts were not confirmed within a quarter.
    contacts_stale: Vec<amtshilfe_protocol::pact::StaleContacts>,
    /// The pact's open requests and mission orders with every exercise
    /// left out (exercises are counted apart, never among the real ones).
    real_figures: amtshilfe_protocol::read_model::RealFigures,
    /// What each member's documents cost this node, flagged above the
    /// watch threshold (`member_watch.rs`: a figure, not a quota).
    members_stored: Vec<crate::member_watch::MemberStored>,
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
        peers_connected: core.counters.peers_connected.get(),
        envelopes_accepted: stats.accepted,
        envelopes_duplicate: stats.duplicates,
        envelopes_rejected: stats.rejected.values().sum(),
        envelopes_pending: replica.pending_len(),
        changes_held: replica.held_len(),
        writes_stopped: core.is_stopped(),
        last_sync_ms: core.counters.last_sync_ms.clone(),
        contacts_stale: amtshilfe_protocol::pact::stale_contacts(
            state.members().map(|(id, _)| *id),
            |m| replica.read_model().profile(m),
            crate::clock::now_ms(),
        ),
        real_figures: replica.read_model().real_figures(),
        members_stored: crate::member_watch::stored(replica),
    }
}

/// `GET /api/status`.
pub(super) async fn status(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let status = with_core(&state, |core| Ok(status_of(core))).await?;
    to_json(&status).map(Json)
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
    let (entries, more) = with_core(&state, move |core| {
        // From the read model's indexes: a deep page or a filter nothing
        // passes costs about the page, not the whole register. Copied
        // under the lock, serialised after it is released.
        let page = core
            .replica()
            .read_model()
            .registry_page(&filter, offset, limit);
        let entries: Vec<_> = page.entries.iter().map(|e| e.to_owned_entry()).collect();
        Ok((entries, page.more))
    })
    .await?;
    let body =
        serde_json::to_vec(&entries).map_err(|error| ApiError::Internal(error.to_string()))?;
    let mut response = ([(CONTENT_TYPE, "application/json")], body).into_response();
    if more {
        response
            .headers_mut()
            .insert(NEXT_OFFSET_HEADER, HeaderValue::from(offset + limit));
    }
    Ok(response)
}

/// `GET /api/exports/{file}`: `registry`, `board` or `missions` as `.csv`
/// (semicolons, UTF-8 with BOM, German headers) or `.json`, as a download;
/// 404 `export_not_found` for any other name.
pub(super) async fn export(
    State(state): State<ApiState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (export, format) = Export::from_file(&file).ok_or_else(|| {
        ApiError::not_found(
            "export_not_found",
            format!("There is no export {file:?}; try registry.csv, board.csv, missions.csv or reimbursement.csv (or .json)."),
        )
    })?;
    let table = exports::table(&state, export).await?;
    let (content_type, extension, body) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv", table.to_csv()),
        Format::Json => ("application/json", "json", table.to_json().to_string()),
    };
    let day = amtshilfe_dashboard::format::iso_date(crate::clock::now_ms());
    let disposition = format!(
        "attachment; filename=\"{}-{day}.{extension}\"",
        export.download_name()
    );
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// `GET /api/board`: every request with its needs' quantities and pledges.
pub(super) async fn board(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let board: Vec<OwnedRequestView> = with_core(&state, |core| {
        // As it stands now: lapsed pledges show as such, their units as open.
        Ok(core
            .replica()
            .read_model()
            .request_board_at(crate::clock::now_ms())
            .iter()
            .map(RequestView::to_owned_view)
            .collect())
    })
    .await?;
    let views: Vec<_> = board.iter().map(OwnedRequestView::view).collect();
    to_json(&views).map(Json)
}

/// `GET /api/missions`: every mission order.
pub(super) async fn missions(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let orders: Vec<OwnedMissionOrder> = with_core(&state, |core| {
        Ok(core
            .replica()
            .read_model()
            .mission_orders()
            .iter()
            .map(MissionOrder::to_owned_view)
            .collect())
    })
    .await?;
    let views: Vec<_> = orders.iter().map(OwnedMissionOrder::view).collect();
    to_json(&views).map(Json)
}

/// Serialises an answer; never under the core's lock (answers are copied
/// under it and serialised after it is released, checked in debug builds).
fn to_json<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    debug_assert!(
        amtshilfe_dashboard::render_check::rendering_allowed(),
        "an answer was serialised while the node's core lock was held"
    );
    serde_json::to_value(value).map_err(|error| ApiError::Internal(error.to_string()))
}
