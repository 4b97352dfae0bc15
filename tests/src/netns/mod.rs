//! A network-namespace test bed: one Linux network namespace per node,
//! joined by a bridge that lives in a namespace of its own, with faults
//! made by nftables rules inside the node namespaces (the nodes are never
//! asked to misbehave).
//!
//! Everything it creates is private to the test run: the namespaces carry
//! a name unique to the process and the bed, the addresses come from
//! [`SUBNET`] and exist only on the veths inside those namespaces, and no
//! namespace has a default route, so no packet can leave the bed. Dropping
//! the [`Bed`] deletes every namespace it made (and with them the bridge,
//! the veths and the rules), also when a test panics.
//!
//! It never touches the host's own network namespace, interfaces, routes
//! or firewall, and it never needs anything but `ip` (iproute2) and `nft`
//! (nftables) and root.

mod relay;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use relay::{Relay, RelayStats};

/// The one address range the bed uses: node `i` is `10.99.0.(i + 1)/24`
/// on its namespace's `eth0`. Each bed has its own bridge in its own
/// namespace, so two beds with the same addresses never meet.
pub const SUBNET: &str = "10.99.0.0/24";
/// Most nodes a bed holds (addresses .1 to .250 of [`SUBNET`]).
pub const NODES_MAX: usize = 250;
/// Where `ip netns add` puts the namespace files that `setns` opens.
const NETNS_DIR: &str = "/run/netns";

/// Why namespaces cannot be made on this machine, or `None` if they can.
/// Only this is a reason to skip a namespace test; a missing `nft` while
/// namespaces work is an error (install Debian's `nftables`).
pub fn unavailable() -> Option<String> {
    let probe = format!("ahprobe-{}", std::process::id());
    match run_quiet("ip", &["netns", "add", &probe]) {
        Ok(()) => {
            let _ = run_quiet("ip", &["netns", "del", &probe]);
            None
        }
        Err(error) => Some(format!(
            "cannot create network namespaces here (needs root and iproute2): {error}"
        )),
    }
}

/// Which packets a node namespace drops. Rendered into one nftables table
/// (`inet fault`) that replaces the previous one atomically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rules {
    /// Everything on `eth0`, both ways.
    isolated: bool,
    /// Packets from these addresses (input hook).
    drop_from: BTreeSet<Ipv4Addr>,
    /// Packets to these addresses (output hook).
    drop_to: BTreeSet<Ipv4Addr>,
    /// Percentage of packets dropped at random on `eth0`, both ways.
    loss_percent: u8,
}

impl Rules {
    fn script(&self) -> String {
        let mut input = String::new();
        let mut output = String::new();
        if self.isolated {
            input.push_str("    iifname \"eth0\" drop\n");
            output.push_str("    oifname \"eth0\" drop\n");
        }
        for address in &self.drop_from {
            let _ = writeln!(input, "    ip saddr {address} drop");
        }
        for address in &self.drop_to {
            let _ = writeln!(output, "    ip daddr {address} drop");
        }
        if self.loss_percent > 0 {
            let p = self.loss_percent;
            let _ = writeln!(
                input,
                "    iifname \"eth0\" numgen random mod 100 < {p} drop"
            );
            let _ = writeln!(
                output,
                "    oifname \"eth0\" numgen random mod 100 < {p} drop"
            );
        }
        // `drop`, never `reject`: a silent drop sends no RST and no ICMP, so
        // open connections stay half-open, as behind a failed router.
        format!(
            "table inet fault {{}}\n\
             delete table inet fault\n\
             table inet fault {{\n\
             \x20 chain input {{\n    type filter hook input priority 0; policy accept;\n{input}  }}\n\
             \x20 chain output {{\n    type filter hook output priority 0; policy accept;\n{output}  }}\n\
             }}\n"
        )
    }
}

/// A namespace that is deleted when dropped.
#[derive(Debug)]
struct Namespace {
    name: String,
}

