//! The node's metrics in the Prometheus text exposition format (0.0.4),
//! rendered on request from the core's counters; there is no registry and
//! no background task. The figures are copied under the core's lock
//! ([`Snapshot::of`]) and the page is written after it is released
//! ([`render`]), like every page (ARCHITECTURE.md, the lock discipline).
//!
//! Labelled families list every known label value, zeros included, so a
//! dashboard sees a series before its first event: every
//! [`Rejection::CODES`] reason and every [`GOSSIP_RESULTS`] result. Never
//! changes a counter; it only reads them.

use std::collections::BTreeMap;
use std::fmt::Display;

use amtshilfe_protocol::ingress::Rejection;
use amtshilfe_protocol::membership::EntryRejection;

use crate::core::Core;

/// The content type of the metrics page.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The gossip validation results the network counts (see `net/gossip.rs`).
pub const GOSSIP_RESULTS: [&str; 3] = ["accepted", "ignored", "rejected"];

/// The figures the metrics page shows, copied from the core.
#[derive(Debug, Clone)]
pub struct Snapshot {
    peers_connected: usize,
    members: usize,
    accepted: u64,
    duplicates: u64,
    rejected: BTreeMap<&'static str, u64>,
    entries_rejected: BTreeMap<&'static str, u64>,
    pending: usize,
    held: usize,
    forks: usize,
    stored: Vec<crate::member_watch::MemberStored>,
    sync_sessions: u64,
    sync_rounds: u64,
    last_sync_ms: BTreeMap<String, i64>,
    gossip: BTreeMap<&'static str, u64>,
    writes_stopped: bool,
}

impl Snapshot {
    /// Copies the figures from `core` (under its lock).
    pub fn of(core: &Core) -> Self {
        let replica = core.replica();
        let stats = replica.stats();
        let counters = &core.counters;
        Self {
            peers_connected: counters.peers_connected.get(),
            members: replica.membership().state().member_count(),
            accepted: stats.accepted,
            duplicates: stats.duplicates,
            rejected: stats.rejected.clone(),
            entries_rejected: stats.entries_rejected.clone(),
            pending: replica.pending_len(),
            held: replica.held_len(),
            forks: replica.forks().count(),
            stored: crate::member_watch::stored(replica),
            sync_sessions: counters.sync_sessions,
            sync_rounds: counters.sync_rounds,
            last_sync_ms: counters.last_sync_ms.clone(),
            gossip: counters.gossip.clone(),
            writes_stopped: core.is_stopped(),
        }
    }
}

