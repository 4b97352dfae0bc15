//! The dashboard while the node ingests a sync flood: node A (HTTP API on
//! loopback) answers a page of the register and the Lagebild to a few
//! clients, first quiet, then while it pulls every change of node B, a
//! member with many offers it has never seen. The figure is the p99 with
//! the flood against the p99 without it, measured in the same run.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use amtshilfe_node::accounts::{Role, password, token_hash};
use amtshilfe_node::setup::store_path;
use amtshilfe_node::store::{AccountRecord, Store, TokenRecord};
use anyhow::Context;

use super::Sizes;
use super::http::{BENCH_TOKEN, Client};
use super::support::{
    dial_address, loopback_options, make_data_dirs, ms, percentile, start, write_offers,
};
use super::table::Row;
use crate::fixtures::TestPact;

pub(crate) const P99: &str = "dashboard p99 during a sync flood (ms)";

/// Clients asking the dashboard at once.
const CLIENTS: usize = 4;
/// Longest the flood may take before the benchmark gives up.
const FLOOD_DEADLINE: Duration = Duration::from_secs(300);
/// Paths the clients ask for in turn: a page of the register (JSON) and
/// the Lagebild (HTML).
const PATHS: [&str; 2] = ["/api/registry?limit=50", "/"];

pub(crate) async fn run(sizes: &Sizes, dir: &Path) -> anyhow::Result<Vec<Row>> {
    let pact = TestPact::new(2, 131);
    let dirs = make_data_dirs(&dir.join("flood"), &pact, 2)?;
    let mut source = pact.replica();
    let flood = write_offers(&pact, &mut source, 1..2, sizes.flood_envelopes)?;
    drop(source);
    {
        let store = Store::open(store_path(&dirs[1]))?;
        for batch in flood.chunks(5_000) {
            store.append_envelopes(batch)?;
        }
        add_bench_token(&Store::open(store_path(&dirs[0]))?)?;
    }
    let a = start(loopback_options(&dirs[0], Vec::new(), true)?).await?;
    let address = a.http_address.context("no HTTP API")?;

    let quiet = load_until(address, QuietFor(sizes.flood_quiet_requests)).await?;
    let b = start(loopback_options(&dirs[1], vec![dial_address(&a)?], false)?).await?;
    let started = Instant::now();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        let (a_core, b_core) = (a.core.clone(), b.core.clone());
        tokio::spawn(async move {
            let target = b_core.lock().replica().digest();
            while started.elapsed() < FLOOD_DEADLINE {
                if a_core.lock().replica().digest() == target {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            done.store(true, Ordering::Relaxed);
            started.elapsed()
        })
    };
    let busy = load_until(address, UntilDone(done)).await?;
    let took = watcher.await?;
    let caught_up = a.core.lock().replica().digest() == b.core.lock().replica().digest();
    a.stop().await;
    b.stop().await;
    anyhow::ensure!(
        caught_up,
        "node A did not pull B's offers within {FLOOD_DEADLINE:?}"
    );

    let (quiet99, busy99) = (percentile(&quiet, 99.0), percentile(&busy, 99.0));
    Ok(vec![Row {
        figure: P99,
        value: busy99,
        unit: "ms",
        baseline: Some(quiet99),
        baseline_name: "the same without the flood",
        target: "<= 3x baseline",
        met: Some(busy99 <= 3.0 * quiet99),
        note: format!(
            "{CLIENTS} keep-alive clients asking {} in turn; {} requests while node A pulled \
             {} offers of node B over libp2p on loopback ({:.1} s, signatures checked, stored \
             with fsync), {} requests quiet; p50 {:.1} ms busy, {:.1} ms quiet",
            PATHS.join(" and "),
            busy.len(),
            flood.len(),
            took.as_secs_f64(),
            quiet.len(),
            percentile(&busy, 50.0),
            percentile(&quiet, 50.0)
        ),
    }])
}

pub(crate) fn add_bench_token(store: &Store) -> anyhow::Result<()> {
    let account = AccountRecord {
        role: Role::Viewer.id().into(),
        password_hash: password::hash(&password::generate()?)?,
        created_at_ms: 0,
        disabled: false,
    };
    store.put_account("bench", &account)?;
    let token = TokenRecord {
        account: "bench".into(),
        label: "benchmark clients".into(),
        created_at_ms: 0,
        role: None,
        expires_at_ms: None,
    };
    store.put_token(token_hash(BENCH_TOKEN), &token)?;
    Ok(())
}

/// When the clients stop.
trait Stop: Clone + Send + 'static {
    fn more(&self, sent: usize) -> bool;
}

/// After so many requests per client.
#[derive(Clone, Copy)]
struct QuietFor(usize);

impl Stop for QuietFor {
    fn more(&self, sent: usize) -> bool {
        sent < self.0
    }
}

/// Until the flood is in.
#[derive(Clone)]
struct UntilDone(Arc<AtomicBool>);

impl Stop for UntilDone {
    fn more(&self, _: usize) -> bool {
        !self.0.load(Ordering::Relaxed)
    }
}

/// Every client asks [`PATHS`] in turn, one request after another, while
/// `stop` says more; returns every latency in ms.
async fn load_until(address: SocketAddr, stop: impl Stop) -> anyhow::Result<Vec<f64>> {
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut connection = Client::connect(address).await?;
            let mut times = Vec::new();
            let mut sent = 0;
            while stop.more(sent) {
                let started = Instant::now();
                let (status, _) = connection.get(PATHS[(client + sent) % PATHS.len()]).await?;
                anyhow::ensure!(status == 200, "answered {status}");
                times.push(ms(started.elapsed()));
                sent += 1;
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    Ok(all)
}
