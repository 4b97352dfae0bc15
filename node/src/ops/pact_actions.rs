//! The pact's governance on a running node: propose (admit with an
//! invitation, remove, rotate a member key, appoint or dismiss an officer),
//! approve, decline (a signed "no"), and take in an entry signed elsewhere (`amtshilfe member …`
//! signs with an offline member key and hands the entry over).
//!
//! Signing needs the member key. A node that holds it (`member.key` in
//! its data directory, read at each signing so that it can be put there
//! for a moment and taken away again) signs here; one that does not
//! answers `member_key_absent`. Every entry goes through the membership
//! log's own checks under the core's lock, is durable before the answer,
//! and is then announced to the pact. A refused body or entry changes
//! nothing.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{EntryHash, MemberId, PublicKey};
use amtshilfe_protocol::membership::{
    EntryKind, InsertOutcome, NAME_BYTES_MAX, Proposal, ProposalStatus, SERVES_MAX, SignedEntry,
};
use amtshilfe_protocol::pact::{Agreement, AgreementError};
use serde::{Deserialize, Serialize};

use super::pact::{ProposalState, member_heads};
use super::pact_text::{describe, proposal_kind};
use crate::clock;
use crate::core::Core;
use crate::http::{ApiError, ApiState, with_core};
use crate::invitation::{Invitation, Invited};
use crate::keys::MEMBER_KEY_FILE;
use crate::net::{Announcement, NetCommand};

/// A proposal to make, as the API takes it. Keys and member ids are hex.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProposalBody {
    /// Admit a member (the invitation route also writes the invitation).
    Add {
        /// Display name, 1 to 256 bytes.
        name: String,
        /// The new member's key.
        #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
        member_key: String,
    },
    /// Remove a member; its documents freeze at the heads this node has.
    Remove {
        /// The member id.
        #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
        member: String,
    },
    /// Replace a member's key; the old key's writes freeze at the heads
    /// this node has.
    RotateKey {
        /// The member id.
        #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
        member: String,
        /// The new member key.
        #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
        new_key: String,
    },
    /// Appoint a joint officer.
    AppointOfficer {
        /// The officer's key.
        #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
        officer_key: String,
        /// Display name, 1 to 256 bytes.
        name: String,
        /// Member ids it serves, 1 to 64, distinct, current members.
        #[schemars(inner(regex(pattern = "^[0-9a-f]{64}$")))]
        serves: Vec<String>,
    },
    /// Dismiss an appointed officer.
    DismissOfficer {
        /// The officer's key.
        #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
        officer_key: String,
    },
    /// Replace the pact's agreement with these terms, whole. Takes effect
    /// only if a majority approves it before another version does.
    SetAgreement {
        /// The new terms (each field checked by `Agreement::validate`;
        /// council resolutions only of current members).
        agreement: Box<Agreement>,
        /// The proposal of the version these terms replace, as the
        /// proposer saw it (hex); refused with `agreement_changed` if
        /// another version is in force now. Omitted: the version in force
        /// on this node.
        #[serde(default)]
        #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
        previous: Option<String>,
    },
}

/// An admission and its invitation file.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// The joining member's name.
    pub name: String,
    /// The joining member's key (printed by its `amtshilfe init`).
    #[schemars(regex(pattern = "^[0-9a-f]{64}$"))]
    pub member_key: String,
    /// Addresses where the joiner reaches this node (multiaddrs; this
    /// node's peer id is added), at most 16.
    #[serde(default)]
    pub addresses: Vec<String>,
}

/// An entry signed elsewhere, in its wire form.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedEntryBody {
    /// The signed entry's bytes, hex.
    #[schemars(regex(pattern = "^([0-9a-f]{2})+$"))]
    pub entry: String,
}

/// What a signed entry did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SignedAnswer {
    /// The new entry's hash, hex.
    pub entry: String,
    /// The proposal it makes or approves, hex.
    pub proposal: String,
    /// add, remove, rotate_key, appoint_officer or dismiss_officer.
    pub kind: &'static str,
    /// What the proposal does, in German.
    pub text_de: String,
    /// What the proposal does, in English.
    pub text_en: String,
    /// The proposal's state after the entry.
    pub state: ProposalState,
}

