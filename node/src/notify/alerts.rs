//! What to tell the on-call contacts now: the read model's alerts for this
//! member (`ReadModel::alerts_for`), the members this node has not heard
//! from for longer than the threshold (the node's network state), and the
//! members whose documents cost this node more than the watch threshold
//! (`member_watch.rs`).
//! Each with a stable id and a German and an English subject. Never sends.

use std::collections::BTreeMap;

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::model::DAY_MS;
use amtshilfe_protocol::pact::{CONTACTS_CONFIRM_DAYS, StaleReason, stale_contacts};
use amtshilfe_protocol::read_model::alerts::{Alert, AlertKind};

use crate::core::Core;
use crate::member_watch::{MEMBER_BYTES_WATCH, MemberStored};
use crate::store::{NewAlert, StoreError};

/// Every alert for this node's member at `now_ms`; members count as
/// unreachable only when not heard from for `unreachable_after_ms` since
/// `listening_since_ms` (when this process started) as well.
pub fn current_alerts(
    core: &Core,
    unreachable_after_ms: i64,
    listening_since_ms: i64,
    now_ms: i64,
) -> Result<Vec<NewAlert>, StoreError> {
    let me = core.device().member;
    let mut alerts: Vec<NewAlert> = core
        .replica()
        .read_model()
        .alerts_for(&me, now_ms)
        .into_iter()
        .map(from_read_model)
        .collect();
    let last_seen = last_seen_by_member(core)?;
    let names: BTreeMap<MemberId, String> = core
        .replica()
        .membership()
        .state()
        .members()
        .map(|(member, info)| (*member, info.name.clone()))
        .collect();
    let seen: Vec<(MemberId, String, i64)> = last_seen
        .into_iter()
        .filter(|(member, _)| *member != me)
        .filter_map(|(member, at)| names.get(&member).map(|name| (member, name.clone(), at)))
        .collect();
    alerts.extend(unreachable(
        &seen,
        unreachable_after_ms,
        listening_since_ms,
        now_ms,
    ));
    let model = core.replica().read_model();
    alerts.extend(contacts_reminder(&me, |m| model.profile(m), now_ms));
    let stored = crate::member_watch::stored(core.replica());
    alerts.extend(over_watch(&stored, &names, MEMBER_BYTES_WATCH));
    Ok(alerts)
}

/// An alert for each current member (of `names`) keeping more than
/// `watch` bytes on this node. The id names how many times over the
/// watch it is, so a member that keeps growing is told again at each
/// further multiple, never twice for the same one.
pub fn over_watch(
    stored: &[MemberStored],
    names: &BTreeMap<MemberId, String>,
    watch: usize,
) -> Vec<NewAlert> {
    stored
        .iter()
        .filter(|m| m.over_watch)
        .filter_map(|m| {
            let name = names.get(&m.member)?;
            let step = m.bytes / (watch.max(1) as u64);
            let mib = m.bytes / (1024 * 1024);
            Some(NewAlert {
                id: format!("over_watch:{}:{step}", m.member),
                kind: "member_over_watch".to_owned(),
                subject_de: format!(
                    "{name} belegt {mib} MiB auf diesem Knoten, mehr als ein Mitglied \
                     gewöhnlich schreibt: prüfen und ggf. Ausschluss vorschlagen (Pakt)"
                ),
                subject_en: format!(
                    "{name} keeps {mib} MiB on this node, more than a member usually \
                     writes: check, and propose its removal if it floods the pact"
                ),
            })
        })
        .collect()
}

/// The quarterly reminder to confirm this member's own 24/7 contacts, if
/// they are stale at `now_ms` (`pact::stale_contacts`). Its id names the
/// quarter, counted as [`CONTACTS_CONFIRM_DAYS`]-day periods since the
/// epoch: the outbox records an id once and for good, so the reminder
/// goes out once per period while the contacts stay stale, never again
/// after a restart, and again in the next period if still nobody
/// confirmed.
pub fn contacts_reminder<'a>(
    me: &MemberId,
    profile: impl Fn(&MemberId) -> Option<&'a amtshilfe_protocol::model::MemberProfile>,
    now_ms: i64,
) -> Option<NewAlert> {
    let stale = stale_contacts([*me], profile, now_ms).into_iter().next()?;
    let period = now_ms.div_euclid(CONTACTS_CONFIRM_DAYS * DAY_MS);
    let (why_de, why_en) = match stale.reason {
        StaleReason::NoProfile => ("sind nicht hinterlegt", "are not set"),
        StaleReason::NeverConfirmed => ("wurden nie bestätigt", "were never confirmed"),
        StaleReason::Expired => (
            "wurden seit über einem Quartal nicht bestätigt",
            "were not confirmed for more than a quarter",
        ),
    };
    Some(NewAlert {
        id: format!("contacts_stale:{me}:{period}"),
        kind: "contacts_stale".to_owned(),
        subject_de: format!(
            "Ihre 24/7-Kontakte {why_de}: bitte prüfen und bestätigen (Pakt › Eigene Kontakte)"
        ),
        subject_en: format!("Your 24/7 contacts {why_en}: please check and confirm them"),
    })
}

