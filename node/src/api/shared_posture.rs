//! The JSON adapter over `ops::shared_posture`: a requester shares its
//! posture summary with the helpers pledging on its request; a pledging
//! helper reads it; the hosted officer shares the pact benchmark; a
//! member reads the benchmarks shared with it.

use amtshilfe_protocol::ids::{Collection, MemberId};
use amtshilfe_protocol::posture::{AidShareLevel, AidSummary};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use serde::Deserialize;

use crate::clock;
use crate::http::posture::write_aid_share;
use crate::http::{ApiError, ApiState, with_core};
use crate::ops::announce;
use crate::ops::shared_posture::aid::{self, AidShared};
use crate::ops::shared_posture::benchmark::{self, BenchmarkPublished, BenchmarkSeen};

/// What the requester lets pledging helpers see.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AidShareBody {
    /// `eligibility`, or `eligibility_and_red_flags`.
    pub level: AidShareLevel,
}

/// Withdrawn: nothing is sealed to anyone afterwards.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct AidUnshared {
    /// Always `withdrawn`.
    pub status: &'static str,
}

/// `PUT /api/requests/{id}/posture-share`.
pub(super) async fn share(
    State(state): State<ApiState>,
    Path(request): Path<String>,
    body: Result<Json<AidShareBody>, JsonRejection>,
) -> Result<Json<AidShared>, ApiError> {
    let Json(body) = body?;
    let (envelope, shared) = with_core(&state, move |core| {
        write_aid_share(core, &request, Some(body.level))
    })
    .await?;
    announce(&state, std::slice::from_ref(&envelope));
    let shared = shared.ok_or_else(|| ApiError::Internal("a share answered nothing".into()))?;
    Ok(Json(shared))
}

/// `DELETE /api/requests/{id}/posture-share`.
pub(super) async fn unshare(
    State(state): State<ApiState>,
    Path(request): Path<String>,
) -> Result<Json<AidUnshared>, ApiError> {
    let (envelope, _) =
        with_core(&state, move |core| write_aid_share(core, &request, None)).await?;
    announce(&state, std::slice::from_ref(&envelope));
    Ok(Json(AidUnshared {
        status: "withdrawn",
    }))
}

/// `GET /api/requests/{requester}/{id}/posture-summary`.
pub(super) async fn summary(
    State(state): State<ApiState>,
    Path((requester, request)): Path<(String, String)>,
) -> Result<Json<AidSummary>, ApiError> {
    let requester: MemberId = requester.parse().map_err(|_| ApiError::NotFound {
        code: aid::NOT_SHARED,
        message: "No such member.".into(),
    })?;
    with_core(&state, move |core| {
        aid::summary_for_helper(core, &requester, &request, clock::now_ms())
    })
    .await
    .map(Json)
}

/// `POST /api/posture/benchmark`.
pub(super) async fn publish_benchmark(
    State(state): State<ApiState>,
) -> Result<Json<BenchmarkPublished>, ApiError> {
    let (envelopes, published) = with_core(&state, move |core| {
        let now_ms = clock::now_ms();
        let (ops, published) = benchmark::publish(core, now_ms)?;
        // One record per change: a share is sealed per member.
        let mut envelopes = Vec::new();
        for op in ops {
            envelopes.push(core.write(Collection::Posture, &[op], now_ms)?);
        }
        Ok((envelopes, published))
    })
    .await?;
    announce(&state, &envelopes);
    Ok(Json(published))
}

/// `GET /api/posture/benchmark`.
pub(super) async fn benchmarks(
    State(state): State<ApiState>,
) -> Result<Json<Vec<BenchmarkSeen>>, ApiError> {
    with_core(&state, move |core| Ok(benchmark::shared_with_me(core)))
        .await
        .map(Json)
}