/// An admission proposed and its invitation.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InviteAnswer {
    /// The proposal.
    pub signed: SignedAnswer,
    /// The invitation file's content, for the joiner's `amtshilfe join`.
    pub invitation: Invitation,
}

/// Most addresses an invitation names.
const INVITATION_ADDRESSES_MAX: usize = 16;

fn hex_key(field: &str, text: &str) -> Result<PublicKey, ApiError> {
    text.parse()
        .map_err(|_| ApiError::InvalidBody(format!("{field} must be 64 hex digits")))
}

fn hex_member(field: &str, text: &str) -> Result<MemberId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::InvalidBody(format!("{field} must be 64 hex digits")))
}

fn check_name(field: &str, name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.len() > NAME_BYTES_MAX {
        return Err(body_rule(
            "name_invalid",
            format!("{field} must be 1 to {NAME_BYTES_MAX} bytes and not blank"),
        ));
    }
    Ok(())
}

/// A refusal of a body that fits the document but breaks a rule.
fn body_rule(code: &'static str, message: String) -> ApiError {
    ApiError::BodyRule { code, message }
}

fn member_not_found(member: &MemberId) -> ApiError {
    ApiError::not_found(
        "member_not_found",
        format!("{member} is not a current member of the pact."),
    )
}

/// The proposal a body asks for, checked against the pact as it is now;
/// the frozen heads are this node's heads of the member's documents.
fn proposal_of(core: &Core, body: ProposalBody) -> Result<Proposal, ApiError> {
    let state = core.replica().membership().state();
    let ever_a_member_key = |key: &PublicKey| {
        let direct = MemberId::from_key(*key);
        state.member_record(&direct).is_some()
            || state.members().any(|(id, _)| {
                state
                    .member_record(id)
                    .is_some_and(|r| r.keys.iter().any(|k| k.key == *key))
            })
    };
    let key_in_use = || {
        ApiError::conflict(
            "key_in_use",
            "This key is or was a member key of the pact; create a new key.",
        )
    };
    Ok(match body {
        ProposalBody::Add { name, member_key } => {
            check_name("name", &name)?;
            let key = hex_key("member_key", &member_key)?;
            if ever_a_member_key(&key) {
                return Err(key_in_use());
            }
            Proposal::Add { key, name }
        }
        ProposalBody::Remove { member } => {
            let member = hex_member("member", &member)?;
            if !state.is_member(&member) {
                return Err(member_not_found(&member));
            }
            Proposal::Remove {
                member,
                frozen_heads: member_heads(core.replica(), &member),
            }
        }
        ProposalBody::RotateKey { member, new_key } => {
            let member = hex_member("member", &member)?;
            let new_key = hex_key("new_key", &new_key)?;
            if !state.is_member(&member) {
                return Err(member_not_found(&member));
            }
            if ever_a_member_key(&new_key) {
                return Err(key_in_use());
            }
            Proposal::RotateKey {
                member,
                new_key,
                frozen_heads: member_heads(core.replica(), &member),
            }
        }
        ProposalBody::AppointOfficer {
            officer_key,
            name,
            serves,
        } => {
            check_name("name", &name)?;
            let officer_key = hex_key("officer_key", &officer_key)?;
            if serves.is_empty() || serves.len() > SERVES_MAX {
                return Err(body_rule(
                    "serves_invalid",
                    format!("serves names 1 to {SERVES_MAX} members"),
                ));
            }
            let mut members = Vec::with_capacity(serves.len());
            for text in &serves {
                let member = hex_member("serves", text)?;
                if !state.is_member(&member) {
                    return Err(member_not_found(&member));
                }
                if members.contains(&member) {
                    return Err(body_rule(
                        "serves_invalid",
                        "serves names a member twice".to_string(),
                    ));
                }
                members.push(member);
            }
            if state.officers().any(|o| o.key == officer_key) {
                return Err(ApiError::conflict(
                    "officer_exists",
                    "An officer with this key is already appointed.",
                ));
            }
            Proposal::AppointOfficer {
                officer_key,
                name,
                serves: members,
            }
        }
        ProposalBody::DismissOfficer { officer_key } => {
            let officer_key = hex_key("officer_key", &officer_key)?;
            if !state.officers().any(|o| o.key == officer_key) {
                return Err(ApiError::not_found(
                    "officer_not_found",
                    "No officer with this key is appointed.",
                ));
            }
            Proposal::DismissOfficer { officer_key }
        }
        ProposalBody::SetAgreement {
            agreement,
            previous,
        } => {
            agreement.validate().map_err(agreement_refused)?;
            if let Some(resolution) = agreement
                .council_resolutions
                .iter()
                .find(|r| !state.is_member(&r.member))
            {
                return Err(member_not_found(&resolution.member));
            }
            let in_force = state.agreement().map(|v| v.proposal);
            if let Some(previous) = previous {
                let seen: EntryHash = previous
                    .parse()
                    .map_err(|_| ApiError::InvalidBody("previous must be 64 hex digits".into()))?;
                if in_force != Some(seen) {
                    return Err(agreement_changed());
                }
            }
            Proposal::SetAgreement {
                agreement,
                previous: in_force,
            }
        }
    })
}