/// An alert of the read model with its English subject.
pub fn from_read_model(alert: Alert) -> NewAlert {
    let (kind, subject_en) = match &alert.kind {
        AlertKind::NewRequest => ("new_request", "New request for help in the pact".to_owned()),
        AlertKind::PledgeOnMyRequest => (
            "pledge_on_my_request",
            "A pledge on your request".to_owned(),
        ),
        AlertKind::MyPledgeAccepted => (
            "my_pledge_accepted",
            "Your pledge was accepted: mission order".to_owned(),
        ),
        AlertKind::ClockReminder { clock } => (
            "clock_reminder",
            format!("{}: 80 % of the time has passed", clock.label_en()),
        ),
        AlertKind::ClockOverdue { clock } => (
            "clock_overdue",
            format!("{}: deadline overdue", clock.label_en()),
        ),
    };
    NewAlert {
        id: alert.id,
        kind: kind.to_owned(),
        subject_de: alert.subject_de,
        subject_en: amtshilfe_protocol::pact::mark_en(alert.exercise, &subject_en),
    }
}

/// An alert for each member (id, name, last seen) not seen for longer
/// than `after_ms`, counted from `listening_since_ms` at the earliest (a
/// node that was down itself has not missed anyone yet). The id names the
/// last contact, so one outage is one alert, across restarts too, and a
/// member that comes back and goes away again is a new alert.
pub fn unreachable(
    seen: &[(MemberId, String, i64)],
    after_ms: i64,
    listening_since_ms: i64,
    now_ms: i64,
) -> Vec<NewAlert> {
    let minutes = after_ms / 60_000;
    seen.iter()
        .filter(|(_, _, at)| now_ms.saturating_sub((*at).max(listening_since_ms)) > after_ms)
        .map(|(member, name, at)| NewAlert {
            id: format!("unreachable:{member}:{at}"),
            kind: "member_unreachable".to_owned(),
            subject_de: format!("{name} seit über {minutes} Minuten nicht erreichbar"),
            subject_en: format!("{name} unreachable for more than {minutes} minutes"),
        })
        .collect()
}

