//! `amtshilfe recover`: a hit member back in the pact from a blank
//! machine, with its offline member key and a recovery ticket another
//! member hands over (a bundle from `amtshilfe bundle export --address …`:
//! the pact's signed membership log, optionally its data, and where that
//! member's node can be reached).
//!
//! A fresh data directory gets a new device key, delegated by the member
//! key (with the device's consent, as at setup), a new store under a new
//! incarnation (so the new device can never reuse a sequence number of the
//! lost one), the ticket's items through the full ingress, and a
//! configuration whose bootstrap addresses are the ticket's and `--from`.
//! When the node starts, its peers admit the new device from its
//! introduction and sync sends it the member's own documents, on whose
//! heads its next writes continue. The member key is only read: it stays
//! on its stick.

use std::net::SocketAddr;
use std::path::PathBuf;

use amtshilfe_protocol::ids::PactId;
use amtshilfe_protocol::membership::MembershipLog;
use amtshilfe_protocol::replica::LocalDevice;
use anyhow::Context;

use super::init::{render_config, write_new};
use crate::clock::now_ms;
use crate::config::Config;
use crate::core::Core;
use crate::keys::{self, DEVICE_KEY_FILE};
use crate::setup::{create_pact_store, store_path};
use crate::store::load_replica;

/// Options of `amtshilfe recover`.
#[derive(Debug, clap::Args)]
pub struct RecoverArgs {
    /// Step one without the old member key: create a new member key in
    /// this file, print it with its word fingerprint, and stop. Another
    /// member proposes the rotation to it (`amtshilfe member rotate-key`
    /// or the Pakt page); once a majority approved, recover with it as
    /// `--member-key`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["member_key", "ticket", "dir"])]
    pub new_key: Option<PathBuf>,
    /// The member key file kept offline (e.g. on a USB stick). Only read.
    #[arg(long, required_unless_present = "new_key")]
    pub member_key: Option<PathBuf>,
    /// The recovery ticket: a bundle another member exported with
    /// `amtshilfe bundle export --address …`.
    #[arg(long, required_unless_present = "new_key")]
    pub ticket: Option<PathBuf>,
    /// A further address of a member's node, with /p2p/ peer id
    /// (repeatable); the ticket's addresses are used too.
    #[arg(long = "from")]
    pub from: Vec<String>,
    /// The new, empty data directory.
    #[arg(long, required_unless_present = "new_key")]
    pub dir: Option<PathBuf>,
    /// Listen address for other members' nodes (repeatable; default: TCP
    /// and QUIC on port 4100).
    #[arg(long = "listen")]
    pub listen: Vec<String>,
    /// Address of the HTTP API (default 127.0.0.1:8080).
    #[arg(long)]
    pub http: Option<SocketAddr>,
}

/// Where and how a recovered node is set up.
#[derive(Debug, Clone)]
pub struct RecoveryPlan {
    /// The new, empty data directory.
    pub dir: PathBuf,
    /// Listen addresses (empty: the defaults).
    pub listen: Vec<String>,
    /// The HTTP API's address (`None`: the default).
    pub http: Option<SocketAddr>,
    /// Addresses to start from besides the ticket's.
    pub from: Vec<String>,
}

/// What a recovery set up.
#[derive(Debug)]
pub struct Recovered {
    /// The configuration file written.
    pub config_path: PathBuf,
    /// Its content.
    pub config: Config,
    /// The member's name in the pact.
    pub name: String,
    /// The pact.
    pub pact: PactId,
    /// The new device key.
    pub device: amtshilfe_protocol::ids::PublicKey,
    /// The new store's incarnation.
    pub incarnation: [u8; 16],
    /// The new first admin (its password is shown once).
    pub admin: crate::accounts::bootstrap::FirstAdmin,
    /// The ticket's membership entries, charter included, in the new store.
    pub entries: usize,
    /// What of the ticket's envelopes applied.
    pub report: crate::bundle::ImportReport,
}

