//! Operator accounts and API tokens, in the node's store (the audit log:
//! `audit.rs`).
//! Values are postcard; every write is one durable transaction. A store made
//! before these tables existed reads as having none (the first write makes
//! the table). Never checks passwords or roles: `crate::accounts` does.

use redb::{ReadableTable, TableDefinition, TableError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::schema::{ACCOUNTS, API_TOKENS};
use super::{Store, StoreError};

const SAVING: &str = "saving an account";
pub(super) const READING: &str = "reading accounts";

/// One operator account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// The role id (`admin`, `it_lead`, …).
    pub role: String,
    /// The argon2id hash in PHC string form.
    pub password_hash: String,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
    /// A disabled account can neither log in nor use its tokens.
    pub disabled: bool,
}

/// One API token (only its SHA-256 is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The account it acts as.
    pub account: String,
    /// What the operator called it.
    pub label: String,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
    /// The role it acts with (a role id), never more than the session
    /// that made it; `None` for the account's own role (the command line
    /// token of `amtshilfe init`, and tokens made before roles were kept).
    pub role: Option<String>,
    /// When it stops working, ms since the epoch; `None` for never (only
    /// the command line token of `amtshilfe init`, and older tokens).
    pub expires_at_ms: Option<i64>,
}

/// A token as stored before it had a role and an expiry.
#[derive(Deserialize)]
struct TokenRecordV1 {
    account: String,
    label: String,
    created_at_ms: i64,
}

impl Store {
    /// Saves (creates or replaces) the account `name`.
    pub fn put_account(&self, name: &str, record: &AccountRecord) -> Result<(), StoreError> {
        self.put_row(ACCOUNTS, name, record, SAVING)
    }

    /// The account `name`, if it exists.
    pub fn account(&self, name: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.get_row(ACCOUNTS, name)
    }

    /// Every account, by name.
    pub fn accounts(&self) -> Result<Vec<(String, AccountRecord)>, StoreError> {
        self.all_rows(ACCOUNTS, |name| name.to_owned())
    }

    /// Saves an API token by the SHA-256 of its secret.
    pub fn put_token(&self, hash: [u8; 32], record: &TokenRecord) -> Result<(), StoreError> {
        self.put_row(API_TOKENS, hash, record, SAVING)
    }

    /// Every API token, by the SHA-256 of its secret.
    pub fn tokens(&self) -> Result<Vec<([u8; 32], TokenRecord)>, StoreError> {
        self.all_rows_with(API_TOKENS, |hash| hash, |bytes| self.decode_token(bytes))
    }

    /// Removes every token of `account` (when it is disabled or its role
    /// changes); returns how many there were.
    pub fn remove_tokens_of(&self, account: &str) -> Result<usize, StoreError> {
        let mine: Vec<[u8; 32]> = self
            .tokens()?
            .into_iter()
            .filter(|(_, record)| record.account == account)
            .map(|(hash, _)| hash)
            .collect();
        for hash in &mine {
            self.remove_token(*hash)?;
        }
        Ok(mine.len())
    }

    /// A stored token, in the current form or the one before it.
    fn decode_token(&self, bytes: &[u8]) -> Result<TokenRecord, StoreError> {
        if let Ok(record) = postcard::from_bytes::<TokenRecord>(bytes) {
            return Ok(record);
        }
        let old: TokenRecordV1 = self.decode(bytes)?;
        Ok(TokenRecord {
            account: old.account,
            label: old.label,
            created_at_ms: old.created_at_ms,
            role: None,
            expires_at_ms: None,
        })
    }

