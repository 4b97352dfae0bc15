//! What can go wrong with the store, in words an operator can act on: which
//! file, what is wrong with it, and what to do. Never hides a damaged or
//! unknown store behind an empty one.

use std::path::PathBuf;

/// An error opening, reading or writing the store. When a write returns an
/// error, nothing of it was acknowledged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `create` found something at the path.
    #[error(
        "a store already exists at {path}; refusing to overwrite it. Open it instead, \
         or move it away first if you really mean to start a new node"
    )]
    AlreadyExists {
        /// The store file.
        path: PathBuf,
    },
    /// `open` found nothing at the path.
    #[error(
        "no store at {path}. Check `data_dir` in the configuration, or create the store \
         with `amtshilfe pact create` or `amtshilfe join` first"
    )]
    Missing {
        /// The store file.
        path: PathBuf,
    },
    /// The file exists but cannot be read or written.
    #[error("cannot access the store {path}: {source}. Check the file's owner and permissions")]
    Unreadable {
        /// The store file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the store.
    #[error(
        "the store {path} is open in another process. Stop the other amtshilfe node \
         that uses this data directory first"
    )]
    InUse {
        /// The store file.
        path: PathBuf,
    },
    /// The file is not an amtshilfe store at all.
    #[error("{path} is not an amtshilfe store ({detail}). Check that the path is right")]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },
    /// The file is an amtshilfe store whose contents are damaged.
    #[error(
        "the store {path} is damaged: {detail}. Do not delete it; keep a copy and restore \
         the data directory from a backup"
    )]
    Corrupted {
        /// The store file.
        path: PathBuf,
        /// What is damaged.
        detail: String,
    },
    /// The store was written by a newer amtshilfe.
    #[error(
        "the store {path} has schema version {found}, but this amtshilfe reads version \
         {supported}. Upgrade amtshilfe to the version that wrote it"
    )]
    NewerSchema {
        /// The store file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The store was written by an older amtshilfe this build cannot upgrade.
    #[error(
        "the store {path} has schema version {found}, older than version {supported} \
         this amtshilfe reads, and there is no upgrade for it. Run the amtshilfe version \
         that wrote it"
    )]
    OlderSchema {
        /// The store file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// A value handed to the store cannot be stored; nothing was written.
    #[error("refused to store {what}: {detail}")]
    Refused {
        /// What was refused (an envelope, a peer address, …).
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// The database failed during an operation; nothing of it was committed.
    #[error(
        "the store {path} failed while {operation}: {source}. Check free disk space and \
         the system log for I/O errors"
    )]
    Database {
        /// The store file.
        path: PathBuf,
        /// What the store was doing.
        operation: &'static str,
        /// redb's error.
        #[source]
        source: Box<redb::Error>,
    },
}

impl StoreError {
    /// A [`StoreError::Database`] maker for `map_err`.
    pub(super) fn database<E: Into<redb::Error>>(
        path: &std::path::Path,
        operation: &'static str,
    ) -> impl FnOnce(E) -> StoreError {
        let path = path.to_path_buf();
        move |error| StoreError::Database {
            path,
            operation,
            source: Box::new(error.into()),
        }
    }
}