/// A field of the agreement breaks its rule: `validation_failed` with the
/// field and the rule; too large as a whole: `agreement_too_large`.
fn agreement_refused(error: AgreementError) -> ApiError {
    match error {
        AgreementError::Field(invalid) => ApiError::Validation(invalid),
        too_large @ AgreementError::TooLarge { .. } => {
            body_rule(too_large.code(), too_large.to_string())
        }
    }
}

fn agreement_changed() -> ApiError {
    ApiError::conflict(
        "agreement_changed",
        "Another version of the agreement is in force now; propose the change again on \
         the terms in force.",
    )
}

/// Whether this node holds its member key.
pub(crate) fn holds_member_key(state: &ApiState) -> bool {
    member_key_path(state).is_some_and(|path| path.exists())
}

fn member_key_path(state: &ApiState) -> Option<std::path::PathBuf> {
    state
        .store
        .path()
        .parent()
        .map(|dir| dir.join(MEMBER_KEY_FILE))
}

/// The member key from the data directory, or `member_key_absent`.
pub(super) fn member_key(state: &ApiState) -> Result<KeyPair, ApiError> {
    let absent = || {
        ApiError::conflict(
            "member_key_absent",
            "Der Mitgliedsschlüssel liegt nicht auf diesem Knoten; signieren Sie mit \
             `amtshilfe member …` und dem Schlüssel vom Stick. / This node does not hold the \
             member key; sign with `amtshilfe member …` and the key from its stick.",
        )
    };
    let path = member_key_path(state).ok_or_else(absent)?;
    if !path.exists() {
        return Err(absent());
    }
    crate::keys::read_key_file(&path).map_err(|error| ApiError::Internal(error.to_string()))
}

/// `key` must be the current key of this node's member.
pub(super) fn check_current(core: &Core, key: &KeyPair) -> Result<(), ApiError> {
    let state = core.replica().membership().state();
    let own = core.device().member;
    let current = state
        .members()
        .find(|(id, _)| **id == own)
        .map(|(_, info)| info.current_key);
    if current != Some(key.public()) {
        return Err(ApiError::conflict(
            "member_key_not_current",
            "The member key on this node is not its member's current key.",
        ));
    }
    Ok(())
}

/// Takes `entry` into the log durably; its refusal as a 409 with the
/// log's code (nothing changed).
pub(super) fn commit(core: &mut Core, entry: &SignedEntry) -> Result<SignedAnswer, ApiError> {
    if core.is_stopped() {
        return Err(ApiError::WritesStopped);
    }
    match core.receive_entry(entry.clone(), "api") {
        Ok(InsertOutcome::Applied { .. } | InsertOutcome::Duplicate) => {}
        Ok(InsertOutcome::Pending) => {
            return Err(ApiError::conflict(
                "entry_parents_missing",
                "This node does not have the entries this one builds on yet; try again after \
                 it has synchronised.",
            ));
        }
        Err(rejection) => {
            return Err(ApiError::conflict(
                rejection.code(),
                format!("The membership log refused the entry: {rejection}."),
            ));
        }
    }
    if core.is_stopped() {
        return Err(ApiError::Storage("the entry could not be stored".into()));
    }
    answer_for(core, entry)
}

