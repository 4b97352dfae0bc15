//! Key files: the member key and the device key as 32-byte ed25519 seeds
//! in hex, owner-readable only. Created with mode 0600 from the start (never
//! widened and then narrowed), never overwritten, and refused when read if
//! anyone but the owner may read them.
//!
//! This module never logs, prints or returns a seed in an error.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::PublicKey;

use crate::random::{RandomError, os_random};

/// File name of the member key in the data directory.
pub const MEMBER_KEY_FILE: &str = "member.key";
/// File name of the device key in the data directory.
pub const DEVICE_KEY_FILE: &str = "device.key";
/// The member's public key, as hex: how a node whose `member.key` was
/// moved offline still knows, from its own files, whom it writes for.
pub const MEMBER_PUBLIC_FILE: &str = "member.pub";
/// Unix permissions of a key file: owner read and write only.
pub const KEY_FILE_MODE: u32 = 0o600;
/// Permission bits that must be clear on a key file: any access by group or others.
pub const KEY_FILE_FORBIDDEN_MODE: u32 = 0o077;
/// Bytes of a key seed.
pub const KEY_SEED_BYTES: usize = 32;
/// Largest key file read, in bytes (a hex seed and a newline are 65).
pub const KEY_FILE_BYTES_MAX: u64 = 256;

/// A key file that cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Writing would replace an existing key.
    #[error(
        "the key file {path} already exists; refusing to overwrite it. A key that is \
         replaced is lost. Move it away yourself if you really mean to replace it"
    )]
    Exists {
        /// The key file.
        path: PathBuf,
    },
    /// There is no key file.
    #[error("the key file {path} does not exist. Create the node's keys with `amtshilfe init`")]
    Missing {
        /// The key file.
        path: PathBuf,
    },
    /// Group or others may access the key file.
    #[error(
        "the key file {path} has mode {mode:o}, so other users may read it. Run \
         `chmod 600 {path}` and check who could have copied it"
    )]
    Insecure {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file does not hold a key.
    #[error(
        "the key file {path} does not hold a key: {detail}. Expected {KEY_SEED_BYTES} bytes \
         as hex (or raw)"
    )]
    Malformed {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The operating system refused an operation on the file.
    #[error("cannot {action} the key file {path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// No randomness for a new key.
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// The two keys of a node.
#[derive(Debug, Clone)]
pub struct NodeKeys {
    /// The member's long-term key.
    pub member: KeyPair,
    /// This node's device key.
    pub device: KeyPair,
}

/// Creates a fresh member key and device key in `dir` (as
/// [`MEMBER_KEY_FILE`] and [`DEVICE_KEY_FILE`]). Refuses, writing nothing,
/// if either file exists.
pub fn init_keys(dir: &Path) -> Result<NodeKeys, KeyFileError> {
    let member_path = dir.join(MEMBER_KEY_FILE);
    let device_path = dir.join(DEVICE_KEY_FILE);
    for path in [&member_path, &device_path] {
        if path.try_exists().map_err(io_error(path, "check"))? {
            return Err(KeyFileError::Exists { path: path.clone() });
        }
    }
    let member = generate_key_file(&member_path)?;
    write_member_public(dir, &member.public())?;
    match generate_key_file(&device_path) {
        Ok(device) => Ok(NodeKeys { member, device }),
        Err(error) => {
            // The member key was made a moment ago and never used.
            if let Err(remove) = std::fs::remove_file(&member_path) {
                tracing::warn!(path = %member_path.display(), %remove, "could not remove a new key file");
            }
            Err(error)
        }
    }
}

/// Writes [`MEMBER_PUBLIC_FILE`] (public, so readable by all), durably.
pub fn write_member_public(dir: &Path, key: &PublicKey) -> Result<(), KeyFileError> {
    let path = dir.join(MEMBER_PUBLIC_FILE);
    std::fs::write(&path, format!("{key}\n")).map_err(io_error(&path, "write"))?;
    File::open(&path)
        .and_then(|file| file.sync_all())
        .map_err(io_error(&path, "sync"))
}

/// The member this data directory's node writes for, from its own files:
/// the member key if it is here, else [`MEMBER_PUBLIC_FILE`]; `None` if
/// neither exists (a directory set up before that file existed).
pub fn read_member_public(dir: &Path) -> Result<Option<PublicKey>, KeyFileError> {
    let member_key = dir.join(MEMBER_KEY_FILE);
    if member_key.exists() {
        return Ok(Some(read_key_file(&member_key)?.public()));
    }
    let path = dir.join(MEMBER_PUBLIC_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(io_error(&path, "read"))?;
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| malformed(&path, "expected a public key as 64 hex digits".into()))
}

/// Creates a key file at `path` holding a fresh key from OS randomness.
pub fn generate_key_file(path: &Path) -> Result<KeyPair, KeyFileError> {
    let key = KeyPair::from_seed(os_random::<KEY_SEED_BYTES>()?);
    write_key_file(path, &key)?;
    Ok(key)
}

/// Writes `key`'s seed to a new file at `path` with mode
/// [`KEY_FILE_MODE`], durably. Refuses if the file exists.
pub fn write_key_file(path: &Path, key: &KeyPair) -> Result<(), KeyFileError> {
    write_secret_file(path, &key.seed())
}

/// Writes a 32-byte secret (a key seed, an encryption secret) to a new
/// file at `path` as hex with mode [`KEY_FILE_MODE`], durably. Refuses if
/// the file exists.
pub fn write_secret_file(path: &Path, secret: &[u8; KEY_SEED_BYTES]) -> Result<(), KeyFileError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(KEY_FILE_MODE)
        .open(path)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => KeyFileError::Exists {
                path: path.to_path_buf(),
            },
            _ => io_error(path, "create")(source),
        })?;
    let mut text = hex::encode(secret);
    text.push('\n');
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io_error(path, "write"))?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(parent)
        .and_then(|dir| dir.sync_all())
        .map_err(io_error(parent, "sync the directory of"))?;
    Ok(())
}

