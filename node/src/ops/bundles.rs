//! Importing an offline bundle on a running node: the one use case behind
//! `POST /api/bundle` and the Netzwerk page's upload, so both refuse
//! alike. Decoding and the signatures are checked off the core's lock;
//! only ingress and the store take it.

use axum::body::Bytes;

use crate::bundle::{BundleRefused, ImportReport};
use crate::http::{ApiError, ApiState, with_core};

/// Takes a bundle through ingress, for the API and the Netzwerk page's
/// upload alike: the outer error is the node's, the inner one the
/// bundle's refusal (nothing applied).
pub async fn import_bytes(
    state: &ApiState,
    body: Bytes,
) -> Result<Result<ImportReport, BundleRefused>, ApiError> {
    let pact = with_core(state, |core| Ok(core.replica().pact_id())).await?;
    let checked = tokio::task::spawn_blocking(move || crate::bundle::checked(&body, &pact))
        .await
        .map_err(|error| ApiError::Internal(format!("an API task failed: {error}")))?;
    let bundle = match checked {
        Ok(bundle) => bundle,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let report = with_core(state, move |core| Ok(crate::bundle::apply(core, bundle))).await?;
    Ok(Ok(report))
}
