//! Setting up a node's data directory: keys, the store of a pact, and this
//! device's delegation. Used by the command line (`init`, `pact create`,
//! `join`) and by tests that build whole pacts.

use std::path::{Path, PathBuf};

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::membership::{MembershipLog, SignedEntry};

use crate::keys::{self, DEVICE_KEY_FILE, KeyFileError, MEMBER_KEY_FILE};
use crate::random::{self, RandomError};
use crate::store::{STORE_FILE_NAME, Store, StoreError};

/// How long a device delegation made at setup lasts: two years. Renew by
/// delegating again before it runs out.
pub const DEVICE_DELEGATION_MS: i64 = 2 * 365 * 24 * 3_600 * 1_000;

/// Why a data directory could not be set up. Nothing half-made is left
/// that would make the node start on a wrong state.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Key files.
    #[error(transparent)]
    Keys(#[from] KeyFileError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// OS randomness.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// The charter or delegation was refused.
    #[error("the pact's membership log refused an entry: {0}")]
    Entry(#[from] amtshilfe_protocol::membership::EntryRejection),
    /// This member is not a founder of the charter (for `pact create`).
    #[error("this member's key is not among the charter's founders")]
    NotAFounder,
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {reason}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The store file in a data directory.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join(STORE_FILE_NAME)
}

/// Reads a data directory's keys: the device key must exist, the member key
/// may have been moved offline.
pub fn read_keys(data_dir: &Path) -> Result<(KeyPair, Option<KeyPair>), KeyFileError> {
    let device = keys::read_key_file(&data_dir.join(DEVICE_KEY_FILE))?;
    let member_path = data_dir.join(MEMBER_KEY_FILE);
    let member = if member_path.exists() {
        Some(keys::read_key_file(&member_path)?)
    } else {
        None
    };
    Ok((device, member))
}

/// Creates the store of `charter`'s pact in `data_dir`, holding the
/// charter, `entries` (e.g. the log copied from an invitation) and this
/// device's delegation signed by `member_key`.
pub fn create_pact_store(
    data_dir: &Path,
    charter: &SignedEntry,
    entries: &[SignedEntry],
    member_key: &KeyPair,
    device: &KeyPair,
    now_ms: i64,
) -> Result<Store, SetupError> {
    std::fs::create_dir_all(data_dir).map_err(|e| SetupError::Directory {
        path: data_dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut log = MembershipLog::new(charter.clone())?;
    for entry in entries {
        log.insert(entry.clone())?;
    }
    let member = MemberId::from_key(member_key.public());
    let delegation = log.delegate(
        member_key,
        member,
        device.public(),
        now_ms + DEVICE_DELEGATION_MS,
        now_ms,
    );
    log.insert(delegation)?;
    let store = Store::create(
        store_path(data_dir),
        log.pact_id(),
        random::incarnation()?,
        now_ms,
    )?;
    let ordered: Vec<SignedEntry> = log
        .entries_in_order()
        .into_iter()
        .map(|(_, e)| e.clone())
        .collect();
    store.append_entries(&ordered)?;
    Ok(store)
}
