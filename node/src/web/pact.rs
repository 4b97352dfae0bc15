//! The Pakt page (admins) and its forms, over the same use cases as
//! `/api/pact…` (`ops::pact`, `ops::pact_actions`). Every form goes to
//! `/pakt/pruefen` first, which shows what will be signed and carries the
//! fields on to the signing form; an approval is reviewed on the
//! proposal's own page. A refusal shows the Pakt page with its reason.

use amtshilfe_dashboard::Nav;
use amtshilfe_dashboard::pages::{
    self as html, PactConfirm, PactDeviceRow, PactMemberRow, PactOfficerRow, PactPage,
    PactProposalRow,
};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};

use super::forms::{FormFields, field};
use super::pages::render_as;
use super::{LangChoice, ctx_for};
use crate::accounts::Principal;
use crate::http::auth::refuse;
use crate::http::{ApiError, ApiState, with_core};
use crate::ops::device_revocation::{self, RevokeDeviceBody};
use crate::ops::pact::{PactView, ProposalState, ProposalView, view};
use crate::ops::pact_actions::{
    InviteBody, ProposalBody, approve, holds_member_key, invite, preview, propose_as_reviewed,
};

const PATH: &str = "/pakt";
/// Where a reviewed device revocation is signed.
pub(super) const REVOKE_PATH: &str = "/pakt/geraet-sperren";
/// Decided proposals shown.
const DECIDED_SHOWN: usize = 20;

fn body_of(fields: &FormFields) -> Result<ProposalBody, ApiError> {
    let kind = field(fields, "kind");
    Ok(match kind.as_str() {
        "add" => ProposalBody::Add {
            name: field(fields, "name"),
            member_key: field(fields, "member_key"),
        },
        "remove" => ProposalBody::Remove {
            member: field(fields, "member"),
        },
        "rotate_key" => ProposalBody::RotateKey {
            member: field(fields, "member"),
            new_key: field(fields, "new_key"),
        },
        "appoint_officer" => ProposalBody::AppointOfficer {
            officer_key: field(fields, "officer_key"),
            name: field(fields, "name"),
            serves: fields
                .iter()
                .filter(|(n, _)| n == "serves")
                .map(|(_, v)| v.clone())
                .collect(),
        },
        "dismiss_officer" => ProposalBody::DismissOfficer {
            officer_key: field(fields, "officer_key"),
        },
        "set_agreement" => super::agreement_form::body(fields)?,
        other => return Err(ApiError::InvalidBody(format!("kind: {other:?}"))),
    })
}

fn row(proposal: &ProposalView, de: bool) -> PactProposalRow {
    PactProposalRow {
        hash: proposal.hash.clone(),
        text: if de {
            proposal.text_de.clone()
        } else {
            proposal.text_en.clone()
        },
        proposer: proposal.proposer.name.clone(),
        proposed_at_ms: proposal.proposed_at_ms,
        state: match proposal.state {
            ProposalState::Open => "open",
            ProposalState::Applied => "angenommen / applied",
            ProposalState::Inapplicable => "nicht anwendbar / inapplicable",
            ProposalState::NotCounted => "nicht gezählt / not counted",
        },
        approvers: proposal.approvers.iter().map(|m| m.name.clone()).collect(),
        missing: proposal.approvals_missing,
        also_needed: proposal
            .also_needed
            .iter()
            .map(|m| m.name.clone())
            .collect(),
        approved_here: proposal.approved_here,
    }
}

