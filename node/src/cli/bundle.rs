//! `amtshilfe bundle export | import | state`: signed data on a USB stick
//! when the network is down. Against a stopped node the command opens the
//! store itself; while the node runs (it holds the store), the command
//! goes through the node's HTTP API with the command line's token
//! (`cli.token`), so the running node takes the bundle in exactly as it
//! takes a peer's data.

use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use amtshilfe_protocol::bundle::{BUNDLE_BYTES_MAX, Bundle};
use anyhow::Context;

use super::ConfigArg;
use super::init::write_new;
use super::node_api::{self, Call};
use crate::bundle::{BundleRefused, ImportReport, RefusedItem};
use crate::config::Config;
use crate::core::Core;
use crate::setup::{read_keys, store_path};
use crate::store::{Store, load_replica};

/// The bundle commands.
#[derive(Debug, clap::Subcommand)]
pub enum BundleCommand {
    /// Write this node's signed entries and envelopes to a file.
    Export(ExportArgs),
    /// Take a bundle in through the same checks as the network.
    Import(ImportArgs),
    /// Write what this node has, for a peer to export only what it lacks.
    State(StateArgs),
}

/// Options of `amtshilfe bundle export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The bundle file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// A peer's known state (`amtshilfe bundle state` on the peer): only
    /// what it lacks goes into the bundle.
    #[arg(long)]
    pub since: Option<PathBuf>,
    /// An address where this node can be reached (repeatable), e.g.
    /// /dns4/amtshilfe.kreis.example/tcp/4100; this node's peer id is
    /// added. A node recovering from this bundle dials it.
    #[arg(long = "address")]
    pub addresses: Vec<String>,
    /// Only the membership log, no envelopes: a small recovery ticket (the
    /// recovering node then pulls the data from the pact).
    #[arg(long, conflicts_with = "since")]
    pub membership_only: bool,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// Options of `amtshilfe bundle import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The bundle file.
    pub bundle: PathBuf,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// Options of `amtshilfe bundle state`.
