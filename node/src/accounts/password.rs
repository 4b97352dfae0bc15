//! Password hashes (argon2id with the crate's default cost: 19 MiB, two
//! passes) and generated passwords. Hashing takes tens of milliseconds on
//! purpose; call it off the async runtime and never under the core lock.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

use crate::random::{RandomError, os_random};

/// Characters of a generated password: lower case and digits without the
/// easily confused `0 o 1 l i`.
const ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Characters per group and groups of a generated password (~99 bits).
const GROUP_CHARS: usize = 5;
const GROUPS: usize = 4;

/// Why a hash could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// No randomness for the salt.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// argon2 refused (it does not for the inputs used here).
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// The argon2id hash of `password` in PHC string form, with a fresh salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::encode_b64(&os_random::<16>()?)
        .map_err(|error| PasswordError::Hash(error.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError::Hash(error.to_string()))
}

/// Whether `password` matches `stored` (a PHC string). A malformed stored
/// hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a password nobody knows, to verify against when an account
/// does not exist, so that a login takes as long either way.
/// Made once, on first use.
pub fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        generate()
            .ok()
            .and_then(|password| hash(&password).ok())
            .unwrap_or_default()
    })
}

/// A fresh password like `k7mqa-x2rtz-pp4hc-9wnbe`.
pub fn generate() -> Result<String, RandomError> {
    let bytes = os_random::<{ GROUP_CHARS * GROUPS }>()?;
    let mut out = String::with_capacity(GROUPS * (GROUP_CHARS + 1));
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 && index % GROUP_CHARS == 0 {
            out.push('-');
        }
        // 31 symbols from 256 values: a small bias, irrelevant at ~99 bits.
        out.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let hashed = hash("richtig-langes-passwort").unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify("richtig-langes-passwort", &hashed));
        assert!(!verify("falsch", &hashed));
        assert_ne!(hashed, hash("richtig-langes-passwort").unwrap());
        assert!(!verify("x", "not a hash"));
        assert!(!verify("", decoy_hash()));
    }

    #[test]
    fn generated_passwords_are_grouped() {
        let password = generate().unwrap();
        assert_eq!(password.len(), 23);
        assert_eq!(password.split('-').count(), 4);
        assert_ne!(password, generate().unwrap());
    }
}
