//! The pact's 24/7 contacts stay current only if someone confirms them:
//! every member confirms its primary and deputy contact at least once a
//! quarter. A member whose confirmation is older (or missing, or who has
//! no profile at all) is flagged on the Lagebild and in the status.

use serde::Serialize;

use crate::ids::MemberId;
use crate::model::{DAY_MS, MemberProfile, RECORD_TIME_SKEW_MS};

/// A confirmation counts this many days: a quarter, rounded up.
pub const CONTACTS_CONFIRM_DAYS: i64 = 92;

/// Why a member's contacts are flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaleReason {
    /// No profile, so no contacts at all, has reached this node.
    NoProfile,
    /// The profile's contacts were never confirmed.
    NeverConfirmed,
    /// The last confirmation is older than [`CONTACTS_CONFIRM_DAYS`], or
    /// dated in the future (see [`contacts_current`]).
    Expired,
}

/// A member whose 24/7 contacts need confirming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StaleContacts {
    /// The member.
    #[schemars(with = "String")]
    pub member: MemberId,
    /// Why.
    pub reason: StaleReason,
    /// The last confirmation, ms since the Unix epoch, if any.
    pub confirmed_ms: Option<i64>,
}

/// Whether a confirmation at `confirmed_ms` is still good at `now_ms`: at
/// most [`CONTACTS_CONFIRM_DAYS`] old, and not dated after `now_ms` by more
/// than a fast clock's [`RECORD_TIME_SKEW_MS`]. The owner writes the date,
/// so one dated into the future would otherwise keep its contacts current
/// for as long as it likes (ingress refuses a date after the signed
/// change, but the change's own timestamp is the author's too).
pub fn contacts_current(confirmed_ms: i64, now_ms: i64) -> bool {
    let age = now_ms.saturating_sub(confirmed_ms);
    (-RECORD_TIME_SKEW_MS..=CONTACTS_CONFIRM_DAYS * DAY_MS).contains(&age)
}

/// The members among `members` whose contacts are stale at `now_ms`, in
/// the order given; `profile` finds a member's profile.
pub fn stale_contacts<'a>(
    members: impl IntoIterator<Item = MemberId>,
    profile: impl Fn(&MemberId) -> Option<&'a MemberProfile>,
    now_ms: i64,
) -> Vec<StaleContacts> {
    members
        .into_iter()
        .filter_map(|member| {
            let (reason, confirmed_ms) = match profile(&member) {
                None => (StaleReason::NoProfile, None),
                Some(p) => match p.contacts_confirmed_ms {
                    None => (StaleReason::NeverConfirmed, None),
                    Some(at) if !contacts_current(at, now_ms) => (StaleReason::Expired, Some(at)),
                    Some(_) => return None,
                },
            };
            Some(StaleContacts {
                member,
                reason,
                confirmed_ms,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::fixtures::profile;

    #[test]
    fn a_contact_older_than_a_quarter_is_flagged_and_a_fresh_one_is_not() {
        let now = 1_780_000_000_000;
        let [fresh, edge, old, never, absent] = [1u8, 2, 3, 4, 5].map(|i| MemberId([i; 32]));
        let mut profiles = BTreeMap::new();
        let with = |confirmed: Option<i64>| {
            let mut p = profile("Kreis", "06431");
            p.contacts_confirmed_ms = confirmed;
            p
        };
        profiles.insert(fresh, with(Some(now - 10 * DAY_MS)));
        profiles.insert(edge, with(Some(now - CONTACTS_CONFIRM_DAYS * DAY_MS)));
        profiles.insert(old, with(Some(now - CONTACTS_CONFIRM_DAYS * DAY_MS - 1)));
        profiles.insert(never, with(None));
        let flagged = stale_contacts([fresh, edge, old, never, absent], |m| profiles.get(m), now);
        assert_eq!(
            flagged,
            vec![
                StaleContacts {
                    member: old,
                    reason: StaleReason::Expired,
                    confirmed_ms: Some(now - CONTACTS_CONFIRM_DAYS * DAY_MS - 1),
                },
                StaleContacts {
                    member: never,
                    reason: StaleReason::NeverConfirmed,
                    confirmed_ms: None,
                },
                StaleContacts {
                    member: absent,
                    reason: StaleReason::NoProfile,
                    confirmed_ms: None,
                },
            ]
        );
    }

    #[test]
    fn a_confirmation_dated_ahead_of_now_is_not_current() {
        // The owner writes the date; dated into the future it would keep
        // the contacts "confirmed" for as long as it likes. A clock a
        // little fast (`RECORD_TIME_SKEW_MS`) is no reason to flag.
        let now = 1_780_000_000_000;
        assert!(contacts_current(now + RECORD_TIME_SKEW_MS, now));
        assert!(!contacts_current(now + RECORD_TIME_SKEW_MS + 1, now));
        let ahead = MemberId([6; 32]);
        let mut p = profile("Kreis", "06431");
        p.contacts_confirmed_ms = Some(now + 365 * DAY_MS);
        assert_eq!(
            stale_contacts([ahead], |_| Some(&p), now),
            vec![StaleContacts {
                member: ahead,
                reason: StaleReason::Expired,
                confirmed_ms: Some(now + 365 * DAY_MS),
            }]
        );
    }
}
