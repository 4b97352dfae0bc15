//! `amtshilfe restore`: bring a node back from a backup of its store. The
//! backup's entries and envelopes go into a new store with a fresh
//! incarnation, so the device's new changes can never reuse a sequence
//! number it already used after the backup was taken (which would fork its
//! own history). Peers then send back whatever the node wrote after the
//! backup.
//!
//! A backup is an outside file after an attack: it is not trusted. Every
//! entry and every envelope goes through the full ingress (signatures,
//! authority, records) of a fresh replica, and only what passes is
//! written. Accounts, token hashes and the audit trail come back only when
//! the operator asks for them (`--with-accounts`), with a warning.

use std::path::PathBuf;

use std::collections::BTreeMap;

use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::SignedEntry;
use amtshilfe_protocol::replica::Replica;
use anyhow::Context;

use super::ConfigArg;
use crate::accounts::bootstrap::{self, BOOTSTRAP_FILE, CLI_TOKEN_FILE, FirstAdmin};
use crate::clock::now_ms;
use crate::config::Config;
use crate::random;
use crate::setup::store_path;
use crate::store::{Store, StoredState};

/// Options of `amtshilfe restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backed-up store file (a copy of `store.redb` taken while the
    /// node was stopped).
    pub backup: PathBuf,
    /// Also bring back the backup's accounts, API token hashes and audit
    /// trail. Only if the backup was taken before the attack: an attacker
    /// who could write it could have added an account.
    #[arg(long)]
    pub with_accounts: bool,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// What of a backup passed the full ingress.
#[derive(Debug)]
pub(crate) struct CheckedBackup {
    /// Membership entries that applied, in replay order (charter first).
    pub(crate) entries: Vec<SignedEntry>,
    /// Envelopes that were accepted.
    pub(crate) envelopes: Vec<Envelope>,
    /// Refused entries and envelopes by reason code.
    pub(crate) refused: BTreeMap<&'static str, usize>,
}

/// Runs everything in `stored` through a fresh replica's full ingress:
/// the charter must be the store's pact's, entries are checked like a
/// peer's (signatures, author, caps), envelopes like a peer's (signature,
/// authority, records).
pub(crate) fn check_backup(stored: StoredState) -> anyhow::Result<CheckedBackup> {
    let charter = stored
        .charter()
        .cloned()
        .context("the backup holds no charter of its pact")?;
    let mut replica = Replica::new(charter).context("the backup's charter is refused")?;
    anyhow::ensure!(
        replica.pact_id() == stored.pact,
        "the backup's charter does not found the pact the backup names"
    );
    let mut refused: BTreeMap<&'static str, usize> = BTreeMap::new();
    for outcome in replica.receive_entries(stored.entries) {
        if let Err(reason) = outcome {
            *refused.entry(reason.code()).or_default() += 1;
        }
    }
    let report = replica.receive_envelopes(stored.envelopes, SignatureCheck::Verify);
    for (_, reason) in &report.rejected {
        *refused.entry(reason.code()).or_default() += 1;
    }
    if report.pending > 0 {
        *refused.entry("missing_dependencies").or_default() += report.pending;
    }
    let entries = replica
        .membership()
        .entries_in_order()
        .into_iter()
        .map(|(_, entry)| entry.clone())
        .collect();
    Ok(CheckedBackup {
        entries,
        envelopes: report.accepted,
        refused,
    })
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
    let pact = stored.pact;
    let old_incarnation = backup.meta().incarnation;
    let checked = check_backup(stored)?;
    let store = Store::create(&target, pact, random::incarnation()?, now_ms())?;
    store.append_entries(&checked.entries)?;
    store.append_envelopes(&checked.envelopes)?;
    let mut accounts = 0;
    if args.with_accounts {
        accounts = copy_accounts(&backup, &store)?;
        eprintln!(
            "Warning: {accounts} accounts, their API token hashes and the audit trail were \
             taken from the backup as they are. Check them on /verwaltung and change every \
             password if the backup may have been written after the attack began."
        );
    }
    println!(
        "Restored {} entries, {} envelopes and {accounts} accounts of pact {pact} into {}.",
        checked.entries.len(),
        checked.envelopes.len(),
        target.display()
    );
    if !checked.refused.is_empty() {
        println!("Refused from the backup (not written):");
        for (code, count) in &checked.refused {
            println!("  {code}: {count}");
        }
    }
    if !args.with_accounts {
        let admin = fresh_first_admin(&config.data_dir)?;
        println!(
            "No accounts were restored. The node creates a new first admin when it starts: \
             account {}, password {} (shown once; change it after the first login). \
             The command line's token is in {}.",
            admin.name,
            admin.password,
            admin.token_file.display()
        );
    }
    println!(
        "New incarnation {} (was {}); start the node and it fetches from its peers what it wrote after the backup.",
        hex::encode(store.meta().incarnation),
        hex::encode(old_incarnation)
    );
    Ok(())
}

/// A new first admin for a store restored without accounts, replacing the
/// command line's old token (its hash is not in the new store).
fn fresh_first_admin(data_dir: &std::path::Path) -> anyhow::Result<FirstAdmin> {
    for stale in [BOOTSTRAP_FILE, CLI_TOKEN_FILE] {
        let path = data_dir.join(stale);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot replace {}", path.display()))?;
        }
    }
    Ok(bootstrap::prepare(data_dir, now_ms())?)
}

/// Accounts, API tokens and the audit trail are this node's own and live
/// only in its store.
fn copy_accounts(backup: &Store, store: &Store) -> anyhow::Result<usize> {
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
    Ok(accounts.len())
}
