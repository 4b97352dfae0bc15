//! The node's embedded database (redb) on disk: every envelope and
//! membership entry the replica applied, the learned peer addresses, the
//! operator accounts, API tokens and audit log, and the store's identity
//! (pact, incarnation, schema version).
//!
//! A write returns only after its transaction is committed with
//! [`redb::Durability::Immediate`] (fsync): only then may anyone be told it
//! is saved. Opening never starts empty on a missing, damaged, foreign or
//! newer store: it fails with an error that says what to do.
//!
//! This module never checks signatures or authority (the replica does that
//! before anything reaches the store) and never talks to the network.

mod accounts;
mod audit;
mod error;
mod forks;
mod notify;
mod peers;
mod read;
mod restore;
mod schema;
mod sessions;
mod write;

#[cfg(test)]
mod tests;

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use amtshilfe_protocol::identity::INCARNATION_LEN;
use amtshilfe_protocol::ids::PactId;
use redb::{Database, DatabaseError, Durability, ReadableDatabase, StorageError, TableError};

pub use accounts::{AccountRecord, TokenRecord};
pub use audit::{AUDIT_ROWS_MAX, AuditKind, AuditRecord, ChainReport};
pub use error::StoreError;
pub use notify::{
    DELIVERY_LINES_MAX, DeliveryLine, NOTIFY_EVENTS_MAX, NewAlert, NotifyEvent, NotifyStatus,
};
pub use peers::{
    PEER_ADDRESS_BYTES_MAX, PEER_ADDRESSES_MAX, PEER_ID_BYTES_MAX, PEERS_MAX, PeerAddresses,
};
pub use read::{StoreCounts, StoredState};
pub use restore::{RestoreError, load_replica, restore_replica};
pub use schema::{ENVELOPE_KEY_LEN, SCHEMA_VERSION};
pub use sessions::SessionRecord;
pub use write::AppendReport;

use schema::{
    ENTRIES, ENTRY_ORDER, ENVELOPE_HASHES, ENVELOPE_ORDER, ENVELOPES, META, META_CREATED_AT_MS,
    META_INCARNATION, META_PACT_ID, META_SCHEMA_VERSION, PEERS,
};

const CREATING: &str = "creating the store";
const READING_META: &str = "reading the store's metadata";

/// Name of the store file inside the data directory.
pub const STORE_FILE_NAME: &str = "store.redb";
/// Page cache redb may use, in bytes. The store is read whole once at start
/// and then mostly appended to, so a large cache would only hold pages
/// that are never read again (the replica keeps everything in memory).
pub const STORE_CACHE_BYTES: usize = 16 * 1024 * 1024;
/// Unix permissions of a new store file: owner read and write only.
pub const STORE_FILE_MODE: u32 = 0o600;

/// The identity of a store, written once when it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreMeta {
    /// The layout version of the file.
    pub schema_version: u32,
    /// The pact whose data this store holds.
    pub pact: PactId,
    /// The device's incarnation for this store (part of its automerge actor).
    pub incarnation: [u8; INCARNATION_LEN],
    /// When the store was created, ms since the epoch.
    pub created_at_ms: i64,
}

/// An open store. One process at a time may hold it; within the process,
/// [`Store::handle`] gives more handles on the same database.
pub struct Store {
    db: std::sync::Arc<Database>,
    path: PathBuf,
    meta: StoreMeta,
    /// Tests set this to make every later write fail, as a full or broken
    /// disk would.
    #[cfg(test)]
    pub(crate) failing: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Another handle on the same open database, for the operator
    /// accounts, sessions, API tokens and audit rows: the HTTP API uses it
    /// without the core's lock, so a login never waits while the node
    /// verifies and applies a sync page. redb runs reads beside a write;
    /// a write of its own waits only for a commit already under way.
    /// (The node's replicated data is written only through the core.)
    pub fn handle(&self) -> Store {
        Store {
            db: self.db.clone(),
            path: self.path.clone(),
            meta: self.meta,
            #[cfg(test)]
            failing: self.failing.clone(),
        }
    }