/// The metrics page of `snapshot`; never under the core's lock (checked
/// in debug builds).
pub fn render(snapshot: &Snapshot) -> String {
    debug_assert!(
        amtshilfe_dashboard::render_check::rendering_allowed(),
        "the metrics page was rendered while the node's core lock was held"
    );
    let mut page = Page::default();

    page.family("amtshilfe_peers_connected", "gauge", "Peers connected now.");
    page.sample("amtshilfe_peers_connected", &[], snapshot.peers_connected);
    page.family(
        "amtshilfe_members",
        "gauge",
        "Current members of the pact, as the membership log says.",
    );
    page.sample("amtshilfe_members", &[], snapshot.members);

    page.family(
        "amtshilfe_envelopes_accepted_total",
        "counter",
        "Envelopes applied, received or written here.",
    );
    page.sample("amtshilfe_envelopes_accepted_total", &[], snapshot.accepted);
    page.family(
        "amtshilfe_envelopes_duplicate_total",
        "counter",
        "Envelopes received again that were already known.",
    );
    page.sample(
        "amtshilfe_envelopes_duplicate_total",
        &[],
        snapshot.duplicates,
    );
    page.family(
        "amtshilfe_envelopes_rejected_total",
        "counter",
        "Envelopes refused by ingress, by reason.",
    );
    for (reason, count) in with_zeros(&Rejection::CODES, &snapshot.rejected) {
        page.sample(
            "amtshilfe_envelopes_rejected_total",
            &[("reason", reason)],
            count,
        );
    }
    page.family(
        "amtshilfe_entries_rejected_total",
        "counter",
        "Membership entries refused, by reason.",
    );
    for (reason, count) in with_zeros(&EntryRejection::CODES, &snapshot.entries_rejected) {
        page.sample(
            "amtshilfe_entries_rejected_total",
            &[("reason", reason)],
            count,
        );
    }
    page.family(
        "amtshilfe_pending_envelopes",
        "gauge",
        "Envelopes waiting for missing dependencies.",
    );
    page.sample("amtshilfe_pending_envelopes", &[], snapshot.pending);
    page.family(
        "amtshilfe_held_changes",
        "gauge",
        "Stored changes no longer authorised (kept, not applied).",
    );
    page.sample("amtshilfe_held_changes", &[], snapshot.held);
    page.family(
        "amtshilfe_forks",
        "gauge",
        "Actors known to have signed two changes with one sequence number (held from there).",
    );
    page.sample("amtshilfe_forks", &[], snapshot.forks);
    page.family(
        "amtshilfe_member_stored_bytes",
        "gauge",
        "Encoded bytes of a member's documents kept here (applied, held, waiting).",
    );
    for member in &snapshot.stored {
        let id = member.member.to_string();
        page.sample(
            "amtshilfe_member_stored_bytes",
            &[("member", &id)],
            member.bytes,
        );
    }
    page.family(
        "amtshilfe_members_over_watch",
        "gauge",
        "Members keeping more bytes here than the watch threshold (see /api/status).",
    );
    let over = snapshot.stored.iter().filter(|m| m.over_watch).count();
    page.sample("amtshilfe_members_over_watch", &[], over);

    page.family(
        "amtshilfe_sync_sessions_total",
        "counter",
        "Anti-entropy sync sessions completed.",
    );
    page.sample("amtshilfe_sync_sessions_total", &[], snapshot.sync_sessions);
    page.family(
        "amtshilfe_sync_rounds_total",
        "counter",
        "Sync request rounds sent.",
    );
    page.sample("amtshilfe_sync_rounds_total", &[], snapshot.sync_rounds);
    page.family(
        "amtshilfe_last_sync_timestamp_seconds",
        "gauge",
        "When the last sync session with a peer completed, seconds since the epoch.",
    );
    for (peer, ms) in &snapshot.last_sync_ms {
        page.sample(
            "amtshilfe_last_sync_timestamp_seconds",
            &[("peer", peer)],
            seconds(*ms),
        );
    }
    page.family(
        "amtshilfe_gossip_messages_total",
        "counter",
        "Gossip messages received, by validation result.",
    );
    for (result, count) in with_zeros(&GOSSIP_RESULTS, &snapshot.gossip) {
        page.sample(
            "amtshilfe_gossip_messages_total",
            &[("result", result)],
            count,
        );
    }
    page.family(
        "amtshilfe_writes_stopped",
        "gauge",
        "1 after a store failure stopped writes (restart the node), else 0.",
    );
    page.sample(
        "amtshilfe_writes_stopped",
        &[],
        u8::from(snapshot.writes_stopped),
    );
    page.text
}

/// Every label in `known` with its count (0 if absent), plus any counted
/// label not in `known`.
fn with_zeros<'a>(known: &[&'a str], counts: &BTreeMap<&'a str, u64>) -> BTreeMap<&'a str, u64> {
    let mut all: BTreeMap<&str, u64> = known.iter().map(|label| (*label, 0)).collect();
    all.extend(counts.iter().map(|(label, count)| (*label, *count)));
    all
}

/// Milliseconds as seconds with millisecond precision.
fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    format!("{sign}{}.{:03}", ms / 1_000, ms % 1_000)
}

/// A page being written.
#[derive(Debug, Default)]
struct Page {
    text: String,
}

impl Page {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        self.text
            .push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.text.push_str(name);
        if !labels.is_empty() {
            let labels: Vec<String> = labels
                .iter()
                .map(|(key, value)| format!("{key}=\"{}\"", escape(value)))
                .collect();
            self.text.push_str(&format!("{{{}}}", labels.join(",")));
        }
        self.text.push_str(&format!(" {value}\n"));
    }
}

/// A label value as the exposition format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_and_seconds_keep_milliseconds() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(seconds(1_767_225_600_123), "1767225600.123");
        assert_eq!(seconds(5), "0.005");
        assert_eq!(seconds(-1_500), "-1.500");
        let mut page = Page::default();
        page.sample("m", &[("peer", "x\"y"), ("k", "v")], 3);
        assert_eq!(page.text, "m{peer=\"x\\\"y\",k=\"v\"} 3\n");
    }

    #[test]
    fn known_labels_get_zeros() {
        let counts = BTreeMap::from([("fork", 2), ("new_reason", 1)]);
        let all = with_zeros(&["fork", "oversized"], &counts);
        assert_eq!(
            all.into_iter().collect::<Vec<_>>(),
            vec![("fork", 2), ("new_reason", 1), ("oversized", 0)]
        );
    }
}
