//! Managing accounts and API tokens (admin only): make an account,: change an account's
//! role, disable or enable it, list and revoke tokens. The JSON routes and
//! the Verwaltung page both call these, so both obey the same
//! rules:
//!
//! - the last active admin can be neither disabled nor demoted
//!   (409 `last_admin`): nobody could manage the node any more;
//! - a disabled account cannot log in, its tokens are revoked, and its
//!   sessions end at once; a role change ends them too, since a session
//!   carries the role it was started with and a token was made within it;
//! - every change is written to the audit log with what changed.

use serde::{Deserialize, Serialize};

use crate::accounts::{
    PASSWORD_BYTES_MAX, PASSWORD_CHARS_MIN, Principal, Role, password, valid_account_name,
};
use crate::clock;
use crate::http::auth::audit;
use crate::http::session_store::change_sessions_with;
use crate::http::{ApiError, ApiState, with_store};
use crate::store::{AccountRecord, AuditRecord, Store, TokenRecord};

/// Most audit rows one call returns.
pub const AUDIT_ROWS_SHOWN_MAX: usize = 1_000;

/// What to change about an account; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountChange {
    pub(crate) role: Option<Role>,
    pub(crate) disabled: Option<bool>,
}

/// An account as the API shows it (never its password hash).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "Account")]
pub(crate) struct AccountView {
    pub(crate) account: String,
    /// The role id (`admin`, `it_lead`, …).
    pub(crate) role: String,
    /// A disabled account can neither log in nor use its tokens.
    pub(crate) disabled: bool,
    /// When it was made, ms since the epoch.
    pub(crate) created_at_ms: i64,
}

impl AccountView {
    pub(crate) fn of(name: &str, record: &AccountRecord) -> Self {
        Self {
            account: name.to_owned(),
            role: record.role.clone(),
            disabled: record.disabled,
            created_at_ms: record.created_at_ms,
        }
    }
}

/// The answer to making an account.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct NewAccountAnswer {
    pub(crate) account: String,
    pub(crate) role: Role,
    /// Only if generated; shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) password: Option<String>,
}

fn is_active_admin(record: &AccountRecord) -> bool {
    !record.disabled && record.role == Role::Admin.id()
}

/// Refuses a change that would leave no active admin.
fn keep_an_admin(store: &Store, name: &str, after: &AccountRecord) -> Result<(), ApiError> {
    if is_active_admin(after) {
        return Ok(());
    }
    let others = store
        .accounts()
        .map_err(ApiError::from)?
        .iter()
        .any(|(other, record)| other != name && is_active_admin(record));
    if others {
        return Ok(());
    }
    Err(ApiError::conflict(
        "last_admin",
        "This is the last active admin account; make another admin first.",
    ))
}

/// Changes account `name`; returns it as it is now. See the module docs.
pub(crate) async fn change(
    state: &ApiState,
    by: &Principal,
    name: String,
    change: AccountChange,
) -> Result<AccountView, ApiError> {
    let wanted = name.clone();
    // The account and its sessions change together: a session of a
    // disabled or demoted account must not outlive the change.
    let (record, what) = change_sessions_with(state, move |store, sessions| {
        let before = store
            .account(&wanted)
            .map_err(ApiError::from)?
            .ok_or_else(|| {
                ApiError::not_found(
                    "account_not_found",
                    format!("There is no account named {wanted:?}."),
                )
            })?;
        let mut after = before.clone();
        if let Some(role) = change.role {
            after.role = role.id().to_owned();
        }
        if let Some(disabled) = change.disabled {
            after.disabled = disabled;
        }
        if is_active_admin(&before) {
            keep_an_admin(store, &wanted, &after)?;
        }
        store.put_account(&wanted, &after).map_err(ApiError::from)?;
        sessions.end_all_of(&wanted);
        let revoked = if after.role != before.role || (after.disabled && !before.disabled) {
            store.remove_tokens_of(&wanted).map_err(ApiError::from)?
        } else {
            0
        };
        let what = format!(
            "{wanted}: role {} → {}, disabled {} → {}, tokens revoked {revoked}",
            before.role, after.role, before.disabled, after.disabled
        );
        Ok((after, what))
    })
    .await?;
    audit(state, &by.account, "account_changed".into(), what).await;
    Ok(AccountView::of(&name, &record))
}