/// This member's devices; `own_device` is this node's device key, hex.
fn own_devices(pact: &PactView, own_device: &str) -> Vec<PactDeviceRow> {
    pact.members
        .iter()
        .find(|m| m.id == pact.this_member.id)
        .map(|member| {
            member
                .devices
                .iter()
                .map(|d| PactDeviceRow {
                    fingerprint: d
                        .device
                        .parse()
                        .map(|key| amtshilfe_protocol::fingerprint::words(&key))
                        .unwrap_or_default(),
                    device: d.device.clone(),
                    revoked: d.revoked_by.is_some(),
                    this_node: d.device == own_device,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn page_of(pact: &PactView, de: bool, own_device: &str) -> PactPage {
    PactPage {
        own_devices: own_devices(pact, own_device),
        pact_name: pact.pact_name.clone(),
        pact: pact.pact.clone(),
        holds_member_key: pact.holds_member_key,
        majority: pact.majority,
        members: pact
            .members
            .iter()
            .map(|m| PactMemberRow {
                id: m.id.clone(),
                name: m.name.clone(),
                ags: m.ags.clone(),
                key: m.current_key.clone(),
                fingerprint: m.fingerprint.clone(),
                old_keys: m.keys.len().saturating_sub(1),
                devices: m
                    .devices
                    .iter()
                    .filter(|d| d.usable)
                    .map(|d| format!("{}…", &d.device[..d.device.len().min(16)]))
                    .collect(),
                served_by: m.served_by.clone(),
            })
            .collect(),
        former: pact.former_members.iter().map(|m| m.name.clone()).collect(),
        officers: pact
            .officers
            .iter()
            .map(|o| PactOfficerRow {
                key: o.key.clone(),
                name: o.name.clone(),
                serves: o.serves.iter().map(|m| m.name.clone()).collect(),
            })
            .collect(),
        open: pact
            .proposals
            .iter()
            .filter(|p| p.state == ProposalState::Open)
            .map(|p| row(p, de))
            .collect(),
        decided: pact
            .proposals
            .iter()
            .filter(|p| p.state != ProposalState::Open)
            .take(DECIDED_SHOWN)
            .map(|p| row(p, de))
            .collect(),
        error: None,
    }
}

/// The page, with `error` and its status if a form was refused.
async fn render(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    error: Option<ApiError>,
) -> Response {
    let holds = holds_member_key(state);
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, ApiError::status);
    let message = error.map(|e| e.to_string());
    render_as(
        state,
        PATH,
        lang,
        status,
        move |core| {
            let pact = view(core, holds, crate::clock::now_ms());
            let own_device = core.device().key.public().to_string();
            let mut page = page_of(
                &pact,
                lang.lang == amtshilfe_dashboard::Lang::De,
                &own_device,
            );
            page.error = message;
            Ok((ctx_for(core, &me, lang.lang, Nav::Pakt), page))
        },
        |(ctx, page)| html::pact(&ctx, &page),
    )
    .await
}

async fn confirm_page(
    state: &ApiState,
    lang: LangChoice,
    me: Principal,
    confirm: PactConfirm,
) -> Response {
    render_as(
        state,
        PATH,
        lang,
        axum::http::StatusCode::OK,
        move |core| Ok(ctx_for(core, &me, lang.lang, Nav::Pakt)),
        move |ctx| html::pact_confirm(&ctx, &confirm),
    )
    .await
}

/// `GET /pakt`.
pub(super) async fn page(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
) -> Response {
    render(&state, lang, me, None).await
}

/// `POST /pakt/pruefen`: what the form would sign, with the button that
/// signs it.
pub(super) async fn review(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<FormFields>,
) -> Response {
    if field(&fields, "kind") == "revoke_device" {
        return review_revocation(state, lang, me, fields).await;
    }
    let result = async {
        let body = body_of(&fields)?;
        let shown = preview(&state, body).await?;
        Ok::<_, ApiError>(shown)
    }
    .await;
    let shown = match result {
        Ok(shown) => shown,
        Err(error) => return render(&state, lang, me, Some(error)).await,
    };
    let action = if field(&fields, "kind") == "add" {
        "/pakt/einladung"
    } else {
        "/pakt/vorschlag"
    };
    let confirm = PactConfirm {
        title: "Vorschlag prüfen / Review the proposal".into(),
        text_de: shown.text_de,
        text_en: shown.text_en,
        details: shown.details,
        action: action.into(),
        fields: fields
            .into_iter()
            .filter(|(n, _)| n != "csrf" && n != "shown")
            .chain([("shown".to_owned(), shown.shown)])
            .collect(),
        decline_action: None,
    };
    confirm_page(&state, lang, me, confirm).await
}

/// `POST /pakt/vorschlag`: signs the reviewed proposal.
pub(super) async fn sign_proposal(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<FormFields>,
) -> Response {
    let result = async {
        let body = body_of(&fields)?;
        propose_as_reviewed(&state, body, field(&fields, "shown")).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(PATH).into_response(),
        Err(error) => render(&state, lang, me, Some(error)).await,
    }
}

/// `POST /pakt/einladung`: proposes the admission and answers the
/// invitation file as a download.
pub(super) async fn sign_invitation(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<FormFields>,
) -> Response {
    let address = field(&fields, "address");
    let body = InviteBody {
        name: field(&fields, "name"),
        member_key: field(&fields, "member_key"),
        addresses: if address.is_empty() {
            Vec::new()
        } else {
            vec![address]
        },
    };
    match invite(&state, body).await {
        Ok(answer) => match serde_json::to_string_pretty(&answer.invitation) {
            Ok(text) => (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"einladung.json\"",
                    ),
                ],
                text,
            )
                .into_response(),
            Err(error) => refuse(PATH, ApiError::Internal(error.to_string())),
        },
        Err(error) => render(&state, lang, me, Some(error)).await,
    }
}

/// `GET /pakt/vorschlaege/{hash}`: the whole proposal with who approved
/// and who declined, and the buttons that approve or decline (both
/// signed), or leave signing nothing.
pub(super) async fn proposal(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(hash): Path<String>,
) -> Response {
    let holds = holds_member_key(&state);
    let wanted = hash.clone();
    let found = with_core(&state, move |core| {
        let parsed = wanted.parse().map_err(|_| {
            ApiError::not_found(
                "proposal_not_found",
                "A proposal is named by 64 hex digits.",
            )
        })?;
        let proposal = crate::ops::pact_actions::proposal_entry(core, &parsed)?;
        let pact = view(core, holds, crate::clock::now_ms());
        let shown = pact
            .proposals
            .into_iter()
            .find(|p| p.hash == wanted)
            .ok_or_else(|| ApiError::not_found("proposal_not_found", "No such proposal."))?;
        Ok((shown, crate::ops::pact_actions::proposal_details(&proposal)))
    })
    .await;
    let (shown, mut details) = match found {
        Ok(found) => found,
        Err(error) => return render(&state, lang, me, Some(error)).await,
    };
    details.insert(0, ("Vorschlag / proposal".into(), shown.hash.clone()));
    details.push((
        "Vorgeschlagen von / proposed by".into(),
        shown.proposer.name.clone(),
    ));
    details.push((
        "Zugestimmt / approved".into(),
        shown
            .approvers
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    details.push((
        "Abgelehnt von / declined by".into(),
        shown
            .decliners
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    details.push((
        "Es fehlen / missing".into(),
        shown.approvals_missing.to_string(),
    ));
    let open = shown.state == ProposalState::Open;
    let confirm = PactConfirm {
        title: "Zustimmen? / Approve?".into(),
        text_de: shown.text_de,
        text_en: shown.text_en,
        details,
        action: format!("/pakt/vorschlaege/{hash}/zustimmen"),
        fields: Vec::new(),
        decline_action: open.then(|| format!("/pakt/vorschlaege/{hash}/ablehnen")),
    };
    confirm_page(&state, lang, me, confirm).await
}

/// `POST /pakt/vorschlaege/{hash}/zustimmen`.
pub(super) async fn sign_approval(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(hash): Path<String>,
) -> Response {
    match approve(&state, hash).await {
        Ok(_) => Redirect::to(PATH).into_response(),
        Err(error) => render(&state, lang, me, Some(error)).await,
    }
}

/// `POST /pakt/vorschlaege/{hash}/ablehnen`: a signed decline.
pub(super) async fn sign_decline(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Path(hash): Path<String>,
) -> Response {
    match crate::ops::pact_actions::decline(&state, hash).await {
        Ok(_) => Redirect::to(PATH).into_response(),
        Err(error) => render(&state, lang, me, Some(error)).await,
    }
}

/// The device a revocation form names.
fn revocation_body(fields: &FormFields) -> RevokeDeviceBody {
    RevokeDeviceBody {
        device: field(fields, "device"),
    }
}

/// Part of `POST /pakt/pruefen`: what revoking the device signs.
async fn review_revocation(
    state: ApiState,
    lang: LangChoice,
    me: Principal,
    fields: FormFields,
) -> Response {
    let shown = match device_revocation::preview(&state, revocation_body(&fields)).await {
        Ok(shown) => shown,
        Err(error) => return render(&state, lang, me, Some(error)).await,
    };
    let confirm = PactConfirm {
        title: "Gerät sperren? / Revoke the device?".into(),
        text_de: shown.text_de,
        text_en: shown.text_en,
        details: shown.details,
        action: REVOKE_PATH.into(),
        decline_action: None,
        fields: vec![
            ("device".to_owned(), field(&fields, "device")),
            ("shown".to_owned(), shown.shown),
        ],
    };
    confirm_page(&state, lang, me, confirm).await
}

/// `POST /pakt/geraet-sperren`: signs the reviewed revocation.
pub(super) async fn sign_revocation(
    State(state): State<ApiState>,
    lang: LangChoice,
    Extension(me): Extension<Principal>,
    Form(fields): Form<FormFields>,
) -> Response {
    let body = revocation_body(&fields);
    match device_revocation::revoke(&state, body, Some(field(&fields, "shown"))).await {
        Ok(_) => Redirect::to(PATH).into_response(),
        Err(error) => render(&state, lang, me, Some(error)).await,
    }
}
