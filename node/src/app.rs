//! A running node: open the store, restore the replica, start the network
//! and the HTTP API, and stop them all cleanly.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use amtshilfe_protocol::ids::{MemberId, PublicKey};
use amtshilfe_protocol::replica::LocalDevice;
use libp2p::Multiaddr;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::HttpSettings;
use crate::core::{Core, SharedCore};
use crate::net::{self, NetHandle, NetworkSettings};
use crate::setup::{read_keys, store_path};
use crate::store::{Store, load_replica};

/// What a node needs to start.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// The data directory (keys and store).
    pub data_dir: PathBuf,
    /// Addresses to listen on.
    pub listen: Vec<Multiaddr>,
    /// Addresses to dial at start.
    pub bootstrap: Vec<Multiaddr>,
    /// Local discovery.
    pub mdns: bool,
    /// Mean time between sync rounds.
    pub sync_interval: Duration,
    /// Where the HTTP API listens; `None` runs without it.
    pub http_bind: Option<SocketAddr>,
}

/// A node that is running.
#[derive(Debug)]
pub struct RunningNode {
    /// The shared protocol state.
    pub core: SharedCore,
    /// The network task's handle.
    pub net: NetHandle,
    /// The HTTP API's address, if it runs.
    pub http_address: Option<SocketAddr>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningNode {
    /// Starts the on-call notifier (`crate::notify`) among the node's tasks.
    pub fn start_notifier(&mut self, settings: crate::notify::NotifySettings) {
        let task = crate::notify::spawn(self.core.clone(), settings, self.shutdown.subscribe());
        self.tasks.push(task);
    }

    /// Signals every task to stop and waits for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Opens the node in `options.data_dir` and starts it. Refuses to start on
/// a missing, unreadable or damaged store: it never starts empty. Imports
/// the first admin account written by `amtshilfe init`, if the store has
/// no accounts yet.
pub async fn start(options: NodeOptions) -> anyhow::Result<RunningNode> {
    start_with(options, HttpSettings::default()).await
}

/// [`start`] with the HTTP server's settings from the configuration.
pub async fn start_with(options: NodeOptions, http: HttpSettings) -> anyhow::Result<RunningNode> {
    let (device_key, member_key) = read_keys(&options.data_dir)?;
    let store = Store::open(store_path(&options.data_dir))?;
    crate::accounts::bootstrap::import(&store, &options.data_dir, crate::clock::now_ms())?;
    let replica = load_replica(&store)?;
    let own = match &member_key {
        Some(key) => Some(key.public()),
        None => crate::keys::read_member_public(&options.data_dir)?,
    };
    let member = member_of_device(&replica, &device_key.public(), own)?;
    let device = LocalDevice {
        member,
        key: device_key,
        incarnation: store.meta().incarnation,
    };
    let mut core = Core::new(replica, store, device);
    core.declare_incarnations(crate::clock::now_ms());
    core.set_seal_identities(crate::sealing::SealIdentities::load(&options.data_dir)?);
    let core = SharedCore::new(core);

    let (shutdown, shutdown_rx) = watch::channel(false);
    let settings = NetworkSettings {
        listen: options.listen.clone(),
        bootstrap: options.bootstrap.clone(),
        mdns: options.mdns,
        sync_interval: options.sync_interval,
    };
    let (net, net_task) = net::spawn(core.clone(), settings, shutdown_rx.clone())?;
    let sealing = crate::sealing::task::spawn(core.clone(), net.clone(), shutdown_rx.clone());
    let mut tasks = vec![net_task, sealing];
    let mut http_address = None;
    if let Some(bind) = options.http_bind {
        let (address, task) =
            crate::api::serve(core.clone(), net.clone(), bind, http, shutdown_rx).await?;
        http_address = Some(address);
        tasks.push(task);
    }
    Ok(RunningNode {
        core,
        net,
        http_address,
        shutdown,
        tasks,
    })
}

/// The member this node writes for, from its own files (the member key,
/// or `member.pub` once the key went offline). The membership log must not
/// say otherwise: a device belongs to at most one member, and a node that
/// the log assigns to another member refuses to start rather than write
/// its operators' records into someone else's documents.
pub(crate) fn member_of_device(
    replica: &amtshilfe_protocol::replica::Replica,
    device: &PublicKey,
    own: Option<PublicKey>,
) -> anyhow::Result<MemberId> {
    let state = replica.membership().state();
    let logged = state.member_of_key(device);
    // A member's id is its first key; after a rotation its current key
    // (in `member.key` or `member.pub`) names it through the log.
    let own = own.map(|key| {
        state
            .member_of_key(&key)
            .unwrap_or_else(|| MemberId::from_key(key))
    });
    let name = |member: &MemberId| {
        state
            .member_record(member)
            .map_or_else(|| member.to_string(), |record| record.name.clone())
    };
    match (own, logged) {
        (Some(own), Some(logged)) if own != logged => anyhow::bail!(
            "the pact's membership log says this device ({device}) writes for {}, but this \
             node's keys belong to {}; refusing to start. Set this device up again for its \
             own member (a fresh device key) and tell the pact",
            name(&logged),
            name(&own)
        ),
        (Some(member), _) | (None, Some(member)) => Ok(member),
        (None, None) => anyhow::bail!(
            "this node's device key is not delegated by any member of the pact, and neither \
             member.key nor member.pub is in the data directory"
        ),
    }
}
