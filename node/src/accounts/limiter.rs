//! Login rate limiting that an outsider cannot turn against the operators.
//!
//! Failed logins slow down, they never lock. Three counters, each a
//! [`Backoff`] (failures, time of the last one, attempts in flight):
//!
//! - per account **and** client address: after [`PAIR_FREE_FAILURES`]
//!   failures each further attempt waits a delay that doubles from
//!   [`LOGIN_DELAY_FIRST_MS`] up to [`LOGIN_DELAY_MAX_MS`]. A stranger's
//!   guesses slow down only the stranger.
//! - per client address, over all accounts: the same with
//!   [`ADDRESS_FREE_FAILURES`], against one address trying many accounts.
//!   Behind a reverse proxy every client has the proxy's address unless
//!   the proxy is named in `trusted_proxies` (see the configuration).
//! - per existing account, over all addresses: after
//!   [`ACCOUNT_FREE_FAILURES`] failures, attempts from addresses that have
//!   not logged into the account before wait the doubling delay, which
//!   bounds guessing from many addresses. Addresses the account logged in
//!   from ([`KNOWN_ADDRESSES_PER_ACCOUNT`] at most) are never slowed by it,
//!   so the operators keep their way in.
//!
//! An attempt counts from its start ([`Limiter::begin`] returns a
//! [`Attempt`] guard) so that parallel attempts cannot all pass before
//! the first failure is counted; an attempt whose future is dropped (the
//! client went away) ends when the guard drops and counts as no failure,
//! since its client never learns the answer. Each map holds at most
//! [`LOGIN_LIMIT_KEYS_MAX`] keys; when full, the key with the fewest
//! failures (idle longest among them) goes, and
//! failures are forgotten after [`LOGIN_FORGET_MS`] without one. Memory
//! only: a restart forgets everything. Never checks passwords.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Failures per account and address before delays start.
pub const PAIR_FREE_FAILURES: u32 = 3;
/// Failures per address, over all accounts, before delays start.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// Failures per account, over all addresses, before addresses it never
/// logged in from are slowed down.
pub const ACCOUNT_FREE_FAILURES: u32 = 50;
/// The first delay, in ms; each further failure doubles it.
pub const LOGIN_DELAY_FIRST_MS: i64 = 1_000;
/// The longest delay, in ms (15 minutes).
pub const LOGIN_DELAY_MAX_MS: i64 = 15 * 60 * 1_000;
/// Failures are forgotten this long after the last one, in ms (one day).
pub const LOGIN_FORGET_MS: i64 = 24 * 3_600 * 1_000;
/// Most keys per map (pairs, addresses, accounts).
pub const LOGIN_LIMIT_KEYS_MAX: usize = 4_096;
/// Addresses remembered per account as ones it logged in from.
pub const KNOWN_ADDRESSES_PER_ACCOUNT: usize = 8;
/// Attempts of one account and address running at the same time.
pub const PAIR_IN_FLIGHT_MAX: u32 = 1;
/// When an attempt refused only because another one of the same account
/// and address is still running may be tried again, in ms.
const IN_FLIGHT_RETRY_MS: i64 = 1_000;

/// The delay after `failures` failures of which `free` cost nothing, in ms.
pub fn delay_ms(failures: u32, free: u32) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(20);
    LOGIN_DELAY_FIRST_MS
        .saturating_mul(1_i64 << doublings)
        .min(LOGIN_DELAY_MAX_MS)
}

/// The failures of one key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Backoff {
    failures: u32,
    /// The last failure or the last attempt let through while delayed, ms.
    last_ms: i64,
    in_flight: u32,
    /// Last time the key was used, ms (for eviction).
    touched_ms: i64,
}

impl Backoff {
    /// `Err(retry_after_ms)` while the delay of its failures (and of its
    /// attempts in flight, which may still fail) runs.
    fn check(&self, free: u32, now_ms: i64) -> Result<(), i64> {
        let due = self.last_ms + delay_ms(self.failures + self.in_flight, free);
        if self.failures + self.in_flight < free || now_ms >= due {
            Ok(())
        } else {
            Err(due - now_ms)
        }
    }
}

