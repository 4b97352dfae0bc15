//! The pact as its members' admins see it on the Pakt page and in
//! `GET /api/pact`: members with their AGS, keys and devices, officers
//! and whom they serve, and every proposal with exactly what it does, who
//! approved it and how many approvals it still lacks. Read from the
//! membership log's replayed state and the profiles in the read model,
//! under the core's lock; the actions are in `pact_actions.rs`.

use std::collections::BTreeMap;

use amtshilfe_protocol::fingerprint;
use amtshilfe_protocol::ids::{Collection, EntryHash, MemberId, PublicKey};
use amtshilfe_protocol::membership::{
    EntryKind, FrozenHeads, MembershipState, Proposal, ProposalStatus,
};
use amtshilfe_protocol::replica::Replica;
use serde::Serialize;

use super::pact_text::{describe, proposal_kind};
use crate::core::Core;

/// A member named in the view: its id and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MemberRef {
    /// Member id, hex.
    pub id: String,
    /// Display name from the membership log.
    pub name: String,
}

/// One member key of a member.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KeyView {
    /// The key, hex.
    pub key: String,
    /// Its word fingerprint.
    pub fingerprint: String,
    /// The rotation that replaced it, if one did.
    pub revoked_by: Option<String>,
}

/// A device key a member key delegated.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DeviceView {
    /// The device key (its node's peer id), hex.
    pub device: String,
    /// The member key that delegated it, hex.
    pub issued_under: String,
    /// Last change time it covers, ms since the epoch.
    pub expires_at_ms: i64,
    /// Whether it may write now: delegated under the current key, not
    /// expired and not revoked.
    pub usable: bool,
    /// The member's revocation of the device (lost or stolen), hex, if it
    /// revoked it: its changes count only up to the heads named there.
    pub revoked_by: Option<String>,
}

/// A member, current or former.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MemberView {
    /// Member id, hex.
    pub id: String,
    /// Display name from the membership log.
    pub name: String,
    /// Amtlicher Gemeindeschlüssel from the member's profile, if known.
    pub ags: Option<String>,
    /// The current member key, hex.
    pub current_key: String,
    /// Its word fingerprint.
    pub fingerprint: String,
    /// Every member key, oldest first.
    pub keys: Vec<KeyView>,
    /// Delegated devices.
    pub devices: Vec<DeviceView>,
    /// Names of the officers serving this member.
    pub served_by: Vec<String>,
    /// The removal that took effect, for a former member.
    pub removed_by: Option<String>,
    /// The heads of the member's documents on this node, per collection:
    /// what a removal or rotation proposed now freezes.
    pub heads: BTreeMap<String, Vec<String>>,
}

/// A joint officer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OfficerView {
    /// The officer's key, hex.
    pub key: String,
    /// Display name.
    pub name: String,
    /// The members it serves.
    pub serves: Vec<MemberRef>,
    /// The proposal that appointed it.
    pub appointed_by: String,
}

/// What became of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    /// Still short of approvals.
    Open,
    /// Took effect.
    Applied,
    /// Reached its majority when it could no longer apply.
    Inapplicable,
    /// Its proposer was not a current member; it never counts.
    NotCounted,
}

/// One proposal, with everything an approval signs.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProposalView {
    /// The proposal entry's hash, hex.
    pub hash: String,
    /// add, remove, rotate_key, appoint_officer or dismiss_officer.
    pub kind: &'static str,
    /// What it does, in German.
    pub text_de: String,
    /// What it does, in English.
    pub text_en: String,
    /// Who proposed it.
    pub proposer: MemberRef,
    /// When the proposer wrote it, ms since the epoch (for people only).
    pub proposed_at_ms: i64,
    /// Its state.
    pub state: ProposalState,
    /// Members whose approval counts (the proposer included).
    pub approvers: Vec<MemberRef>,
    /// Who declined it (a signed "no"; blocks nothing).
    pub decliners: Vec<MemberRef>,
    /// Approvals still missing for the majority (0 once decided).
    pub approvals_missing: usize,
    /// Members whose approval an officer's appointment needs besides the
    /// majority and does not have yet.
    pub also_needed: Vec<MemberRef>,
    /// The member key an admission or rotation introduces, hex.
    pub new_key: Option<String>,
    /// That key's word fingerprint, to compare by phone.
    pub new_key_fingerprint: Option<String>,
    /// The heads a removal or rotation freezes, per collection.
    pub frozen_heads: BTreeMap<String, Vec<String>>,
    /// Whether this node's member has approved it.
    pub approved_here: bool,
    /// The signed proposal entry's bytes, hex: a client describes what it
    /// approves from these, checked against `hash`.
    pub entry: String,
}

