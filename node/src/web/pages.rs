//! The GET pages: each copies what it shows from the core once under its
//! lock, and renders after the lock is released ([`render`]).

use std::collections::HashMap;

use amtshilfe_dashboard::offer_fields;
use amtshilfe_dashboard::pages::{
    self as html, FormError, FormValues, MemberRow, NetworkView, OfferForm, PeerRow, REGISTER_PAGE,
    RegisterForm,
};
use amtshilfe_dashboard::{Ctx, Nav};
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::model::{Mode, OfferKind, RequestStatus};
use amtshilfe_protocol::read_model::{OfferEntry, OwnedOfferEntry, OwnedRequestView, RequestView};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::clock;
use crate::core::Core;
use crate::http::auth::refuse;
use crate::http::{ApiError, ApiState, with_store};
use crate::ops::offers::own_offer;
use crate::ops::reads::{ANY_STATUS, RegistryQuery};
use crate::store::PeerAddresses;

/// A member counts as reachable if a sync with one of its devices finished
/// this recently, in ms (a few default sync intervals).
pub(super) const REACHABLE_WITHIN_MS: i64 = 5 * 60 * 1_000;

/// Shows a page in two steps, the lock discipline of every page: `read`
/// copies what the page shows from the core into owned values under the
/// core's lock, and `show` renders them after the lock is released (both
/// in one task on the blocking pool). `V: 'static` keeps borrowed read-model views
/// from crossing; rendering inside `read` panics in debug builds
/// (`crate::core_guard`). An error becomes the error page of `path`.
pub(super) async fn render<V, R, S>(
    state: &ApiState,
    path: &str,
    lang: LangChoice,
    read: R,
    show: S,
) -> Response
where
    V: Send + 'static,
    R: FnOnce(&Core) -> Result<V, ApiError> + Send + 'static,
    S: FnOnce(V) -> String + Send + 'static,
{
    render_as(state, path, lang, StatusCode::OK, read, show).await
}

/// [`render`] answered with `status` (a page shown again with the reason a
/// form was refused carries the refusal's status).
pub(super) async fn render_as<V, R, S>(
    state: &ApiState,
    path: &str,
    lang: LangChoice,
    status: StatusCode,
    read: R,
    show: S,
) -> Response
where
    V: Send + 'static,
    R: FnOnce(&Core) -> Result<V, ApiError> + Send + 'static,
    S: FnOnce(V) -> String + Send + 'static,
{
    // One blocking task for both steps (one hop, not two): the guard is a
    // temporary of the `let`, so the lock is released before `show` runs.
    let core = state.core.clone();
    let shown = tokio::task::spawn_blocking(move || {
        let view = read(&core.lock())?;
        Ok::<_, ApiError>(show(view))
    })
    .await
    .map_err(|error| ApiError::Internal(format!("a page task failed: {error}")))
    .and_then(|shown| shown);
    match shown {
        Ok(body) => {
            let mut response = lang.html(body);
            *response.status_mut() = status;
            response
        }
        Err(error) => refuse(path, error),
    }
}

/// Peer id (text) → member name, for every current member's delegated devices.
fn peer_members(core: &Core) -> HashMap<String, (MemberId, String)> {
    let state = core.replica().membership().state();
    let mut map = HashMap::new();
    for (member, info) in state.members() {
        let Some(record) = state.member_record(member) else {
            continue;
        };
        for delegation in record
            .delegations
            .iter()
            .filter(|d| d.issued_under == info.current_key)
        {
            if let Some(peer) = crate::net::identity::peer_id_of(&delegation.device) {
                map.insert(peer.to_string(), (*member, info.name.clone()));
            }
        }
    }
    map
}

/// `GET /`: Lagebild.
pub(super) async fn overview(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    render(
        &state,
        "/",
        lang,
        move |core| {
            let ctx = ctx_for(core, &me, lang.lang, Nav::Lagebild);
            let model = core.replica().read_model();
            let now_ms = clock::now_ms();
            // The page lists open requests only: only those are copied.
            let open: Vec<OwnedRequestView> = model
                .request_board_at(now_ms)
                .iter()
                .filter(|view| view.request.status == RequestStatus::Open)
                .map(RequestView::to_owned_view)
                .collect();
            let capacity = model.available_capacity().clone();
            Ok((ctx, open, capacity, member_rows(core, now_ms)))
        },
        |(ctx, open, capacity, members)| {
            let board: Vec<_> = open.iter().map(OwnedRequestView::view).collect();
            html::overview(&ctx, &board, &capacity, &members)
        },
    )
    .await
}

/// The Lagebild's member rows: who is reachable, whose contacts are stale.
fn member_rows(core: &Core, now_ms: i64) -> Vec<MemberRow> {
    let peers = peer_members(core);
    let own = core.device().member;
    let stale = super::contact_sheet::stale_by_member(core, now_ms);
    core.replica()
        .membership()
        .state()
        .members()
        .map(|(id, info)| {
            let last_sync_ms = core
                .counters
                .last_sync_ms
                .iter()
                .filter(|(peer, _)| peers.get(*peer).is_some_and(|(member, _)| member == id))
                .map(|(_, at)| *at)
                .max();
            MemberRow {
                name: info.name.clone(),
                is_self: *id == own,
                last_sync_ms,
                reachable: last_sync_ms.is_some_and(|at| now_ms - at <= REACHABLE_WITHIN_MS),
                contacts_stale: stale.get(id).copied(),
            }
        })
        .collect()
}

