//! The audit log in the node's store, as two hash chains: security rows
//! (logins, logouts, account and token changes) and request rows (every
//! write that reached a route, with its status). Each chain keeps at most
//! [`AUDIT_ROWS_MAX`] rows and drops only its own oldest, so a flood of
//! request rows never pushes a security row out.
//!
//! Every stored row begins with the hash of the row before it (or of the
//! last dropped row, the chain's anchor), and the chain's head hash and
//! row count are kept beside it (table `audit_chains`), so an edited,
//! removed or cut-off row shows in [`Store::verify_audit`]
//! (`amtshilfe audit verify`). Someone who can write the file can rewrite
//! a whole chain and its head; comparing the head with one noted earlier
//! (the node logs it with every security row) shows that too.
//!
//! Rows stored before the chains existed (table `audit`) move into the
//! security chain with the first row written after an upgrade. Never
//! decides what is audited: the API does.

use redb::{ReadableTable, ReadableTableMetadata, TableDefinition, TableError};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::accounts::{READING, encode};
use super::schema::{AUDIT, AUDIT_CHAINS, AUDIT_REQUESTS, AUDIT_SECURITY};
use super::{Store, StoreError};

/// Most rows kept per chain; the oldest of the same chain go first.
pub const AUDIT_ROWS_MAX: u64 = 100_000;
/// Most problems one verification lists per chain.
const PROBLEMS_LISTED_MAX: usize = 20;
/// What the row hashes start with, so they can mean nothing else.
const HASH_DOMAIN: &[u8] = b"amtshilfe audit row v1\0";

const AUDITING: &str = "appending to the audit log";

/// One audit log row: who did what when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// The account, or the name tried at a failed login.
    pub account: String,
    /// What, e.g. `login`, `login_failed`, `POST /api/offers`.
    pub action: String,
    /// The outcome (HTTP status) or a short detail.
    pub detail: String,
}

/// Which chain a row goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    /// Logins, logouts, account and token changes: never pushed out by
    /// request rows.
    Security,
    /// A write that reached a route, and its status.
    Request,
}

impl AuditKind {
    /// Both, in the order they are verified.
    pub const ALL: [AuditKind; 2] = [AuditKind::Security, AuditKind::Request];

    /// The chain's name.
    pub fn name(self) -> &'static str {
        match self {
            AuditKind::Security => "security",
            AuditKind::Request => "requests",
        }
    }

    fn table(self) -> TableDefinition<'static, u64, &'static [u8]> {
        match self {
            AuditKind::Security => AUDIT_SECURITY,
            AuditKind::Request => AUDIT_REQUESTS,
        }
    }
}

/// A stored row: the previous row's hash, then the record.
#[derive(Serialize, Deserialize)]
struct ChainedRow {
    prev: [u8; 32],
    record: AuditRecord,
}

/// A chain's state beside its rows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct ChainMeta {
    /// The hash of the last dropped row (zeros before any was dropped).
    anchor: [u8; 32],
    /// Rows dropped so far.
    dropped: u64,
    /// The hash of the newest row (the anchor while there is none).
    head: [u8; 32],
    /// Rows in the chain now.
    rows: u64,
}

/// What [`Store::verify_audit`] found in one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Which chain.
    pub kind: AuditKind,
    /// Rows checked.
    pub rows: u64,
    /// Rows dropped before (as the cap allows).
    pub dropped: u64,
    /// The head hash, hex: note it to compare later.
    pub head: String,
    /// What does not fit, at most [`PROBLEMS_LISTED_MAX`]; empty if intact.
    pub problems: Vec<String>,
}

fn row_hash(stored: &[u8]) -> [u8; 32] {
    let mut hasher = sha2::Sha256::new();
    hasher.update(HASH_DOMAIN);
    hasher.update(stored);
    hasher.finalize().into()
}

