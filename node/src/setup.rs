//! Setting up a node's data directory: keys, the store of a pact, and this
//! device's delegation. Used by the command line (`init`, `pact create`,
//! `join`) and by tests that build whole pacts.

use std::path::{Path, PathBuf};

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::membership::{EntryRejection, MembershipLog, SignedEntry};

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
/// device's delegation signed by `member_key`, unless `entries` hold one.
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
    // A rotated key signs for the member its first key named.
    let member = log
        .state()
        .member_of_key(&member_key.public())
        .unwrap_or_else(|| MemberId::from_key(member_key.public()));
    // `entries` may delegate this device already (the demo shares every
    // device's delegation); a second one would only travel in every
    // introduction.
    if log.state().member_of_key(&device.public()) != Some(member) {
        let delegation = log.delegate(
            member_key,
            member,
            device,
            now_ms + DEVICE_DELEGATION_MS,
            now_ms,
        );
        log.insert(delegation)?;
    }
    let incarnation = random::incarnation()?;
    // The device declares the incarnation it will write under, so that
    // its first changes count on every node that has its log. A joiner
    // whose admission is still open cannot yet: it declares with its first
    // write (`Replica::write`).
    let declaration = log.declare_incarnation(device, member, incarnation, now_ms);
    match log.insert(declaration) {
        Ok(_) | Err(EntryRejection::AuthorNotCurrent) => {}
        Err(error) => return Err(error.into()),
    }
    let store = Store::create(store_path(data_dir), log.pact_id(), incarnation, now_ms)?;
    let ordered: Vec<SignedEntry> = log
        .entries_in_order()
        .into_iter()
        .map(|(_, e)| e.clone())
        .collect();
    store.append_entries(&ordered)?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use amtshilfe_protocol::membership::EntryKind;

    use super::*;

    fn delegations_of(store: &Store, device: &KeyPair) -> usize {
        store
            .load()
            .unwrap()
            .entries
            .iter()
            .filter(|e| matches!(&e.body.kind, EntryKind::Delegate { device: d, .. } if *d == device.public()))
            .count()
    }

    #[test]
    fn a_device_is_delegated_once_whether_or_not_the_entries_delegate_it() {
        let member = KeyPair::from_seed([1; 32]);
        let device = KeyPair::from_seed([2; 32]);
        let charter = MembershipLog::charter("Pakt", &[(&member, "A")], 0);
        let alone = tempfile::tempdir().unwrap();
        let store = create_pact_store(alone.path(), &charter, &[], &member, &device, 0).unwrap();
        assert_eq!(delegations_of(&store, &device), 1);

        let log = MembershipLog::new(charter.clone()).unwrap();
        let id = MemberId::from_key(member.public());
        let shared = log.delegate(&member, id, &device, DEVICE_DELEGATION_MS, 0);
        let with = tempfile::tempdir().unwrap();
        let store =
            create_pact_store(with.path(), &charter, &[shared], &member, &device, 0).unwrap();
        assert_eq!(delegations_of(&store, &device), 1);
    }
}