/// The pact on this node.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PactView {
    /// The pact id, hex.
    pub pact: String,
    /// The pact's name from its charter.
    pub pact_name: String,
    /// This node's member.
    pub this_member: MemberRef,
    /// Whether this node holds its member key (`member.key` in the data
    /// directory), so that the page and the API can sign.
    pub holds_member_key: bool,
    /// Current members.
    pub member_count: usize,
    /// Approvals a proposal needs: a strict majority of the current members.
    pub majority: usize,
    /// The membership log's heads, hex: the parents of the next entry.
    pub heads: Vec<String>,
    /// Current members, by name.
    pub members: Vec<MemberView>,
    /// Members removed from the pact.
    pub former_members: Vec<MemberView>,
    /// Appointed officers.
    pub officers: Vec<OfficerView>,
    /// Open proposals first (oldest first), then decided ones (newest first).
    pub proposals: Vec<ProposalView>,
    /// The proposal of the agreement in force, hex: what a change names
    /// as the version it replaces. None before the first agreement.
    pub agreement_in_force: Option<String>,
}

/// The name of `member` in the log, or its short id.
pub(crate) fn name_of(state: &MembershipState, member: &MemberId) -> String {
    state
        .member_record(member)
        .map_or_else(|| member.short(), |record| record.name.clone())
}

fn member_ref(state: &MembershipState, member: &MemberId) -> MemberRef {
    MemberRef {
        id: member.to_string(),
        name: name_of(state, member),
    }
}

/// A collection's name as the API spells it.
pub(crate) fn collection_name(collection: Collection) -> String {
    serde_json::to_value(collection)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{collection:?}"))
}

/// Frozen heads in the view's form.
pub(crate) fn heads_text(heads: &FrozenHeads) -> BTreeMap<String, Vec<String>> {
    heads
        .iter()
        .map(|(collection, hashes)| {
            (
                collection_name(*collection),
                hashes.iter().map(|h| h.to_string()).collect(),
            )
        })
        .collect()
}

/// The heads of `member`'s documents on this node: what a removal or a
/// rotation proposed now keeps valid for the signers it freezes.
pub(crate) fn member_heads(replica: &Replica, member: &MemberId) -> FrozenHeads {
    replica
        .heads()
        .into_iter()
        .filter(|(document, _)| document.owner == *member)
        .map(|(document, heads)| (document.collection, heads))
        .collect()
}

/// The pact as this node knows it, at `now_ms`.
pub(crate) fn view(core: &Core, holds_member_key: bool, now_ms: i64) -> PactView {
    let replica = core.replica();
    let log = replica.membership();
    let state = log.state();
    let own = core.device().member;
    let member_count = state.member_count();
    let mut members = Vec::new();
    let mut former_members = Vec::new();
    let mut ids: Vec<MemberId> = log
        .entries_in_order()
        .iter()
        .flat_map(|(_, entry)| match &entry.body.kind {
            EntryKind::Charter(charter) => charter
                .founders
                .iter()
                .map(|f| MemberId::from_key(f.key))
                .collect(),
            EntryKind::Propose(Proposal::Add { key, .. }) => vec![MemberId::from_key(*key)],
            _ => Vec::new(),
        })
        .collect();
    ids.dedup();
    for id in ids {
        let Some(view) = member_view(core, &id, now_ms) else {
            continue;
        };
        if state.is_member(&id) {
            members.push(view);
        } else {
            former_members.push(view);
        }
    }
    members.sort_by(|a, b| a.name.cmp(&b.name));
    let officers = state
        .officers()
        .map(|officer| OfficerView {
            key: officer.key.to_string(),
            name: officer.name.clone(),
            serves: officer
                .serves
                .iter()
                .map(|m| member_ref(state, m))
                .collect(),
            appointed_by: officer.appointed_by.to_string(),
        })
        .collect();
    let mut open = Vec::new();
    let mut decided = Vec::new();
    for (hash, entry) in log.entries_in_order() {
        let EntryKind::Propose(proposal) = &entry.body.kind else {
            continue;
        };
        let Some(status) = state.proposal(&hash) else {
            continue;
        };
        let proposer = entry
            .author()
            .and_then(|key| member_of_any_key(state, key))
            .map_or_else(
                || MemberRef {
                    id: String::new(),
                    name: "?".into(),
                },
                |m| member_ref(state, &m),
            );
        let (text_de, text_en) = describe(proposal, &|m| name_of(state, m));
        let (state_of, approvers) = match status {
            ProposalStatus::Open { approvers } => (ProposalState::Open, approvers.clone()),
            ProposalStatus::Applied { .. } => (ProposalState::Applied, Default::default()),
            ProposalStatus::Inapplicable { .. } => {
                (ProposalState::Inapplicable, Default::default())
            }
            ProposalStatus::NotCounted => (ProposalState::NotCounted, Default::default()),
        };
        let counted = approvers.iter().filter(|m| state.is_member(m)).count();
        let approvals_missing = if state_of == ProposalState::Open {
            (member_count / 2 + 1).saturating_sub(counted)
        } else {
            0
        };
        let also_needed = match proposal {
            Proposal::AppointOfficer { serves, .. } if state_of == ProposalState::Open => serves
                .iter()
                .filter(|m| !approvers.contains(m))
                .map(|m| member_ref(state, m))
                .collect(),
            _ => Vec::new(),
        };
        let new_key = match proposal {
            Proposal::Add { key, .. } => Some(*key),
            Proposal::RotateKey { new_key, .. } => Some(*new_key),
            _ => None,
        };
        let frozen = match proposal {
            Proposal::Remove { frozen_heads, .. } | Proposal::RotateKey { frozen_heads, .. } => {
                heads_text(frozen_heads)
            }
            _ => BTreeMap::new(),
        };
        let view = ProposalView {
            hash: hash.to_string(),
            kind: proposal_kind(proposal),
            text_de,
            text_en,
            proposer,
            proposed_at_ms: entry.body.issued_at_ms,
            state: state_of,
            approved_here: approvers.contains(&own),
            approvers: approvers.iter().map(|m| member_ref(state, m)).collect(),
            decliners: state
                .decliners(&hash)
                .map(|m| member_ref(state, m))
                .collect(),
            approvals_missing,
            also_needed,
            new_key: new_key.map(|k| k.to_string()),
            new_key_fingerprint: new_key.map(|k| fingerprint::words(&k)),
            frozen_heads: frozen,
            entry: hex::encode(entry.to_bytes()),
        };
        if state_of == ProposalState::Open {
            open.push(view);
        } else {
            decided.push(view);
        }
    }
    decided.reverse();
    open.extend(decided);
    PactView {
        pact: replica.pact_id().to_string(),
        pact_name: pact_name(replica),
        this_member: member_ref(state, &own),
        holds_member_key,
        member_count,
        majority: member_count / 2 + 1,
        heads: log.heads().iter().map(|h| h.to_string()).collect(),
        members,
        former_members,
        officers,
        proposals: open,
        agreement_in_force: state.agreement().map(|v| v.proposal.to_string()),
    }
}