/// What `entry` (a proposal or an approval in the log) did.
fn answer_for(core: &Core, entry: &SignedEntry) -> Result<SignedAnswer, ApiError> {
    let log = core.replica().membership();
    let proposal_hash = match &entry.body.kind {
        EntryKind::Propose(_) => entry.hash(),
        EntryKind::Approve { proposal } | EntryKind::Decline { proposal } => *proposal,
        EntryKind::RevokeDevice { .. } => {
            return Ok(SignedAnswer {
                entry: entry.hash().to_string(),
                proposal: String::new(),
                kind: "revoke_device",
                text_de: String::new(),
                text_en: String::new(),
                state: ProposalState::Applied,
            });
        }
        EntryKind::Delegate { .. } | EntryKind::Incarnation { .. } | EntryKind::Charter(_) => {
            return Ok(SignedAnswer {
                entry: entry.hash().to_string(),
                proposal: String::new(),
                kind: "",
                text_de: String::new(),
                text_en: String::new(),
                state: ProposalState::Applied,
            });
        }
    };
    let proposal = proposal_entry(core, &proposal_hash)?;
    let state = log.state();
    let (text_de, text_en) = describe(&proposal, &|m| super::pact::name_of(state, m));
    Ok(SignedAnswer {
        entry: entry.hash().to_string(),
        proposal: proposal_hash.to_string(),
        kind: proposal_kind(&proposal),
        text_de,
        text_en,
        state: match state.proposal(&proposal_hash) {
            Some(ProposalStatus::Open { .. }) | None => ProposalState::Open,
            Some(ProposalStatus::Applied { .. }) => ProposalState::Applied,
            Some(ProposalStatus::Inapplicable { .. }) => ProposalState::Inapplicable,
            Some(ProposalStatus::NotCounted) => ProposalState::NotCounted,
        },
    })
}

/// The proposal entry `hash` in this node's log, or 404.
pub(crate) fn proposal_entry(core: &Core, hash: &EntryHash) -> Result<Proposal, ApiError> {
    match core.replica().membership().get(hash).map(|e| &e.body.kind) {
        Some(EntryKind::Propose(proposal)) => Ok(proposal.clone()),
        _ => Err(ApiError::not_found(
            "proposal_not_found",
            format!("This node knows no proposal {hash}."),
        )),
    }
}

pub(super) fn announce(state: &ApiState, entry: SignedEntry) {
    // Durable already; sync repairs a dropped announcement.
    state
        .net
        .send(NetCommand::Announce(Announcement::Entry(entry)));
}

/// Proposes `body`, signed with the member key on this node.
pub(crate) async fn propose(
    state: &ApiState,
    body: ProposalBody,
) -> Result<SignedAnswer, ApiError> {
    sign_proposal(state, body, None).await
}

/// Proposes `body` only if it is still exactly the proposal a review
/// showed ([`Preview::shown`]): the frozen heads of a removal or rotation
/// are this node's heads at the time of signing, and they may have moved
/// on since the review.
pub(crate) async fn propose_as_reviewed(
    state: &ApiState,
    body: ProposalBody,
    shown: String,
) -> Result<SignedAnswer, ApiError> {
    sign_proposal(state, body, Some(shown)).await
}

/// A digest of what a review showed (a proposal, a device revocation),
/// naming exactly what signing after the review may sign.
pub(super) fn shown_digest<T: Serialize>(shown: &T) -> String {
    use sha2::Digest;
    let bytes = serde_json::to_vec(shown).unwrap_or_default();
    hex::encode(sha2::Sha256::digest(&bytes))
}

async fn sign_proposal(
    state: &ApiState,
    body: ProposalBody,
    shown: Option<String>,
) -> Result<SignedAnswer, ApiError> {
    let key = member_key(state)?;
    let (answer, entry) = with_core(state, move |core| {
        check_current(core, &key)?;
        let proposal = proposal_of(core, body)?;
        if shown.is_some_and(|shown| shown != shown_digest(&proposal)) {
            return Err(ApiError::conflict(
                "changed_since_review",
                "The proposal is no longer what the review showed (the member's documents \
                 or the pact changed): review it again.",
            ));
        }
        let entry = core
            .replica()
            .membership()
            .propose(&key, proposal, clock::now_ms());
        Ok((commit(core, &entry)?, entry))
    })
    .await?;
    announce(state, entry);
    Ok(answer)
}

