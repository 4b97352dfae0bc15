//! Browser sessions: a random 32-byte id (the cookie), the account and
//! role at login, a CSRF token, and an absolute expiry. Bounded by
//! [`SESSIONS_MAX`]; when full, expired sessions go first, then the one
//! that would expire soonest. Kept by the SHA-256 of the id ([`SessionKey`]),
//! which is also how the API stores them, so that they survive a restart
//! (`snapshot`, `restore`) without the store holding usable cookies.

use std::collections::HashMap;

use super::Role;
use crate::random::{RandomError, os_random};

/// Most sessions at a time on one node.
pub const SESSIONS_MAX: usize = 1_024;
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

    /// Adds a session, making room first if the set is full.
    fn insert(&mut self, key: SessionKey, session: Session, now_ms: i64) {
        if self.by_key.len() >= SESSIONS_MAX {
            self.by_key.retain(|_, s| s.expires_at_ms > now_ms);
        }
        if self.by_key.len() >= SESSIONS_MAX {
            let soonest = self
                .by_key
                .iter()
                .min_by_key(|(_, s)| s.expires_at_ms)
                .map(|(key, _)| *key);
            if let Some(soonest) = soonest {
                self.by_key.remove(&soonest);
            }
        }
        self.by_key.insert(key, session);
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
        for n in 0..SESSIONS_MAX + 10 {
            sessions.start("bob", Role::Viewer, n as i64).unwrap();
        }
        assert_eq!(sessions.len(), SESSIONS_MAX);
        sessions.end_all_of("bob");
        assert!(sessions.is_empty());
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