impl Namespace {
    fn add(name: String) -> anyhow::Result<Self> {
        run_quiet("ip", &["netns", "add", &name])?;
        let namespace = Self { name };
        namespace.ip(&["link", "set", "lo", "up"])?;
        Ok(namespace)
    }

    /// `ip -n NAME ARGS`.
    fn ip(&self, args: &[&str]) -> anyhow::Result<()> {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        run_quiet("ip", &all)
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Deleting the namespace removes its interfaces (and a veth's peer
        // with it), its addresses and its nftables tables.
        let _ = run_quiet("ip", &["netns", "del", &self.name]);
    }
}

/// One node's place in the bed.
#[derive(Debug)]
pub struct Slot {
    namespace: Namespace,
    /// Its address on the bridge.
    pub address: Ipv4Addr,
    rules: Rules,
}

impl Slot {
    /// The namespace's name, for `ip netns exec NAME …`.
    pub fn namespace(&self) -> &str {
        &self.namespace.name
    }
}

/// A bridge and `nodes` namespaces on it.
#[derive(Debug)]
pub struct Bed {
    // Dropped first (declaration order), so that no veth outlives its bridge
    // namespace for long; the order does not matter for correctness.
    slots: Vec<Slot>,
    bridge: Namespace,
}

/// Counts beds made by this process, for unique names.
static BEDS: AtomicU32 = AtomicU32::new(0);

impl Bed {
    /// Makes the bridge namespace and `nodes` node namespaces. Names are
    /// `ah<pid>b<n>` (bridge) and `ah<pid>b<n>-<i>` (nodes).
    pub fn new(nodes: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(nodes <= NODES_MAX, "a bed holds at most {NODES_MAX} nodes");
        if run_quiet("nft", &["--version"]).is_err() {
            anyhow::bail!("`nft` is missing: install nftables (Debian package `nftables`)");
        }
        let prefix = format!(
            "ah{}b{}",
            std::process::id(),
            BEDS.fetch_add(1, Ordering::Relaxed)
        );
        let bridge = Namespace::add(prefix.clone())?;
        bridge.ip(&["link", "add", "br0", "type", "bridge"])?;
        bridge.ip(&["link", "set", "br0", "up"])?;
        let mut bed = Self {
            slots: Vec::new(),
            bridge,
        };
        for index in 0..nodes {
            let namespace = Namespace::add(format!("{prefix}-{index}"))?;
            let veth = format!("v{index}");
            bed.bridge.ip(&[
                "link",
                "add",
                &veth,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                &namespace.name,
            ])?;
            bed.bridge.ip(&["link", "set", &veth, "master", "br0"])?;
            bed.bridge.ip(&["link", "set", &veth, "up"])?;
            let address = Ipv4Addr::new(10, 99, 0, index as u8 + 1);
            namespace.ip(&["addr", "add", &format!("{address}/24"), "dev", "eth0"])?;
            namespace.ip(&["link", "set", "eth0", "up"])?;
            // Only the bridge's own /24 is reachable from here.
            let routes = Command::new("ip")
                .args(["-n", &namespace.name, "route", "show", "default"])
                .output()?;
            anyhow::ensure!(
                routes.stdout.is_empty(),
                "namespace {} has a default route",
                namespace.name
            );
            let slot = Slot {
                namespace,
                address,
                rules: Rules::default(),
            };
            bed.slots.push(slot);
            bed.apply(index)?;
        }
        Ok(bed)
    }

