//! `POST /anfragen/{owner}/{id}/sicherheitslage`: the requester's consent
//! on its own request page: share its posture summary with the helpers
//! pledging (`level` = `eligibility` or `eligibility_and_red_flags`) or
//! withdraw it (`level` = `none`). The rules are
//! `ops::shared_posture::aid`'s; a refusal comes back as the API's error
//! page for the request page's path.

use amtshilfe_protocol::posture::AidShareLevel;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::forms::Fields;
use crate::http::auth::refuse;
use crate::http::posture::write_aid_share;
use crate::http::{ApiError, ApiState, with_core};
use crate::ops::announce;
use crate::ops::shared_posture::aid;

/// The form field with the choice.
pub(crate) const LEVEL_FIELD: &str = "level";

pub(super) async fn share(
    State(state): State<ApiState>,
    Path((owner, id)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Response {
    let path = format!("/anfragen/{owner}/{id}");
    let mine = owner == state.member.to_string();
    let level = fields.get(LEVEL_FIELD).cloned().unwrap_or_default();
    let result = with_core(&state, move |core| {
        if !mine {
            return Err(ApiError::NotFound {
                code: aid::REQUEST_NOT_FOUND,
                message: "Only the requester shares its own posture.".into(),
            });
        }
        // The choices are the API's level names (`AidShareLevel`), and `none`.
        let level = match level.as_str() {
            "none" => None,
            other => Some(
                serde_json::from_value::<AidShareLevel>(serde_json::json!(other)).map_err(
                    |_| ApiError::BodyRule {
                        code: "invalid_level",
                        message: format!("level: {other:?} is not a choice of this form"),
                    },
                )?,
            ),
        };
        Ok(write_aid_share(core, &id, level)?.0)
    })
    .await;
    match result {
        Ok(envelope) => {
            announce(&state, &[envelope]);
            Redirect::to(&path).into_response()
        }
        Err(error) => refuse(&path, error),
    }
}