/// One map of keys to their failures, bounded.
#[derive(Debug, Default)]
struct Counters {
    by_key: HashMap<String, Backoff>,
}

impl Counters {
    fn forget_old(&mut self, key: &str, now_ms: i64) {
        if let Some(entry) = self.by_key.get(key)
            && entry.in_flight == 0
            && entry.last_ms + LOGIN_FORGET_MS <= now_ms
        {
            self.by_key.remove(key);
        }
    }

    fn check(&mut self, key: &str, free: u32, now_ms: i64) -> Result<(), i64> {
        self.forget_old(key, now_ms);
        self.by_key
            .get(key)
            .map_or(Ok(()), |entry| entry.check(free, now_ms))
    }

    /// The entry of `key`, made (and room made) if it has none.
    fn entry(&mut self, key: &str, now_ms: i64) -> &mut Backoff {
        if !self.by_key.contains_key(key) && self.by_key.len() >= LOGIN_LIMIT_KEYS_MAX {
            self.by_key
                .retain(|_, e| e.in_flight > 0 || e.last_ms + LOGIN_FORGET_MS > now_ms);
            if self.by_key.len() >= LOGIN_LIMIT_KEYS_MAX {
                // The key with the fewest failures, idle longest among
                // those: an attacker's fresh keys evict each other, not a
                // key that has earned a delay.
                let idle = self
                    .by_key
                    .iter()
                    .filter(|(_, e)| e.in_flight == 0)
                    .min_by_key(|(_, e)| (e.failures, e.touched_ms))
                    .map(|(key, _)| key.clone());
                if let Some(idle) = idle {
                    self.by_key.remove(&idle);
                }
            }
        }
        let entry = self.by_key.entry(key.to_owned()).or_default();
        entry.touched_ms = now_ms;
        entry
    }

    fn fail(&mut self, key: &str, now_ms: i64) {
        let entry = self.entry(key, now_ms);
        entry.failures = entry.failures.saturating_add(1);
        entry.last_ms = now_ms;
    }

    fn release(&mut self, key: &str) {
        if let Some(entry) = self.by_key.get_mut(key) {
            entry.in_flight = entry.in_flight.saturating_sub(1);
            if entry.in_flight == 0 && entry.failures == 0 {
                self.by_key.remove(key);
            }
        }
    }
}

/// An account's failures over all addresses, and where it logged in from.
#[derive(Debug, Default)]
struct AccountEntry {
    backoff: Backoff,
    known: VecDeque<String>,
}

/// The three counters; see the module docs.
#[derive(Debug, Default)]
pub struct Limiter {
    pairs: Counters,
    addresses: Counters,
    accounts: HashMap<String, AccountEntry>,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The password fitted.
    Success,
    /// It did not; `account_exists` says whether the account exists (only
    /// existing accounts get an account-wide counter, so that made-up
    /// names cannot fill it).
    Failed {
        /// Whether there is an account of that name.
        account_exists: bool,
    },
}

fn pair_key(account: &str, address: &str) -> String {
    format!("{address}\u{0}{account}")
}

impl Limiter {
    /// Starts an attempt: `Err(retry_after_ms)` if one of the counters
    /// says wait.
    pub fn start(&mut self, account: &str, address: &str, now_ms: i64) -> Result<(), i64> {
        let pair = pair_key(account, address);
        self.pairs.check(&pair, PAIR_FREE_FAILURES, now_ms)?;
        if self
            .pairs
            .by_key
            .get(&pair)
            .is_some_and(|e| e.in_flight >= PAIR_IN_FLIGHT_MAX)
        {
            return Err(IN_FLIGHT_RETRY_MS);
        }
        self.addresses
            .check(address, ADDRESS_FREE_FAILURES, now_ms)?;
        if let Some(entry) = self.accounts.get_mut(account) {
            if entry.backoff.last_ms + LOGIN_FORGET_MS <= now_ms {
                entry.backoff = Backoff::default();
            }
            let known = entry.known.iter().any(|a| a == address);
            if !known && entry.backoff.failures >= ACCOUNT_FREE_FAILURES {
                entry.backoff.check(ACCOUNT_FREE_FAILURES, now_ms)?;
                // One stranger's attempt per delay, however many addresses
                // try at once.
                entry.backoff.last_ms = now_ms;
            }
        }
        self.pairs.entry(&pair, now_ms).in_flight += 1;
        self.addresses.entry(address, now_ms).in_flight += 1;
        Ok(())
    }

