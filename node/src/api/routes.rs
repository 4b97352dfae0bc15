//! The API's route table: every JSON route with its method, handler,
//! permission and documentation, in one list. [`super::router`] mounts
//! exactly these, and `GET /api/openapi.json` (`openapi.rs`) is made from
//! the same list, so a route cannot exist without its documentation.
//! Never decides who may do what: `accounts::Role::may` does.

use amtshilfe_protocol::read_model::{AcceptanceRefusal, PledgeRefusal, RefusalKind, RoomRefusal};
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

use super::{
    ApiState, acceptances, accounts_admin, bundle, contacts, events, incidents, notifications,
    offers, openapi, pact, pledges, posture, reads, requests, sessions, shared_posture,
};
use crate::accounts::Permission;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone, without a session (see `auth::PUBLIC_PATHS`).
    Public,
    /// Any session or API token.
    Session,
    /// A session or token whose role has this permission.
    Role(Permission),
}

/// One route of the JSON API.
#[derive(Debug)]
pub(crate) struct ApiRoute {
    pub(crate) method: Method,
    /// In axum's syntax, which is also OpenAPI's: `/api/offers/{id}`.
    pub(crate) path: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) access: Access,
    /// Schema name of the JSON body, if it takes one.
    pub(crate) body: Option<&'static str>,
    /// Status and schema name of a successful answer.
    pub(crate) answer: (u16, &'static str),
    /// Query parameters: name and meaning.
    pub(crate) query: &'static [(&'static str, &'static str)],
    /// Error codes particular to this route (the common ones are implied).
    pub(crate) errors: Vec<(u16, &'static str)>,
    pub(crate) handler: MethodRouter<ApiState>,
}

fn route(method: Method, path: &'static str, handler: MethodRouter<ApiState>) -> ApiRoute {
    ApiRoute {
        method,
        path,
        summary: "",
        access: Access::Session,
        body: None,
        answer: (200, "Object"),
        query: &[],
        errors: Vec::new(),
        handler,
    }
}

impl ApiRoute {
    fn doc(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }
    fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }
    fn role(self, permission: Permission) -> Self {
        self.access(Access::Role(permission))
    }
    fn body(mut self, schema: &'static str) -> Self {
        self.body = Some(schema);
        self
    }
    fn answers(mut self, status: u16, schema: &'static str) -> Self {
        self.answer = (status, schema);
        self
    }
    fn query(mut self, query: &'static [(&'static str, &'static str)]) -> Self {
        self.query = query;
        self
    }
    fn errors(mut self, errors: &[(u16, &'static str)]) -> Self {
        self.errors.extend_from_slice(errors);
        self
    }
    /// The codes of a read-model rule (`read_model::rules`), 404 or 409 by
    /// their kind, cited from the rule itself.
    fn refusals(mut self, codes: &[(&'static str, RefusalKind)]) -> Self {
        self.errors
            .extend(codes.iter().map(|(code, kind)| match kind {
                RefusalKind::NotFound => (404, *code),
                RefusalKind::Conflict => (409, *code),
            }));
        self
    }
    /// Codes of the incident room's rules (`RoomRefusal::CODES`) named
    /// here, so that a code added to the rule shifts nothing; a name the
    /// rule does not have fails every test that builds the table.
    fn room_refusals(self, names: &[&'static str]) -> Self {
        let codes: Vec<(&'static str, RefusalKind)> = names
            .iter()
            .filter_map(|name| RoomRefusal::CODES.iter().find(|(code, _)| code == name))
            .copied()
            .collect();
        debug_assert_eq!(
            codes.len(),
            names.len(),
            "not all of {names:?} are codes of RoomRefusal"
        );
        self.refusals(&codes)
    }
}

/// The codes of `ops::shared_posture`, named once.
mod shared_posture_codes {
    pub(super) use crate::ops::shared_posture::aid::{NO_POSTURE, NOT_SHARED, REQUEST_NOT_FOUND};
    pub(super) use crate::ops::shared_posture::benchmark::NO_OFFICER;
}

const OFFER_NOT_FOUND: (u16, &str) = (404, "offer_not_found");
const VALIDATION: (u16, &str) = (400, "validation_failed");
const INCIDENT_NOT_FOUND: (u16, &str) = (404, "incident_not_found");
const NO_OFFICER: (u16, &str) = (404, "no_officer_here");
const MEMBER_NOT_SERVED: (u16, &str) = (404, "member_not_served");
/// Why a posture record cannot be sealed (no published member key, …).
const SEAL_REFUSED: &[(u16, &str)] = &[
    (409, "seal_key_missing"),
    (409, "seal_key_not_held"),
    (409, "seal_refused"),
];
/// Why a save of the member's posture is refused (besides `SEAL_REFUSED`).
const POSTURE_SAVE_REFUSED: &[(u16, &str)] =
    &[(400, "invalid_assessment"), (400, "posture_too_large")];

const REGISTRY_QUERY: &[(&str, &str)] = &[
    (
        "kind",
        "offer kind: person, remote_capacity, equipment, team_package, service_relocation",
    ),
    ("role", "a role id the offer provides"),
    ("skill", "a skill id the offer brings"),
    ("skill_level", "at this level or higher (needs skill)"),
    ("category", "an equipment category id"),
    ("mode", "remote, onsite or both"),
    (
        "window_start_ms",
        "start of the window the offer must be usable in, ms",
    ),
    ("window_end_ms", "end of that window, ms"),
    ("min_remaining", "at least this many units still free"),
    ("owner", "offers of this member only (hex member id)"),
    (
        "region",
        "offers of members whose name contains it (any case) or whose AGS starts with it; at most 120 characters",
    ),
    ("status", "an offer status, or any (default: available)"),
    (
        "limit",
        "most offers in the answer: 1 to 1000, default 100 (header X-Next-Offset names the next page)",
    ),
    ("offset", "matching offers to skip (default 0)"),
];

/// Every JSON route. The order is the order of the OpenAPI document.
pub(crate) fn api_routes() -> Vec<ApiRoute> {
    use Method as M;
    vec![
        route(M::GET, "/health", get(reads::health))
            .doc("Whether the node answers")
            .access(Access::Public)
            .answers(200, "Health"),
        route(M::GET, "/api/openapi.json", get(openapi::document))
            .doc("This document")
            .access(Access::Public)
            .answers(200, "OpenApi"),
        route(M::POST, "/api/login", post(sessions::login_json))
            .doc("Log in; sets the session cookie")
            .access(Access::Public)
            .body("LoginBody")
            .answers(200, "LoginAnswer")
            .errors(&[(401, "login_failed"), (429, "too_many_attempts")]),
        route(M::POST, "/api/logout", post(sessions::logout_json))
            .doc("End this session")
            .answers(200, "LoggedOut"),
        route(M::GET, "/api/me", get(sessions::me))
            .doc("The caller's account and role")
            .answers(200, "Me"),
        route(M::GET, "/api/status", get(reads::status))
            .doc("This member, the pact, peers, envelope counts, last syncs")
            .answers(200, "Status"),
        route(M::GET, "/api/registry", get(reads::registry))
            .doc("Offers of every member, filtered, one page at a time")
            .query(REGISTRY_QUERY)
            .answers(200, "RegistryEntries")
            .errors(&[
                (400, "invalid_query"),
                (400, crate::ops::reads::SKILL_LEVEL_NEEDS_SKILL),
                (400, crate::ops::reads::WINDOW_NEEDS_BOTH_ENDS),
            ]),
        route(M::GET, "/api/board", get(reads::board))
            .doc("Every request with pledged, accepted and open quantities")
            .answers(200, "Board"),
        route(M::GET, "/api/missions", get(reads::missions))
            .doc("Every mission order")
            .answers(200, "MissionOrders"),
        route(M::GET, "/api/exports/{file}", get(reads::export))
            .doc("registry, board or missions as .csv (semicolons, UTF-8 with BOM, German headers) or .json, as a download")
            .answers(200, "Export")
            .errors(&[(404, "export_not_found")]),
        route(M::POST, "/api/offers", post(offers::create))
            .doc("A new offer of this member")
            .role(Permission::Offer)
            .body("Offer")
            .answers(201, "Saved")
            .errors(&[VALIDATION]),
        route(M::PUT, "/api/offers/{id}", put(offers::replace))
            .doc("Replace one of this member's offers (same kind); the node sets updated_at_ms")
            .role(Permission::Offer)
            .body("Offer")
            .answers(200, "Saved")
            .errors(&[VALIDATION, OFFER_NOT_FOUND, (409, "offer_kind_fixed")]),
        route(M::POST, "/api/offers/{id}/withdraw", post(offers::withdraw))
            .doc("Set one of this member's offers out_of_service")
            .role(Permission::Offer)
            .answers(200, "Saved")
            .errors(&[OFFER_NOT_FOUND]),
        route(M::POST, "/api/requests", post(requests::create))
            .doc("A new aid request of this member")
            .role(Permission::Request)
            .body("AidRequest")
            .answers(201, "Saved")
            .errors(&[VALIDATION]),
        route(M::PUT, "/api/requests/{id}/posture-share", put(shared_posture::share))
            .doc("Share this member's IRS eligibility (and, if chosen, its raised red flags; never answers) with the members pledging on its request, sealed to them; re-sealed as pledges come and go")
            .role(Permission::Request)
            .body("AidShareBody")
            .answers(200, "AidShared")
            .errors(&[
                (404, shared_posture_codes::REQUEST_NOT_FOUND),
                (409, shared_posture_codes::NO_POSTURE),
            ])
            .errors(SEAL_REFUSED),
        route(M::DELETE, "/api/requests/{id}/posture-share", delete(shared_posture::unshare))
            .doc("Withdraw the posture summary of this member's request")
            .role(Permission::Request)
            .answers(200, "AidUnshared")
            .errors(&[
                (404, shared_posture_codes::REQUEST_NOT_FOUND),
                (404, shared_posture_codes::NOT_SHARED),
            ]),
        route(M::GET, "/api/requests/{requester}/{id}/posture-summary", get(shared_posture::summary))
            .doc("The requester's posture summary, for a member standing by a pledge on the request (the same 404 whether nothing is shared or this member may not see it)")
            .answers(200, "AidSummary")
            .errors(&[(404, shared_posture_codes::NOT_SHARED)]),
        route(M::POST, "/api/posture/benchmark", post(shared_posture::publish_benchmark))
            .doc("The hosted officer shares the pact benchmark (min / median / max per WiBA topic, topics with at least 3 members' submitted assessments) with each member it serves, sealed to that member")
            .role(Permission::ReviewPosture)
            .answers(200, "BenchmarkPublished")
            .errors(&[(409, shared_posture_codes::NO_OFFICER), (409, "seal_refused")]),
        route(M::GET, "/api/posture/benchmark", get(shared_posture::benchmarks))
            .doc("The pact benchmarks officers serving this member shared with it")
            .role(Permission::EditPosture)
            .answers(200, "BenchmarksSeen"),
        route(M::POST, "/api/pledges", post(pledges::create))
            .doc("A pledge against another member's need")
            .role(Permission::Pledge)
            .body("Pledge")
            .answers(201, "Saved")
            .errors(&[VALIDATION])
            .refusals(&PledgeRefusal::CODES),
        route(M::POST, "/api/acceptances", post(acceptances::create))
            .doc("Accept a pledge for this member's request")
            .role(Permission::Accept)
            .body("AcceptanceBody")
            .answers(201, "Saved")
            .errors(&[VALIDATION])
            .refusals(&AcceptanceRefusal::CODES),
        route(M::GET, "/api/incidents", get(incidents::list))
            .doc("Every incident, newest awareness first")
            .answers(200, "Incidents"),
        route(M::GET, "/api/incidents/{author}/{id}", get(incidents::room))
            .doc("One incident room as this member may read it: checklist, clocks (time left, 80 % and overdue), reports (pre-filled drafts), timeline (amber and red lines with their text only where this node is a reader: readable false otherwise)")
            .answers(200, "RoomAnswer")
            .errors(&[INCIDENT_NOT_FOUND]),
        route(M::POST, "/api/incidents", post(incidents::open))
            .doc("Open an incident of this member, or on behalf of another member (on_behalf_of)")
            .role(Permission::Request)
            .body("IncidentBody")
            .answers(201, "Saved")
            .errors(&[VALIDATION, (403, "not_authorised")]),
        route(M::POST, "/api/incidents/{author}/{id}/steps", post(incidents::step))
            .doc("A checklist step's state, owner and note, of one of this member's incidents")
            .role(Permission::Request)
            .body("StepBody")
            .answers(201, "Saved")
            .errors(&[VALIDATION])
            .room_refusals(&["incident_not_found"]),
        route(M::POST, "/api/incidents/{author}/{id}/timeline", post(incidents::line))
            .doc("A timeline line of one of this member's incidents; tlp amber or red seals the text to the hit member, its officers and (amber) its helpers with published encryption keys")
            .role(Permission::Request)
            .body("LineBody")
            .answers(201, "Saved")
            .errors(&[
                VALIDATION,
                (409, "sealed_line_on_behalf"),
                (413, "record_too_large"),
            ])
            .errors(SEAL_REFUSED)
            .room_refusals(&["incident_not_found"]),
        route(M::PUT, "/api/incidents/{author}/{id}/reports/{kind}", put(incidents::report))
            .doc("Save a report (gdpr_art33, bsig_early_warning, bsig_notification, bsig_final_report); sent_at_ms marks it as sent and needs every required field")
            .role(Permission::Request)
            .body("ReportBody")
            .answers(200, "Saved")
            .errors(&[VALIDATION, (404, "report_kind_not_found")])
            .room_refusals(&["incident_not_found"]),
        route(M::POST, "/api/incidents/{author}/{id}/adopt", post(incidents::adopt_route))
            .doc("Adopt an incident another member wrote on this member's behalf")
            .role(Permission::Request)
            .answers(201, "Saved")
            .room_refusals(&[
                "incident_not_found",
                "adopted_incident_not_found",
                "not_for_this_member",
                "already_adopted",
            ]),
        route(M::POST, "/api/pledges/{pledger}/{id}/decline", post(incidents::decline_route))
            .doc("Decline a pledge on one of this member's requests: it stops counting and frees the offer")
            .role(Permission::Accept)
            .body("DeclineBody")
            .answers(201, "Saved")
            .errors(&[VALIDATION])
            .room_refusals(&["pledge_not_found", "not_your_request", "pledge_accepted"]),
        route(M::POST, "/api/acceptances/{id}/status", post(incidents::status))
            .doc("Move one of this member's mission orders on (active, released, closed); closing with the helper's figures confirms them")
            .role(Permission::Accept)
            .body("StatusBody")
            .answers(200, "Saved")
            .errors(&[VALIDATION])
            .room_refusals(&["mission_order_not_found", "status_not_forward"]),
        route(M::POST, "/api/settlements", post(incidents::settlement))
            .doc("The helper's hours and expenses for a mission order that took up its pledge")
            .role(Permission::Pledge)
            .body("SettlementBody")
            .answers(201, "Saved")
            .errors(&[VALIDATION])
            .room_refusals(&["mission_order_not_found", "not_your_mission_order"]),
        route(M::GET, "/api/posture", get(posture::own))
            .doc("This member's posture as its admins and IT leads edit it: the working revision's assessment, WiBA progress per topic, the delta to the baseline, submissions and reviews with both signatures, findings, records refused with their reason")
            .role(Permission::EditPosture)
            .answers(200, "PostureAnswer"),
        route(M::PUT, "/api/posture", put(posture::save))
            .doc("Save this member's working revision (sealed to the member and its officers); the node sets the time")
            .role(Permission::EditPosture)
            .body("PostureBody")
            .answers(200, "PostureSaved")
            .errors(POSTURE_SAVE_REFUSED)
            .errors(SEAL_REFUSED),
        route(M::POST, "/api/posture/submit", post(posture::submit_own))
            .doc("Submit the working revision for review, signed by this node's device")
            .role(Permission::EditPosture)
            .answers(201, "PostureSubmitted")
            .errors(&[(409, "nothing_to_submit")])
            .errors(SEAL_REFUSED),
        route(M::GET, "/api/posture/members", get(posture::members))
            .doc("The workspace of the joint security officer hosted on this node: each member it serves with WiBA progress per topic, BCMS stage, NIS-2 maturity, AKC milestones and IRS eligibility, red flags, open and overdue findings, last review")
            .role(Permission::ReviewPosture)
            .answers(200, "Workspace")
            .errors(&[NO_OFFICER]),
        route(M::GET, "/api/posture/members/{member}", get(posture::member))
            .doc("One served member's posture as the officer reviews it: the newest submitted revision, the delta to the baseline, both signatures, findings")
            .role(Permission::ReviewPosture)
            .answers(200, "PostureAnswer")
            .errors(&[NO_OFFICER, MEMBER_NOT_SERVED]),
        route(M::POST, "/api/posture/members/{member}/review", post(posture::review_member))
            .doc("The officer's review of a submitted revision: accepted (it becomes the baseline) or returned with comments per question, with findings (owner, due date); signed by the officer key")
            .role(Permission::ReviewPosture)
            .body("ReviewRequest")
            .answers(201, "Saved")
            .errors(&[
                NO_OFFICER,
                MEMBER_NOT_SERVED,
                (409, "not_submitted"),
                (400, "invalid_review"),
            ])
            .errors(SEAL_REFUSED),
        route(M::POST, "/api/tokens", post(sessions::create_token))
            .doc("A new API token acting as the caller with at most the session's role, for 1 to 365 days (shown once); from a login session only")
            .body("TokenBody")
            .answers(201, "TokenAnswer")
            .errors(&[(400, "invalid_body"), (403, "token_needs_session")]),
        route(M::GET, "/api/tokens", get(accounts_admin::list_tokens))
            .doc("Every API token (without its secret)")
            .role(Permission::Administer)
            .answers(200, "Tokens"),
        route(
            M::DELETE,
            "/api/tokens/{id}",
            delete(accounts_admin::revoke_token),
        )
        .doc("Revoke an API token")
        .role(Permission::Administer)
        .answers(200, "Revoked")
        .errors(&[(404, "token_not_found")]),
        route(M::GET, "/api/accounts", get(sessions::list_accounts))
            .doc("Every account of this node")
            .role(Permission::Administer)
            .answers(200, "Accounts"),
        route(M::POST, "/api/accounts", post(sessions::create_account))
            .doc("A new account; a password is generated and shown once if none is given")
            .role(Permission::Administer)
            .body("NewAccount")
            .answers(201, "NewAccountAnswer")
            .errors(&[(400, "invalid_body"), (409, "account_exists")]),
        route(
            M::PATCH,
            "/api/accounts/{name}",
            patch(accounts_admin::change_account),
        )
        .doc("Change an account's role, or disable or enable it (ends its sessions)")
        .role(Permission::Administer)
        .body("AccountChange")
        .answers(200, "Account")
        .errors(&[(404, "account_not_found"), (409, "last_admin")]),
        route(M::GET, "/api/audit", get(sessions::audit_log))
            .doc("The audit log, newest first, paged")
            .role(Permission::Administer)
            .query(&[
                ("limit", "rows per page (default 100, at most 1000)"),
                ("offset", "rows to skip from the newest"),
            ])
            .answers(200, "AuditRows")
            .errors(&[(400, "invalid_query")]),
        route(M::GET, "/api/notifications", get(notifications::log))
            .doc("The on-call notifications and their delivery log, newest first")
            .answers(200, "Notifications"),
        route(M::POST, "/api/notifications/{seq}/ack", post(notifications::acknowledge))
            .doc("Acknowledge a notification: no more sending or escalation")
            .answers(200, "Notification")
            .errors(&[(404, "notification_not_found")]),
        route(M::GET, "/events", get(events::events))
            .doc("Server-sent events: `change` after every stored change")
            .answers(200, "EventStream"),
        route(M::GET, "/metrics", get(reads::metrics))
            .doc("Prometheus text format")
            .answers(200, "Metrics"),
        route(M::POST, "/api/bundle", post(bundle::import).layer(BUNDLE_BODY))
            .doc("Import an offline bundle through the same ingress as the network")
            .role(Permission::Administer)
            .body("Bundle")
            .answers(200, "BundleReport")
            .errors(BUNDLE_REFUSED),
        route(M::POST, "/api/bundle/export", post(bundle::export).layer(BUNDLE_BODY))
            .doc("An offline bundle of everything, or of what a peer lacks (its known state as the body)")
            .role(Permission::Administer)
            .body("KnownState")
            .answers(200, "Bundle")
            .errors(&[(422, "known_state_malformed"), (422, "wrong_pact")]),
        route(M::GET, "/api/bundle/membership", get(bundle::export_membership))
            .doc("An offline bundle of the membership log alone: a recovery ticket for a member that lost its node")
            .role(Permission::Administer)
            .answers(200, "Bundle"),
        route(M::GET, "/api/bundle/state", get(bundle::known_state))
            .doc("This node's known state, for a peer to export what it lacks")
            .role(Permission::Administer)
            .answers(200, "KnownState"),
        route(M::PUT, "/api/profile/contacts", put(contacts::set))
            .doc("Set this member's 24/7 primary and deputy contacts (role, phone, e-mail), which confirms them; a member without a profile names its kind and AGS once")
            .role(Permission::Administer)
            .body("ContactsBody")
            .answers(200, "Saved")
            .errors(&[VALIDATION]),
        route(M::POST, "/api/profile/contacts/confirm", post(contacts::confirm))
            .doc("Confirm this member's 24/7 contacts as they are (due every quarter)")
            .role(Permission::Administer)
            .answers(200, "Saved")
            .errors(&[(404, "profile_not_found")]),
        route(M::GET, "/api/pact", get(pact::pact))
            .doc("The pact: members with AGS, keys and devices, officers, proposals with what they do and the approvals missing")
            .role(Permission::Administer)
            .answers(200, "PactView"),
        route(M::POST, "/api/pact/proposals", post(pact::propose))
            .doc("Propose removing a member, rotating a member key, appointing or dismissing an officer, replacing the pact's agreement (set_agreement, whole terms; takes effect with a majority) (or admitting a member), signed with the member key on this node")
            .role(Permission::Administer)
            .body("ProposalBody")
            .answers(201, "SignedAnswer")
            .errors(PACT_REFUSED)
            .errors(AGREEMENT_REFUSED),
        route(M::POST, "/api/pact/proposals/{hash}/approve", post(pact::approve))
            .doc("Approve an open proposal, signed with the member key on this node")
            .role(Permission::Administer)
            .answers(201, "SignedAnswer")
            .errors(PACT_REFUSED)
            .errors(&[(409, "already_approved"), (409, "proposal_decided")]),
        route(M::POST, "/api/pact/proposals/{hash}/decline", post(pact::decline))
            .doc("Decline an open proposal (a signed \"no\" the pact sees; it blocks nothing), signed with the member key on this node")
            .role(Permission::Administer)
            .answers(201, "SignedAnswer")
            .errors(PACT_REFUSED)
            .errors(&[
                (409, "already_approved"),
                (409, "already_declined"),
                (409, "proposal_decided"),
            ]),
        route(M::POST, "/api/pact/invitations", post(pact::invite))
            .doc("Propose admitting a member and get its invitation file")
            .role(Permission::Administer)
            .body("InviteBody")
            .answers(201, "InviteAnswer")
            .errors(PACT_REFUSED),
        route(M::POST, "/api/pact/devices/revoke", post(pact::revoke_device))
            .doc("Revoke a lost or stolen device of this node's member, signed with the member key on this node: its changes count only up to the heads of the member's documents here, and it is no longer let in")
            .role(Permission::Administer)
            .body("RevokeDeviceBody")
            .answers(201, "SignedAnswer")
            .errors(PACT_REFUSED)
            .errors(&[
                (404, "device_not_found"),
                (409, "device_revoked_already"),
                (409, "own_device"),
            ]),
        route(M::POST, "/api/pact/invitations/{hash}", post(pact::invitation_for))
            .doc("The invitation file for an admission proposed already (e.g. signed with an offline member key); signs nothing")
            .role(Permission::Administer)
            .body("InvitationAddresses")
            .answers(200, "Invitation")
            .errors(&[
                (400, "too_many_addresses"),
                (404, "proposal_not_found"),
                (409, "not_an_admission"),
                (409, "proposal_decided"),
            ]),
        route(M::POST, "/api/pact/entries", post(pact::entries))
            .doc("A membership entry signed elsewhere (amtshilfe member … with an offline member key), through the log's checks")
            .role(Permission::Administer)
            .body("SignedEntryBody")
            .answers(201, "SignedAnswer")
            .errors(PACT_REFUSED),
    ]
}

/// Why a governance write is refused (nothing signed or stored).
const PACT_REFUSED: &[(u16, &str)] = &[
    (404, "member_not_found"),
    (404, "officer_not_found"),
    (404, "proposal_not_found"),
    (409, "member_key_absent"),
    (409, "member_key_not_current"),
    (409, "key_in_use"),
    (409, "officer_exists"),
    (409, "entry_parents_missing"),
    (409, "bad_signature"),
    (409, "wrong_pact"),
    (409, "unknown_author"),
    (409, "author_not_current"),
    (409, "malformed"),
    (400, "name_invalid"),
    (400, "serves_invalid"),
    (400, "too_many_addresses"),
    (400, "entry_malformed"),
];

/// Why a proposed agreement is refused (nothing signed): a field breaks
/// its rule (`field` and `rule` say which), the terms are too large as a
/// whole, or another version took effect since the proposer looked.
const AGREEMENT_REFUSED: &[(u16, &str)] = &[
    VALIDATION,
    (400, "agreement_too_large"),
    (409, "agreement_changed"),
    (409, "changed_since_review"),
];

/// A bundle body may be far larger than a JSON body.
const BUNDLE_BODY: axum::extract::DefaultBodyLimit =
    axum::extract::DefaultBodyLimit::max(amtshilfe_protocol::bundle::BUNDLE_BYTES_MAX);

/// Why a bundle is refused whole (nothing applied; the answer lists items).
const BUNDLE_REFUSED: &[(u16, &str)] = &[
    (422, "not_a_bundle"),
    (422, "bundle_version"),
    (422, "bundle_truncated"),
    (422, "bundle_checksum"),
    (422, "bundle_malformed"),
    (422, "bundle_too_many_items"),
    (422, "bundle_too_large"),
    (422, "wrong_pact"),
    (422, "bundle_items_refused"),
];