    /// Removes the token with this SHA-256; returns it if there was one.
    pub fn remove_token(&self, hash: [u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        const REMOVING: &str = "revoking an API token";
        let txn = self.begin_durable(REMOVING)?;
        let removed = {
            let mut table = txn
                .open_table(API_TOKENS)
                .map_err(StoreError::database(&self.path, REMOVING))?;
            let old = table
                .remove(hash)
                .map_err(StoreError::database(&self.path, REMOVING))?;
            old.map(|value| self.decode_token(value.value()))
                .transpose()?
        };
        txn.commit()
            .map_err(StoreError::database(&self.path, REMOVING))?;
        Ok(removed)
    }

    /// The token with this SHA-256, if any.
    pub fn token(&self, hash: [u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        self.get_row_with(API_TOKENS, hash, |bytes| self.decode_token(bytes))
    }

    pub(super) fn put_row<K, V>(
        &self,
        definition: TableDefinition<K, &[u8]>,
        key: K::SelfType<'_>,
        value: &V,
        operation: &'static str,
    ) -> Result<(), StoreError>
    where
        K: redb::Key + 'static,
        V: Serialize,
    {
        let bytes = encode(value)?;
        let txn = self.begin_durable(operation)?;
        {
            let mut table = txn
                .open_table(definition)
                .map_err(StoreError::database(&self.path, operation))?;
            table
                .insert(key, bytes.as_slice())
                .map_err(StoreError::database(&self.path, operation))?;
        }
        txn.commit()
            .map_err(StoreError::database(&self.path, operation))
    }

    fn get_row<K, V>(
        &self,
        definition: TableDefinition<K, &[u8]>,
        key: K::SelfType<'_>,
    ) -> Result<Option<V>, StoreError>
    where
        K: redb::Key + 'static,
        V: DeserializeOwned,
    {
        self.get_row_with(definition, key, |bytes| self.decode(bytes))
    }

    fn get_row_with<K, V>(
        &self,
        definition: TableDefinition<K, &[u8]>,
        key: K::SelfType<'_>,
        decode: impl Fn(&[u8]) -> Result<V, StoreError>,
    ) -> Result<Option<V>, StoreError>
    where
        K: redb::Key + 'static,
    {
        let txn = self.read_txn(READING)?;
        let table = match txn.open_table(definition) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
        };
        let row = table
            .get(key)
            .map_err(StoreError::database(&self.path, READING))?;
        row.map(|value| decode(value.value())).transpose()
    }

    /// Every row of a table, with `owned_key` turning each stored key into
    /// an owned value; an absent table has no rows.
    pub(super) fn all_rows<K, O, V>(
        &self,
        definition: TableDefinition<K, &[u8]>,
        owned_key: impl Fn(K::SelfType<'_>) -> O,
    ) -> Result<Vec<(O, V)>, StoreError>
    where
        K: redb::Key + 'static,
        V: DeserializeOwned,
    {
        self.all_rows_with(definition, owned_key, |bytes| self.decode(bytes))
    }

    /// [`Self::all_rows`] with its own decoder.
    fn all_rows_with<K, O, V>(
        &self,
        definition: TableDefinition<K, &[u8]>,
        owned_key: impl Fn(K::SelfType<'_>) -> O,
        decode: impl Fn(&[u8]) -> Result<V, StoreError>,
    ) -> Result<Vec<(O, V)>, StoreError>
    where
        K: redb::Key + 'static,
    {
        let txn = self.read_txn(READING)?;
        let table = match txn.open_table(definition) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
        };
        let failed = || StoreError::database::<redb::StorageError>(&self.path, READING);
        let mut rows = Vec::new();
        for row in table.iter().map_err(failed())? {
            let (key, value) = row.map_err(failed())?;
            rows.push((owned_key(key.value()), decode(value.value())?));
        }
        Ok(rows)
    }

    pub(super) fn decode<V: DeserializeOwned>(&self, bytes: &[u8]) -> Result<V, StoreError> {
        postcard::from_bytes(bytes)
            .map_err(|error| self.damaged(format!("a stored row does not decode: {error}")))
    }
}

pub(super) fn encode<V: Serialize>(value: &V) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(|error| StoreError::Refused {
        what: "account data",
        detail: error.to_string(),
    })
}
