//! The key files for sealed records (see `amtshilfe_protocol::seal`):
//!
//! - `member-seal.key`: the member's X25519 encryption secret. Every node
//!   of the member that must read the member's sealed records holds the
//!   same one (created on one node, installed on the others).
//! - `officer.key` and `officer-seal.key`: a joint security officer's
//!   ed25519 signing key (the key the membership log appoints) and X25519
//!   encryption secret, on the node that hosts the officer's login.
//!
//! All are written like `member.key` (`keys`): mode 0600 from the start,
//! never overwritten, refused when read if anyone but the owner may read
//! them. Never logs, prints or returns a secret.

use std::path::Path;

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::seal::EncryptionSecret;

use crate::keys::{KeyFileError, read_secret_file, write_secret_file};
use crate::random::os_random;

/// The member's encryption secret in the data directory.
pub const MEMBER_SEAL_KEY_FILE: &str = "member-seal.key";
/// The officer's signing key in the data directory of the hosting node.
pub const OFFICER_KEY_FILE: &str = "officer.key";
/// The officer's encryption secret next to [`OFFICER_KEY_FILE`].
pub const OFFICER_SEAL_KEY_FILE: &str = "officer-seal.key";

/// An officer's key material.
#[derive(Debug, Clone)]
pub struct OfficerKeys {
    /// The signing key the membership log appoints.
    pub signing: KeyPair,
    /// The encryption secret records are sealed to.
    pub encryption: EncryptionSecret,
}

/// Whose key files to create or install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealKeyHolder {
    /// The member's [`MEMBER_SEAL_KEY_FILE`].
    Member,
    /// The officer's [`OFFICER_KEY_FILE`] and [`OFFICER_SEAL_KEY_FILE`].
    Officer,
}

impl SealKeyHolder {
    /// The files that make up this holder's key material.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            SealKeyHolder::Member => &[MEMBER_SEAL_KEY_FILE],
            SealKeyHolder::Officer => &[OFFICER_KEY_FILE, OFFICER_SEAL_KEY_FILE],
        }
    }
}

/// Creates `dir/member-seal.key` from OS randomness. Refuses if it exists.
pub fn create_member_seal_key(dir: &Path) -> Result<EncryptionSecret, KeyFileError> {
    let secret = EncryptionSecret::from_bytes(os_random()?);
    write_secret_file(&dir.join(MEMBER_SEAL_KEY_FILE), &secret.to_bytes())?;
    Ok(secret)
}

/// Creates the officer's two key files in `dir`. Refuses, writing
/// nothing, if either exists.
pub fn create_officer_keys(dir: &Path) -> Result<OfficerKeys, KeyFileError> {
    refuse_existing(dir, SealKeyHolder::Officer)?;
    let keys = OfficerKeys {
        signing: KeyPair::from_seed(os_random()?),
        encryption: EncryptionSecret::from_bytes(os_random()?),
    };
    write_secret_file(&dir.join(OFFICER_KEY_FILE), &keys.signing.seed())?;
    write_secret_file(
        &dir.join(OFFICER_SEAL_KEY_FILE),
        &keys.encryption.to_bytes(),
    )?;
    Ok(keys)
}

/// The member's encryption secret, if this node holds one.
pub fn read_member_seal_key(dir: &Path) -> Result<Option<EncryptionSecret>, KeyFileError> {
    let path = dir.join(MEMBER_SEAL_KEY_FILE);
    if !path.exists() {
        return Ok(None);
    }
    read_secret_file(&path).map(|bytes| Some(EncryptionSecret::from_bytes(bytes)))
}

/// The officer's key material, if this node hosts an officer.
pub fn read_officer_keys(dir: &Path) -> Result<Option<OfficerKeys>, KeyFileError> {
    let signing = dir.join(OFFICER_KEY_FILE);
    let encryption = dir.join(OFFICER_SEAL_KEY_FILE);
    if !signing.exists() && !encryption.exists() {
        return Ok(None);
    }
    Ok(Some(OfficerKeys {
        signing: KeyPair::from_seed(read_secret_file(&signing)?),
        encryption: EncryptionSecret::from_bytes(read_secret_file(&encryption)?),
    }))
}

