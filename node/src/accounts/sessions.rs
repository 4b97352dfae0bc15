//! Browser sessions, in memory: a random 32-byte id (the cookie), the
//! account and role at login, a CSRF token, and an absolute expiry. Bounded
//! by [`SESSIONS_MAX`]; when full, expired sessions go first, then the one
//! that would expire soonest.

use std::collections::HashMap;

use super::Role;
use crate::random::{RandomError, os_random};

/// Most sessions at a time on one node.
pub const SESSIONS_MAX: usize = 1_024;
/// How long a session lasts after login, in ms (12 hours: one long shift).
pub const SESSION_LIFETIME_MS: i64 = 12 * 3_600 * 1_000;

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
    by_id: HashMap<SessionId, Session>,
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
        if self.by_id.len() >= SESSIONS_MAX {
            self.by_id.retain(|_, s| s.expires_at_ms > now_ms);
        }
        if self.by_id.len() >= SESSIONS_MAX {
            let soonest = self
                .by_id
                .iter()
                .min_by_key(|(_, s)| s.expires_at_ms)
                .map(|(id, _)| *id);
            if let Some(soonest) = soonest {
                self.by_id.remove(&soonest);
            }
        }
        self.by_id.insert(id, session.clone());
        Ok((id, session))
    }

    /// The session with this id, unless it expired (then it is dropped).
    pub fn get(&mut self, id: &SessionId, now_ms: i64) -> Option<Session> {
        match self.by_id.get(id) {
            Some(session) if session.expires_at_ms > now_ms => Some(session.clone()),
            Some(_) => {
                self.by_id.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn end(&mut self, id: &SessionId) {
        self.by_id.remove(id);
    }

    /// Ends every session of `account` (after its role changed or it was
    /// disabled).
    pub fn end_all_of(&mut self, account: &str) {
        self.by_id.retain(|_, s| s.account != account);
    }

    /// Live and expired-but-not-yet-dropped sessions.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
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
}