fn member_view(core: &Core, id: &MemberId, now_ms: i64) -> Option<MemberView> {
    let replica = core.replica();
    let state = replica.membership().state();
    let record = state.member_record(id)?;
    let current = record.keys.last()?.key;
    let served_by = state
        .officers()
        .filter(|o| o.serves.contains(id))
        .map(|o| o.name.clone())
        .collect();
    Some(MemberView {
        id: id.to_string(),
        name: record.name.clone(),
        ags: replica
            .read_model()
            .profile(id)
            .and_then(|profile| profile.ags.clone()),
        current_key: current.to_string(),
        fingerprint: fingerprint::words(&current),
        keys: record
            .keys
            .iter()
            .map(|k| KeyView {
                key: k.key.to_string(),
                fingerprint: fingerprint::words(&k.key),
                revoked_by: k.revoked.as_ref().map(|f| f.proposal.to_string()),
            })
            .collect(),
        devices: record
            .delegations
            .iter()
            .map(|d| DeviceView {
                device: d.device.to_string(),
                issued_under: d.issued_under.to_string(),
                expires_at_ms: d.expires_at_ms,
                usable: record.removed.is_none()
                    && d.issued_under == current
                    && d.expires_at_ms >= now_ms
                    && record.device_revocation(&d.device).is_none(),
                revoked_by: record
                    .device_revocation(&d.device)
                    .map(|r| r.entry.to_string()),
            })
            .collect(),
        served_by,
        removed_by: record.removed.as_ref().map(|f| f.proposal.to_string()),
        heads: heads_text(&member_heads(replica, id)),
    })
}

/// The member any of whose keys (current or revoked) is `key`.
pub(crate) fn member_of_any_key(state: &MembershipState, key: &PublicKey) -> Option<MemberId> {
    let direct = MemberId::from_key(*key);
    if state.member_record(&direct).is_some() {
        return Some(direct);
    }
    state.members().map(|(id, _)| *id).find(|id| {
        state
            .member_record(id)
            .is_some_and(|r| r.keys.iter().any(|k| k.key == *key))
    })
}

/// The pact's name from its charter (the entry whose hash is the pact id).
pub(crate) fn pact_name(replica: &Replica) -> String {
    let charter = replica.membership().get(&EntryHash(replica.pact_id().0));
    match charter.map(|entry| &entry.body.kind) {
        Some(EntryKind::Charter(charter)) => charter.pact_name.clone(),
        _ => String::new(),
    }
}
