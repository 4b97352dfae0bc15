//! Login rate limiting: at most [`LOGIN_FAILURES_MAX`] failed logins per
//! key (an account name, or a client address) in a sliding window of
//! [`LOGIN_WINDOW_MS`]. Bounded by [`LOGIN_LIMIT_KEYS_MAX`] keys; when full,
//! the key whose window ends soonest is forgotten.

use std::collections::{HashMap, VecDeque};

/// Failed logins allowed per key and window.
pub const LOGIN_FAILURES_MAX: usize = 5;
/// The window, in ms (15 minutes).
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1_000;
/// Most keys tracked at a time.
pub const LOGIN_LIMIT_KEYS_MAX: usize = 4_096;

/// Failed logins per key.
#[derive(Debug, Default)]
pub struct Limiter {
    failures: HashMap<String, VecDeque<i64>>,
    /// Attempts begun and not yet ended, per key: they count against the
    /// limit, so that parallel attempts cannot all pass before the first
    /// failure is counted.
    in_flight: HashMap<String, usize>,
}

/// When an attempt refused only because others are still running may be
/// tried again, in ms.
const IN_FLIGHT_RETRY_MS: i64 = 1_000;

impl Limiter {
    /// Starts an attempt for `key`: `Err(retry_after_ms)` if its failures
    /// and the attempts still running use up its allowance; otherwise the
    /// attempt counts until [`Self::end`].
    pub fn begin(&mut self, key: &str, now_ms: i64) -> Result<(), i64> {
        self.check(key, now_ms)?;
        let running = self.in_flight.get(key).copied().unwrap_or(0);
        let failed = self.failures.get(key).map_or(0, VecDeque::len);
        if failed + running >= LOGIN_FAILURES_MAX {
            return Err(IN_FLIGHT_RETRY_MS);
        }
        *self.in_flight.entry(key.to_owned()).or_insert(0) += 1;
        Ok(())
    }

    /// Ends an attempt begun with [`Self::begin`], counting it as a failure
    /// if it failed.
    pub fn end(&mut self, key: &str, now_ms: i64, failed: bool) {
        if let Some(running) = self.in_flight.get_mut(key) {
            *running -= 1;
            if *running == 0 {
                self.in_flight.remove(key);
            }
        }
        if failed {
            self.fail(key, now_ms);
        }
    }

    /// `Err(retry_after_ms)` if `key` has used up its attempts.
    pub fn check(&mut self, key: &str, now_ms: i64) -> Result<(), i64> {
        let Some(times) = self.failures.get_mut(key) else {
            return Ok(());
        };
        while times
            .front()
            .is_some_and(|t| *t + LOGIN_WINDOW_MS <= now_ms)
        {
            times.pop_front();
        }
        match times.front() {
            Some(oldest) if times.len() >= LOGIN_FAILURES_MAX => {
                Err(oldest + LOGIN_WINDOW_MS - now_ms)
            }
            None => {
                self.failures.remove(key);
                Ok(())
            }
            Some(_) => Ok(()),
        }
    }

    /// Counts a failed login for `key`.
    pub fn fail(&mut self, key: &str, now_ms: i64) {
        if !self.failures.contains_key(key) && self.failures.len() >= LOGIN_LIMIT_KEYS_MAX {
            self.failures
                .retain(|_, times| times.back().is_some_and(|t| t + LOGIN_WINDOW_MS > now_ms));
            if self.failures.len() >= LOGIN_LIMIT_KEYS_MAX {
                let soonest = self
                    .failures
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied().unwrap_or(i64::MIN))
                    .map(|(key, _)| key.clone());
                if let Some(soonest) = soonest {
                    self.failures.remove(&soonest);
                }
            }
        }
        let times = self.failures.entry(key.to_owned()).or_default();
        times.push_back(now_ms);
        while times.len() > LOGIN_FAILURES_MAX {
            times.pop_front();
        }
    }

    /// Forgets the failures of `key` (after a successful login).
    pub fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }

    /// Keys tracked now.
    pub fn len(&self) -> usize {
        self.failures.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_for_the_window() {
        let mut limiter = Limiter::default();
        for n in 0..LOGIN_FAILURES_MAX as i64 {
            assert!(limiter.check("anna", n).is_ok());
            limiter.fail("anna", n);
        }
        assert_eq!(limiter.check("anna", 10), Err(LOGIN_WINDOW_MS - 10));
        assert!(limiter.check("bob", 10).is_ok());
        assert!(limiter.check("anna", LOGIN_WINDOW_MS).is_ok());
        limiter.clear("anna");
        assert!(limiter.check("anna", 10).is_ok());
    }

    #[test]
    fn attempts_still_running_count_against_the_limit() {
        let mut limiter = Limiter::default();
        for _ in 0..LOGIN_FAILURES_MAX {
            assert!(limiter.begin("anna", 0).is_ok());
        }
        assert_eq!(limiter.begin("anna", 0), Err(IN_FLIGHT_RETRY_MS));
        // They all fail: the key is locked for the window.
        for _ in 0..LOGIN_FAILURES_MAX {
            limiter.end("anna", 1, true);
        }
        assert_eq!(limiter.begin("anna", 2), Err(LOGIN_WINDOW_MS - 1));
        // A successful attempt leaves no trace.
        assert!(limiter.begin("bob", 0).is_ok());
        limiter.end("bob", 0, false);
        assert_eq!(limiter.len(), 1);
        for _ in 0..LOGIN_FAILURES_MAX {
            assert!(limiter.begin("bob", 0).is_ok());
            limiter.end("bob", 0, false);
        }
    }

    #[test]
    fn keys_are_bounded() {
        let mut limiter = Limiter::default();
        for n in 0..LOGIN_LIMIT_KEYS_MAX + 5 {
            limiter.fail(&format!("ip:{n}"), 0);
        }
        assert_eq!(limiter.len(), LOGIN_LIMIT_KEYS_MAX);
    }
}