/// Copies `holder`'s key files from `from` (a directory on removable media,
/// the node where they were created) into `dir`. Every source file must be
/// owner-only and hold a key; no target may exist. Checks everything
/// before writing anything.
pub fn install_seal_keys(
    dir: &Path,
    from: &Path,
    holder: SealKeyHolder,
) -> Result<(), KeyFileError> {
    refuse_existing(dir, holder)?;
    let secrets = holder
        .files()
        .iter()
        .map(|file| Ok((*file, read_secret_file(&from.join(file))?)))
        .collect::<Result<Vec<_>, KeyFileError>>()?;
    for (file, secret) in secrets {
        write_secret_file(&dir.join(file), &secret)?;
    }
    Ok(())
}

fn refuse_existing(dir: &Path, holder: SealKeyHolder) -> Result<(), KeyFileError> {
    for file in holder.files() {
        let path = dir.join(file);
        if path.exists() {
            return Err(KeyFileError::Exists { path });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::keys::KEY_FILE_MODE;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn created_keys_are_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_member_seal_key(dir.path()).unwrap().is_none());
        assert!(read_officer_keys(dir.path()).unwrap().is_none());
        let member = create_member_seal_key(dir.path()).unwrap();
        let officer = create_officer_keys(dir.path()).unwrap();
        for file in [
            MEMBER_SEAL_KEY_FILE,
            OFFICER_KEY_FILE,
            OFFICER_SEAL_KEY_FILE,
        ] {
            assert_eq!(mode_of(&dir.path().join(file)), KEY_FILE_MODE, "{file}");
        }
        assert_eq!(
            read_member_seal_key(dir.path()).unwrap().unwrap().public(),
            member.public()
        );
        let read = read_officer_keys(dir.path()).unwrap().unwrap();
        assert_eq!(read.signing.public(), officer.signing.public());
        assert_eq!(read.encryption.public(), officer.encryption.public());
    }

    #[test]
    fn existing_keys_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let first = create_member_seal_key(dir.path()).unwrap();
        assert!(matches!(
            create_member_seal_key(dir.path()),
            Err(KeyFileError::Exists { .. })
        ));
        assert_eq!(
            read_member_seal_key(dir.path()).unwrap().unwrap().public(),
            first.public()
        );
        // One of the officer's files present: nothing is written.
        write_secret_file(&dir.path().join(OFFICER_SEAL_KEY_FILE), &[5; 32]).unwrap();
        assert!(matches!(
            create_officer_keys(dir.path()),
            Err(KeyFileError::Exists { .. })
        ));
        assert!(!dir.path().join(OFFICER_KEY_FILE).exists());
    }

    #[test]
    fn install_copies_checked_keys_and_refuses_readable_ones() {
        let source = tempfile::tempdir().unwrap();
        let target = tempfile::tempdir().unwrap();
        let made = create_officer_keys(source.path()).unwrap();

        // A source readable by others is refused, and nothing is written.
        let signing = source.path().join(OFFICER_KEY_FILE);
        std::fs::set_permissions(&signing, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            install_seal_keys(target.path(), source.path(), SealKeyHolder::Officer),
            Err(KeyFileError::Insecure { .. })
        ));
        assert!(read_officer_keys(target.path()).unwrap().is_none());

        std::fs::set_permissions(&signing, std::fs::Permissions::from_mode(0o600)).unwrap();
        install_seal_keys(target.path(), source.path(), SealKeyHolder::Officer).unwrap();
        let installed = read_officer_keys(target.path()).unwrap().unwrap();
        assert_eq!(installed.signing.public(), made.signing.public());
        assert_eq!(installed.encryption.public(), made.encryption.public());
        assert_eq!(
            mode_of(&target.path().join(OFFICER_SEAL_KEY_FILE)),
            KEY_FILE_MODE
        );

        // Installing again would replace them: refused.
        assert!(matches!(
            install_seal_keys(target.path(), source.path(), SealKeyHolder::Officer),
            Err(KeyFileError::Exists { .. })
        ));
        // A missing member key in the source says so.
        assert!(matches!(
            install_seal_keys(target.path(), source.path(), SealKeyHolder::Member),
            Err(KeyFileError::Missing { .. })
        ));
    }
}