/// What the offer form on a page shows: the kind, the values (empty for
/// a new form) and why the last submission was refused.
#[derive(Debug, Default)]
pub(super) struct FormState {
    pub(super) kind: Option<OfferKind>,
    pub(super) values: FormValues,
    pub(super) error: Option<(ApiError, Option<String>)>,
}

impl FormState {
    fn status(&self) -> StatusCode {
        self.error
            .as_ref()
            .map_or(StatusCode::OK, |(error, _)| error.status())
    }

    fn form_error(&self) -> Option<FormError> {
        self.error.as_ref().map(|(error, field)| FormError {
            message: error.to_string(),
            field: field.clone(),
        })
    }
}

/// `GET /ressourcen?art=…`.
pub(super) async fn resources(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let kind = params.get("art").and_then(|id| offer_fields::kind_of(id));
    let form = FormState {
        kind,
        ..FormState::default()
    };
    resources_page(&state, lang, me, form).await
}

/// The Ressourcen page with the offer form in `form`'s state.
pub(super) async fn resources_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    form: FormState,
) -> Response {
    let status = form.status();
    render_as(
        state,
        "/ressourcen",
        lang,
        status,
        move |core| {
            let ctx = ctx_for(core, &me, lang.lang, Nav::Ressourcen);
            let query = RegistryQuery {
                owner: Some(core.device().member),
                status: Some(ANY_STATUS.to_owned()),
                ..RegistryQuery::default()
            };
            let own: Vec<OwnedOfferEntry> = core
                .replica()
                .read_model()
                .registry(&query.to_filter()?)
                .iter()
                .map(OfferEntry::to_owned_entry)
                .collect();
            Ok((ctx, own))
        },
        move |(ctx, own)| {
            let own: Vec<_> = own.iter().map(OwnedOfferEntry::entry).collect();
            let error = form.form_error();
            let view = OfferForm {
                kind: form.kind.unwrap_or(OfferKind::Equipment),
                values: &form.values,
                editing: None,
                error: error.as_ref(),
            };
            html::resources(&ctx, &own, &view, clock::now_ms())
        },
    )
    .await
}

/// `GET /ressourcen/{id}/bearbeiten`: the edit form of one own offer.
pub(super) async fn edit_offer(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    edit_page(&state, lang, me, id, FormState::default()).await
}

/// The edit page of offer `id`, prefilled with its current values unless
/// `form` carries values that were sent.
pub(super) async fn edit_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    id: String,
    form: FormState,
) -> Response {
    let path = format!("/ressourcen/{id}/bearbeiten");
    let status = form.status();
    render_as(
        state,
        &path,
        lang,
        status,
        move |core| {
            let (_, offer) = own_offer(core, &id)?;
            let ctx = ctx_for(core, &me, lang.lang, Nav::Ressourcen);
            Ok((ctx, offer, id))
        },
        move |(ctx, offer, id)| {
            let values = if form.values.is_empty() {
                offer_fields::offer_values(&offer)
            } else {
                form.values.clone()
            };
            let error = form.form_error();
            let view = OfferForm {
                kind: offer.kind(),
                values: &values,
                editing: Some(&id),
                error: error.as_ref(),
            };
            html::offer_edit(&ctx, &view, clock::now_ms())
        },
    )
    .await
}

/// A snake_case enum value from a form field; empty means none.
fn enum_of<T: serde::de::DeserializeOwned>(text: &str, name: &str) -> Result<Option<T>, ApiError> {
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_value(json!(text))
        .map(Some)
        .map_err(|_| ApiError::InvalidQuery(format!("{name}: {text:?} is not known")))
}

fn register_query(form: &RegisterForm) -> Result<RegistryQuery, ApiError> {
    let pick = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    let kind: Option<OfferKind> = enum_of(&form.kind, "kind")?;
    let mode: Option<Mode> = enum_of(&form.mode, "mode")?;
    let date = |text: &str| -> Result<Option<i64>, ApiError> {
        if text.is_empty() {
            return Ok(None);
        }
        amtshilfe_dashboard::format::parse_date(text)
            .map(Some)
            .ok_or_else(|| ApiError::InvalidQuery(format!("{text:?} is not a date")))
    };
    let (window_start_ms, window_end_ms) = match (date(&form.from)?, date(&form.until)?) {
        (Some(from), Some(until)) => (Some(from), Some(until + 86_400_000)),
        (Some(from), None) => (Some(from), Some(from + 86_400_000)),
        (None, Some(until)) => (Some(until), Some(until + 86_400_000)),
        (None, None) => (None, None),
    };
    Ok(RegistryQuery {
        kind,
        role: pick(&form.role),
        skill: pick(&form.skill),
        category: pick(&form.category),
        mode,
        window_start_ms,
        window_end_ms,
        region: pick(&form.region),
        ..RegistryQuery::default()
    })
}