/// Reads the key at `path`, refusing a file that group or others may access.
pub fn read_key_file(path: &Path) -> Result<KeyPair, KeyFileError> {
    read_secret_file(path).map(KeyPair::from_seed)
}

/// Reads a 32-byte secret written by [`write_secret_file`], refusing a
/// file that group or others may access.
pub fn read_secret_file(path: &Path) -> Result<[u8; KEY_SEED_BYTES], KeyFileError> {
    let file = File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => KeyFileError::Missing {
            path: path.to_path_buf(),
        },
        _ => io_error(path, "open")(source),
    })?;
    let metadata = file.metadata().map_err(io_error(path, "inspect"))?;
    if !metadata.is_file() {
        return Err(malformed(path, "it is not a regular file".into()));
    }
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & KEY_FILE_FORBIDDEN_MODE != 0 {
        return Err(KeyFileError::Insecure {
            path: path.to_path_buf(),
            mode,
        });
    }
    if metadata.len() > KEY_FILE_BYTES_MAX {
        return Err(malformed(
            path,
            format!("it is {} bytes long", metadata.len()),
        ));
    }
    let mut bytes = Vec::new();
    file.take(KEY_FILE_BYTES_MAX)
        .read_to_end(&mut bytes)
        .map_err(io_error(path, "read"))?;
    decode_seed(&bytes).map_err(|detail| malformed(path, detail))
}

/// A seed from the raw 32 bytes, or from hex with surrounding whitespace.
fn decode_seed(bytes: &[u8]) -> Result<[u8; KEY_SEED_BYTES], String> {
    if let Ok(raw) = <[u8; KEY_SEED_BYTES]>::try_from(bytes) {
        return Ok(raw);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| format!("{} bytes that are neither raw nor text", bytes.len()))?
        .trim();
    let decoded = hex::decode(text).map_err(|_| "the text is not hex".to_owned())?;
    <[u8; KEY_SEED_BYTES]>::try_from(decoded.as_slice())
        .map_err(|_| format!("the hex holds {} bytes", decoded.len()))
}

