//! Sealing and opening one value; the structure check anyone can run.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::{EncryptionPublicKey, EncryptionSecret, ReaderId};
use super::{SEAL_PLAINTEXT_BYTES_MAX, SEAL_READERS_MAX, SEAL_VERSION};
use crate::bytes::byte_array_newtype;

byte_array_newtype!(
    /// The XChaCha20 nonce of a sealed value's content.
    SealNonce,
    24
);

byte_array_newtype!(
    /// A content key wrapped to one reader: 32 key bytes and a 16-byte tag.
    WrappedKey,
    48
);

/// The public half of the ephemeral X25519 key of one wrapping.
pub type EphemeralKey = EncryptionPublicKey;

/// Bytes of the Poly1305 tag every ciphertext carries.
const TAG_BYTES: usize = 16;

/// Who a value is sealed to: a reader and the encryption key it published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Reader {
    /// Who reads.
    pub id: ReaderId,
    /// The reader's encryption key at sealing time.
    pub key: EncryptionPublicKey,
}

/// The content key wrapped to one reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wrapping {
    /// The reader and its key (both bound into every key derivation).
    pub reader: Reader,
    /// The ephemeral public key of this wrapping.
    pub ephemeral: EphemeralKey,
    /// The content key, encrypted for this reader.
    pub wrapped_key: WrappedKey,
}

/// A sealed value: ciphertext and one wrapping per reader, readers sorted
/// by id and distinct.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The format version ([`SEAL_VERSION`]).
    pub version: u8,
    /// One wrapping per reader, sorted by reader id, distinct.
    pub wrappings: Vec<Wrapping>,
    /// The content's nonce.
    pub nonce: SealNonce,
    /// The content, encrypted and authenticated (tag at the end).
    #[serde(with = "hex_bytes")]
    pub ciphertext: Vec<u8>,
}

/// Why a value could not be sealed. Nothing is sealed then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// No reader given: nobody could ever open it.
    #[error("a sealed value needs at least one reader")]
    NoReaders,
    /// More than [`SEAL_READERS_MAX`] readers.
    #[error("at most {SEAL_READERS_MAX} readers, got {0}")]
    TooManyReaders(usize),
    /// A reader named twice.
    #[error("reader named twice")]
    DuplicateReader,
    /// A reader's key is a low-order point.
    #[error("a reader's encryption key is weak (low-order point)")]
    WeakReaderKey,
    /// Plaintext longer than [`SEAL_PLAINTEXT_BYTES_MAX`].
    #[error("plaintext of {0} bytes exceeds {SEAL_PLAINTEXT_BYTES_MAX}")]
    TooLarge(usize),
}

/// Why a reader could not open a value. Each means the value is unusable
/// for this reader; none reveals anything about the plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The value is not sealed to this reader.
    #[error("not sealed to this reader")]
    NotAReader,
    /// Sealed to this reader's older encryption key: it must be re-sealed
    /// by another reader (see [`Sealed::reseal`]).
    #[error("sealed to another encryption key of this reader (re-seal needed)")]
    OtherKey,
    /// The value's structure is broken.
    #[error("malformed sealed value: {0}")]
    Malformed(#[from] StructureError),
    /// The wrapping or the content does not authenticate: a reader, the
    /// context or a byte was changed.
    #[error("sealed value does not authenticate (readers, context or bytes changed)")]
    Tampered,
}

/// What [`Sealed::check_structure`] finds wrong without any secret key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StructureError {
    /// A version this code does not know.
    #[error("unknown seal version {0}")]
    UnknownVersion(u8),
    /// No wrapping at all.
    #[error("no reader")]
    NoReaders,
    /// More than [`SEAL_READERS_MAX`] wrappings.
    #[error("{0} readers, at most {SEAL_READERS_MAX}")]
    TooManyReaders(usize),
    /// Wrappings not sorted by reader id, or a reader twice.
    #[error("readers not sorted or not distinct")]
    ReadersNotCanonical,
    /// A reader key or an ephemeral key is a low-order point.
    #[error("weak (low-order) key in a wrapping")]
    WeakKey,
    /// Ciphertext shorter than its tag or longer than the plaintext cap.
    #[error("ciphertext of {0} bytes out of bounds")]
    CiphertextBounds(usize),
}

