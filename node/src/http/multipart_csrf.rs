//! The CSRF field of a cookie-authenticated `multipart/form-data` write
//! (the Netzwerk page's bundle upload; no other route takes multipart).
//! The body is read whole under a cap and put back, as for url-encoded
//! forms; the field must come first (the form puts it there). Only an admin session posting to the upload path may send a
//! body as large as a bundle; any other multipart body is capped like a
//! JSON body, so that a reader's session cannot make the node buffer a
//! bundle's worth of bytes only to be refused by the role check after.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use super::{API_BODY_BYTES_MAX, ApiError, UPLOAD_BYTES_MAX};
use crate::accounts::{Permission, Principal};

/// How much of the body's start is searched for the CSRF field. The form
/// puts it first, so it lies within the first part's few hundred bytes;
/// parsing only this prefix keeps the multipart reader (which reads ahead
/// and caps what it reads at the JSON body limit) away from the file.
const PROBE_BYTES: usize = 8 * 1024;

/// Whether `content_type` is a multipart form.
pub(super) fn is_multipart(content_type: &str) -> bool {
    content_type.starts_with("multipart/form-data")
}

fn cap(path: &str, principal: &Principal) -> usize {
    if path == amtshilfe_dashboard::pages::BUNDLE_UPLOAD_PATH
        && principal.may(Permission::Administer)
    {
        UPLOAD_BYTES_MAX
    } else {
        API_BODY_BYTES_MAX
    }
}

/// The request with its body put back, and the value of its `csrf`
/// field (empty if it has none or the form does not parse).
pub(super) async fn csrf_field(
    request: Request,
    principal: &Principal,
) -> Result<(Request, String), ApiError> {
    let cap = cap(request.uri().path(), principal);
    // A declared length over the cap is refused before a byte is read.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > cap as u64) {
        return Err(ApiError::BodyTooLarge);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, cap)
        .await
        .map_err(|_| ApiError::BodyTooLarge)?;
    let prefix = bytes.slice(..bytes.len().min(PROBE_BYTES));
    let probe = Request::from_parts(parts.clone(), Body::from(prefix));
    let mut sent = String::new();
    if let Ok(mut form) = Multipart::from_request(probe, &()).await {
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some("csrf") {
                sent = field.text().await.unwrap_or_default();
                break;
            }
        }
    }
    Ok((Request::from_parts(parts, Body::from(bytes)), sent))
}
