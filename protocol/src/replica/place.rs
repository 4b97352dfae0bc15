//! Placing admitted changes into their document: duplicates, forks,
//! missing dependencies, frozen authority, then one automerge batch.

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::ChangeHash;

use super::quota::{self, CHANGES_PER_ACTOR_MAX};
use super::{Fork, ForkEvidence, IngressReport, PENDING_ENVELOPES_MAX, Replica};
use crate::document::{CheckedChange, Document};
use crate::envelope::Envelope;
use crate::ids::{ActorKey, DocumentId};
use crate::ingress::{Admitted, Rejection};
use crate::membership::Authority;

/// What placement decided for one candidate change.
pub(super) enum Verdict {
    Apply,
    Duplicate,
    Reject(Rejection),
    Wait,
}

impl Replica {
    /// Places `fresh` changes (and whatever was pending for the document)
    /// into the document, applying every change whose dependencies are met.
    pub(super) fn place(
        &mut self,
        id: DocumentId,
        fresh: Vec<Admitted>,
        report: &mut IngressReport,
    ) {
        let mut candidates = self.take_pending(id);
        let waiting_before = candidates.len();
        candidates.extend(fresh);
        let forked = self.forked_from(&id);
        let document = self
            .documents
            .entry(id)
            .or_insert_with(|| Document::new(id));
        let Sorted {
            ready,
            verdicts,
            forks,
        } = sort_candidates(document, candidates, &forked);

        let mut applied = Vec::new();
        let mut leftover = Vec::new();
        let mut rejected = Vec::new();
        let mut duplicates = 0;
        let mut touched_keys = BTreeSet::new();
        for (admitted, verdict) in verdicts {
            match verdict {
                Verdict::Apply => touched_keys.extend(admitted.keys),
                Verdict::Duplicate => duplicates += 1,
                Verdict::Reject(reason) => {
                    rejected.push((admitted.checked.envelope.content_hash(), reason))
                }
                Verdict::Wait => leftover.push(admitted),
            }
        }
        if !ready.is_empty() {
            applied = apply_with_fallback(document, ready, &mut rejected);
        }
        report.duplicates += duplicates;
        self.stats.duplicates += duplicates as u64;
        for (hash, reason) in rejected {
            self.reject(report, hash, reason);
        }
        self.stats.accepted += applied.len() as u64;
        let any_applied = !applied.is_empty();
        self.outbox.extend(applied.iter().cloned());
        report.accepted.extend(applied);
        let mut queued: usize = 0;
        // The owner's share of the queue (`quota.rs`), after taking this
        // document's waiting changes back out as candidates.
        let mut share = self.pending_share(id.owner);
        for admitted in leftover {
            let bytes = admitted.checked.envelope.encoded_len();
            if self.pending_len >= PENDING_ENVELOPES_MAX || !share.take(bytes) {
                let hash = admitted.checked.envelope.content_hash();
                self.reject(report, hash, Rejection::TooManyPending);
            } else {
                self.pending_len += 1;
                queued += 1;
                self.pending.entry(id).or_default().push(admitted);
            }
        }
        // Only what was actually queued counts as waiting; an envelope
        // refused because the queue is full is reported as rejected only.
        report.pending += queued.saturating_sub(waiting_before);
        if any_applied {
            // A change refused inside the batch leaves its keys as they
            // were; reading them again is harmless.
            self.refresh_read_model_keys(id, &touched_keys);
        }
        // Placing may have loaded the automerge state (a refused batch
        // rebuilds it), so the document counts as used either way.
        self.used(id);
        for fork in forks {
            self.take_fork(fork);
        }
    }

    fn take_pending(&mut self, id: DocumentId) -> Vec<Admitted> {
        let taken = self.pending.remove(&id).unwrap_or_default();
        self.pending_len -= taken.len();
        taken
    }
}

