//! `amtshilfe restore`: bring a node back from a backup of its store. The
//! backup's entries and envelopes go into a new store with a fresh
//! incarnation, so the device's new changes can never reuse a sequence
//! number it already used after the backup was taken (which would fork its
//! own history). Peers then send back whatever the node wrote after the
//! backup.

use std::path::PathBuf;

use anyhow::Context;

use super::ConfigArg;
use crate::clock::now_ms;
use crate::config::Config;
use crate::random;
use crate::setup::store_path;
use crate::store::Store;

/// Options of `amtshilfe restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backed-up store file (a copy of `store.redb` taken while the
    /// node was stopped).
    pub backup: PathBuf,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub(super) fn run(args: RestoreArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let target = store_path(&config.data_dir);
    anyhow::ensure!(
        !target.exists(),
        "{} exists; move it away first (restore never overwrites a store)",
        target.display()
    );
    let backup = Store::open(&args.backup)
        .with_context(|| format!("cannot read the backup {}", args.backup.display()))?;
    let stored = backup.load()?;
    let old_incarnation = backup.meta().incarnation;
    let store = Store::create(&target, stored.pact, random::incarnation()?, now_ms())?;
    store.append_entries(&stored.entries)?;
    store.append_envelopes(&stored.envelopes)?;
    // Accounts, API tokens and the audit trail are this node's own and live
    // only here; they come back with the backup too.
    let accounts = backup.accounts()?;
    for (name, record) in &accounts {
        store.put_account(name, record)?;
    }
    for (hash, record) in backup.tokens()? {
        store.put_token(hash, &record)?;
    }
    let mut audit = backup.audit_log(crate::store::AUDIT_ROWS_MAX as usize)?;
    audit.reverse();
    store.append_audits(&audit)?;
    println!(
        "Restored {} entries, {} envelopes and {} accounts of pact {} into {}.",
        stored.entries.len(),
        stored.envelopes.len(),
        accounts.len(),
        stored.pact,
        target.display()
    );
    println!(
        "New incarnation {} (was {}); start the node and it fetches from its peers what it wrote after the backup.",
        hex::encode(store.meta().incarnation),
        hex::encode(old_incarnation)
    );
    Ok(())
}
