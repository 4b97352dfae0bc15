//! `GET /sicherheitslage/vergleich`: the pact benchmarks shared with this
//! member (`ops::shared_posture::benchmark::shared_with_me`).

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages as html;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use super::pages::render;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::http::ApiState;
use crate::ops::shared_posture::benchmark::shared_with_me;

/// The page's path.
pub(crate) const PATH: &str = "/sicherheitslage/vergleich";

pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    render(
        &state,
        PATH,
        lang,
        move |core| {
            let ctx = ctx_for(core, &me, lang.lang, Nav::Other);
            let shares: Vec<_> = shared_with_me(core)
                .into_iter()
                .map(|seen| seen.benchmark)
                .collect();
            Ok((ctx, shares))
        },
        |(ctx, shares)| html::benchmark(&ctx, &shares),
    )
    .await
}
