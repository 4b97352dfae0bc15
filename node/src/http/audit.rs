//! Writing the audit log from the API: security rows (logins, logouts,
//! account and token changes) always; request rows (a write that reached
//! a route, and its status) always when they succeeded, and at most
//! [`REFUSED_ROWS_PER_WINDOW`] refused ones per account and
//! [`REFUSED_WINDOW_MS`], so that an account looping refused writes can
//! neither flood the disk with fsyncs nor hide what it did: the first row
//! over the limit says that more follow unrecorded, and the next
//! recorded row says how many were left out. The two kinds are separate
//! hash chains in the store (`store/audit.rs`), so request rows never push
//! security rows out. Never decides whether a request is allowed.

use std::collections::HashMap;

use super::{ApiError, ApiState, with_store};
use crate::clock;
use crate::store::{AuditKind, AuditRecord};

/// Refused writes recorded per account and window.
pub const REFUSED_ROWS_PER_WINDOW: u32 = 20;
/// The window, in ms (one minute).
pub const REFUSED_WINDOW_MS: i64 = 60_000;
/// Most accounts whose refused writes are counted at a time (only
/// authenticated accounts get here, so this is a backstop).
const REFUSED_ACCOUNTS_MAX: usize = 4_096;
/// Longest account name in a row, in characters.
const AUDIT_ACCOUNT_CHARS_MAX: usize = 64;

/// Refused writes per account in the current window.
#[derive(Debug, Default)]
pub struct RefusedRows {
    by_account: HashMap<String, Window>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Window {
    start_ms: i64,
    written: u32,
    left_out: u32,
}

impl RefusedRows {
    /// The rows to write for a refused write of `account` now: none (left
    /// out), the row itself, or a note before or after it.
    fn admit(&mut self, account: &str, row: AuditRecord, now_ms: i64) -> Vec<AuditRecord> {
        if !self.by_account.contains_key(account) && self.by_account.len() >= REFUSED_ACCOUNTS_MAX {
            self.by_account
                .retain(|_, w| w.start_ms + REFUSED_WINDOW_MS > now_ms);
            if self.by_account.len() >= REFUSED_ACCOUNTS_MAX {
                return vec![row];
            }
        }
        let window = self.by_account.entry(account.to_owned()).or_default();
        let mut rows = Vec::new();
        if window.start_ms + REFUSED_WINDOW_MS <= now_ms {
            if window.left_out > 0 {
                rows.push(note(
                    account,
                    now_ms,
                    format!("{} refused writes not recorded", window.left_out),
                ));
            }
            *window = Window {
                start_ms: now_ms,
                written: 0,
                left_out: 0,
            };
        }
        if window.written < REFUSED_ROWS_PER_WINDOW {
            window.written += 1;
            rows.push(row);
        } else {
            if window.left_out == 0 {
                rows.push(note(
                    account,
                    now_ms,
                    format!(
                        "more than {REFUSED_ROWS_PER_WINDOW} refused writes in {} s; \
                         further ones are counted, not recorded",
                        REFUSED_WINDOW_MS / 1_000
                    ),
                ));
            }
            window.left_out += 1;
        }
        rows
    }
}

fn note(account: &str, at_ms: i64, detail: String) -> AuditRecord {
    AuditRecord {
        at_ms,
        account: account.to_owned(),
        action: "refused_writes_limited".to_owned(),
        detail,
    }
}

fn record(account: &str, action: String, detail: String) -> AuditRecord {
    AuditRecord {
        at_ms: clock::now_ms(),
        account: account.chars().take(AUDIT_ACCOUNT_CHARS_MAX).collect(),
        action,
        detail,
    }
}

/// Appends a security row (login, logout, account or token change); a
/// failure is logged, never shown to the caller (the action itself already
/// happened or failed on its own).
pub(crate) async fn audit(state: &ApiState, account: &str, action: String, detail: String) {
    let row = record(account, action, detail);
    append(state, AuditKind::Security, vec![row]).await;
}

/// Appends the row of a write that reached a route, with its `status`;
/// refused writes are limited per account (see the module docs).
pub(crate) async fn audit_request(state: &ApiState, account: &str, action: String, status: u16) {
    let row = record(account, action, status.to_string());
    let rows = if status >= 400 {
        let mut refused = state
            .refused_rows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let account = row.account.clone();
        refused.admit(&account, row, clock::now_ms())
    } else {
        vec![row]
    };
    if !rows.is_empty() {
        append(state, AuditKind::Request, rows).await;
    }
}

async fn append(state: &ApiState, kind: AuditKind, rows: Vec<AuditRecord>) {
    let result = with_store(state, move |store| {
        store.append_audit_rows(kind, &rows).map_err(ApiError::from)
    })
    .await;
    match result {
        // The head goes to the node's log too, which lives elsewhere: a
        // chain rewritten in the store then no longer matches it.
        Ok(head) if kind == AuditKind::Security => {
            tracing::info!(audit_head = %hex::encode(head), "security audit row");
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "could not append to the audit log"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: i64) -> AuditRecord {
        AuditRecord {
            at_ms: n,
            account: "vera".into(),
            action: "POST /api/offers".into(),
            detail: "403".into(),
        }
    }

    #[test]
    fn refused_rows_are_limited_per_account_and_the_gap_is_noted() {
        let mut refused = RefusedRows::default();
        let mut written = Vec::new();
        for n in 0..100 {
            written.extend(refused.admit("vera", row(n), n));
        }
        let limit = REFUSED_ROWS_PER_WINDOW as usize;
        assert_eq!(written.len(), limit + 1);
        assert_eq!(written[limit].action, "refused_writes_limited");
        // Another account is not limited by vera.
        assert_eq!(refused.admit("anna", row(100), 100).len(), 1);
        // The next window starts with how many were left out.
        let next = refused.admit("vera", row(REFUSED_WINDOW_MS), REFUSED_WINDOW_MS);
        assert_eq!(next.len(), 2);
        assert_eq!(next[0].detail, "80 refused writes not recorded");
        assert_eq!(next[1], row(REFUSED_WINDOW_MS));
    }
}
