//! `amtshilfe pact draft | sign | create`: founding a pact whose founders
//! sit on different machines. One founder drafts the charter; the draft
//! file goes round and every founder signs it; then each founder creates
//! its node's store from the signed charter.

use std::path::PathBuf;

use amtshilfe_protocol::ids::PublicKey;
use amtshilfe_protocol::membership::{EntryKind, Founder, MembershipLog, SignedEntry};
use anyhow::Context;

use super::ConfigArg;
use crate::clock::now_ms;
use crate::config::Config;
use crate::setup::{create_pact_store, read_keys};

/// `amtshilfe pact …`
#[derive(Debug, clap::Subcommand)]
pub enum PactCommand {
    /// Write an unsigned charter naming the founders.
    Draft {
        /// The pact's name, e.g. "Pakt für Cyberresilienz Südhessen".
        #[arg(long)]
        name: String,
        /// A founder as NAME=MEMBER_KEY (hex); repeat for every founder.
        #[arg(long = "founder", required = true)]
        founders: Vec<String>,
        /// The draft file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a charter draft with this member's key.
    Sign {
        /// The draft file (updated in place).
        draft: PathBuf,
        /// Sign without asking (for scripts); the charter is still shown.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Create this node's store from the fully signed charter.
    Create {
        /// The signed charter file.
        charter: PathBuf,
        #[command(flatten)]
        config: ConfigArg,
    },
}

pub(super) fn run(command: PactCommand) -> anyhow::Result<()> {
    match command {
        PactCommand::Draft {
            name,
            founders,
            out,
        } => draft(&name, &founders, &out),
        PactCommand::Sign { draft, yes, config } => sign(&draft, yes, &config),
        PactCommand::Create { charter, config } => create(&charter, &config),
    }
}

fn draft(name: &str, founders: &[String], out: &std::path::Path) -> anyhow::Result<()> {
    let founders = founders
        .iter()
        .map(|text| {
            let (founder, key) = text
                .rsplit_once('=')
                .context("a founder is written NAME=MEMBER_KEY")?;
            let key: PublicKey = key
                .trim()
                .parse()
                .with_context(|| format!("{key:?} is not a member key"))?;
            Ok(Founder {
                key,
                name: founder.trim().to_string(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let draft = SignedEntry::charter_draft(name, founders, now_ms());
    super::init::write_new(out, hex::encode(draft.to_bytes()))?;
    println!(
        "Charter draft written to {}. Every founder signs it: amtshilfe pact sign {}",
        out.display(),
        out.display()
    );
    Ok(())
}

fn read_charter(path: &std::path::Path) -> anyhow::Result<SignedEntry> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .with_context(|| format!("{} is not a charter file", path.display()))?;
    SignedEntry::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{} is not a charter: {e}", path.display()))
}

fn sign(path: &std::path::Path, yes: bool, config: &ConfigArg) -> anyhow::Result<()> {
    let config = Config::load(&config.config)?;
    let (_, member) = read_keys(&config.data_dir)?;
    let member = member.context(
        "the member key is not in the data directory; sign on the machine that holds it",
    )?;
    let mut charter = read_charter(path)?;
    super::confirm::confirm(&describe_charter(&charter), yes)?;
    anyhow::ensure!(
        charter.add_charter_signature(&member),
        "this member is not a founder of the drafted pact"
    );
    super::init::replace_file(path, &hex::encode(charter.to_bytes()))?;
    let missing = charter.missing_charter_signatures();
    if missing.is_empty() {
        println!(
            "Signed. Every founder has signed; each founder now runs: amtshilfe pact create {}",
            path.display()
        );
    } else {
        let names: Vec<&str> = missing.iter().map(|f| f.name.as_str()).collect();
        println!("Signed. Still missing: {}", names.join(", "));
    }
    Ok(())
}

/// What a founder signs: the pact's name, when it was drafted, and every
/// founder with its member key, marked if it has signed already.
fn describe_charter(charter: &SignedEntry) -> String {
    let EntryKind::Charter(body) = &charter.body.kind else {
        return "This file is not a charter.".into();
    };
    let signed = |key| charter.signatures.iter().any(|s| s.key == key);
    let mut text = format!(
        "Gründungsurkunde / charter of \"{}\", drafted {} (ms since 1970), {} founders:",
        body.pact_name,
        body.created_at_ms,
        body.founders.len()
    );
    for founder in &body.founders {
        let mark = if signed(founder.key) {
            "signed"
        } else {
            "not yet signed"
        };
        text.push_str(&format!(
            "\n  {} — member key {} ({mark})",
            founder.name, founder.key
        ));
    }
    text
}

fn create(path: &std::path::Path, config: &ConfigArg) -> anyhow::Result<()> {
    let config = Config::load(&config.config)?;
    let (device, member) = read_keys(&config.data_dir)?;
    let member = member.context("the member key is needed once, to delegate this device")?;
    let charter = read_charter(path)?;
    let log = MembershipLog::new(charter.clone())
        .map_err(|e| anyhow::anyhow!("the charter is not complete: {e}"))?;
    create_pact_store(&config.data_dir, &charter, &[], &member, &device, now_ms())?;
    println!(
        "Pact {} created in {}.",
        log.pact_id(),
        config.data_dir.display()
    );
    println!("Start the node: amtshilfe run --config <this configuration>");
    Ok(())
}
