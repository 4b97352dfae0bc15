//! `POST /netzwerk/buendel`: an admin uploads an offline bundle on the
//! Netzwerk page. A plain `multipart/form-data` form (no script: the pages'
//! CSP allows none inline); the file goes through the same ingress as
//! `POST /api/bundle` and `amtshilfe bundle import`, and the page answers
//! with what was taken and what was refused, with reasons. The CSRF field
//! is checked before this runs (`http::auth`), the size by the route's
//! body limit.

use amtshilfe_dashboard::pages::{BundleImportView, RefusedItemRow};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::LangChoice;
use super::pages::{network_view, render_as, stored_peers};
use crate::accounts::Principal;
use crate::bundle::{BundleRefused, ImportReport, RefusedItem};
pub(super) use crate::http::UPLOAD_BYTES_MAX;
use crate::http::auth::refuse;
use crate::http::{ApiError, ApiState};

/// The form field carrying the file.
const FILE_FIELD: &str = "bundle";

fn rows(items: &[RefusedItem]) -> Vec<RefusedItemRow> {
    items
        .iter()
        .map(|item| RefusedItemRow {
            index: item.index,
            kind: item.kind.to_owned(),
            code: item.code.to_owned(),
            reason: item.reason.clone(),
        })
        .collect()
}

fn view_of(outcome: Result<ImportReport, BundleRefused>) -> (StatusCode, BundleImportView) {
    match outcome {
        Ok(report) => (
            StatusCode::OK,
            BundleImportView::Imported {
                entries_applied: report.entries_applied,
                envelopes_applied: report.envelopes_applied,
                duplicates: report.duplicates,
                pending: report.pending,
                refused: rows(&report.refused),
            },
        ),
        Err(refusal) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            BundleImportView::Refused {
                code: refusal.code.to_owned(),
                message: refusal.message,
                items: rows(&refusal.items),
            },
        ),
    }
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::BodyTooLarge
    } else {
        ApiError::InvalidBody(format!("upload: {}", error.body_text()))
    }
}

/// The bytes of the file field; other fields (the CSRF token) are skipped.
async fn file_of(mut multipart: Multipart) -> Result<Bytes, ApiError> {
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() == Some(FILE_FIELD) {
            return field.bytes().await.map_err(multipart_error);
        }
    }
    Err(ApiError::InvalidBody(format!(
        "upload: the form carries no `{FILE_FIELD}` file"
    )))
}

/// `POST /netzwerk/buendel`.
pub(super) async fn upload(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let path = amtshilfe_dashboard::pages::BUNDLE_UPLOAD_PATH;
    let outcome = async {
        let multipart = multipart.map_err(|rejection| {
            ApiError::InvalidBody(format!("upload: {}", rejection.body_text()))
        })?;
        let bytes = file_of(multipart).await?;
        crate::ops::bundles::import_bytes(&state, bytes).await
    }
    .await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => return refuse(path, error),
    };
    let (status, view) = view_of(outcome);
    let own_peer = state.net.peer_id().to_string();
    let stored = match stored_peers(&state).await {
        Ok(stored) => stored,
        Err(error) => return refuse(path, error),
    };
    render_as(
        &state,
        path,
        lang,
        status,
        move |core| network_view(core, &me, lang.lang, own_peer, stored, Some(view)),
        |(ctx, view)| amtshilfe_dashboard::pages::network(&ctx, &view),
    )
    .await
}
