//! Record times bound to the signed change that carries them.
//!
//! Some rules count from a time the author writes into a record: a pledge
//! lapses `PLEDGE_ACCEPT_WINDOW_MS` after `created_at_ms`, an acceptance is
//! in time if `accepted_at_ms` is before that, the latest checklist step
//! record wins by `updated_at_ms`, a report's `sent_at_ms` stops its clock,
//! a profile's `contacts_confirmed_ms` keeps its contacts current;
//! and the newest encryption-key announcement counts by `issued_at_ms`.
//! A record time may lie in the past of its change (an edit keeps the
//! pledge's creation time, a timeline line tells of an earlier decision, a
//! report is marked sent after the fact), but never after it: a record does
//! not describe a moment later than the one its author signed. So every
//! such time must be at most [`RECORD_TIME_SKEW_MS`] after the change's own
//! timestamp. Ingress decides this from the bytes alone (the timestamp is
//! part of the signed change), so every node decides alike.
//!
//! The change timestamp is chosen by the author too. What bounds it is
//! said where it is used: delegation expiry in `membership::authority`, and
//! the read model counts a pledge only from its creation time on
//! ([`super::Pledge::counts_at`]), so a pledge dated into the future counts
//! for nothing until then instead of blocking a need for longer; likewise a
//! contact confirmation dated into the future is not current
//! (`pact::contacts_current`).

use super::record::Record;

/// How far a record time may lie after its change's timestamp, in ms
/// (10 minutes): room for a clock that runs a little fast between the form
/// and the commit, no more.
pub const RECORD_TIME_SKEW_MS: i64 = 10 * 60_000;

/// A record time later than its change allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{field} is {record_ms}, more than {RECORD_TIME_SKEW_MS} ms after the change's timestamp {change_ms}"
)]
pub struct TimeAheadOfChange {
    /// The record's field.
    pub field: &'static str,
    /// Its value.
    pub record_ms: i64,
    /// The timestamp of the change that writes it.
    pub change_ms: i64,
}

/// The times a rule counts from, by field name. Records whose times no
/// rule uses (offer, posture) have none here.
pub fn rule_times(record: &Record) -> Vec<(&'static str, i64)> {
    match record {
        Record::Pledge(pledge) => vec![("created_at_ms", pledge.created_at_ms)],
        Record::Acceptance(acceptance) => vec![("accepted_at_ms", acceptance.accepted_at_ms)],
        Record::Decline(decline) => vec![("declined_at_ms", decline.declined_at_ms)],
        Record::Settlement(settlement) => vec![("recorded_at_ms", settlement.recorded_at_ms)],
        Record::Request(request) => vec![("created_at_ms", request.created_at_ms)],
        Record::Incident(incident) => vec![
            ("aware_at_ms", incident.aware_at_ms),
            ("created_at_ms", incident.created_at_ms),
        ],
        Record::IncidentStep(step) => vec![("updated_at_ms", step.updated_at_ms)],
        Record::IncidentReport(report) => {
            let mut times = vec![("updated_at_ms", report.updated_at_ms)];
            if let Some(sent) = report.sent_at_ms {
                times.push(("sent_at_ms", sent));
            }
            times
        }
        Record::Timeline(entry) => vec![("at_ms", entry.at_ms)],
        // The quarterly confirmation of the 24/7 contacts counts from it
        // (`pact::contacts`).
        Record::Profile(profile) => profile
            .contacts_confirmed_ms
            .map(|confirmed| ("contacts_confirmed_ms", confirmed))
            .into_iter()
            .collect(),
        // The holder's newest announcement counts (`seal::newest_announcements`).
        Record::EncryptionKey(announcement) => vec![("issued_at_ms", announcement.issued_at_ms)],
        Record::Offer(_) | Record::Posture(_) => vec![],
    }
}

/// Checks that no rule time of `record` lies more than
/// [`RECORD_TIME_SKEW_MS`] after `change_ms`, the timestamp of the signed
/// change that writes it.
pub fn check_record_times(record: &Record, change_ms: i64) -> Result<(), TimeAheadOfChange> {
    let latest = change_ms.saturating_add(RECORD_TIME_SKEW_MS);
    match rule_times(record)
        .into_iter()
        .find(|(_, time)| *time > latest)
    {
        Some((field, record_ms)) => Err(TimeAheadOfChange {
            field,
            record_ms,
            change_ms,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;

    #[test]
    fn a_pledge_dated_after_its_change_is_refused_within_the_skew_it_passes() {
        let pledge = fixtures::pledge(fixtures::member(7), "r1", "n1", None, 3);
        let change = pledge.created_at_ms;
        let at = |created_at_ms| {
            let mut p = pledge.clone();
            p.created_at_ms = created_at_ms;
            check_record_times(&Record::Pledge(p), change)
        };
        assert_eq!(at(change - 30 * 86_400_000), Ok(()), "the past is fine");
        assert_eq!(at(change + RECORD_TIME_SKEW_MS), Ok(()));
        let refused = at(change + RECORD_TIME_SKEW_MS + 1).unwrap_err();
        assert_eq!(refused.field, "created_at_ms");
    }

    #[test]
    fn a_report_sent_after_its_change_is_refused() {
        let report = crate::incident::IncidentReport {
            incident: crate::ids::RecordId::new("i1").expect("valid id"),
            kind: crate::incident::ClockKind::GdprArt33,
            fields: vec![],
            sent_at_ms: Some(5 * RECORD_TIME_SKEW_MS),
            updated_at_ms: 0,
        };
        let refused = check_record_times(&Record::IncidentReport(report), 0).unwrap_err();
        assert_eq!(refused.field, "sent_at_ms");
    }

    #[test]
    fn a_contact_confirmation_dated_after_its_change_is_refused() {
        // The quarterly confirmation counts from this time
        // (`pact::contacts`): dated a year ahead, the contacts would never
        // be flagged as stale.
        let mut profile = fixtures::profile("Kreis", "06431");
        let change = profile.updated_at_ms;
        profile.contacts_confirmed_ms = Some(change + RECORD_TIME_SKEW_MS);
        assert_eq!(
            check_record_times(&Record::Profile(profile.clone()), change),
            Ok(())
        );
        profile.contacts_confirmed_ms = Some(change + 365 * 86_400_000);
        let refused = check_record_times(&Record::Profile(profile.clone()), change).unwrap_err();
        assert_eq!(refused.field, "contacts_confirmed_ms");
        profile.contacts_confirmed_ms = None;
        assert_eq!(
            check_record_times(&Record::Profile(profile), change),
            Ok(())
        );
    }

    /// The newest announcement of a holder's encryption key counts, by its
    /// `issued_at_ms`: one dated far ahead of its change would outrank
    /// every later key of the holder, so it is refused like any other.
    #[test]
    fn a_key_announcement_dated_after_its_change_is_refused() {
        use crate::identity::KeyPair;
        use crate::ids::PactId;
        use crate::seal::{EncryptionKeyAnnouncement, EncryptionSecret, ReaderId};
        let announce = |issued_at_ms| {
            Record::EncryptionKey(EncryptionKeyAnnouncement::sign(
                PactId([1; 32]),
                ReaderId::Member(fixtures::member(7)),
                &EncryptionSecret::from_bytes([21; 32]),
                issued_at_ms,
                &KeyPair::from_seed([3; 32]),
            ))
        };
        let change = 1_000 * RECORD_TIME_SKEW_MS;
        assert_eq!(check_record_times(&announce(change), change), Ok(()));
        let refused = check_record_times(&announce(i64::MAX), change).unwrap_err();
        assert_eq!(refused.field, "issued_at_ms");
    }
}
