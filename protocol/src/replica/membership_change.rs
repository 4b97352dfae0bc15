//! Re-checking documents when the membership state changes: a removal or
//! key rotation can take authority away from changes already applied, and
//! a late entry can give it back. The affected documents are rebuilt from
//! every change ever stored for them; none is ever dropped.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::Replica;
use super::place::{Sorted, Verdict, apply_with_fallback, sort_candidates};
use automerge::ChangeHash;

use crate::document::{AppliedChange, CheckedChange, Document};
use crate::ids::{DocumentId, MemberId};
use crate::ingress::{self, Rejection};

impl Replica {
    pub(super) fn current_fingerprints(&self) -> BTreeMap<MemberId, [u8; 32]> {
        let state = self.membership.state();
        let owners: BTreeSet<MemberId> = state
            .members()
            .map(|(id, _)| *id)
            .chain(self.documents.keys().map(|d| d.owner))
            .chain(self.pending.keys().map(|d| d.owner))
            .chain(self.held.keys().map(|d| d.owner))
            .collect();
        owners
            .into_iter()
            .map(|m| (m, state.authority_fingerprint(&m)))
            .collect()
    }

    /// Hands the names the pact admitted its members under to the read
    /// model, which names members by them.
    pub(super) fn refresh_pact_names(&mut self) {
        let names = self
            .membership
            .state()
            .admitted_names()
            .map(|(id, name)| (*id, name.to_owned()))
            .collect();
        self.read_model.set_pact_names(names);
    }

    pub(super) fn after_membership_change(&mut self) {
        self.refresh_pact_names();
        let now = self.current_fingerprints();
        let changed: Vec<MemberId> = now
            .iter()
            .filter(|(member, print)| self.fingerprints.get(member) != Some(print))
            .map(|(member, _)| *member)
            .collect();
        self.fingerprints = now;
        for member in changed {
            let ids: BTreeSet<DocumentId> = self
                .documents
                .keys()
                .chain(self.pending.keys())
                .chain(self.held.keys())
                .filter(|d| d.owner == member)
                .copied()
                .collect();
            for id in ids {
                self.recheck_document(id);
            }
        }
    }

    /// Rebuilds one document from all its stored changes (applied, held)
    /// and those pending, under the current membership state. Stored
    /// changes that lost their authority are held; held ones that regained
    /// it are applied again. Pending ones were never stored: they stay
    /// pending until they can apply, or are refused (and counted) exactly
    /// as they would be had they arrived after this membership change.
    pub(super) fn recheck_document(&mut self, id: DocumentId) {
        // Parsing an applied change again cannot fail (it parsed before);
        // were memory corrupted, the change would still be in the store.
        let mut stored: Vec<_> = self
            .documents
            .remove(&id)
            .map(|d| {
                d.into_applied()
                    .iter()
                    .filter_map(AppliedChange::to_checked)
                    .collect()
            })
            .unwrap_or_default();
        stored.extend(self.held.remove(&id).unwrap_or_default());
        // By change hash: a field of the parsed change, where a content
        // hash would cost a SHA-256 of every change at every start.
        let already_stored: HashSet<ChangeHash> = stored.iter().map(CheckedChange::hash).collect();
        let pending = self.pending.remove(&id).unwrap_or_default();
        self.pending_len -= pending.len();
        // Stored changes never wait again (they are held instead), so they
        // need no record keys; pending ones keep theirs for when they apply.
        let candidates = stored
            .into_iter()
            .map(|checked| (checked, Vec::new()))
            .chain(pending.into_iter().map(|a| (a.checked, a.keys)));

        let forked = self.forked_from(&id);
        let mut admitted = Vec::new();
        let mut held = Vec::new();
        let mut refused = Vec::new();
        for (checked, keys) in candidates {
            let was_stored = already_stored.contains(&checked.hash());
            let frozen_by_fork = forked
                .get(&checked.actor)
                .is_some_and(|from| checked.change.seq() >= *from);
            if frozen_by_fork {
                if was_stored {
                    held.push(checked);
                } else {
                    refused.push((checked.envelope.content_hash(), Rejection::ActorForked));
                }
                continue;
            }
            match ingress::readmit(self.membership.state(), checked, keys) {
                Ok(fresh) => admitted.push(fresh),
                Err(refusal) if was_stored => held.push(refusal.0),
                Err(refusal) => refused.push((refusal.0.envelope.content_hash(), refusal.1)),
            }
        }
        let mut document = Document::new(id);
        // Forks among stored changes cannot be found here: a forking change
        // is refused, never stored; its evidence is kept in `forks`.
        let Sorted {
            ready, verdicts, ..
        } = sort_candidates(&document, admitted, &forked);
        let mut waiting = Vec::new();
        for (candidate, verdict) in verdicts {
            let was_stored = already_stored.contains(&candidate.checked.hash());
            match verdict {
                Verdict::Apply | Verdict::Duplicate => {}
                Verdict::Reject(_) | Verdict::Wait if was_stored => held.push(candidate.checked),
                Verdict::Reject(reason) => {
                    refused.push((candidate.checked.envelope.content_hash(), reason))
                }
                Verdict::Wait => waiting.push(candidate),
            }
        }
        apply_with_fallback(&mut document, ready, &mut refused);
        // What was pending and now applies has to be stored.
        self.outbox.extend(
            document
                .applied()
                .iter()
                .filter(|applied| !already_stored.contains(&applied.hash))
                .map(|applied| applied.envelope.clone()),
        );
        for (_, reason) in refused {
            *self.stats.rejected.entry(reason.code()).or_insert(0) += 1;
        }
        self.documents.insert(id, document);
        self.pending_len += waiting.len();
        if !waiting.is_empty() {
            self.pending.insert(id, waiting);
        }
        if !held.is_empty() {
            self.held.insert(id, held);
        }
        self.refresh_read_model(id);
    }
}
