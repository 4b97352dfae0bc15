//! Keeps the stored sessions in step with the live ones, so a restart
//! does not log everyone out. Every change to the sessions runs under the
//! sessions' own lock (which orders concurrent logins and logouts) and
//! ends, still under it, by writing the whole live set to the store's
//! accounts handle (`Store::replace_sessions`); the core's lock is never
//! taken, so a login does not wait for a sync page being applied.
//! A failed write is logged and does not undo the change: the session
//! works until the next restart, and a store failure stops the node's
//! writes anyway.

use crate::accounts::{Accounts, Role, Session, SessionKey, Sessions};
use crate::clock;
use crate::store::{SessionRecord, Store};

use super::{ApiError, ApiState, with_store};

fn record_of(session: &Session) -> SessionRecord {
    SessionRecord {
        account: session.account.clone(),
        role: session.role.id().to_owned(),
        csrf: session.csrf.clone(),
        expires_at_ms: session.expires_at_ms,
    }
}

fn session_of(record: SessionRecord) -> Option<Session> {
    Some(Session {
        role: Role::from_id(&record.role)?,
        account: record.account,
        csrf: record.csrf,
        expires_at_ms: record.expires_at_ms,
    })
}

/// Runs `change` on the sessions, then stores the live set.
pub(crate) async fn change_sessions<T, F>(state: &ApiState, change: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Sessions) -> T + Send + 'static,
    T: Send + 'static,
{
    change_sessions_with(state, move |_, sessions| Ok(change(sessions))).await
}

/// Runs `change` on the accounts' store and the sessions in one section
/// under the sessions' lock (so that, say, disabling an account and ending
/// its sessions happen together or not at all), then stores the live set if
/// `change` succeeded.
pub(crate) async fn change_sessions_with<T, F>(state: &ApiState, change: F) -> Result<T, ApiError>
where
    F: FnOnce(&Store, &mut Sessions) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let accounts = state.accounts.clone();
    with_store(state, move |store| {
        let mut sessions = accounts.sessions();
        let out = change(store, &mut sessions)?;
        let rows: Vec<(SessionKey, SessionRecord)> = sessions
            .snapshot(clock::now_ms())
            .iter()
            .map(|(key, session)| (*key, record_of(session)))
            .collect();
        // Still under the sessions' lock: a later change's set is never
        // overwritten by an earlier one's.
        if let Err(error) = store.replace_sessions(&rows) {
            tracing::error!(%error, "could not store the sessions; they end at the next restart");
        }
        drop(sessions);
        Ok(out)
    })
    .await
}

/// Takes the stored sessions back into `accounts` (when the API starts),
/// except those whose account is gone, disabled or has another role now:
/// the sessions may have been stored before such a change.
pub(crate) fn restore_sessions(store: &Store, accounts: &Accounts) {
    let still_valid = |record: &SessionRecord| {
        store
            .account(&record.account)
            .ok()
            .flatten()
            .is_some_and(|account| !account.disabled && account.role == record.role)
    };
    match store.sessions() {
        Ok(rows) => {
            let live = rows
                .into_iter()
                .filter(|(_, record)| still_valid(record))
                .filter_map(|(key, record)| Some((key, session_of(record)?)))
                .collect();
            accounts.sessions().restore(live, clock::now_ms());
        }
        Err(error) => tracing::error!(%error, "could not read the stored sessions"),
    }
}
