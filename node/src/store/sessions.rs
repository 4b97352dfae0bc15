//! Browser sessions in the node's store, so that a restart does not log
//! everyone out. Keyed by the SHA-256 of the session id (the cookie), so a
//! copy of the store does not hand out live sessions; the CSRF token is
//! kept as is, since it only works together with the cookie. The whole set
//! is replaced in one durable transaction whenever it changes (logins and
//! logouts are rare; the set is bounded by `accounts::SESSIONS_PER_ACCOUNT_MAX` per account and `accounts::SESSIONS_MAX` in all).
//! Never decides whether a session is valid: `crate::accounts` does.

use serde::{Deserialize, Serialize};

use super::accounts::encode;
use super::schema::SESSIONS;
use super::{Store, StoreError};

const SAVING: &str = "saving the sessions";

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The account.
    pub account: String,
    /// Its role id at login.
    pub role: String,
    /// The session's CSRF token, hex.
    pub csrf: String,
    /// When it ends, ms since the epoch.
    pub expires_at_ms: i64,
}

impl Store {
    /// Replaces every stored session with `sessions`.
    pub fn replace_sessions(
        &self,
        sessions: &[([u8; 32], SessionRecord)],
    ) -> Result<(), StoreError> {
        let rows = sessions
            .iter()
            .map(|(key, record)| Ok((*key, encode(record)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let failed = || StoreError::database::<redb::StorageError>(&self.path, SAVING);
        let txn = self.begin_durable(SAVING)?;
        {
            let mut table = txn
                .open_table(SESSIONS)
                .map_err(StoreError::database(&self.path, SAVING))?;
            table.retain(|_, _| false).map_err(failed())?;
            for (key, bytes) in &rows {
                table.insert(*key, bytes.as_slice()).map_err(failed())?;
            }
        }
        txn.commit()
            .map_err(StoreError::database(&self.path, SAVING))
    }

    /// Every stored session, by the SHA-256 of its id.
    pub fn sessions(&self) -> Result<Vec<([u8; 32], SessionRecord)>, StoreError> {
        self.all_rows(SESSIONS, |key| key)
    }
}
