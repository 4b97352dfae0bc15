//! Why the membership log refused an entry. A refused entry changes
//! nothing; every reason reads as a sentence for the node's log.

use super::{
    CHARTER_BYTES_MAX, ENTRIES_PER_AUTHOR_MAX, ENTRY_BYTES_MAX, INCARNATIONS_PER_KEY_MAX,
    LOG_ENTRIES_MAX, PENDING_ENTRIES_MAX,
};

/// Why an entry was not taken into the membership log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryRejection {
    /// The encoded entry is larger than [`ENTRY_BYTES_MAX`].
    #[error(
        "entry is {bytes} bytes, more than allowed ({ENTRY_BYTES_MAX}, a charter {CHARTER_BYTES_MAX})"
    )]
    TooLarge {
        /// Size of the encoded entry.
        bytes: usize,
    },
    /// The entry does not decode or breaks a structural rule.
    #[error("entry is malformed: {0}")]
    Malformed(String),
    /// A charter other than this pact's own.
    #[error("a pact has exactly one charter, and this entry is a different one")]
    SecondCharter,
    /// The entry names another pact.
    #[error("entry belongs to another pact")]
    WrongPact,
    /// The entry is signed by a key that no entry of this pact introduced.
    #[error("entry is signed by a key this pact does not know")]
    UnknownAuthor,
    /// A delegation lacks the device's own signature (its consent), or
    /// carries other signatures than the member key's and the device's.
    #[error("a delegation must be signed by the member key and by the device it names")]
    NoDeviceConsent,
    /// In the entry's own causal past, its author was not a current
    /// member's current key (removed, rotated away, or never admitted).
    #[error("entry is signed by a key that was not a current member key where the entry stands")]
    AuthorNotCurrent,
    /// The author already has [`ENTRIES_PER_AUTHOR_MAX`] entries in the log.
    #[error("the entry's author already has {ENTRIES_PER_AUTHOR_MAX} entries in the log")]
    AuthorOverLimit,
    /// A signature does not verify.
    #[error("entry signature does not verify")]
    BadSignature,
    /// A charter lacks the signature of one of its founders.
    #[error("charter is not signed by every founder")]
    MissingSignatures,
    /// The entry's parents are missing and the pending set is full.
    #[error("entry waits for missing parents, but {PENDING_ENTRIES_MAX} entries already wait")]
    TooManyPending,
    /// The log holds [`LOG_ENTRIES_MAX`] entries already.
    #[error("membership log already holds {LOG_ENTRIES_MAX} entries")]
    LogFull,
    /// The author already declared [`INCARNATIONS_PER_KEY_MAX`]
    /// incarnations in the entry's causal past: a further one could never
    /// count.
    #[error("the key already declared {INCARNATIONS_PER_KEY_MAX} incarnations")]
    IncarnationsUsedUp,
}

impl EntryRejection {
    /// Every [`Self::code`], for metrics that list zeros too.
    pub const CODES: [&'static str; 13] = [
        "too_large",
        "malformed",
        "second_charter",
        "wrong_pact",
        "unknown_author",
        "no_device_consent",
        "author_not_current",
        "author_over_limit",
        "bad_signature",
        "missing_signatures",
        "too_many_pending",
        "log_full",
        "incarnations_used_up",
    ];

    /// A stable, machine-readable name of the reason, for metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Malformed(_) => "malformed",
            Self::SecondCharter => "second_charter",
            Self::WrongPact => "wrong_pact",
            Self::UnknownAuthor => "unknown_author",
            Self::NoDeviceConsent => "no_device_consent",
            Self::AuthorNotCurrent => "author_not_current",
            Self::AuthorOverLimit => "author_over_limit",
            Self::BadSignature => "bad_signature",
            Self::MissingSignatures => "missing_signatures",
            Self::TooManyPending => "too_many_pending",
            Self::LogFull => "log_full",
            Self::IncarnationsUsedUp => "incarnations_used_up",
        }
    }
}