#[derive(Debug, clap::Args)]
pub struct StateArgs {
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub(super) fn run(command: BundleCommand) -> anyhow::Result<()> {
    match command {
        BundleCommand::Export(args) => export(args),
        BundleCommand::Import(args) => import(args),
        BundleCommand::State(args) => state(args),
    }
}

fn export(args: ExportArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let since = args
        .since
        .as_deref()
        .map(crate::bundle::read_file)
        .transpose()?;
    // A recovery ticket is the log alone: its size follows the log, so even
    // a pact too large for one bundle hands one over.
    let mut bytes = match Target::of(&config)? {
        Target::Running if args.membership_only => {
            let (status, body) = api(&config, "GET", "/api/bundle/membership", &[])?;
            expect_ok(status, &body)?;
            body
        }
        Target::Stopped(core) if args.membership_only => {
            crate::bundle::export_membership(core.replica(), Vec::new()).map_err(refusal)?
        }
        Target::Running => {
            let (status, body) = api(
                &config,
                "POST",
                "/api/bundle/export",
                since.as_deref().unwrap_or(&[]),
            )?;
            expect_ok(status, &body)?;
            body
        }
        Target::Stopped(core) => {
            crate::bundle::export(core.replica(), since.as_deref(), Vec::new()).map_err(refusal)?
        }
    };
    if !args.addresses.is_empty() {
        let mut bundle = Bundle::from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
        bundle.addresses = with_peer_id(&config, &args.addresses)?;
        bytes = bundle.to_bytes().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let bundle = Bundle::from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    write_new(&args.out, &bytes)?;
    println!(
        "Bündel geschrieben / bundle written: {} ({} bytes): {} membership entries, {} envelopes of pact {}.",
        args.out.display(),
        bytes.len(),
        bundle.entries.len(),
        bundle.envelopes.len(),
        bundle.pact
    );
    Ok(())
}

fn import(args: ImportArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let bytes = crate::bundle::read_file(&args.bundle)?;
    let outcome = match Target::of(&config)? {
        Target::Running => {
            let (status, body) = api(&config, "POST", "/api/bundle", &bytes)?;
            match status {
                200 => Ok(serde_json::from_slice::<ReportJson>(&body)
                    .context("the node's answer is not an import report")?
                    .into()),
                422 => Err(refused_from_json(&body)?),
                _ => return expect_ok(status, &body).map(|_| ()),
            }
        }
        Target::Stopped(mut core) => crate::bundle::import(&mut core, &bytes),
    };
    match outcome {
        Ok(report) => {
            print_report(&report);
            Ok(())
        }
        Err(refused) => Err(refusal(refused)),
    }
}

fn state(args: StateArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let bytes = match Target::of(&config)? {
        Target::Running => {
            let (status, body) = api(&config, "GET", "/api/bundle/state", &[])?;
            expect_ok(status, &body)?;
            body
        }
        Target::Stopped(core) => crate::bundle::known_state(core.replica()),
    };
    write_new(&args.out, &bytes)?;
    println!(
        "Stand geschrieben / known state written: {} ({} bytes). Hand it to the member who exports for this node.",
        args.out.display(),
        bytes.len()
    );
    Ok(())
}

/// `addresses` with this node's peer id added where none is named.
fn with_peer_id(config: &Config, addresses: &[String]) -> anyhow::Result<Vec<String>> {
    let (device, _) = read_keys(&config.data_dir)?;
    crate::net::identity::with_peer_id(addresses, &device.public())
        .context("the device key is not a valid peer id")
}

/// Where the command works: the running node's API, or the stopped node's
/// own store.
enum Target {
    Running,
    Stopped(Box<Core>),
}

impl Target {
    fn of(config: &Config) -> anyhow::Result<Self> {
        if TcpStream::connect_timeout(&config.http_bind, Duration::from_secs(2)).is_ok() {
            return Ok(Self::Running);
        }
        let (device, member) = read_keys(&config.data_dir)?;
        let store = Store::open(store_path(&config.data_dir))
            .context("cannot open the store, and the node does not answer on its HTTP address")?;
        let replica = load_replica(&store)?;
        let own = match &member {
            Some(key) => Some(key.public()),
            None => crate::keys::read_member_public(&config.data_dir)?,
        };
        let member = crate::app::member_of_device(&replica, &device.public(), own)?;
        let device = amtshilfe_protocol::replica::LocalDevice {
            member,
            key: device,
            incarnation: store.meta().incarnation,
        };
        Ok(Self::Stopped(Box::new(Core::new(replica, store, device))))
    }
}

/// One request to the running node's API with the command line's token;
/// the answer's status and body (at most a bundle's size).
fn api(config: &Config, method: &str, path: &str, body: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
    node_api::request(
        config,
        &Call {
            method,
            path,
            content_type: "application/octet-stream",
            body,
            read_timeout: Duration::from_secs(120),
            answer_bytes_max: BUNDLE_BYTES_MAX as u64 + 64 * 1024,
        },
    )
}

fn expect_ok(status: u16, body: &[u8]) -> anyhow::Result<()> {
    if status == 422 {
        return Err(refusal(refused_from_json(body)?));
    }
    anyhow::ensure!(
        status == 200,
        "the node answered {status}: {}",
        String::from_utf8_lossy(body)
    );
    Ok(())
}

/// The import report as the API sends it.
#[derive(serde::Deserialize)]
struct ReportJson {
    entries_applied: usize,
    envelopes_applied: usize,
    duplicates: usize,
    pending: usize,
    refused: Vec<ItemJson>,
}

#[derive(serde::Deserialize)]
struct ItemJson {
    index: usize,
    kind: String,
    code: String,
    reason: String,
}

impl From<ReportJson> for ImportReport {
    fn from(json: ReportJson) -> Self {
        Self {
            entries_applied: json.entries_applied,
            envelopes_applied: json.envelopes_applied,
            duplicates: json.duplicates,
            pending: json.pending,
            refused: json.refused.into_iter().map(item).collect(),
        }
    }
}

/// Codes come back from the API as strings; the report holds the static
/// codes of the closed lists, and an unknown one is shown as `other`.
fn item(json: ItemJson) -> RefusedItem {
    let codes = amtshilfe_protocol::ingress::Rejection::CODES
        .iter()
        .chain(amtshilfe_protocol::membership::EntryRejection::CODES.iter());
    RefusedItem {
        index: json.index,
        kind: if json.kind == "entry" {
            "entry"
        } else {
            "envelope"
        },
        code: codes.copied().find(|c| *c == json.code).unwrap_or("other"),
        reason: json.reason,
    }
}

fn refused_from_json(body: &[u8]) -> anyhow::Result<BundleRefused> {
    #[derive(serde::Deserialize)]
    struct Answer {
        error: Error,
        #[serde(default)]
        items: Vec<ItemJson>,
    }
    #[derive(serde::Deserialize)]
    struct Error {
        code: String,
        message: String,
    }
    let answer: Answer =
        serde_json::from_slice(body).context("the node's refusal does not decode")?;
    Ok(BundleRefused {
        code: "bundle_refused",
        message: format!("{}: {}", answer.error.code, answer.error.message),
        items: answer.items.into_iter().map(item).collect(),
    })
}

fn refusal(refused: BundleRefused) -> anyhow::Error {
    let mut text =
        format!("Bündel abgelehnt, nichts übernommen / bundle refused, nothing applied: {refused}");
    for item in &refused.items {
        text.push_str(&format!(
            "\n  item {} ({}): {} ({})",
            item.index, item.kind, item.code, item.reason
        ));
    }
    anyhow::anyhow!(text)
}

fn print_report(report: &ImportReport) {
    println!(
        "Bündel übernommen / bundle imported: {} membership entries and {} envelopes applied, {} already known, {} waiting for missing changes.",
        report.entries_applied, report.envelopes_applied, report.duplicates, report.pending
    );
    if !report.refused.is_empty() {
        println!(
            "Abgelehnt / refused (as from the network): {}",
            report.refused.len()
        );
        for item in &report.refused {
            println!(
                "  item {} ({}): {} ({})",
                item.index, item.kind, item.code, item.reason
            );
        }
    }
}
