//! `amtshilfe demo`: a South-Hessian pact of six real nodes on this
//! machine, on loopback: five districts and towns and the central IT
//! provider, each a full node with its own keys, store, libp2p swarm and
//! HTTP API, seeded with clearly fictional data. A console lets a newcomer
//! take any node offline and back and watch the others keep coordinating.
// The demo talks to its user on standard output.
#![allow(clippy::print_stdout)]

mod console;
mod incident_seed;
mod posture_seed;
pub mod seed;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::membership::MembershipLog;
use anyhow::Context;
use libp2p::Multiaddr;

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::membership::Proposal;

use crate::accounts::Role;
use crate::accounts::{bootstrap, password};
use crate::app::{self, NodeOptions, RunningNode};
use crate::clock::now_ms;
use crate::keys::{DEVICE_KEY_FILE, MEMBER_KEY_FILE, write_key_file};
use crate::net::{Announcement, NetCommand};
use crate::setup::{DEVICE_DELEGATION_MS, create_pact_store};
use crate::store::AccountRecord;
use seed::MEMBERS;

/// How long the demo waits for the seeded pact to converge.
const CONVERGENCE_DEADLINE: Duration = Duration::from_secs(60);
/// The demo's libp2p ports: this far above its HTTP ports, fixed so that
/// a node taken offline comes back on the same address.
const P2P_PORT_OFFSET: u16 = 100;
/// Sync interval of the demo nodes: short, so changes show quickly.
const DEMO_SYNC_INTERVAL: Duration = Duration::from_secs(5);

/// How the demo is set up.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the nodes keep their data; a fresh temporary directory if
    /// `None` (removed when the demo ends).
    pub dir: Option<PathBuf>,
    /// HTTP port of the first node; the others follow. Their libp2p ports
    /// are 100 higher.
    pub http_port: u16,
}

/// One demo node: how to start it, and the running node if it is up.
#[derive(Debug)]
pub(crate) struct DemoNode {
    pub(crate) index: usize,
    pub(crate) options: NodeOptions,
    pub(crate) running: Option<RunningNode>,
    /// The first admin's password, shown once in the banner.
    pub(crate) admin_password: String,
}

impl DemoNode {
    pub(crate) fn name(&self) -> &'static str {
        MEMBERS[self.index].name
    }
}