/// Sets up `plan.dir` as a new device of the member whose current key is
/// `member`, from the recovery ticket `ticket` (a bundle's bytes).
pub fn recover(
    member: &amtshilfe_protocol::identity::KeyPair,
    ticket: &[u8],
    plan: &RecoveryPlan,
) -> anyhow::Result<Recovered> {
    // Decoded and every signature checked once; the import below takes
    // the checked bundle as it is.
    let checked = crate::bundle::checked_as_named(ticket)
        .map_err(|e| anyhow::anyhow!("the recovery ticket is refused: {e}"))?;
    let bundle = checked.bundle();
    let pact = bundle.pact;
    let (charter, rest) = bundle
        .entries
        .split_first()
        .filter(|(charter, _)| charter.is_charter())
        .context("the recovery ticket holds no charter: export it without --since")?;
    anyhow::ensure!(
        PactId(charter.hash().0) == pact,
        "the ticket's charter does not found the pact the ticket names"
    );
    // Whose key is this, by the ticket's log? Checked before anything is
    // written, so a wrong key or ticket leaves no directory behind.
    let mut log = MembershipLog::new(charter.clone())
        .map_err(|e| anyhow::anyhow!("the ticket's charter is refused: {e}"))?;
    for entry in rest {
        log.insert(entry.clone())
            .map_err(|e| anyhow::anyhow!("the ticket's membership log is refused: {e}"))?;
    }
    // By its current key: after a rotation the member id stays the one
    // its first key gave it.
    let (member_id, name) = log
        .state()
        .members()
        .find(|(_, info)| info.current_key == member.public())
        .map(|(id, info)| (*id, info.name.clone()))
        .context(
            "this member key is not the current key of a member of the ticket's pact \
             (removed, or its key was rotated, or the rotation to it is not approved yet); \
             without the old key: amtshilfe recover --new-key FILE, and ask the pact to rotate",
        )?;

    let config_path = plan.dir.join("amtshilfe.toml");
    anyhow::ensure!(
        !config_path.exists() && !store_path(&plan.dir).exists(),
        "{} already holds a node; recover into a new, empty directory",
        plan.dir.display()
    );
    std::fs::create_dir_all(&plan.dir)
        .with_context(|| format!("cannot create {}", plan.dir.display()))?;
    let dir = std::fs::canonicalize(&plan.dir)?;
    let mut config = Config::with_defaults(&dir, &name);
    if !plan.listen.is_empty() {
        config.listen_addresses = plan.listen.clone();
    }
    if let Some(http) = plan.http {
        config.http_bind = http;
    }
    for address in bundle.addresses.iter().chain(&plan.from) {
        if !config.bootstrap_addresses.contains(address) {
            config.bootstrap_addresses.push(address.clone());
        }
    }
    let text = render_config(&config)?;
    let device = keys::generate_key_file(&dir.join(DEVICE_KEY_FILE))?;
    keys::write_member_public(&dir, &member.public())?;
    let admin = crate::accounts::bootstrap::prepare(&dir, now_ms())?;
    // The store takes the ticket's log now; the import below finds those
    // entries stored and takes the ticket's envelopes.
    let entries = rest.len() + 1;
    let store = create_pact_store(&dir, charter, rest, member, &device, now_ms())?;
    let incarnation = store.meta().incarnation;
    let replica = load_replica(&store)?;
    let own = LocalDevice {
        member: member_id,
        key: device.clone(),
        incarnation,
    };
    let mut core = Core::new(replica, store, own);
    let report = crate::bundle::apply(&mut core, checked);
    drop(core);
    write_new(&config_path, &text)?;

    Ok(Recovered {
        config_path,
        config,
        name,
        pact,
        device: device.public(),
        incarnation,
        admin,
        entries,
        report,
    })
}

/// `recover --new-key FILE`: a new member key for a rotation, printed
/// with its word fingerprint to read out on the phone.
fn new_key(path: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        !path.exists(),
        "{} exists already; name a new file",
        path.display()
    );
    let key = keys::generate_key_file(path)?;
    let public = key.public();
    println!("Neuer Mitgliedsschlüssel / new member key: {public}");
    println!(
        "Wort-Fingerabdruck / word fingerprint:    {}",
        amtshilfe_protocol::fingerprint::words(&public)
    );
    println!(
        "Geben Sie den Schlüssel einem anderen Mitglied; es schlägt den Schlüsselwechsel vor \
         (amtshilfe member rotate-key --member <Ihre Mitglieds-ID> --new-key {public}). Lesen Sie \
         den Fingerabdruck am Telefon vor. Sobald die Mehrheit zugestimmt hat: amtshilfe recover \
         --member-key {} --ticket <Ticket> --dir <neues Verzeichnis>",
        path.display()
    );
    println!(
        "Hand the key to another member, who proposes the rotation; read the fingerprint out on \
         the phone. Once a majority approved: amtshilfe recover --member-key {} --ticket <ticket> \
         --dir <new directory>",
        path.display()
    );
    Ok(())
}

pub(super) fn run(args: RecoverArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.new_key {
        return new_key(path);
    }
    let (Some(member_key), Some(ticket), Some(dir)) = (&args.member_key, &args.ticket, &args.dir)
    else {
        anyhow::bail!("recover needs --member-key, --ticket and --dir (or --new-key FILE)");
    };
    let member = keys::read_key_file(member_key)?;
    let ticket = crate::bundle::read_file(ticket)?;
    let plan = RecoveryPlan {
        dir: dir.clone(),
        listen: args.listen.clone(),
        http: args.http,
        from: args.from.clone(),
    };
    let Recovered {
        config_path,
        config,
        name,
        pact,
        device,
        incarnation,
        admin,
        entries,
        report,
    } = recover(&member, &ticket, &plan)?;
    println!("Wiederhergestellt / recovered: {name} in pact {pact}");
    println!("  new device key (neuer Geräteschlüssel): {device}");
    println!(
        "  new incarnation (neue Inkarnation):     {}",
        hex::encode(incarnation)
    );
    println!(
        "  from the ticket: {} membership entries, {} envelopes",
        entries, report.envelopes_applied
    );
    println!(
        "  peers to start from: {}",
        config.bootstrap_addresses.len()
    );
    println!("Dashboard login (Anmeldung), shown only this once (wird nur jetzt angezeigt):");
    println!("  account (Konto):     {}", admin.name);
    println!("  password (Passwort): {}", admin.password);
    println!(
        "Put the member key back offline. Start the node: amtshilfe run --config {}",
        config_path.display()
    );
    Ok(())
}
