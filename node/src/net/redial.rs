//! Reconnecting with capped exponential backoff: which known peers and
//! bootstrap addresses to dial now.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// First wait after a failed or lost connection.
pub(super) const BACKOFF_MIN: Duration = Duration::from_secs(1);
/// Longest wait between two dials of the same target.
pub(super) const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// Per-target backoff state.
#[derive(Debug)]
pub(super) struct Backoff<K> {
    next: HashMap<K, (Instant, Duration)>,
}

impl<K: Hash + Eq + Clone> Backoff<K> {
    pub(super) fn new() -> Self {
        Self {
            next: HashMap::new(),
        }
    }

    /// Whether `target` may be dialled at `now`; if so, records the dial and
    /// doubles its wait (up to [`BACKOFF_MAX`]).
    pub(super) fn try_dial(&mut self, target: &K, now: Instant) -> bool {
        match self.next.get(target) {
            Some((due, _)) if *due > now => false,
            Some((_, wait)) => {
                let wait = (*wait * 2).min(BACKOFF_MAX);
                self.next.insert(target.clone(), (now + wait, wait));
                true
            }
            None => {
                self.next
                    .insert(target.clone(), (now + BACKOFF_MIN, BACKOFF_MIN));
                true
            }
        }
    }

    /// A connection succeeded: the next loss starts from the shortest wait.
    pub(super) fn reset(&mut self, target: &K) {
        self.next.remove(target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_reset_on_success() {
        let mut backoff = Backoff::new();
        let start = Instant::now();
        assert!(backoff.try_dial(&"a", start));
        assert!(!backoff.try_dial(&"a", start + Duration::from_millis(500)));
        assert!(backoff.try_dial(&"a", start + BACKOFF_MIN));
        let mut now = start + BACKOFF_MIN;
        for _ in 0..20 {
            now += BACKOFF_MAX;
            assert!(backoff.try_dial(&"a", now));
        }
        assert!(!backoff.try_dial(&"a", now + BACKOFF_MAX - Duration::from_millis(1)));
        backoff.reset(&"a");
        assert!(backoff.try_dial(&"a", now));
    }
}
