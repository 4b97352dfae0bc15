//! Browser sessions: a random 32-byte id (the cookie), the account and
//! role at login, a CSRF token, and an absolute expiry. Bounded per
//! account by [`SESSIONS_PER_ACCOUNT_MAX`]: when an account has that many,
//! its own session that would expire soonest goes, so one account logging
//! in again and again never ends another account's sessions. [`SESSIONS_MAX`]
//! is a backstop over all accounts (accounts are made by admins only);
//! when it is reached, a session of the account holding the most goes. Kept by the SHA-256 of the id ([`SessionKey`]),
//! which is also how the API stores them, so that they survive a restart
//! (`snapshot`, `restore`) without the store holding usable cookies.

use std::collections::HashMap;

use super::Role;
use crate::random::{RandomError, os_random};

/// Most sessions of one account at a time.
pub const SESSIONS_PER_ACCOUNT_MAX: usize = 32;
/// Most sessions at a time on one node, over all accounts.
pub const SESSIONS_MAX: usize = 4_096;
/// How long a session lasts after login, in ms (12 hours: one long shift).
pub const SESSION_LIFETIME_MS: i64 = 12 * 3_600 * 1_000;

/// The SHA-256 of a session id: how a session is kept.
pub type SessionKey = [u8; 32];

/// A session id: 32 random bytes, sent as 64 hex characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 32]);

impl SessionId {
    /// A fresh id from the OS.
    pub fn generate() -> Result<Self, RandomError> {
        Ok(Self(os_random()?))
    }

    /// Parses the cookie value; `None` unless it is 64 hex characters.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// The cookie value.
    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    /// The key the session is kept under.
    pub fn key(&self) -> SessionKey {
        use sha2::Digest;
        sha2::Sha256::digest(self.0).into()
    }
}

/// One logged-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The account.
    pub account: String,
    /// Its role at login.
    pub role: Role,
    /// The token every form and cookie-authenticated POST must carry, hex.
    pub csrf: String,
    /// When it ends, ms since the epoch.
    pub expires_at_ms: i64,
}

/// The live sessions.
#[derive(Debug, Default)]
pub struct Sessions {
    by_key: HashMap<SessionKey, Session>,
}

impl Sessions {
    /// Starts a session for `account`; returns its id and the session.
    pub fn start(
        &mut self,
        account: &str,
        role: Role,
        now_ms: i64,
    ) -> Result<(SessionId, Session), RandomError> {
        let id = SessionId::generate()?;
        let session = Session {
            account: account.to_owned(),
            role,
            csrf: hex::encode(os_random::<32>()?),
            expires_at_ms: now_ms.saturating_add(SESSION_LIFETIME_MS),
        };
        self.insert(id.key(), session.clone(), now_ms);
        Ok((id, session))
    }

    /// Adds a session, making room first: in its account's share, and
    /// over all if the node is full.
    fn insert(&mut self, key: SessionKey, session: Session, now_ms: i64) {
        let mine = self
            .by_key
            .values()
            .filter(|s| s.account == session.account)
            .count();
        if mine >= SESSIONS_PER_ACCOUNT_MAX || self.by_key.len() >= SESSIONS_MAX {
            self.by_key.retain(|_, s| s.expires_at_ms > now_ms);
        }
        let mine = self
            .by_key
            .values()
            .filter(|s| s.account == session.account)
            .count();
        if mine >= SESSIONS_PER_ACCOUNT_MAX {
            self.end_soonest_of(&session.account);
        }
        if self.by_key.len() >= SESSIONS_MAX {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for s in self.by_key.values() {
                *counts.entry(s.account.as_str()).or_default() += 1;
            }
            let busiest = counts
                .into_iter()
                .max_by_key(|(_, count)| *count)
                .map(|(account, _)| account.to_owned());
            if let Some(busiest) = busiest {
                self.end_soonest_of(&busiest);
            }
        }
        self.by_key.insert(key, session);
    }

    /// Ends the session of `account` that would expire soonest.
    fn end_soonest_of(&mut self, account: &str) {
        let soonest = self
            .by_key
            .iter()
            .filter(|(_, s)| s.account == account)
            .min_by_key(|(_, s)| s.expires_at_ms)
            .map(|(key, _)| *key);
        if let Some(soonest) = soonest {
            self.by_key.remove(&soonest);
        }
    }