/// Sets the pact up, starts all six nodes, seeds them, and runs the console
/// until Ctrl-C or `ende`.
pub async fn run(options: DemoOptions) -> anyhow::Result<()> {
    let temporary = match &options.dir {
        Some(_) => None,
        None => Some(tempfile_dir()?),
    };
    let root = options
        .dir
        .clone()
        .or_else(|| temporary.clone())
        .context("no demo directory")?;
    let mut nodes = set_up(&root, options.http_port)?;
    println!(
        "amtshilfe Demo: Pakt für Cyberresilienz Südhessen (fiktive Daten) — starte sechs Knoten …"
    );
    start_all(&mut nodes).await?;
    let officer_password = crate::accounts::password::generate()?;
    add_officer_account(&nodes[0], &officer_password)?;
    seed_all(&nodes)?;
    posture_seed::seed_posture(&nodes, now_ms())?;
    for node in nodes.iter().filter_map(|n| n.running.as_ref()) {
        node.net.send(NetCommand::SyncNow);
    }
    let took = wait_converged(&nodes).await?;
    console::banner(&nodes, took, &officer_password);
    console::run(&mut nodes).await;
    for node in &mut nodes {
        if let Some(running) = node.running.take() {
            running.stop().await;
        }
    }
    if let Some(dir) = temporary {
        let _ = std::fs::remove_dir_all(dir);
    }
    println!("Demo beendet / demo stopped.");
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let suffix = hex::encode(crate::random::os_random::<4>()?);
    let dir = std::env::temp_dir().join(format!("amtshilfe-demo-{suffix}"));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Keys, a charter signed by all six founders, every device's delegation,
/// the appointment of a joint security officer, a store per node, and the
/// first admin account of every node.
fn set_up(root: &Path, http_port: u16) -> anyhow::Result<Vec<DemoNode>> {
    let now = now_ms();
    let keys: Vec<(KeyPair, KeyPair)> = MEMBERS
        .iter()
        .map(|_| {
            Ok((
                KeyPair::from_seed(crate::random::os_random()?),
                KeyPair::from_seed(crate::random::os_random()?),
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let founders: Vec<(&KeyPair, &str)> = keys
        .iter()
        .zip(MEMBERS.iter())
        .map(|((m, _), d)| (m, d.name))
        .collect();
    let charter =
        MembershipLog::charter("Pakt für Cyberresilienz Südhessen (Demo)", &founders, now);
    // The officer's keys live on the first member's node, which hosts its
    // login; every member's node holds its member's encryption key.
    let officer_dir = root.join(MEMBERS[0].short);
    std::fs::create_dir_all(&officer_dir)?;
    let officer = crate::seal_keys::create_officer_keys(&officer_dir)?;
    let shared = shared_entries(&charter, &keys, officer.signing.public(), now)?;
    let mut nodes = Vec::new();
    for (index, (member, device)) in keys.iter().enumerate() {
        let dir = root.join(MEMBERS[index].short);
        std::fs::create_dir_all(&dir)?;
        crate::seal_keys::create_member_seal_key(&dir)?;
        write_key_file(&dir.join(MEMBER_KEY_FILE), member)?;
        write_key_file(&dir.join(DEVICE_KEY_FILE), device)?;
        create_pact_store(&dir, &charter, &shared, member, device, now)?;
        let admin = bootstrap::prepare(&dir, now)?;
        let p2p_port = http_port + P2P_PORT_OFFSET + index as u16;
        let http: SocketAddr = ([127, 0, 0, 1], http_port + index as u16).into();
        let listen: Multiaddr = format!("/ip4/127.0.0.1/tcp/{p2p_port}").parse()?;
        let options = NodeOptions {
            data_dir: dir,
            listen: vec![listen],
            bootstrap: Vec::new(),
            mdns: false,
            sync_interval: DEMO_SYNC_INTERVAL,
            http_bind: Some(http),
        };
        nodes.push(DemoNode {
            index,
            options,
            running: None,
            admin_password: admin.password,
        });
    }
    Ok(nodes)
}

/// The entries every demo store starts with: every device's delegation
/// (so nodes admit each other at first contact) and the joint security officer's appointment, proposed by the
/// first member and approved by a majority including every member it serves.
fn shared_entries(
    charter: &amtshilfe_protocol::membership::SignedEntry,
    keys: &[(KeyPair, KeyPair)],
    officer_key: amtshilfe_protocol::ids::PublicKey,
    now: i64,
) -> anyhow::Result<Vec<amtshilfe_protocol::membership::SignedEntry>> {
    let mut log = MembershipLog::new(charter.clone())?;
    let member = |index: usize| MemberId::from_key(keys[index].0.public());
    for (index, (member_key, device)) in keys.iter().enumerate() {
        let delegation = log.delegate(
            member_key,
            member(index),
            device,
            now + DEVICE_DELEGATION_MS,
            now,
        );
        log.insert(delegation)?;
    }
    let serves = seed::OFFICER_SERVES.iter().map(|&i| member(i)).collect();
    let proposal = Proposal::AppointOfficer {
        officer_key,
        name: seed::OFFICER_NAME.into(),
        serves,
    };
    let entry = log.propose(&keys[0].0, proposal, now);
    let hash = entry.hash();
    log.insert(entry)?;
    for approver in seed::OFFICER_APPROVERS {
        let approval = log.approve(&keys[approver].0, hash, now);
        log.insert(approval)?;
    }
    anyhow::ensure!(
        log.state().officers().count() == 1,
        "the demo officer's appointment did not take effect"
    );
    Ok(log
        .entries_in_order()
        .into_iter()
        .skip(1)
        .map(|(_, e)| e.clone())
        .collect())
}

/// Gives the joint security officer a login on the first member's node.
fn add_officer_account(node: &DemoNode, password: &str) -> anyhow::Result<()> {
    let running = node.running.as_ref().context("the node is not running")?;
    let record = AccountRecord {
        role: Role::SecurityOfficer.id().into(),
        password_hash: password::hash(password)?,
        created_at_ms: now_ms(),
        disabled: false,
    };
    running
        .core
        .lock()
        .store()
        .put_account(seed::OFFICER_ACCOUNT, &record)?;
    Ok(())
}

/// Starts the IT provider's node first; everyone else is given only its
/// address, as a pact typically would. After the first contact the nodes
/// know each other and no longer need it.
async fn start_all(nodes: &mut [DemoNode]) -> anyhow::Result<()> {
    let provider = nodes.len() - 1;
    start_node(&mut nodes[provider]).await?;
    let address = nodes[provider]
        .running
        .as_ref()
        .map(dial_address)
        .context("the provider's node did not start")?;
    for node in nodes.iter_mut().take(provider) {
        node.options.bootstrap = vec![address.clone()];
        start_node(node).await?;
    }
    Ok(())
}

pub(crate) async fn start_node(node: &mut DemoNode) -> anyhow::Result<()> {
    let mut running = app::start(node.options.clone()).await.with_context(|| {
        format!(
            "{} could not start (is port {} free? use --http-port)",
            node.name(),
            node.options.http_bind.map_or(0, |a| a.port())
        )
    })?;
    running.net.wait_listening(1).await;
    node.running = Some(running);
    Ok(())
}

fn dial_address(node: &RunningNode) -> Multiaddr {
    let address = node
        .net
        .listen_addresses()
        .first()
        .cloned()
        .unwrap_or_else(Multiaddr::empty);
    address.with(libp2p::multiaddr::Protocol::P2p(node.net.peer_id()))
}

/// Every member writes its profile and offers; the hit municipality asks
/// for help.
fn seed_all(nodes: &[DemoNode]) -> anyhow::Result<()> {
    let now = now_ms();
    for node in nodes {
        let Some(running) = &node.running else {
            continue;
        };
        let mut writes = vec![
            seed::profile(node.index, now),
            seed::offers(node.index, now)?,
        ];
        if node.index == seed::REQUESTER {
            writes.push(seed::request(now)?);
        }
        for (collection, ops) in writes {
            let envelope = running.core.lock().write(collection, &ops, now)?;
            running
                .net
                .send(NetCommand::Announce(Announcement::Envelope(envelope)));
        }
    }
    Ok(())
}

/// Waits until every running node holds the same data.
pub(crate) async fn wait_converged(nodes: &[DemoNode]) -> anyhow::Result<Duration> {
    let started = std::time::Instant::now();
    loop {
        let digests: Vec<_> = nodes
            .iter()
            .filter_map(|n| n.running.as_ref())
            .map(|r| r.core.lock().replica().digest())
            .collect();
        if digests.windows(2).all(|w| w[0] == w[1]) {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < CONVERGENCE_DEADLINE,
            "the demo nodes did not converge within {CONVERGENCE_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