impl StructureError {
    /// A stable code for messages and logs.
    pub fn code(&self) -> &'static str {
        match self {
            StructureError::UnknownVersion(_) => "unknown_seal_version",
            StructureError::NoReaders => "no_readers",
            StructureError::TooManyReaders(_) => "too_many_readers",
            StructureError::ReadersNotCanonical => "readers_not_canonical",
            StructureError::WeakKey => "weak_key",
            StructureError::CiphertextBounds(_) => "ciphertext_bounds",
        }
    }
}

/// Seals `plaintext` to `readers` under `context`, with secrets expanded
/// from `entropy` (32 fresh random bytes from the caller; reusing them
/// reuses the content key and nonce).
pub fn seal(
    plaintext: &[u8],
    context: &[u8],
    readers: &[Reader],
    entropy: [u8; 32],
) -> Result<Sealed, SealError> {
    if plaintext.len() > SEAL_PLAINTEXT_BYTES_MAX {
        return Err(SealError::TooLarge(plaintext.len()));
    }
    if readers.is_empty() {
        return Err(SealError::NoReaders);
    }
    if readers.len() > SEAL_READERS_MAX {
        return Err(SealError::TooManyReaders(readers.len()));
    }
    let mut sorted = readers.to_vec();
    sorted.sort_by_key(|r| r.id);
    if sorted.windows(2).any(|pair| pair[0].id == pair[1].id) {
        return Err(SealError::DuplicateReader);
    }
    if sorted.iter().any(|r| r.key.is_weak()) {
        return Err(SealError::WeakReaderKey);
    }
    let binding = binding_hash(SEAL_VERSION, context, sorted.iter());
    let content_key = expand(&entropy, b"content-key", 0);
    let nonce_bytes = expand(&entropy, b"nonce", 0);
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&nonce_bytes[..24]);
    let ciphertext = aead(&content_key)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &binding,
            },
        )
        .map_err(|_| SealError::TooLarge(plaintext.len()))?;
    let mut wrappings = Vec::with_capacity(sorted.len());
    for (index, reader) in sorted.into_iter().enumerate() {
        let ephemeral_secret =
            EncryptionSecret::from_bytes(expand(&entropy, b"ephemeral", index as u64));
        let ephemeral = ephemeral_secret.public();
        let shared = ephemeral_secret
            .agree(&reader.key)
            .ok_or(SealError::WeakReaderKey)?;
        let wrap_key = wrapping_key(&shared, &ephemeral, &reader, &binding);
        let wrapped = aead(&wrap_key)
            .encrypt(
                XNonce::from_slice(&[0u8; 24]),
                Payload {
                    msg: &content_key,
                    aad: &reader.id.to_bytes(),
                },
            )
            .map_err(|_| SealError::WeakReaderKey)?;
        let wrapped_key = WrappedKey::from_slice(&wrapped).ok_or(SealError::WeakReaderKey)?;
        wrappings.push(Wrapping {
            reader,
            ephemeral,
            wrapped_key,
        });
    }
    Ok(Sealed {
        version: SEAL_VERSION,
        wrappings,
        nonce: SealNonce(nonce),
        ciphertext,
    })
}

impl Sealed {
    /// The readers, sorted by id.
    pub fn readers(&self) -> impl Iterator<Item = &Reader> {
        self.wrappings.iter().map(|w| &w.reader)
    }

    /// Whether `reader` is among the readers (with any key).
    pub fn is_reader(&self, reader: &ReaderId) -> bool {
        self.wrappings.iter().any(|w| w.reader.id == *reader)
    }

    /// What anyone can check without a secret: version, reader count,
    /// canonical reader order, no weak key, ciphertext bounds. A relay or
    /// ingress runs it on values it cannot read.
    pub fn check_structure(&self) -> Result<(), StructureError> {
        if self.version != SEAL_VERSION {
            return Err(StructureError::UnknownVersion(self.version));
        }
        if self.wrappings.is_empty() {
            return Err(StructureError::NoReaders);
        }
        if self.wrappings.len() > SEAL_READERS_MAX {
            return Err(StructureError::TooManyReaders(self.wrappings.len()));
        }
        if self
            .wrappings
            .windows(2)
            .any(|pair| pair[0].reader.id >= pair[1].reader.id)
        {
            return Err(StructureError::ReadersNotCanonical);
        }
        if self
            .wrappings
            .iter()
            .any(|w| w.reader.key.is_weak() || w.ephemeral.is_weak())
        {
            return Err(StructureError::WeakKey);
        }
        let len = self.ciphertext.len();
        if !(TAG_BYTES..=SEAL_PLAINTEXT_BYTES_MAX + TAG_BYTES).contains(&len) {
            return Err(StructureError::CiphertextBounds(len));
        }
        Ok(())
    }