/// `GET /register`.
pub(super) async fn register(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let get = |name: &str| params.get(name).cloned().unwrap_or_default();
    let form = RegisterForm {
        kind: get("kind"),
        role: get("role"),
        skill: get("skill"),
        category: get("category"),
        mode: get("mode"),
        from: get("from"),
        until: get("until"),
        region: get("region"),
        offset: get("offset").parse().unwrap_or(0),
    };
    render(
        &state,
        "/register",
        lang,
        move |core| {
            let ctx = ctx_for(core, &me, lang.lang, Nav::Register);
            let model = core.replica().read_model();
            // One page from the read model's indexes, a region too: a pact
            // may have tens of thousands of offers, and this runs under the
            // core's lock.
            let (mut results, error) = match register_query(&form).and_then(|q| q.to_filter()) {
                Ok(filter) => {
                    let page = model.registry_page(&filter, form.offset, REGISTER_PAGE + 1);
                    (page.entries, None)
                }
                Err(error) => (Vec::new(), Some(error.to_string())),
            };
            let more = results.len() > REGISTER_PAGE;
            results.truncate(REGISTER_PAGE);
            let results: Vec<OwnedOfferEntry> =
                results.iter().map(OfferEntry::to_owned_entry).collect();
            Ok((ctx, form, results, more, error))
        },
        |(ctx, form, results, more, error)| {
            let results: Vec<_> = results.iter().map(OwnedOfferEntry::entry).collect();
            html::register(&ctx, &form, &results, more, error.as_deref())
        },
    )
    .await
}

/// `GET /netzwerk`.
pub(super) async fn network(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    let own_peer = state.net.peer_id().to_string();
    let stored = match stored_peers(&state).await {
        Ok(stored) => stored,
        Err(error) => return refuse("/netzwerk", error),
    };
    render(
        &state,
        "/netzwerk",
        lang,
        move |core| network_view(core, &me, lang.lang, own_peer, stored, None),
        |(ctx, view)| html::network(&ctx, &view),
    )
    .await
}

/// The peer addresses this node keeps, read through the accounts' store
/// handle before the core's lock is taken: a page never waits on the disk
/// while holding it.
pub(super) async fn stored_peers(state: &ApiState) -> Result<Vec<PeerAddresses>, ApiError> {
    with_store(state, |store| {
        store.peer_addresses().map_err(ApiError::from)
    })
    .await
}

/// What the Netzwerk page shows: the `stored` peers ([`stored_peers`]),
/// with what an uploaded bundle did if one was.
pub(super) fn network_view(
    core: &Core,
    me: &Principal,
    lang: amtshilfe_dashboard::Lang,
    own_peer: String,
    stored: Vec<PeerAddresses>,
    bundle_import: Option<html::BundleImportView>,
) -> Result<(Ctx, NetworkView), ApiError> {
    let ctx = ctx_for(core, me, lang, Nav::Netzwerk);
    let members = peer_members(core);
    let mut peers: Vec<PeerRow> = stored
        .into_iter()
        .map(|peer| PeerRow {
            member: members.get(&peer.peer).map(|(_, name)| name.clone()),
            last_sync_ms: core.counters.last_sync_ms.get(&peer.peer).copied(),
            last_seen_ms: Some(peer.last_seen_ms),
            addresses: peer.addresses,
            peer: peer.peer,
        })
        .collect();
    for (peer, at) in &core.counters.last_sync_ms {
        if !peers.iter().any(|row| &row.peer == peer) {
            peers.push(PeerRow {
                peer: peer.clone(),
                member: members.get(peer).map(|(_, name)| name.clone()),
                last_sync_ms: Some(*at),
                last_seen_ms: None,
                addresses: Vec::new(),
            });
        }
    }
    let stats = core.replica().stats();
    let view = NetworkView {
        own_peer,
        connected: core.counters.peers_connected.get(),
        peers,
        rejected: stats
            .rejected
            .iter()
            .map(|(code, n)| ((*code).to_owned(), *n))
            .collect(),
        accepted: stats.accepted,
        pending: core.replica().pending_len(),
        forks: fork_rows(core),
        bundle_import,
    };
    Ok((ctx, view))
}

/// The forks the replica knows, for the Netzwerk page.
fn fork_rows(core: &Core) -> Vec<html::ForkRow> {
    let state = core.replica().membership().state();
    core.replica()
        .forks()
        .map(|fork| html::ForkRow {
            member: state
                .member_record(&fork.document.owner)
                .map(|record| record.name.clone()),
            collection: format!("{:?}", fork.document.collection),
            actor: fork.actor.short(),
            seq: fork.seq,
            evidence: [
                fork.evidence.first.content_hash().short(),
                fork.evidence.second.content_hash().short(),
            ],
        })
        .collect()
}