/// The proposal named by `hash` (64 hex digits), or 404
/// `proposal_not_found`.
pub(super) fn proposal_hash(hash: &str) -> Result<EntryHash, ApiError> {
    hash.parse().map_err(|_| {
        ApiError::not_found(
            "proposal_not_found",
            "A proposal is named by 64 hex digits.",
        )
    })
}

/// A member's answer to an open proposal.
#[derive(Debug, Clone, Copy)]
enum Vote {
    Approve,
    /// A signed "no" the pact sees; it blocks nothing.
    Decline,
}

/// Approves the open proposal `hash` with the member key on this node.
pub(crate) async fn approve(state: &ApiState, hash: String) -> Result<SignedAnswer, ApiError> {
    vote(state, &hash, Vote::Approve).await
}

/// Declines the open proposal `hash` with the member key on this node: a
/// signed "no" the pact sees; it blocks nothing.
pub(crate) async fn decline(state: &ApiState, hash: String) -> Result<SignedAnswer, ApiError> {
    vote(state, &hash, Vote::Decline).await
}

/// Signs `vote` on the open proposal `hash`, once per member: an approval
/// is not taken back, and neither is a decline given twice.
async fn vote(state: &ApiState, hash: &str, vote: Vote) -> Result<SignedAnswer, ApiError> {
    let hash = proposal_hash(hash)?;
    let key = member_key(state)?;
    let own = state.member;
    let (answer, entry) = with_core(state, move |core| {
        check_current(core, &key)?;
        proposal_entry(core, &hash)?;
        let log = core.replica().membership();
        let log_state = log.state();
        match log_state.proposal(&hash) {
            Some(ProposalStatus::Open { approvers }) if approvers.contains(&own) => {
                return Err(ApiError::conflict(
                    "already_approved",
                    "This member has approved this proposal already; an approval is not taken \
                     back.",
                ));
            }
            Some(ProposalStatus::Open { .. }) => {}
            _ => {
                return Err(ApiError::conflict(
                    "proposal_decided",
                    "This proposal is no longer open.",
                ));
            }
        }
        let entry = match vote {
            Vote::Approve => log.approve(&key, hash, clock::now_ms()),
            Vote::Decline => {
                if log_state.decliners(&hash).any(|m| *m == own) {
                    return Err(ApiError::conflict(
                        "already_declined",
                        "This member has declined this proposal already.",
                    ));
                }
                log.decline(&key, hash, clock::now_ms())
            }
        };
        Ok((commit(core, &entry)?, entry))
    })
    .await?;
    announce(state, entry);
    Ok(answer)
}

/// Takes in an entry signed elsewhere (by `amtshilfe member …` with an
/// offline member key).
pub(crate) async fn submit(
    state: &ApiState,
    body: SignedEntryBody,
) -> Result<SignedAnswer, ApiError> {
    let bytes = hex::decode(&body.entry)
        .map_err(|_| body_rule("entry_malformed", "entry must be hex".to_string()))?;
    let entry = SignedEntry::from_bytes(&bytes)
        .map_err(|error| body_rule("entry_malformed", format!("entry does not decode: {error}")))?;
    let sent = entry.clone();
    let answer = with_core(state, move |core| commit(core, &sent)).await?;
    announce(state, entry);
    Ok(answer)
}