/// When this node last had contact with each member's devices: the later
/// of a peer's last sighting and its last completed sync.
fn last_seen_by_member(core: &Core) -> Result<BTreeMap<MemberId, i64>, StoreError> {
    let state = core.replica().membership().state();
    let mut member_of_peer = BTreeMap::new();
    for (member, info) in state.members() {
        let Some(record) = state.member_record(member) else {
            continue;
        };
        for delegation in record
            .delegations
            .iter()
            .filter(|d| d.issued_under == info.current_key)
            .filter(|d| record.device_revocation(&d.device).is_none())
        {
            if let Some(peer) = crate::net::identity::peer_id_of(&delegation.device) {
                member_of_peer.insert(peer.to_string(), *member);
            }
        }
    }
    let mut last = BTreeMap::new();
    let mut saw = |peer: &str, at: i64| {
        if let Some(member) = member_of_peer.get(peer) {
            let entry = last.entry(*member).or_insert(at);
            *entry = (*entry).max(at);
        }
    };
    for peer in core.store().peer_addresses()? {
        saw(&peer.peer, peer.last_seen_ms);
    }
    for (peer, at) in &core.counters.last_sync_ms {
        saw(peer, *at);
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contacts_reminder_comes_once_per_quarter_while_they_are_stale() {
        use amtshilfe_protocol::model::{Contact, MemberProfile};
        let me = MemberId([1; 32]);
        let quarter = CONTACTS_CONFIRM_DAYS * DAY_MS;
        let now = 1_780_000_000_000;
        let contact = Contact {
            role: "IT-Rufbereitschaft".into(),
            phone: "+49 6251 1234".into(),
            email: "it@kreis.example".into(),
        };
        let profile = |confirmed: Option<i64>| MemberProfile {
            name: "Kreis Bergstraße".into(),
            ags: Some("06431".into()),
            kind: "landkreis".into(),
            population: None,
            region: String::new(),
            location: String::new(),
            primary_contact: contact.clone(),
            deputy_contact: contact.clone(),
            coordinates: None,
            updated_at_ms: now - 200 * DAY_MS,
            contacts_confirmed_ms: confirmed,
        };
        let fresh = profile(Some(now - 10 * DAY_MS));
        assert_eq!(contacts_reminder(&me, |_| Some(&fresh), now), None);
        let old = profile(Some(now - quarter - 1));
        let first = contacts_reminder(&me, |_| Some(&old), now).expect("stale: reminded");
        assert_eq!(first.kind, "contacts_stale");
        assert!(first.subject_de.contains("nicht bestätigt"), "{first:?}");
        // Later in the same quarter (a restart, the next round): the same
        // id, which the outbox has recorded, so nothing is sent again.
        let same_period_end = (now.div_euclid(quarter) + 1) * quarter - 1;
        assert_eq!(
            contacts_reminder(&me, |_| Some(&old), same_period_end).map(|a| a.id),
            Some(first.id.clone())
        );
        // Still not confirmed a quarter on: reminded again.
        let next = contacts_reminder(&me, |_| Some(&old), now + quarter).unwrap();
        assert_ne!(next.id, first.id);
        // No profile at all is reminded too.
        assert!(contacts_reminder(&me, |_| None, now).is_some());
    }

    #[test]
    fn a_member_is_unreachable_only_past_the_threshold_and_once_per_outage() {
        let a = MemberId([1; 32]);
        let b = MemberId([2; 32]);
        let seen = vec![
            (a, "Stadt A".to_owned(), 0),
            (b, "Stadt B".to_owned(), 50 * 60_000),
        ];
        let hour = 60 * 60_000;
        assert!(unreachable(&seen, hour, 0, hour).is_empty());
        let late = unreachable(&seen, hour, 0, hour + 1);
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].id, format!("unreachable:{a}:0"));
        assert!(late[0].subject_de.contains("Stadt A seit über 60 Minuten"));
        // Still away later: the same alert, not a new one.
        assert_eq!(unreachable(&seen, hour, 0, 2 * hour)[0].id, late[0].id);
        // Back and away again: a new alert.
        let again = vec![(a, "Stadt A".to_owned(), 3 * hour)];
        assert_ne!(unreachable(&again, hour, 0, 5 * hour)[0].id, late[0].id);
    }

    #[test]
    fn a_member_over_the_watch_is_told_once_per_multiple_of_it() {
        let a = MemberId([1; 32]);
        let removed = MemberId([2; 32]);
        let names = BTreeMap::from([(a, "Stadt A".to_owned())]);
        let watch = 100;
        let at = |member, bytes: u64| MemberStored {
            member,
            bytes,
            over_watch: bytes > watch as u64,
            incarnation_slots_used: 1,
        };
        assert!(over_watch(&[at(a, 100)], &names, watch).is_empty());
        let first = over_watch(&[at(a, 150), at(removed, 900)], &names, watch);
        assert_eq!(first.len(), 1, "a member no longer in the log is not told");
        assert_eq!(first[0].id, format!("over_watch:{a}:1"));
        assert!(
            first[0].subject_de.starts_with("Stadt A belegt"),
            "{first:?}"
        );
        // Grown, but not by another multiple: the same alert.
        assert_eq!(over_watch(&[at(a, 199)], &names, watch)[0].id, first[0].id);
        // Twice over: told again.
        assert_eq!(
            over_watch(&[at(a, 200)], &names, watch)[0].id,
            format!("over_watch:{a}:2")
        );
    }

    #[test]
    fn after_the_nodes_own_downtime_the_threshold_counts_from_its_start() {
        let a = MemberId([1; 32]);
        let seen = vec![(a, "Stadt A".to_owned(), 0)];
        let hour = 60 * 60_000;
        let started = 5 * hour;
        assert!(unreachable(&seen, hour, started, started + hour).is_empty());
        let late = unreachable(&seen, hour, started, started + hour + 1);
        // The same outage keeps its id, so a restart does not tell it again.
        assert_eq!(late[0].id, format!("unreachable:{a}:0"));
    }
}