    /// Creates a new store file at `path` for `pact`, with a fresh
    /// `incarnation` chosen by the caller. Fails if anything exists at
    /// `path`. The file and its directory entry are on disk when this
    /// returns.
    pub fn create(
        path: impl AsRef<Path>,
        pact: PactId,
        incarnation: [u8; INCARNATION_LEN],
        created_at_ms: i64,
    ) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(STORE_FILE_MODE)
            .open(&path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    StoreError::AlreadyExists { path: path.clone() }
                }
                _ => StoreError::Unreadable {
                    path: path.clone(),
                    source,
                },
            })?;
        let meta = StoreMeta {
            schema_version: SCHEMA_VERSION,
            pact,
            incarnation,
            created_at_ms,
        };
        match Self::initialise(file, &path, &meta) {
            Ok(db) => Ok(Store {
                db: std::sync::Arc::new(db),
                path,
                meta,
                #[cfg(test)]
                failing: Default::default(),
            }),
            Err(error) => {
                // The file is ours (created above) and holds nothing yet.
                if let Err(remove) = std::fs::remove_file(&path) {
                    tracing::warn!(path = %path.display(), %remove, "could not remove a half-created store");
                }
                Err(error)
            }
        }
    }

    fn initialise(file: File, path: &Path, meta: &StoreMeta) -> Result<Database, StoreError> {
        let backend = redb::backends::FileBackend::new(file)
            .map_err(|error| classify_open_error(path, error))?;
        let db = builder()
            .create_with_backend(backend)
            .map_err(|error| classify_open_error(path, error))?;
        let mut txn = db
            .begin_write()
            .map_err(StoreError::database(path, CREATING))?;
        txn.set_durability(Durability::Immediate)
            .map_err(StoreError::database(path, CREATING))?;
        {
            let mut table = txn
                .open_table(META)
                .map_err(StoreError::database(path, CREATING))?;
            let rows: [(&str, &[u8]); 4] = [
                (META_SCHEMA_VERSION, &meta.schema_version.to_be_bytes()),
                (META_PACT_ID, &meta.pact.0),
                (META_INCARNATION, &meta.incarnation),
                (META_CREATED_AT_MS, &meta.created_at_ms.to_be_bytes()),
            ];
            for (key, value) in rows {
                table
                    .insert(key, value)
                    .map_err(StoreError::database(path, CREATING))?;
            }
        }
        // Every table exists from the start, so a missing one means damage.
        txn.open_table(ENVELOPES)
            .map_err(StoreError::database(path, CREATING))?;
        txn.open_table(ENVELOPE_ORDER)
            .map_err(StoreError::database(path, CREATING))?;
        txn.open_table(ENVELOPE_HASHES)
            .map_err(StoreError::database(path, CREATING))?;
        txn.open_table(ENTRIES)
            .map_err(StoreError::database(path, CREATING))?;
        txn.open_table(ENTRY_ORDER)
            .map_err(StoreError::database(path, CREATING))?;
        txn.open_table(PEERS)
            .map_err(StoreError::database(path, CREATING))?;
        txn.commit().map_err(StoreError::database(path, CREATING))?;
        sync_parent_dir(path)?;
        Ok(db)
    }

    /// Opens an existing store, checking every page's checksum and the
    /// schema version. Fails, and never creates anything, if the file is
    /// missing, unreadable, damaged, not a store, or of another version.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        match std::fs::metadata(&path) {
            Err(source) if source.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing { path });
            }
            Err(source) => return Err(StoreError::Unreadable { path, source }),
            Ok(metadata) if !metadata.is_file() => {
                return Err(StoreError::NotAStore {
                    path,
                    detail: "it is not a regular file".into(),
                });
            }
            Ok(metadata) if metadata.len() == 0 => {
                return Err(StoreError::NotAStore {
                    path,
                    detail: "the file is empty".into(),
                });
            }
            Ok(_) => {}
        }
        let db = builder()
            .open(&path)
            .map_err(|error| classify_open_error(&path, error))?;
        let meta = read_meta(&db, &path)?;
        tracing::debug!(path = %path.display(), pact = %meta.pact.short(), "store opened");
        Ok(Store {
            db: std::sync::Arc::new(db),
            path,
            meta,
            #[cfg(test)]
            failing: Default::default(),
        })
    }

    /// The store's identity.
    pub fn meta(&self) -> &StoreMeta {
        &self.meta
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn builder() -> redb::Builder {
    let mut builder = redb::Builder::new();
    builder
        .set_cache_size(STORE_CACHE_BYTES)
        .set_check_integrity_on_open(true);
    builder
}

/// Makes the new file's directory entry durable.
fn sync_parent_dir(path: &Path) -> Result<(), StoreError> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(parent)
        .and_then(|dir| dir.sync_all())
        .map_err(|source| StoreError::Unreadable {
            path: parent.to_path_buf(),
            source,
        })
}

