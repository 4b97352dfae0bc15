//! The node's memory under a stranger flood: the node runs as a child
//! process (so its resident memory is its own, not the strangers'), idle
//! first, then while strangers with fresh peer ids connect and flood it
//! with sync requests, zip bombs, truncated frames and garbage
//! (`crate::strangers`, as in `node/tests/stranger_flood.rs`). Figures:
//! the node's peak memory against its idle memory, and the dashboard's p99
//! (a page and `/api/registry`) during the flood against the quiet p99.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::Sizes;
use super::http::Client;
use super::support::{loopback_options, make_data_dirs, memory_mib, ms, percentile, start};
use super::table::Row;
use crate::fixtures::TestPact;
use crate::strangers::{FloodCount, FloodPlan, Payloads, flood};
use amtshilfe_node::net::behaviour::SYNC_STREAMS_MAX;
use amtshilfe_node::setup::store_path;
use amtshilfe_node::store::Store;

pub(crate) const MEMORY: &str = "node memory under a stranger flood (MiB)";
pub(crate) const P99: &str = "dashboard p99 under a stranger flood (ms)";

/// Handshakes in flight at once (the node's pending limit is 64).
const DIALS_AT_ONCE: usize = 32;
/// How long a heavy stranger holds its largest requests unfinished.
const HOLD: Duration = Duration::from_millis(1_500);
/// Paths asked in turn: a page of the register (HTML) and the API.
const PATHS: [&str; 2] = ["/register", "/api/registry?limit=50"];
/// Pause between dashboard requests, so that the clients measure the
/// node rather than load it.
const PACE: Duration = Duration::from_millis(50);

pub(crate) async fn run(sizes: &Sizes, dir: &Path, child_exe: &Path) -> anyhow::Result<Vec<Row>> {
    let pact = TestPact::new(1, 151);
    let data_dir = make_data_dirs(&dir.join("strangers"), &pact, 1)?
        .pop()
        .context("no data directory")?;
    super::flood::add_bench_token(&Store::open(store_path(&data_dir))?)?;

    let mut child = Command::new(child_exe)
        .arg("--serve-node")
        .arg(&data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", child_exe.display()))?;
    let pid = child.id();
    let stdout = child.stdout.take().context("no stdout")?;
    let ready = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    })
    .await??;
    let result = measure(sizes, &ready, pid).await;
    drop(child.stdin.take());
    let _ = child.wait();
    let m = result?;

    let (quiet99, flood99) = (percentile(&m.quiet, 99.0), percentile(&m.flooded, 99.0));
    let sizes_note = format!(
        "{} strangers ({} holding the largest sync requests open) for {} s: {} connections \
         from fresh peer ids, at most {} open at once, {} requests",
        sizes.strangers,
        sizes.strangers_heavy,
        sizes.strangers_secs,
        m.connections,
        m.open_max,
        m.requests
    );
    Ok(vec![
        Row {
            figure: MEMORY,
            value: m.peak,
            unit: "MiB",
            baseline: Some(m.idle),
            baseline_name: "idle VmRSS",
            target: "",
            met: None,
            note: format!(
                "peak VmHWM of the node process; VmRSS {:.0} MiB after the flood; {sizes_note}",
                m.after
            ),
        },
        Row {
            figure: P99,
            value: flood99,
            unit: "ms",
            baseline: Some(quiet99),
            baseline_name: "quiet p99",
            target: "",
            met: None,
            note: format!(
                "{} and {} in turn, one client, {} requests quiet and {} during the flood",
                PATHS[0],
                PATHS[1],
                m.quiet.len(),
                m.flooded.len()
            ),
        },
    ])
}

struct Measured {
    idle: f64,
    peak: f64,
    after: f64,
    quiet: Vec<f64>,
    flooded: Vec<f64>,
    connections: usize,
    open_max: usize,
    requests: usize,
}

async fn measure(sizes: &Sizes, ready: &str, pid: u32) -> anyhow::Result<Measured> {
    let mut words = ready.split_whitespace().skip(1);
    let http: SocketAddr = words.next().context("no HTTP address")?.parse()?;
    let p2p: libp2p::Multiaddr = words.next().context("no p2p address")?.parse()?;

    let quiet_until = Instant::now() + Duration::from_secs(sizes.strangers_secs / 4 + 1);
    let quiet = ask_apart(http, quiet_until).join_async().await?;
    let (idle, _) = memory_mib(pid)?;

    let payloads = Payloads::new();
    let count = Arc::new(FloodCount::default());
    let dials = Arc::new(tokio::sync::Semaphore::new(DIALS_AT_ONCE));
    let until = tokio::time::Instant::now() + Duration::from_secs(sizes.strangers_secs);
    let strangers: Vec<_> = (0..sizes.strangers)
        .map(|n| {
            let plan = FloodPlan {
                address: p2p.clone(),
                heavy: n < sizes.strangers_heavy,
                streams_allowed: SYNC_STREAMS_MAX,
                hold: HOLD,
                until,
            };
            tokio::spawn(flood(plan, payloads.clone(), dials.clone(), count.clone()))
        })
        .collect();
    let flooded = ask_apart(http, until.into_std()).join_async().await?;
    let all = futures::future::join_all(strangers);
    tokio::time::timeout(crate::strangers::LATE_DIALS + Duration::from_secs(30), all)
        .await
        .context("the strangers did not stop")?;
    let (_, peak) = memory_mib(pid)?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (after, _) = memory_mib(pid)?;
    Ok(Measured {
        idle,
        peak,
        after,
        quiet,
        flooded,
        connections: count.connections(),
        open_max: count.open_max(),
        requests: count.requests(),
    })
}

/// [`ask_until`] on a thread and runtime of its own, so that the figure is
/// the node's answer time, not the strangers' tasks' turn on this runtime.
fn ask_apart(http: SocketAddr, until: Instant) -> Apart {
    Apart(std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let mut client = Client::connect(http).await?;
            ask_until(&mut client, until).await
        })
    }))
}

struct Apart(std::thread::JoinHandle<anyhow::Result<Vec<f64>>>);

impl Apart {
    /// Waits for the thread without blocking this runtime.
    async fn join_async(self) -> anyhow::Result<Vec<f64>> {
        let handle = self.0;
        tokio::task::spawn_blocking(move || {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("the dashboard client panicked"))?
        })
        .await?
    }
}

/// Asks [`PATHS`] in turn until `until`; every latency in ms. Any answer
/// but 200 ends the benchmark.
async fn ask_until(client: &mut Client, until: Instant) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::new();
    while Instant::now() < until {
        let started = Instant::now();
        let path = PATHS[times.len() % PATHS.len()];
        let (status, _) = client.get(path).await?;
        anyhow::ensure!(status == 200, "{path} answered {status}");
        times.push(ms(started.elapsed()));
        tokio::time::sleep(PACE).await;
    }
    Ok(times)
}

/// The child process of this benchmark: starts the node of `data_dir`
/// with its HTTP API and its peer-to-peer listener on loopback, prints
/// `ready HTTP_ADDRESS P2P_ADDRESS` on stdout, and runs until stdin closes.
pub async fn serve_node(data_dir: &Path) -> anyhow::Result<()> {
    let node = start(loopback_options(data_dir, Vec::new(), true)?).await?;
    let http = node.http_address.context("the HTTP API did not start")?;
    let p2p = node
        .net
        .listen_addresses()
        .first()
        .cloned()
        .context("the node listens nowhere")?;
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "ready {http} {p2p}")?;
        stdout.flush()?;
    }
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    })
    .await?;
    tokio::time::timeout(Duration::from_secs(10), node.stop()).await?;
    Ok(())
}