    /// Ends an attempt begun with [`Self::start`]; `None` if it was
    /// abandoned (counts as no failure).
    pub fn end(&mut self, account: &str, address: &str, now_ms: i64, outcome: Option<Outcome>) {
        let pair = pair_key(account, address);
        self.pairs.release(&pair);
        self.addresses.release(address);
        match outcome {
            None => {}
            Some(Outcome::Success) => {
                self.pairs.by_key.remove(&pair);
                let entry = self.account_entry(account, now_ms);
                if !entry.known.iter().any(|a| a == address) {
                    if entry.known.len() >= KNOWN_ADDRESSES_PER_ACCOUNT {
                        entry.known.pop_front();
                    }
                    entry.known.push_back(address.to_owned());
                }
            }
            Some(Outcome::Failed { account_exists }) => {
                self.pairs.fail(&pair, now_ms);
                self.addresses.fail(address, now_ms);
                if account_exists {
                    let entry = self.account_entry(account, now_ms);
                    entry.backoff.failures = entry.backoff.failures.saturating_add(1);
                    entry.backoff.last_ms = now_ms;
                }
            }
        }
    }

    fn account_entry(&mut self, account: &str, now_ms: i64) -> &mut AccountEntry {
        // Only existing accounts get here, so the map holds at most as
        // many keys as the node has accounts; the cap is a backstop.
        if !self.accounts.contains_key(account) && self.accounts.len() >= LOGIN_LIMIT_KEYS_MAX {
            let idle = self
                .accounts
                .iter()
                .min_by_key(|(_, e)| (e.backoff.failures, e.backoff.touched_ms))
                .map(|(key, _)| key.clone());
            if let Some(idle) = idle {
                self.accounts.remove(&idle);
            }
        }
        let entry = self.accounts.entry(account.to_owned()).or_default();
        entry.backoff.touched_ms = now_ms;
        entry
    }

    /// Keys tracked now, over the three maps.
    pub fn len(&self) -> usize {
        self.pairs.by_key.len() + self.addresses.by_key.len() + self.accounts.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A running login attempt. Dropping it without [`Attempt::finish`] ends
/// it as abandoned, so a client that disconnects leaves nothing behind.
#[derive(Debug)]
pub struct Attempt {
    limiter: Arc<Mutex<Limiter>>,
    account: String,
    address: String,
    now_ms: i64,
    finished: bool,
}

impl Attempt {
    /// Starts an attempt on `limiter`; `Err(retry_after_ms)` if it must wait.
    pub fn start(
        limiter: Arc<Mutex<Limiter>>,
        account: &str,
        address: &str,
        now_ms: i64,
    ) -> Result<Self, i64> {
        lock(&limiter).start(account, address, now_ms)?;
        Ok(Self {
            limiter,
            account: account.to_owned(),
            address: address.to_owned(),
            now_ms,
            finished: false,
        })
    }

    /// Ends the attempt with its outcome, at `now_ms`.
    pub fn finish(mut self, outcome: Outcome, now_ms: i64) {
        self.finished = true;
        lock(&self.limiter).end(&self.account, &self.address, now_ms, Some(outcome));
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.finished {
            lock(&self.limiter).end(&self.account, &self.address, self.now_ms, None);
        }
    }
}

fn lock(limiter: &Mutex<Limiter>) -> std::sync::MutexGuard<'_, Limiter> {
    limiter
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
#[path = "limiter_tests.rs"]
mod tests;
