//! `amtshilfe audit verify`: checks the audit log's hash chains in the
//! node's store (stopped node, or a copy of its data directory) and says
//! which rows were changed or removed. Exits with an error if any were.
//! Never changes the store.

use super::ConfigArg;
use crate::config::Config;
use crate::setup::store_path;
use crate::store::{ChainReport, Store};

/// What to do with the audit log.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check that no audit row was changed, removed or cut off (on a
    /// stopped node). Prints each chain's head hash: note it, and a later
    /// check shows whether the chain was rewritten since.
    Verify(VerifyArgs),
}

/// Options of `amtshilfe audit verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub config: ConfigArg,
}

pub(super) fn run(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify(args) => {
            let config = Config::load(&args.config.config)?;
            let reports = verify(&config)?;
            print!("{}", describe(&reports));
            let broken = reports.iter().filter(|r| !r.problems.is_empty()).count();
            anyhow::ensure!(
                broken == 0,
                "the audit log was changed: {broken} of {} chains do not verify",
                reports.len()
            );
            Ok(())
        }
    }
}

/// The reports of both chains of the node's store.
pub(crate) fn verify(config: &Config) -> anyhow::Result<Vec<ChainReport>> {
    let store = Store::open(store_path(&config.data_dir))?;
    Ok(store.verify_audit()?)
}

/// The reports as text, one block per chain.
pub(crate) fn describe(reports: &[ChainReport]) -> String {
    let mut text = String::new();
    for report in reports {
        let verdict = if report.problems.is_empty() {
            "intact"
        } else {
            "CHANGED"
        };
        text.push_str(&format!(
            "{} chain: {verdict}; {} rows (and {} older ones dropped by the cap); head {}\n",
            report.kind.name(),
            report.rows,
            report.dropped,
            report.head
        ));
        for problem in &report.problems {
            text.push_str(&format!("  {problem}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use amtshilfe_protocol::ids::PactId;
    use redb::ReadableDatabase;

    use super::*;
    use crate::store::{AuditKind, AuditRecord};

    fn row(n: i64) -> AuditRecord {
        AuditRecord {
            at_ms: n,
            account: "admin".into(),
            action: "login".into(),
            detail: format!("10.0.0.{n}"),
        }
    }

    #[test]
    fn verify_says_intact_and_then_finds_an_edit_and_a_cut() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::with_defaults(dir.path(), "Kreis Test");
        {
            let store = Store::create(store_path(dir.path()), PactId([9; 32]), [1; 16], 0).unwrap();
            for n in 0..5 {
                store.append_audit(&row(n)).unwrap();
                store
                    .append_audit_rows(AuditKind::Request, &[row(n)])
                    .unwrap();
            }
        }
        let reports = verify(&config).unwrap();
        let text = describe(&reports);
        assert!(reports.iter().all(|r| r.problems.is_empty()), "{text}");
        assert_eq!(text.matches("intact").count(), 2, "{text}");

        // Someone with the file edits one login's address and removes the
        // newest request row.
        {
            let db = redb::Database::open(store_path(dir.path())).unwrap();
            let security: redb::TableDefinition<u64, &[u8]> =
                redb::TableDefinition::new("audit_security");
            let requests: redb::TableDefinition<u64, &[u8]> =
                redb::TableDefinition::new("audit_requests");
            let edited = {
                let txn = db.begin_read().unwrap();
                let table = txn.open_table(security).unwrap();
                let mut bytes = table.get(2).unwrap().unwrap().value().to_vec();
                let last = bytes.len() - 1;
                bytes[last] = b'9';
                bytes
            };
            let txn = db.begin_write().unwrap();
            {
                txn.open_table(security)
                    .unwrap()
                    .insert(2, edited.as_slice())
                    .unwrap();
                txn.open_table(requests).unwrap().pop_last().unwrap();
            }
            txn.commit().unwrap();
        }
        let reports = verify(&config).unwrap();
        let text = describe(&reports);
        assert!(
            reports.iter().all(|r| !r.problems.is_empty()),
            "both chains show the change: {text}"
        );
        assert!(text.contains("row 3:"), "{text}");
        assert!(text.contains("cut off"), "{text}");
    }
}
