//! The first admin account, made by `amtshilfe init`.
//!
//! `init` runs before the node has a store (`pact create` or `join` makes
//! it later), so `init` writes the admin's argon2id hash and the hash of an
//! API token for the local command line into [`BOOTSTRAP_FILE`] in the data
//! directory, prints the password once, and writes the token itself to
//! [`CLI_TOKEN_FILE`] (mode 0600, beside the member key, which is worth far
//! more). When the node starts on a store without accounts, it imports the
//! file into the store and deletes it. A store that has accounts ignores
//! the file (and says so in the log). The plain password is never written.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Role, new_token, password, token_hash};
use crate::random::RandomError;
use crate::store::{AccountRecord, AuditRecord, Store, StoreError, TokenRecord};

/// The pending first accounts, in the data directory.
pub const BOOTSTRAP_FILE: &str = "accounts-init.json";
/// The command line's API token, in the data directory.
pub const CLI_TOKEN_FILE: &str = "cli.token";
/// Name of the first admin account.
pub const FIRST_ADMIN: &str = "admin";
/// Label of the command line's token.
pub const CLI_TOKEN_LABEL: &str = "amtshilfe command line";
/// Largest bootstrap file read, in bytes.
const BOOTSTRAP_BYTES_MAX: u64 = 4 * 1024;

/// Why the first admin could not be prepared or imported.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not what `init` writes.
    #[error("{path} is not an account file written by `amtshilfe init`: {detail}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// Randomness.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// Hashing.
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BootstrapFile {
    admin: String,
    password_hash: String,
    cli_token_sha256: String,
    created_at_ms: i64,
}

/// What `init` shows its user once.
#[derive(Debug)]
pub struct FirstAdmin {
    /// The account name.
    pub name: String,
    /// The generated password.
    pub password: String,
    /// Where the command line's token was written.
    pub token_file: PathBuf,
}

/// Makes the first admin's password and the command line's token and writes
/// [`BOOTSTRAP_FILE`] and [`CLI_TOKEN_FILE`] into `data_dir` (never
/// overwriting either).
pub fn prepare(data_dir: &Path, now_ms: i64) -> Result<FirstAdmin, BootstrapError> {
    let password = password::generate()?;
    let token = new_token()?;
    let file = BootstrapFile {
        admin: FIRST_ADMIN.to_owned(),
        password_hash: password::hash(&password)?,
        cli_token_sha256: hex::encode(token_hash(&token)),
        created_at_ms: now_ms,
    };
    let json = serde_json::to_string_pretty(&file).map_err(|error| BootstrapError::Malformed {
        path: data_dir.join(BOOTSTRAP_FILE),
        detail: error.to_string(),
    })?;
    write_private(&data_dir.join(BOOTSTRAP_FILE), json.as_bytes())?;
    let token_file = data_dir.join(CLI_TOKEN_FILE);
    write_private(&token_file, format!("{token}\n").as_bytes())?;
    Ok(FirstAdmin {
        name: FIRST_ADMIN.to_owned(),
        password,
        token_file,
    })
}

/// Imports [`BOOTSTRAP_FILE`] from `data_dir` into `store` if the store has
/// no accounts yet, then deletes the file. Returns whether it imported.
pub fn import(store: &Store, data_dir: &Path, now_ms: i64) -> Result<bool, BootstrapError> {
    let path = data_dir.join(BOOTSTRAP_FILE);
    if !path.exists() {
        return Ok(false);
    }
    if !store.accounts()?.is_empty() {
        tracing::warn!(path = %path.display(), "the store has accounts already; not importing the first admin again (delete the file)");
        return Ok(false);
    }
    let file = read_bootstrap(&path)?;
    let malformed = |detail: &str| BootstrapError::Malformed {
        path: path.clone(),
        detail: detail.to_owned(),
    };
    let mut token = [0u8; 32];
    hex::decode_to_slice(&file.cli_token_sha256, &mut token)
        .map_err(|_| malformed("cli_token_sha256 is not 64 hex characters"))?;
    if !file.password_hash.starts_with("$argon2id$") {
        return Err(malformed("password_hash is not an argon2id hash"));
    }
    store.put_account(
        &file.admin,
        &AccountRecord {
            role: Role::Admin.id().to_owned(),
            password_hash: file.password_hash,
            created_at_ms: file.created_at_ms,
            disabled: false,
        },
    )?;
    store.put_token(
        token,
        &TokenRecord {
            account: file.admin.clone(),
            label: CLI_TOKEN_LABEL.to_owned(),
            created_at_ms: file.created_at_ms,
            // The machine's own command line token, in a 0600 file:
            // it works until revoked on the Verwaltung page.
            role: None,
            expires_at_ms: None,
        },
    )?;
    store.append_audit(&AuditRecord {
        at_ms: now_ms,
        account: file.admin.clone(),
        action: "account_created".to_owned(),
        detail: "first admin from amtshilfe init".to_owned(),
    })?;
    std::fs::remove_file(&path).map_err(|source| BootstrapError::File {
        path: path.clone(),
        source,
    })?;
    tracing::info!(account = %file.admin, "first admin account imported");
    Ok(true)
}

fn read_bootstrap(path: &Path) -> Result<BootstrapFile, BootstrapError> {
    use std::io::Read;
    let file_error = |source| BootstrapError::File {
        path: path.to_path_buf(),
        source,
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(file_error)?
        .take(BOOTSTRAP_BYTES_MAX)
        .read_to_string(&mut text)
        .map_err(file_error)?;
    serde_json::from_str(&text).map_err(|error| BootstrapError::Malformed {
        path: path.to_path_buf(),
        detail: error.to_string(),
    })
}

/// Creates `path` with mode 0600 and `bytes`, durably; never overwrites.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), BootstrapError> {
    let error = |source| BootstrapError::File {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(error)?;
    file.write_all(bytes).map_err(error)?;
    file.sync_all().map_err(error)
}

/// Reads the command line's token from `data_dir`, if it is there.
pub fn read_cli_token(data_dir: &Path) -> Option<String> {
    std::fs::read_to_string(data_dir.join(CLI_TOKEN_FILE))
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_admin_is_imported_once() {
        let dir = tempfile::tempdir().unwrap();
        let admin = prepare(dir.path(), 1).unwrap();
        assert!(prepare(dir.path(), 1).is_err(), "never overwrites");
        let store = Store::create(
            dir.path().join("s.redb"),
            amtshilfe_protocol::ids::PactId([9; 32]),
            [1; 16],
            0,
        )
        .unwrap();
        assert!(import(&store, dir.path(), 2).unwrap());
        assert!(!dir.path().join(BOOTSTRAP_FILE).exists());
        let record = store.account(FIRST_ADMIN).unwrap().unwrap();
        assert!(password::verify(&admin.password, &record.password_hash));
        let token = read_cli_token(dir.path()).unwrap();
        assert_eq!(
            store.token(token_hash(&token)).unwrap().unwrap().account,
            FIRST_ADMIN
        );
        assert!(!import(&store, dir.path(), 3).unwrap());
        assert_eq!(store.audit_log(10).unwrap().len(), 1);
    }
}