/// What [`sort_candidates`] decided.
pub(super) struct Sorted {
    /// The changes to apply, in order.
    pub(super) ready: Vec<CheckedChange>,
    /// A verdict for every candidate.
    pub(super) verdicts: Vec<(Admitted, Verdict)>,
    /// Forks found: a candidate with the (actor, seq) of another change.
    pub(super) forks: Vec<Fork>,
}

/// Orders candidates so that every change comes after its dependencies and
/// its actor's previous change; returns those ready to apply (in that
/// order), a verdict for every candidate, and the forks found. Changes of
/// an actor in `forked` from its freeze point on are refused.
pub(super) fn sort_candidates(
    document: &Document,
    candidates: Vec<Admitted>,
    forked: &HashMap<ActorKey, u64>,
) -> Sorted {
    let frozen_allowed = frozen_closures(document, &candidates);
    // A change's first op counter exceeds every op of its dependencies and
    // of its actor's previous change, so in this order one pass places
    // every change whose dependencies are met, in whatever order the
    // batch arrived (a reversed page cost a pass per change before).
    let mut candidates = candidates;
    candidates.sort_by_key(|c| (c.checked.change.start_op(), c.checked.change.seq()));
    let mut clock: HashMap<_, u64> = HashMap::new();
    let mut placed: HashSet<ChangeHash> = HashSet::new();
    let mut ready = Vec::new();
    let mut placed_at: HashMap<(ActorKey, u64), Envelope> = HashMap::new();
    // Each actor's bytes so far along its chain (`quota.rs`), as placed.
    let mut actor_bytes: HashMap<ActorKey, usize> = HashMap::new();
    let mut forks = Vec::new();
    // The same change may arrive twice in one batch, or again while pending.
    let mut seen = HashSet::new();
    let mut verdicts: Vec<(Admitted, Option<Verdict>)> = candidates
        .into_iter()
        .map(|c| {
            let first = seen.insert(c.checked.hash());
            (
                c,
                if first {
                    None
                } else {
                    Some(Verdict::Duplicate)
                },
            )
        })
        .collect();
    loop {
        let mut progress = false;
        for (admitted, verdict) in verdicts.iter_mut().filter(|(_, v)| v.is_none()) {
            let checked = &admitted.checked;
            let hash = checked.hash();
            let seq = checked.change.seq();
            let current = *clock
                .entry(checked.actor)
                .or_insert_with(|| document.seq_of(&checked.actor));
            if document.has_change(&hash) || placed.contains(&hash) {
                *verdict = Some(Verdict::Duplicate);
            } else if seq <= current {
                let other = placed_at
                    .get(&(checked.actor, seq))
                    .or_else(|| document.envelope_at(&checked.actor, seq));
                if let Some(other) = other {
                    forks.push(Fork {
                        document: document.id(),
                        actor: checked.actor,
                        seq,
                        evidence: ForkEvidence::new(other.clone(), checked.envelope.clone()),
                    });
                }
                *verdict = Some(Verdict::Reject(Rejection::Fork));
            } else if forked.get(&checked.actor).is_some_and(|from| seq >= *from) {
                *verdict = Some(Verdict::Reject(Rejection::ActorForked));
            } else if let Some(rejection) =
                frozen_verdict(&admitted.authority, hash, &frozen_allowed)
            {
                *verdict = Some(rejection);
            } else if seq > CHANGES_PER_ACTOR_MAX {
                *verdict = Some(Verdict::Reject(Rejection::OverQuota));
            } else if seq == current + 1
                && checked
                    .change
                    .deps()
                    .iter()
                    .all(|d| document.has_change(d) || placed.contains(d))
            {
                // The actor's changes 1..seq are all known now, so its
                // bytes so far are the same on every node.
                let before = actor_bytes
                    .entry(checked.actor)
                    .or_insert_with(|| document.actor_bytes(&checked.actor));
                let bytes = checked.envelope.encoded_len();
                if !quota::within_actor_quota(seq, *before, bytes) {
                    *verdict = Some(Verdict::Reject(Rejection::OverQuota));
                    continue;
                }
                *before += bytes;
                clock.insert(checked.actor, seq);
                placed.insert(hash);
                placed_at.insert((checked.actor, seq), checked.envelope.clone());
                ready.push(checked.clone());
                *verdict = Some(Verdict::Apply);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    let verdicts = verdicts
        .into_iter()
        .map(|(a, v)| (a, v.unwrap_or(Verdict::Wait)))
        .collect();
    Sorted {
        ready,
        verdicts,
        forks,
    }
}

/// For a frozen authority: `None` when the change may be applied, a
/// rejection when it lies outside the frozen history, `Wait` while that
/// cannot be known yet.
fn frozen_verdict(
    authority: &Authority,
    hash: ChangeHash,
    closures: &HashMap<Vec<ChangeHash>, Closure>,
) -> Option<Verdict> {
    let mut verdict = None;
    // A change must lie inside every frozen history the signer has.
    for heads in authority.frozen_heads() {
        let closure = closures.get(heads)?;
        if closure.members.contains(&hash) {
            continue;
        }
        if closure.complete {
            return Some(Verdict::Reject(Rejection::AuthorityFrozen));
        }
        verdict = Some(Verdict::Wait);
    }
    verdict
}

/// The changes reachable from a set of frozen heads, over the changes
/// known so far; `complete` once every reachable change is known.
struct Closure {
    members: HashSet<ChangeHash>,
    complete: bool,
}

fn frozen_closures(
    document: &Document,
    candidates: &[Admitted],
) -> HashMap<Vec<ChangeHash>, Closure> {
    let mut closures = HashMap::new();
    let any_frozen = candidates
        .iter()
        .any(|a| !matches!(a.authority, Authority::Full));
    if !any_frozen {
        // The usual case; the map below costs the whole document.
        return closures;
    }
    let known: HashMap<ChangeHash, &[ChangeHash]> = document
        .applied()
        .iter()
        .map(|c| (c.hash, c.deps.as_slice()))
        .chain(
            candidates
                .iter()
                .map(|a| (a.checked.hash(), a.checked.change.deps())),
        )
        .collect();
    for admitted in candidates {
        for heads in admitted.authority.frozen_heads() {
            closures
                .entry(heads.clone())
                .or_insert_with(|| closure_of(heads, &known));
        }
    }
    closures
}

fn closure_of(heads: &[ChangeHash], known: &HashMap<ChangeHash, &[ChangeHash]>) -> Closure {
    let mut members = HashSet::new();
    let mut complete = true;
    let mut stack: Vec<ChangeHash> = heads.to_vec();
    while let Some(hash) = stack.pop() {
        if !members.insert(hash) {
            continue;
        }
        match known.get(&hash) {
            Some(deps) => stack.extend(deps.iter().copied()),
            None => complete = false,
        }
    }
    Closure { members, complete }
}

/// Applies `ready` as one batch; if automerge refuses the batch, applies
/// the changes one at a time so that only the bad ones are refused.
pub(super) fn apply_with_fallback(
    document: &mut Document,
    ready: Vec<CheckedChange>,
    rejected: &mut Vec<(crate::ids::Sha256Hash, Rejection)>,
) -> Vec<crate::envelope::Envelope> {
    let envelopes: Vec<_> = ready.iter().map(|c| c.envelope.clone()).collect();
    if document.apply(&ready).is_ok() {
        return envelopes;
    }
    let mut applied = Vec::new();
    for checked in ready {
        let envelope = checked.envelope.clone();
        let deps_present = checked.change.deps().iter().all(|d| document.has_change(d));
        let outcome = if deps_present {
            document
                .apply(std::slice::from_ref(&checked))
                .map_err(|e| Rejection::ApplyFailed(e.0))
        } else {
            Err(Rejection::ApplyFailed(
                "a dependency failed to apply".into(),
            ))
        };
        match outcome {
            Ok(()) => applied.push(envelope),
            Err(reason) => rejected.push((envelope.content_hash(), reason)),
        }
    }
    applied
}