fn classify_open_error(path: &Path, error: DatabaseError) -> StoreError {
    let path = path.to_path_buf();
    match error {
        DatabaseError::DatabaseAlreadyOpen => StoreError::InUse { path },
        DatabaseError::UpgradeRequired(version) => StoreError::NotAStore {
            path,
            detail: format!("a database in the old redb file format {version}"),
        },
        DatabaseError::RepairAborted => StoreError::Corrupted {
            path,
            detail: "the repair after an unclean shutdown was aborted".into(),
        },
        DatabaseError::Storage(StorageError::Corrupted(detail)) => {
            StoreError::Corrupted { path, detail }
        }
        DatabaseError::Storage(StorageError::Io(source))
            if source.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            StoreError::Unreadable { path, source }
        }
        DatabaseError::Storage(StorageError::Io(source)) => StoreError::NotAStore {
            path,
            detail: format!("it does not read as a database: {source}"),
        },
        other => StoreError::Database {
            path,
            operation: "opening the store",
            source: Box::new(other.into()),
        },
    }
}

fn read_meta(db: &Database, path: &Path) -> Result<StoreMeta, StoreError> {
    let txn = db
        .begin_read()
        .map_err(StoreError::database(path, READING_META))?;
    let table = match txn.open_table(META) {
        Ok(table) => table,
        Err(TableError::TableDoesNotExist(_)) => {
            return Err(StoreError::NotAStore {
                path: path.to_path_buf(),
                detail: "a database without amtshilfe metadata (a store whose creation was \
                         interrupted also looks like this)"
                    .into(),
            });
        }
        Err(error) => return Err(StoreError::database(path, READING_META)(error)),
    };
    let field = |key: &'static str| -> Result<Vec<u8>, StoreError> {
        table
            .get(key)
            .map_err(StoreError::database::<StorageError>(path, READING_META))?
            .map(|value| value.value().to_vec())
            .ok_or_else(|| StoreError::Corrupted {
                path: path.to_path_buf(),
                detail: format!("the metadata field `{key}` is missing"),
            })
    };
    let malformed = |key: &'static str| StoreError::Corrupted {
        path: path.to_path_buf(),
        detail: format!("the metadata field `{key}` has the wrong length"),
    };
    let version_bytes = field(META_SCHEMA_VERSION)?;
    let schema_version = <[u8; 4]>::try_from(version_bytes.as_slice())
        .map(u32::from_be_bytes)
        .map_err(|_| malformed(META_SCHEMA_VERSION))?;
    if schema_version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    if schema_version < SCHEMA_VERSION {
        return Err(StoreError::OlderSchema {
            path: path.to_path_buf(),
            found: schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    let pact = PactId::from_slice(&field(META_PACT_ID)?).ok_or_else(|| malformed(META_PACT_ID))?;
    let incarnation = <[u8; INCARNATION_LEN]>::try_from(field(META_INCARNATION)?.as_slice())
        .map_err(|_| malformed(META_INCARNATION))?;
    let created_at_ms = <[u8; 8]>::try_from(field(META_CREATED_AT_MS)?.as_slice())
        .map(i64::from_be_bytes)
        .map_err(|_| malformed(META_CREATED_AT_MS))?;
    Ok(StoreMeta {
        schema_version,
        pact,
        incarnation,
        created_at_ms,
    })
}