fn malformed(path: &Path, detail: String) -> KeyFileError {
    KeyFileError::Malformed {
        path: path.to_path_buf(),
        detail,
    }
}

fn io_error(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> KeyFileError {
    let path = path.to_path_buf();
    move |source| KeyFileError::Io {
        path,
        action,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn init_writes_owner_only_files_that_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let keys = init_keys(dir.path()).unwrap();
        for (file, key) in [
            (MEMBER_KEY_FILE, &keys.member),
            (DEVICE_KEY_FILE, &keys.device),
        ] {
            let path = dir.path().join(file);
            assert_eq!(mode_of(&path), KEY_FILE_MODE);
            assert_eq!(read_key_file(&path).unwrap().public(), key.public());
        }
        assert_ne!(keys.member.public(), keys.device.public());
    }

    #[test]
    fn existing_keys_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let first = init_keys(dir.path()).unwrap();
        assert!(matches!(
            init_keys(dir.path()),
            Err(KeyFileError::Exists { .. })
        ));
        let path = dir.path().join(DEVICE_KEY_FILE);
        assert!(matches!(
            write_key_file(&path, &KeyPair::from_seed([1; 32])),
            Err(KeyFileError::Exists { .. })
        ));
        assert_eq!(
            read_key_file(&path).unwrap().public(),
            first.device.public()
        );
    }

    #[test]
    fn init_writes_nothing_when_one_key_exists() {
        let dir = tempfile::tempdir().unwrap();
        let device = dir.path().join(DEVICE_KEY_FILE);
        write_key_file(&device, &KeyPair::from_seed([2; 32])).unwrap();
        assert!(matches!(
            init_keys(dir.path()),
            Err(KeyFileError::Exists { .. })
        ));
        assert!(!dir.path().join(MEMBER_KEY_FILE).exists());
    }

    #[test]
    fn a_key_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MEMBER_KEY_FILE);
        write_key_file(&path, &KeyPair::from_seed([3; 32])).unwrap();
        for mode in [0o640, 0o604, 0o660, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let error = read_key_file(&path).unwrap_err();
            assert!(matches!(error, KeyFileError::Insecure { mode: m, .. } if m == mode));
            assert!(error.to_string().contains("chmod 600"), "{error}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(read_key_file(&path).is_ok());
    }

    #[test]
    fn raw_and_hex_seeds_are_read_and_garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(KEY_FILE_MODE)
                .open(&path)
                .unwrap();
            file.write_all(bytes).unwrap();
            path
        };
        let seed = [7u8; 32];
        let raw = write("raw.key", &seed);
        assert_eq!(read_key_file(&raw).unwrap().seed(), seed);
        let hex_text = format!("  {}\n\n", hex::encode(seed));
        let hex_path = write("hex.key", hex_text.as_bytes());
        assert_eq!(read_key_file(&hex_path).unwrap().seed(), seed);
        for (name, bytes) in [
            ("short.key", b"abcd".as_slice()),
            (
                "text.key",
                b"this is not a key at all, not even close".as_slice(),
            ),
            ("big.key", &[b'a'; 1000]),
        ] {
            let path = write(name, bytes);
            let error = read_key_file(&path).unwrap_err();
            assert!(
                matches!(error, KeyFileError::Malformed { .. }),
                "{name}: {error}"
            );
        }
    }

    #[test]
    fn a_missing_key_says_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_key_file(&dir.path().join(DEVICE_KEY_FILE)).unwrap_err();
        assert!(matches!(error, KeyFileError::Missing { .. }));
        assert!(error.to_string().contains("amtshilfe init"));
    }
}