/// Every API token: its id (the SHA-256 of the secret, hex), account,
/// label and creation time; oldest first.
pub(crate) async fn tokens(state: &ApiState) -> Result<Vec<(String, TokenRecord)>, ApiError> {
    let mut rows = with_store(state, |store| store.tokens().map_err(ApiError::from)).await?;
    rows.sort_by_key(|(_, record)| record.created_at_ms);
    Ok(rows
        .into_iter()
        .map(|(hash, record)| (hex::encode(hash), record))
        .collect())
}

/// Revokes the token with id `id` (see [`tokens`]).
pub(crate) async fn revoke(state: &ApiState, by: &Principal, id: String) -> Result<(), ApiError> {
    let not_found = || ApiError::not_found("token_not_found", "There is no token with this id.");
    let mut hash = [0u8; 32];
    hex::decode_to_slice(&id, &mut hash).map_err(|_| not_found())?;
    let record = with_store(state, move |store| {
        store.remove_token(hash).map_err(ApiError::from)
    })
    .await?
    .ok_or_else(not_found)?;
    let what = format!("{} ({})", record.label, record.account);
    audit(state, &by.account, "token_revoked".into(), what).await;
    Ok(())
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccount {
    /// 1 to 64 of a-z, 0-9, '.', '_', '-'.
    #[schemars(regex(pattern = r"^[a-z0-9._-]{1,64}$"))]
    pub(crate) account: String,
    pub(crate) role: Role,
    /// At least [`PASSWORD_CHARS_MIN`] characters and at most
    /// [`PASSWORD_BYTES_MAX`] bytes (the schema's character limit is what
    /// always fits, at four bytes a character); generated if absent.
    #[serde(default)]
    #[schemars(length(min = PASSWORD_CHARS_MIN, max = PASSWORD_BYTES_MAX / 4))]
    pub(crate) password: Option<String>,
}

/// Makes an account; the answer has
/// the generated password if none was given, to be shown once.
pub(crate) async fn new_account(
    state: &ApiState,
    by: &Principal,
    body: NewAccount,
) -> Result<NewAccountAnswer, ApiError> {
    if !valid_account_name(&body.account) {
        return Err(ApiError::InvalidBody(
            "account: 1 to 64 characters of a-z, 0-9, '.', '_', '-'".into(),
        ));
    }
    let generated = body.password.is_none();
    let password_text = match body.password {
        Some(text) => text,
        None => password::generate().map_err(|error| ApiError::Internal(error.to_string()))?,
    };
    let chars = password_text.chars().count();
    if chars < PASSWORD_CHARS_MIN || password_text.len() > PASSWORD_BYTES_MAX {
        return Err(ApiError::InvalidBody(format!(
            "password: must be {PASSWORD_CHARS_MIN} to {PASSWORD_BYTES_MAX} bytes long"
        )));
    }
    let to_hash = password_text.clone();
    let hash = state
        .accounts
        .password_work(move || password::hash(&to_hash))
        .await
        .map_err(ApiError::Internal)?
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let record = AccountRecord {
        role: body.role.id().to_owned(),
        password_hash: hash,
        created_at_ms: clock::now_ms(),
        disabled: false,
    };
    let name = body.account.clone();
    with_store(state, move |store| {
        if store.account(&name).map_err(ApiError::from)?.is_some() {
            return Err(ApiError::conflict(
                "account_exists",
                format!("There is already an account named {name:?}."),
            ));
        }
        store.put_account(&name, &record).map_err(ApiError::from)
    })
    .await?;
    let what = format!("{} ({})", body.account, body.role.id());
    audit(state, &by.account, "account_created".into(), what).await;
    Ok(NewAccountAnswer {
        account: body.account,
        role: body.role,
        password: generated.then_some(password_text),
    })
}

/// One page of the audit log, newest first, and the number of rows in all.
pub(crate) async fn audit_page(
    state: &ApiState,
    offset: usize,
    limit: usize,
) -> Result<(Vec<AuditRecord>, u64), ApiError> {
    let limit = limit.min(AUDIT_ROWS_SHOWN_MAX);
    with_store(state, move |store| {
        store.audit_page(offset, limit).map_err(ApiError::from)
    })
    .await
}