    pub fn slot(&self, index: usize) -> &Slot {
        &self.slots[index]
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn apply(&self, index: usize) -> anyhow::Result<()> {
        let slot = &self.slots[index];
        nft_script(slot.namespace(), &slot.rules.script())
    }

    fn change(&mut self, index: usize, edit: impl FnOnce(&mut Rules)) -> anyhow::Result<()> {
        let before = self.slots[index].rules.clone();
        edit(&mut self.slots[index].rules);
        if self.slots[index].rules != before {
            self.apply(index)?;
        }
        Ok(())
    }

    /// Packets from `from` to `to` vanish (dropped as they leave `from` and
    /// as they arrive at `to`): `to` no longer hears `from`, while `from`
    /// still hears `to`.
    pub fn drop_one_way(&mut self, from: usize, to: usize) -> anyhow::Result<()> {
        let (from_address, to_address) = (self.slots[from].address, self.slots[to].address);
        self.change(from, |rules| {
            rules.drop_to.insert(to_address);
        })?;
        self.change(to, |rules| {
            rules.drop_from.insert(from_address);
        })
    }

    /// No packet passes between any node of `left` and any of `right`.
    pub fn partition(&mut self, left: &[usize], right: &[usize]) -> anyhow::Result<()> {
        for &a in left {
            for &b in right {
                self.drop_one_way(a, b)?;
                self.drop_one_way(b, a)?;
            }
        }
        Ok(())
    }

    /// Node `index` neither sends nor receives anything on the bridge.
    pub fn isolate(&mut self, index: usize) -> anyhow::Result<()> {
        self.change(index, |rules| rules.isolated = true)
    }

    /// Node `index` is on the bridge again (other rules stay).
    pub fn reconnect(&mut self, index: usize) -> anyhow::Result<()> {
        self.change(index, |rules| rules.isolated = false)
    }

    /// Drops `percent` % of the packets on node `index`'s `eth0`, each way.
    pub fn set_loss(&mut self, index: usize, percent: u8) -> anyhow::Result<()> {
        self.change(index, |rules| rules.loss_percent = percent.min(100))
    }

    /// Removes every drop rule (loss rules stay).
    pub fn heal(&mut self) -> anyhow::Result<()> {
        for index in 0..self.slots.len() {
            self.change(index, |rules| {
                rules.isolated = false;
                rules.drop_from.clear();
                rules.drop_to.clear();
            })?;
        }
        Ok(())
    }

    /// How many packets node `index`'s rules have dropped so far (from
    /// nftables' counters), to show that a fault really bit.
    pub fn listing(&self, index: usize) -> anyhow::Result<String> {
        let output = Command::new("ip")
            .args(["netns", "exec", self.slots[index].namespace()])
            .args(["nft", "list", "table", "inet", "fault"])
            .output()?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The name of the bridge's namespace (for diagnostics).
    pub fn bridge_namespace(&self) -> &str {
        &self.bridge.name
    }
}

/// Runs `f` on a fresh thread that has joined network namespace
/// `namespace` (a name made by `ip netns add`), and returns its result.
/// Sockets made in `f` stay in that namespace for their whole life, on
/// whichever thread uses them later; the caller's thread never changes
/// namespace.
pub fn in_namespace<T: Send>(
    namespace: &str,
    f: impl FnOnce() -> std::io::Result<T> + Send,
) -> std::io::Result<T> {
    let path = std::path::Path::new(NETNS_DIR).join(namespace);
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let file = std::fs::File::open(&path)?;
                nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET)
                    .map_err(std::io::Error::from)?;
                f()
            })
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("namespace thread panicked")))
    })
}

/// A TCP connection to `address` made inside `namespace`.
pub fn connect_in(
    namespace: &str,
    address: SocketAddr,
    timeout: Duration,
) -> std::io::Result<TcpStream> {
    in_namespace(namespace, || TcpStream::connect_timeout(&address, timeout))
}

/// A TCP listener on `address` inside `namespace`.
pub fn listen_in(namespace: &str, address: SocketAddr) -> std::io::Result<TcpListener> {
    in_namespace(namespace, || TcpListener::bind(address))
}

/// Loads an nftables script into `namespace`.
fn nft_script(namespace: &str, script: &str) -> anyhow::Result<()> {
    let mut child = Command::new("ip")
        .args(["netns", "exec", namespace, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    anyhow::ensure!(
        output.status.success(),
        "nft in {namespace} failed: {}\n{script}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// Runs a command, failing with its stderr.
fn run_quiet(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| anyhow::anyhow!("{program}: {error}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{program} {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}