    /// Opens the value as `reader` holding `secret`, under `context`.
    pub fn open(
        &self,
        reader: &ReaderId,
        secret: &EncryptionSecret,
        context: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        self.check_structure()?;
        let wrapping = self
            .wrappings
            .iter()
            .find(|w| w.reader.id == *reader)
            .ok_or(OpenError::NotAReader)?;
        if wrapping.reader.key != secret.public() {
            return Err(OpenError::OtherKey);
        }
        let binding = binding_hash(self.version, context, self.readers());
        let shared = secret
            .agree(&wrapping.ephemeral)
            .ok_or(OpenError::Tampered)?;
        let wrap_key = wrapping_key(&shared, &wrapping.ephemeral, &wrapping.reader, &binding);
        let content_key = aead(&wrap_key)
            .decrypt(
                XNonce::from_slice(&[0u8; 24]),
                Payload {
                    msg: wrapping.wrapped_key.as_bytes(),
                    aad: &reader.to_bytes(),
                },
            )
            .map_err(|_| OpenError::Tampered)?;
        let content_key: [u8; 32] = content_key
            .as_slice()
            .try_into()
            .map_err(|_| OpenError::Tampered)?;
        aead(&content_key)
            .decrypt(
                XNonce::from_slice(self.nonce.as_bytes()),
                Payload {
                    msg: &self.ciphertext,
                    aad: &binding,
                },
            )
            .map_err(|_| OpenError::Tampered)
    }

    /// Opens the value as `reader` and seals its plaintext again to
    /// `readers` with a fresh content key: how a newly appointed officer or
    /// a reader's rotated key gets access to what exists. Only a reader can
    /// re-seal.
    pub fn reseal(
        &self,
        reader: &ReaderId,
        secret: &EncryptionSecret,
        context: &[u8],
        readers: &[Reader],
        entropy: [u8; 32],
    ) -> Result<Sealed, ResealError> {
        let plaintext = self.open(reader, secret, context)?;
        Ok(seal(&plaintext, context, readers, entropy)?)
    }
}

/// Why re-sealing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResealError {
    /// The value could not be opened.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The new reader set is not acceptable.
    #[error(transparent)]
    Seal(#[from] SealError),
}

fn aead(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.into())
}

/// The hash every key derivation and the content's associated data bind:
/// version, context and every reader with its key, in canonical order.
fn binding_hash<'a>(
    version: u8,
    context: &[u8],
    readers: impl Iterator<Item = &'a Reader>,
) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"amtshilfe/v1/seal-binding\0");
    hash.update([version]);
    hash.update((context.len() as u64).to_le_bytes());
    hash.update(context);
    for reader in readers {
        hash.update(reader.id.to_bytes());
        hash.update(reader.key.as_bytes());
    }
    hash.finalize().into()
}

/// The key that wraps the content key for one reader.
fn wrapping_key(
    shared: &[u8; 32],
    ephemeral: &EphemeralKey,
    reader: &Reader,
    binding: &[u8; 32],
) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"amtshilfe/v1/seal-wrap\0");
    hash.update(shared);
    hash.update(ephemeral.as_bytes());
    hash.update(reader.id.to_bytes());
    hash.update(reader.key.as_bytes());
    hash.update(binding);
    hash.finalize().into()
}

/// 32 bytes for `label` and `index`, expanded from the caller's entropy.
fn expand(entropy: &[u8; 32], label: &[u8], index: u64) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"amtshilfe/v1/seal-entropy\0");
    hash.update(entropy);
    hash.update((label.len() as u64).to_le_bytes());
    hash.update(label);
    hash.update(index.to_le_bytes());
    hash.finalize().into()
}

/// Serde for byte strings: hex in human-readable formats (record JSON),
/// raw bytes in binary ones.
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&hex::encode(bytes))
        } else {
            serializer.serialize_bytes(bytes)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            hex::decode(text).map_err(serde::de::Error::custom)
        } else {
            serde_bytes_vec(deserializer)
        }
    }

    fn serde_bytes_vec<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        struct BytesVisitor;
        impl<'de> serde::de::Visitor<'de> for BytesVisitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
                Ok(bytes.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(bytes)
            }
        }
        deserializer.deserialize_byte_buf(BytesVisitor)
    }
}