impl Store {
    /// Appends a security row.
    pub fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        self.append_audit_rows(AuditKind::Security, std::slice::from_ref(record))
            .map(drop)
    }

    /// Appends security rows in order, in one durable transaction (a
    /// restore copies thousands).
    pub fn append_audits(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        self.append_audit_rows(AuditKind::Security, records)
            .map(drop)
    }

    /// Appends rows to the chain of `kind` in order, in one durable
    /// transaction; beyond [`AUDIT_ROWS_MAX`] that chain's oldest go.
    /// Returns the chain's new head hash.
    pub fn append_audit_rows(
        &self,
        kind: AuditKind,
        records: &[AuditRecord],
    ) -> Result<[u8; 32], StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, AUDITING);
        let txn = self.begin_durable(AUDITING)?;
        let legacy = self.take_legacy_rows(&txn)?;
        let mut head = [0; 32];
        let passes = [(AuditKind::Security, legacy.as_slice()), (kind, records)];
        // The legacy rows first (if any), then the new ones.
        for (kind, records) in passes.into_iter().skip(usize::from(legacy.is_empty())) {
            let mut chains = txn
                .open_table(AUDIT_CHAINS)
                .map_err(StoreError::database(&self.path, AUDITING))?;
            let mut meta: ChainMeta = match chains.get(kind.name()).map_err(failed())? {
                Some(bytes) => self.decode(bytes.value())?,
                None => ChainMeta::default(),
            };
            let mut table = txn
                .open_table(kind.table())
                .map_err(StoreError::database(&self.path, AUDITING))?;
            let next = table
                .last()
                .map_err(failed())?
                .map_or(0, |(key, _)| key.value() + 1);
            for (key, record) in (next..).zip(records) {
                let stored = encode(&ChainedRow {
                    prev: meta.head,
                    record: record.clone(),
                })?;
                table.insert(key, stored.as_slice()).map_err(failed())?;
                meta.head = row_hash(&stored);
                meta.rows += 1;
            }
            while table.len().map_err(failed())? > AUDIT_ROWS_MAX {
                if let Some((_, popped)) = table.pop_first().map_err(failed())? {
                    meta.anchor = row_hash(popped.value());
                    meta.dropped += 1;
                    meta.rows = meta.rows.saturating_sub(1);
                }
            }
            chains
                .insert(kind.name(), encode(&meta)?.as_slice())
                .map_err(failed())?;
            head = meta.head;
        }
        txn.commit()
            .map_err(StoreError::database(&self.path, AUDITING))?;
        Ok(head)
    }

    /// Rows of the table from before the chains, oldest first; the table
    /// goes in the same transaction.
    fn take_legacy_rows(
        &self,
        txn: &redb::WriteTransaction,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, AUDITING);
        let rows = {
            let table = match txn.open_table(AUDIT) {
                Ok(table) => table,
                Err(error) => return Err(StoreError::database(&self.path, AUDITING)(error)),
            };
            let mut rows = Vec::new();
            for row in table.iter().map_err(failed())? {
                let (_, value) = row.map_err(failed())?;
                rows.push(self.decode(value.value())?);
            }
            rows
        };
        txn.delete_table(AUDIT)
            .map_err(StoreError::database(&self.path, AUDITING))?;
        Ok(rows)
    }

    /// The newest `limit` audit rows of both chains, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_page(0, limit).map(|(rows, _)| rows)
    }

    /// Audit rows of both chains (and of the table from before them)
    /// newest first, skipping the newest `offset`, at most `limit`; and
    /// how many rows there are in all.
    pub fn audit_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<AuditRecord>, u64), StoreError> {
        let wanted = offset.saturating_add(limit);
        let mut total = 0;
        let mut rows = Vec::new();
        for (table, chained) in [
            (AUDIT_SECURITY, true),
            (AUDIT_REQUESTS, true),
            (AUDIT, false),
        ] {
            let (newest, count) = self.newest_rows(table, chained, wanted)?;
            total += count;
            rows.extend(newest);
        }
        // Stable: equal times keep security rows before request rows.
        rows.sort_by_key(|row: &AuditRecord| std::cmp::Reverse(row.at_ms));
        Ok((rows.into_iter().skip(offset).take(limit).collect(), total))
    }

    fn newest_rows(
        &self,
        definition: TableDefinition<u64, &[u8]>,
        chained: bool,
        limit: usize,
    ) -> Result<(Vec<AuditRecord>, u64), StoreError> {
        let txn = self.read_txn(READING)?;
        let table = match txn.open_table(definition) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok((Vec::new(), 0)),
            Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
        };
        let failed = || StoreError::database::<redb::StorageError>(&self.path, READING);
        let total = table.len().map_err(failed())?;
        let mut rows = Vec::new();
        for row in table.iter().map_err(failed())?.rev().take(limit) {
            let (_, value) = row.map_err(failed())?;
            rows.push(if chained {
                self.decode::<ChainedRow>(value.value())?.record
            } else {
                self.decode(value.value())?
            });
        }
        Ok((rows, total))
    }

    /// Checks both chains: every row names the hash of the one before it,
    /// the first names the anchor, the last is the head, and the count
    /// fits. A row that does not decode is a problem, not an error.
    pub fn verify_audit(&self) -> Result<Vec<ChainReport>, StoreError> {
        let txn = self.read_txn(READING)?;
        let failed = || StoreError::database::<redb::StorageError>(&self.path, READING);
        let mut reports = Vec::new();
        for kind in AuditKind::ALL {
            let meta = match txn.open_table(AUDIT_CHAINS) {
                Ok(chains) => match chains.get(kind.name()).map_err(failed())? {
                    Some(bytes) => self.decode(bytes.value())?,
                    None => ChainMeta::default(),
                },
                Err(TableError::TableDoesNotExist(_)) => ChainMeta::default(),
                Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
            };
            let mut problems = Vec::new();
            let mut note = |problem: String| {
                if problems.len() < PROBLEMS_LISTED_MAX {
                    problems.push(problem);
                }
            };
            let mut running = meta.anchor;
            let mut rows = 0;
            match txn.open_table(kind.table()) {
                Ok(table) => {
                    for row in table.iter().map_err(failed())? {
                        let (key, value) = row.map_err(failed())?;
                        rows += 1;
                        let stored = value.value();
                        match postcard::from_bytes::<ChainedRow>(stored) {
                            Ok(row) if row.prev == running => {}
                            Ok(_) => note(format!(
                                "row {}: does not follow the row before it \
                                 (a row before it was changed or removed)",
                                key.value()
                            )),
                            Err(_) => note(format!("row {}: unreadable", key.value())),
                        }
                        running = row_hash(stored);
                    }
                }
                Err(TableError::TableDoesNotExist(_)) => {}
                Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
            }
            if running != meta.head {
                note("the newest row is not the recorded head (the newest rows were changed or cut off)".into());
            }
            if rows != meta.rows {
                note(format!("{rows} rows, but {} were recorded", meta.rows));
            }
            reports.push(ChainReport {
                kind,
                rows,
                dropped: meta.dropped,
                head: hex::encode(meta.head),
                problems,
            });
        }
        Ok(reports)
    }
}
