//! The signed envelope: one automerge change of one document, signed by a
//! device key. This is the unit that is replicated, relayed and stored.
//! Never does I/O.

use serde::{Deserialize, Serialize};

use crate::identity::{self, BadSignature, KeyPair, SigningPurpose};
use crate::ids::{DocumentId, PactId, PublicKey, Sha256Hash, SignatureBytes};

/// Largest encoded envelope accepted from anyone, in bytes. Checked before
/// anything else is done with the bytes.
pub const ENVELOPE_BYTES_MAX: usize = 64 * 1024;

/// One signed change. The signature covers (pact id ‖ document id ‖
/// SHA-256 of the change bytes), so an envelope cannot be replayed into
/// another pact or another document.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The document the change belongs to.
    pub document: DocumentId,
    /// The raw automerge change chunk.
    #[serde(with = "serde_bytes_vec")]
    pub change: Vec<u8>,
    /// The device key that signed; the change's actor id must start with it.
    pub signer: PublicKey,
    /// Signature by `signer`.
    pub signature: SignatureBytes,
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("document", &self.document)
            .field("change_bytes", &self.change.len())
            .field("signer", &self.signer)
            .finish()
    }
}

/// Bytes that do not decode as an envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeDecodeError {
    /// Longer than [`ENVELOPE_BYTES_MAX`].
    #[error("envelope of {bytes} bytes exceeds the limit of {ENVELOPE_BYTES_MAX} bytes")]
    Oversized {
        /// Length of the rejected bytes.
        bytes: usize,
    },
    /// Not a valid encoding.
    #[error("envelope bytes do not decode: {0}")]
    Malformed(String),
}

impl Envelope {
    /// Signs `change` for `document` with the device key `device`.
    pub fn sign(pact: &PactId, document: DocumentId, change: Vec<u8>, device: &KeyPair) -> Self {
        let change_hash = identity::sha256(&change);
        let signature = device.sign(
            SigningPurpose::Envelope,
            &[&pact.0, &document.to_bytes(), &change_hash],
        );
        Self {
            document,
            change,
            signer: device.public(),
            signature,
        }
    }

    /// Checks the signature against `pact`.
    pub fn verify_signature(&self, pact: &PactId) -> Result<(), BadSignature> {
        let change_hash = identity::sha256(&self.change);
        identity::verify(
            &self.signer,
            SigningPurpose::Envelope,
            &[&pact.0, &self.document.to_bytes(), &change_hash],
            &self.signature,
        )
    }

    /// The identity of what [`Self::verify_signature`] checks: signer,
    /// document, change hash and signature. Two envelopes with the same id
    /// pass or fail that check alike, so a replica may be told which ids
    /// were checked already (see `Replica::note_verified`).
    pub fn verification_id(&self) -> Sha256Hash {
        let change_hash = identity::sha256(&self.change);
        let mut statement = Vec::with_capacity(32 + 33 + 32 + 64);
        statement.extend_from_slice(&self.signer.0);
        statement.extend_from_slice(&self.document.to_bytes());
        statement.extend_from_slice(&change_hash);
        statement.extend_from_slice(&self.signature.0);
        Sha256Hash(identity::sha256(&statement))
    }

    /// SHA-256 of the change bytes: the envelope's identity in logs.
    pub fn content_hash(&self) -> Sha256Hash {
        Sha256Hash(identity::sha256(&self.change))
    }

    /// The wire and storage encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Encoding a struct of byte fields into a Vec cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Length of [`Self::to_bytes`] without allocating it twice in callers
    /// that only need the size.
    pub fn encoded_len(&self) -> usize {
        // document (1 + 32 + 1) + change (varint + bytes) + signer (1 + 32) + signature (1 + 64)
        34 + varint_len(self.change.len()) + self.change.len() + 33 + 65
    }

    /// Decodes an envelope, checking the size cap first.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeDecodeError> {
        if bytes.len() > ENVELOPE_BYTES_MAX {
            return Err(EnvelopeDecodeError::Oversized { bytes: bytes.len() });
        }
        postcard::from_bytes(bytes).map_err(|e| EnvelopeDecodeError::Malformed(e.to_string()))
    }
}

fn varint_len(mut value: usize) -> usize {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}

/// `Vec<u8>` as a byte string (compact in postcard) rather than a sequence.
mod serde_bytes_vec {
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        struct BytesVisitor;
        impl<'de> serde::de::Visitor<'de> for BytesVisitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
                Ok(bytes.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(bytes)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::new();
                while let Some(byte) = seq.next_element()? {
                    out.push(byte);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_bytes(BytesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Collection, MemberId};

    fn sample() -> (PactId, KeyPair, Envelope) {
        let pact = PactId([5; 32]);
        let device = KeyPair::from_seed([6; 32]);
        let document = DocumentId::new(MemberId([7; 32]), Collection::Offers);
        let envelope = Envelope::sign(&pact, document, vec![1, 2, 3, 200], &device);
        (pact, device, envelope)
    }

    #[test]
    fn round_trips_and_knows_its_length() {
        let (pact, _, envelope) = sample();
        let bytes = envelope.to_bytes();
        assert_eq!(bytes.len(), envelope.encoded_len());
        let decoded = Envelope::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, envelope);
        assert_eq!(decoded.verify_signature(&pact), Ok(()));
    }

    #[test]
    fn signature_is_bound_to_pact_document_and_change() {
        let (pact, _, envelope) = sample();
        assert_eq!(
            envelope.verify_signature(&PactId([0; 32])),
            Err(BadSignature)
        );
        let mut other_doc = envelope.clone();
        other_doc.document.collection = Collection::Pledges;
        assert_eq!(other_doc.verify_signature(&pact), Err(BadSignature));
        let mut other_change = envelope.clone();
        other_change.change.push(0);
        assert_eq!(other_change.verify_signature(&pact), Err(BadSignature));
    }

    #[test]
    fn oversized_and_garbage_bytes_are_refused() {
        let big = vec![0u8; ENVELOPE_BYTES_MAX + 1];
        assert_eq!(
            Envelope::from_bytes(&big),
            Err(EnvelopeDecodeError::Oversized {
                bytes: ENVELOPE_BYTES_MAX + 1
            })
        );
        assert!(matches!(
            Envelope::from_bytes(&[1, 2, 3]),
            Err(EnvelopeDecodeError::Malformed(_))
        ));
    }
}