/// Proposes admitting a member and writes its invitation: the pact's log
/// with the proposal, and this node's addresses with its peer id.
pub(crate) async fn invite(state: &ApiState, body: InviteBody) -> Result<InviteAnswer, ApiError> {
    if body.addresses.len() > INVITATION_ADDRESSES_MAX {
        return Err(body_rule(
            "too_many_addresses",
            format!("at most {INVITATION_ADDRESSES_MAX} addresses"),
        ));
    }
    let key = member_key(state)?;
    let (answer, entry) = with_core(state, move |core| {
        check_current(core, &key)?;
        let proposal = proposal_of(
            core,
            ProposalBody::Add {
                name: body.name.clone(),
                member_key: body.member_key.clone(),
            },
        )?;
        let Proposal::Add { key: invited, .. } = proposal else {
            return Err(ApiError::Internal(
                "an admission became another proposal".into(),
            ));
        };
        let entry = core
            .replica()
            .membership()
            .propose(&key, proposal, clock::now_ms());
        let signed = commit(core, &entry)?;
        let bootstrap =
            crate::net::identity::with_peer_id(&body.addresses, &core.device().key.public())
                .ok_or_else(|| ApiError::Internal("the device key is no peer id".into()))?;
        let invitation = Invitation::new(
            core.replica(),
            Invited {
                inviter: super::pact::name_of(
                    core.replica().membership().state(),
                    &core.device().member,
                ),
                name: body.name,
                member_key: invited,
                proposal: entry.hash(),
            },
            bootstrap,
        );
        Ok((InviteAnswer { signed, invitation }, entry))
    })
    .await?;
    announce(state, entry);
    Ok(answer)
}

/// What proposing `body` would sign, without signing: the texts and the
/// keys, fingerprints and heads in full.
#[derive(Debug, Clone)]
pub struct Preview {
    /// German.
    pub text_de: String,
    /// English.
    pub text_en: String,
    /// Term and value lines.
    pub details: Vec<(String, String)>,
    /// The digest of the proposal shown, for [`propose_as_reviewed`].
    pub shown: String,
}

/// [`Preview`] of `body`, refused like [`propose`] would refuse it.
pub(crate) async fn preview(state: &ApiState, body: ProposalBody) -> Result<Preview, ApiError> {
    with_core(state, move |core| {
        let proposal = proposal_of(core, body)?;
        let log_state = core.replica().membership().state();
        let (text_de, text_en) = describe(&proposal, &|m| super::pact::name_of(log_state, m));
        Ok(Preview {
            text_de,
            text_en,
            details: proposal_details(&proposal),
            shown: shown_digest(&proposal),
        })
    })
    .await
}

/// The keys and heads of a proposal in full, for the confirmation.
pub(crate) fn proposal_details(proposal: &Proposal) -> Vec<(String, String)> {
    let key = |label: &str, key: &PublicKey| {
        vec![
            (label.to_owned(), key.to_string()),
            (
                "Wort-Fingerabdruck / word fingerprint".to_owned(),
                amtshilfe_protocol::fingerprint::words(key),
            ),
        ]
    };
    let heads = |frozen: &amtshilfe_protocol::membership::FrozenHeads| {
        super::pact::heads_text(frozen)
            .into_iter()
            .map(|(collection, hashes)| {
                (
                    format!("Eingefroren / frozen: {collection}"),
                    hashes.join(" "),
                )
            })
            .collect::<Vec<_>>()
    };
    match proposal {
        Proposal::Add { key: new, .. } => key("Mitgliedsschlüssel / member key", new),
        Proposal::Remove {
            member,
            frozen_heads,
        } => {
            let mut lines = vec![("Mitglied / member".to_owned(), member.to_string())];
            lines.extend(heads(frozen_heads));
            lines
        }
        Proposal::RotateKey {
            member,
            new_key,
            frozen_heads,
        } => {
            let mut lines = vec![("Mitglied / member".to_owned(), member.to_string())];
            lines.extend(key("Neuer Schlüssel / new key", new_key));
            lines.extend(heads(frozen_heads));
            lines
        }
        Proposal::AppointOfficer {
            officer_key,
            serves,
            ..
        } => {
            let mut lines = key("Schlüssel / key", officer_key);
            lines.extend(
                serves
                    .iter()
                    .map(|m| ("Betreut / serves".to_owned(), m.to_string())),
            );
            lines
        }
        Proposal::DismissOfficer { officer_key } => key("Schlüssel / key", officer_key),
        Proposal::SetAgreement {
            agreement,
            previous,
        } => {
            let mut lines = vec![(
                "Ersetzt / replaces".to_owned(),
                previous.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            )];
            lines.extend(super::agreement_text::agreement_lines(agreement));
            lines
        }
    }
}
