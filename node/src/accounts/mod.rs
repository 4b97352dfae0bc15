//! Operator accounts of this node: roles and what they may do, password
//! hashes (argon2id), browser sessions with a CSRF token each, API tokens
//! for scripts, login rate limiting (delays, never a lock), and the first admin made by
//! `amtshilfe init`.
//!
//! Accounts, token hashes and the audit log are kept in the node's store
//! (`crate::store`); sessions live in memory and are written to the store
//! by the API after every change, so they survive a restart; the rate
//! limiter lives in memory only, so a restart forgets failed attempts. This module never
//! speaks HTTP (the API's `auth` module does) and never touches the replica:
//! accounts are local to one node and are not replicated to the pact.

pub mod bootstrap;
mod limiter;
pub mod password;
mod role;
mod sessions;

use std::sync::{Arc, Mutex, MutexGuard};

pub use limiter::{
    ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, Attempt, KNOWN_ADDRESSES_PER_ACCOUNT,
    LOGIN_DELAY_FIRST_MS, LOGIN_DELAY_MAX_MS, LOGIN_FORGET_MS, LOGIN_LIMIT_KEYS_MAX, Limiter,
    Outcome, PAIR_FREE_FAILURES, PAIR_IN_FLIGHT_MAX, delay_ms,
};
pub use role::{Permission, Role};
pub use sessions::{
    SESSION_LIFETIME_MS, SESSIONS_MAX, SESSIONS_PER_ACCOUNT_MAX, Session, SessionId, SessionKey,
    Sessions,
};

use crate::random::{RandomError, os_random};

/// Longest account name, in bytes.
pub const ACCOUNT_NAME_BYTES_MAX: usize = 64;
/// Longest password accepted, in bytes (argon2 cost grows with it).
pub const PASSWORD_BYTES_MAX: usize = 256;
/// Shortest password an admin may set, in characters.
pub const PASSWORD_CHARS_MIN: usize = 12;
/// Prefix of API tokens, so they are recognisable in files and logs.
pub const TOKEN_PREFIX: &str = "amt_";

/// Who is making a request, and how they proved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account name.
    pub account: String,
    /// Its role.
    pub role: Role,
    /// The session's CSRF token (hex) for a browser session; `None` for an
    /// API token, which is sent explicitly and so needs none.
    pub csrf: Option<String>,
}

impl Principal {
    /// Whether the role allows `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        self.role.may(permission)
    }
}

/// Password hashes checked or made at the same time, at most. Each takes
/// argon2id's memory (19 MiB) and a core for a while; unauthenticated
/// logins must not be able to take the machine's memory.
pub const PASSWORD_WORK_MAX: usize = 2;

/// The in-memory part of the accounts: sessions, the login limiter, and
/// the permits for password work.
#[derive(Debug)]
pub struct Accounts {
    sessions: Mutex<Sessions>,
    limiter: Arc<Mutex<Limiter>>,
    password_work: Arc<tokio::sync::Semaphore>,
}

impl Default for Accounts {
    fn default() -> Self {
        Self {
            sessions: Mutex::default(),
            limiter: Arc::default(),
            password_work: Arc::new(tokio::sync::Semaphore::new(PASSWORD_WORK_MAX)),
        }
    }
}

impl Accounts {
    /// No sessions, no failed attempts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `work` (an argon2id hash or check) on the blocking pool once
    /// one of [`PASSWORD_WORK_MAX`] permits is free. The permit goes with
    /// the work, not with the caller: a client that disconnects drops the
    /// caller, but the blocking work still runs and still holds its
    /// memory, so the next one must wait for it.
    pub async fn password_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let permit = self
            .password_work
            .clone()
            .acquire_owned()
            .await
            .map_err(|error| error.to_string())?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|error| error.to_string())
    }

    /// Takes every permit for password work, so that a login started now
    /// waits in the password check until the permits are dropped.
    #[cfg(test)]
    pub async fn hold_password_work(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.password_work
            .clone()
            .acquire_many_owned(u32::try_from(PASSWORD_WORK_MAX).unwrap())
            .await
            .unwrap()
    }

    /// The sessions. Never held across an `.await`.
    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a login attempt of `account` from `address`: the guard ends
    /// it when finished or dropped; `Err(retry_after_ms)` if it must wait.
    pub fn login_attempt(&self, account: &str, address: &str, now_ms: i64) -> Result<Attempt, i64> {
        Attempt::start(self.limiter.clone(), account, address, now_ms)
    }
}

/// Whether `name` may name an account: 1 to [`ACCOUNT_NAME_BYTES_MAX`]
/// bytes of `a-z`, `0-9`, `.`, `_`, `-`.
pub fn valid_account_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= ACCOUNT_NAME_BYTES_MAX
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// A fresh API token: [`TOKEN_PREFIX`] and 64 hex characters.
pub fn new_token() -> Result<String, RandomError> {
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(os_random::<32>()?)))
}

/// The SHA-256 of a token, which is what the store keeps.
pub fn token_hash(token: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tokens() {
        assert!(valid_account_name("it-leitung.bergstrasse"));
        assert!(!valid_account_name("Admin"));
        assert!(!valid_account_name(""));
        assert!(!valid_account_name(&"a".repeat(65)));
        let token = new_token().unwrap();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == 68);
        assert_ne!(token_hash(&token), token_hash("amt_other"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