    /// The sessions that have not expired, by key (to store them).
    pub fn snapshot(&self, now_ms: i64) -> Vec<(SessionKey, Session)> {
        self.by_key
            .iter()
            .filter(|(_, s)| s.expires_at_ms > now_ms)
            .map(|(key, s)| (*key, s.clone()))
            .collect()
    }

    /// Takes back stored sessions (at start); expired ones are dropped.
    pub fn restore(&mut self, stored: Vec<(SessionKey, Session)>, now_ms: i64) {
        for (key, session) in stored {
            if session.expires_at_ms > now_ms {
                self.insert(key, session, now_ms);
            }
        }
    }

    /// The session with this id, unless it expired (then it is dropped).
    pub fn get(&mut self, id: &SessionId, now_ms: i64) -> Option<Session> {
        let key = id.key();
        match self.by_key.get(&key) {
            Some(session) if session.expires_at_ms > now_ms => Some(session.clone()),
            Some(_) => {
                self.by_key.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn end(&mut self, id: &SessionId) {
        self.by_key.remove(&id.key());
    }

    /// Ends every session of `account` (after its role changed or it was
    /// disabled).
    pub fn end_all_of(&mut self, account: &str) {
        self.by_key.retain(|_, s| s.account != account);
    }

    /// Live and expired-but-not-yet-dropped sessions.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_stay_bounded() {
        let mut sessions = Sessions::default();
        let (id, session) = sessions.start("anna", Role::Viewer, 0).unwrap();
        assert_eq!(session.csrf.len(), 64);
        assert_eq!(SessionId::from_hex(&id.to_hex()), Some(id));
        assert!(SessionId::from_hex("zz").is_none());
        assert!(sessions.get(&id, SESSION_LIFETIME_MS - 1).is_some());
        assert!(sessions.get(&id, SESSION_LIFETIME_MS).is_none());
        assert!(sessions.is_empty());
        for n in 0..SESSIONS_PER_ACCOUNT_MAX + 10 {
            sessions.start("bob", Role::Viewer, n as i64).unwrap();
        }
        assert_eq!(sessions.len(), SESSIONS_PER_ACCOUNT_MAX);
        sessions.end_all_of("bob");
        assert!(sessions.is_empty());
    }

    /// 1,024 logins of one account used to end every other session.
    #[test]
    fn one_account_logging_in_again_and_again_ends_only_its_own_sessions() {
        let mut sessions = Sessions::default();
        let (anna, _) = sessions.start("anna", Role::Admin, 0).unwrap();
        for n in 0..1_100 {
            sessions.start("mallory", Role::Viewer, n + 1).unwrap();
        }
        assert!(sessions.get(&anna, 2_000).is_some());
        assert_eq!(sessions.len(), SESSIONS_PER_ACCOUNT_MAX + 1);
    }

    #[test]
    fn the_node_wide_backstop_takes_from_the_busiest_account() {
        let mut sessions = Sessions::default();
        let (anna, _) = sessions.start("anna", Role::Admin, 0).unwrap();
        let accounts = SESSIONS_MAX / SESSIONS_PER_ACCOUNT_MAX + 1;
        for account in 0..accounts {
            for n in 0..SESSIONS_PER_ACCOUNT_MAX {
                let name = format!("a{account}");
                sessions.start(&name, Role::Viewer, 1 + n as i64).unwrap();
            }
        }
        assert_eq!(sessions.len(), SESSIONS_MAX);
        assert!(sessions.get(&anna, 2).is_some());
    }

    #[test]
    fn a_snapshot_restores_live_sessions_only() {
        let mut sessions = Sessions::default();
        let (early, _) = sessions.start("anna", Role::Viewer, 0).unwrap();
        let (late, _) = sessions.start("bob", Role::Admin, 1_000).unwrap();
        let stored = sessions.snapshot(0);
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().all(|(key, _)| *key != [0; 32]));
        let mut restarted = Sessions::default();
        restarted.restore(stored, SESSION_LIFETIME_MS);
        assert!(
            restarted.get(&early, SESSION_LIFETIME_MS).is_none(),
            "expired"
        );
        let bob = restarted.get(&late, SESSION_LIFETIME_MS).unwrap();
        assert_eq!((bob.account.as_str(), bob.role), ("bob", Role::Admin));
    }
}
