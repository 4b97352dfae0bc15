//! Scale: one node's store holding a pact of many members with many
//! offers each. The node is started as a child process (so its memory is
//! its own): cold start until the HTTP API answers, resident memory, and
//! registry queries by concurrent clients against `GET /health` of the
//! same server.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use amtshilfe_node::setup::store_path;
use amtshilfe_node::store::Store;
use anyhow::Context;

use super::Sizes;
use super::http::Client;
use super::support::{
    CATEGORIES, loopback_options, make_data_dirs, memory_mib, ms, percentile, start, write_offers,
};
use super::table::Row;
use crate::fixtures::TestPact;
use amtshilfe_node::accounts::{Role, password, token_hash};
use amtshilfe_node::store::{AccountRecord, TokenRecord};

pub(crate) const START: &str = "scale cold start (ms)";
pub(crate) const MEMORY: &str = "scale resident memory (MiB)";
pub(crate) const QUERY_P50: &str = "scale registry query p50 (ms)";
pub(crate) const QUERY_P99: &str = "scale registry query p99 (ms)";
/// The registry's last page, unfiltered (every earlier offer skipped).
pub(crate) const QUERY_DEEP_P99: &str = "scale registry last page p99 (ms)";
/// A filter no offer passes (a scan of every offer before the registry's
/// indexes; now answered from the most units any offer has).
pub(crate) const QUERY_NONE_P99: &str = "scale registry no match p99 (ms)";
/// The last page of one equipment category (a deep page behind a filter).
pub(crate) const QUERY_CATEGORY_DEEP_P99: &str = "scale registry category last page p99 (ms)";
/// Filters no offer of the bench passes though no quantity rules them
/// out: every offer is equipment, on site, valid from the bench's start.
pub(crate) const QUERY_ROLE_NONE_P99: &str = "scale registry role no match p99 (ms)";
pub(crate) const QUERY_SKILL_NONE_P99: &str = "scale registry skill no match p99 (ms)";
pub(crate) const QUERY_MODE_NONE_P99: &str = "scale registry mode no match p99 (ms)";
pub(crate) const QUERY_WINDOW_NONE_P99: &str = "scale registry window no match p99 (ms)";

/// The filtered loads beyond the first three: figure, query (before
/// `&limit=`), and what it asks.
const FILTERED: [(&str, &str, &str); 4] = [
    (QUERY_ROLE_NONE_P99, "role=lead", "a role no offer provides"),
    (
        QUERY_SKILL_NONE_P99,
        "skill=active_directory&skill_level=2",
        "a skill no offer brings",
    ),
    (
        QUERY_MODE_NONE_P99,
        "mode=remote",
        "remote help; every offer is delivered on site",
    ),
    (
        QUERY_WINDOW_NONE_P99,
        "window_start_ms=0&window_end_ms=1000",
        "a window before every offer's validity",
    ),
];

/// Most offers stored in one transaction while the store is filled.
const FILL_BATCH: usize = 5_000;
/// Offers per registry answer: one page, as the register shows them.
const PAGE: usize = 50;

pub(crate) async fn run(sizes: &Sizes, dir: &Path, child_exe: &Path) -> anyhow::Result<Vec<Row>> {
    let members = sizes.scale_members;
    let records = members * sizes.scale_offers_per_member;
    let data_dir = fill_store(sizes, dir)?;

    let launched = Instant::now();
    let mut child = Command::new(child_exe)
        .arg("--serve-store")
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
    let start_ms = ms(launched.elapsed());
    let result = measure(sizes, &ready, pid, records).await;
    drop(child.stdin.take());
    let _ = child.wait();
    let Measured {
        query,
        health,
        deep,
        none,
        category_deep,
        filtered,
        after_start,
        after_load,
        peak,
        results,
    } = result?;

    let memory = after_start.max(after_load);
    let (q50, q99) = (percentile(&query, 50.0), percentile(&query, 99.0));
    let (h50, h99) = (percentile(&health, 50.0), percentile(&health, 99.0));
    let (deep99, none99) = (percentile(&deep, 99.0), percentile(&none, 99.0));
    let category_deep99 = percentile(&category_deep, 99.0);
    let category_last = category_last_offset(sizes);
    let mut rows = vec![
        Row {
            figure: START,
            value: start_ms,
            unit: "ms",
            baseline: None,
            baseline_name: "",
            target: "<= 2000 ms",
            met: Some(start_ms <= 2_000.0),
            note: format!(
                "{members} members x {} offers = {records} records, one envelope each; from \
                 process start to the HTTP API answering (store in the page cache)",
                sizes.scale_offers_per_member
            ),
        },
        Row {
            figure: MEMORY,
            value: memory,
            unit: "MiB",
            baseline: None,
            baseline_name: "",
            target: "<= 200 MB",
            met: Some(memory * 1.048_576 <= 200.0),
            note: format!(
                "VmRSS after start {after_start:.0} MiB, after the query load {after_load:.0} \
                 MiB, peak (VmHWM) {peak:.0} MiB"
            ),
        },
        Row {
            figure: QUERY_P50,
            value: q50,
            unit: "ms",
            baseline: Some(h50),
            baseline_name: "GET /health p50",
            target: "",
            met: None,
            note: String::new(),
        },
        Row {
            figure: QUERY_P99,
            value: q99,
            unit: "ms",
            baseline: Some(h99),
            baseline_name: "GET /health p99",
            target: "<= 50 ms",
            met: Some(q99 <= 50.0),
            note: format!(
                "{} clients x {} requests each, keep-alive; query \
                 /api/registry?category=C&min_remaining=20&limit={PAGE} (a page of the \
                 register; C rotating over {} categories), {results}",
                sizes.scale_clients,
                sizes.scale_queries_per_client,
                CATEGORIES.len()
            ),
        },
        Row {
            figure: QUERY_DEEP_P99,
            value: deep99,
            unit: "ms",
            baseline: Some(h99),
            baseline_name: "GET /health p99",
            target: "<= 50 ms",
            met: Some(deep99 <= 50.0),
            note: format!(
                "the same load on /api/registry?limit={PAGE}&offset={} (the last page of \
                 {records} records, unfiltered)",
                records.saturating_sub(PAGE)
            ),
        },
        Row {
            figure: QUERY_NONE_P99,
            value: none99,
            unit: "ms",
            baseline: Some(h99),
            baseline_name: "GET /health p99",
            target: "<= 50 ms",
            met: Some(none99 <= 50.0),
            note: format!(
                "the same load on /api/registry?min_remaining={NO_MATCH_REMAINING}&limit={PAGE} \
                 (no offer of the {records} records has that many units)"
            ),
        },
        Row {
            figure: QUERY_CATEGORY_DEEP_P99,
            value: category_deep99,
            unit: "ms",
            baseline: Some(h99),
            baseline_name: "GET /health p99",
            target: "<= 50 ms",
            met: Some(category_deep99 <= 50.0),
            note: format!(
                "the same load on /api/registry?category={}&limit={PAGE}&offset={category_last} \
                 (the last page of that category)",
                CATEGORIES[0]
            ),
        },
    ];
    for ((figure, query, what), times) in FILTERED.iter().zip(&filtered) {
        let p99 = percentile(times, 99.0);
        rows.push(Row {
            figure,
            value: p99,
            unit: "ms",
            baseline: Some(h99),
            baseline_name: "GET /health p99",
            target: "<= 50 ms",
            met: Some(p99 <= 50.0),
            note: format!(
                "the same load on /api/registry?{query}&limit={PAGE} ({what}: no offer of the \
                 {records} records passes)"
            ),
        });
    }
    Ok(rows)
}

/// The offset of the last page of `CATEGORIES[0]`: the `n`-th offer of a
/// member is in category `n % CATEGORIES.len()` (`support::offer_put`).
fn category_last_offset(sizes: &Sizes) -> usize {
    let per_member = (0..sizes.scale_offers_per_member)
        .filter(|n| n % CATEGORIES.len() == 0)
        .count();
    (per_member * sizes.scale_members).saturating_sub(PAGE)
}

/// More units than any offer of the bench has.
const NO_MATCH_REMAINING: u32 = 1_000_000_000;

struct Measured {
    query: Vec<f64>,
    health: Vec<f64>,
    deep: Vec<f64>,
    none: Vec<f64>,
    /// The category's last page.
    category_deep: Vec<f64>,
    /// One load per entry of `FILTERED`.
    filtered: Vec<Vec<f64>>,
    after_start: f64,
    after_load: f64,
    peak: f64,
    results: String,
}

async fn measure(sizes: &Sizes, ready: &str, pid: u32, records: usize) -> anyhow::Result<Measured> {
    let address: SocketAddr = ready
        .strip_prefix("ready ")
        .and_then(|rest| rest.split_whitespace().next())
        .with_context(|| format!("the node did not start: {ready:?}"))?
        .parse()?;
    let (after_start, _) = memory_mib(pid)?;
    let mut probe = Client::connect(address).await?;
    let (status, bytes) = probe.get(&query_path(0)).await?;
    anyhow::ensure!(status == 200, "registry query answered {status}");
    let results = format!("{bytes} bytes of JSON per answer");
    let query = load(address, sizes, query_path).await?;
    let health = load(address, sizes, |_| "/health".to_string()).await?;
    let last = records.saturating_sub(PAGE);
    let deep = load(address, sizes, move |_| {
        format!("/api/registry?limit={PAGE}&offset={last}")
    })
    .await?;
    let none = load(address, sizes, |_| {
        format!("/api/registry?min_remaining={NO_MATCH_REMAINING}&limit={PAGE}")
    })
    .await?;
    let category_last = category_last_offset(sizes);
    let category_deep = load(address, sizes, move |_| {
        format!(
            "/api/registry?category={}&limit={PAGE}&offset={category_last}",
            CATEGORIES[0]
        )
    })
    .await?;
    let mut filtered = Vec::new();
    for (_, query, _) in FILTERED {
        filtered.push(
            load(address, sizes, move |_| {
                format!("/api/registry?{query}&limit={PAGE}")
            })
            .await?,
        );
    }
    let (after_load, peak) = memory_mib(pid)?;
    Ok(Measured {
        query,
        health,
        deep,
        none,
        category_deep,
        filtered,
        after_start,
        after_load,
        peak,
        results,
    })
}

fn query_path(n: usize) -> String {
    format!(
        "/api/registry?category={}&min_remaining=20&limit={PAGE}",
        CATEGORIES[n % CATEGORIES.len()]
    )
}

/// Every client sends its requests one after another; returns every
/// request's latency in ms.
async fn load(
    address: SocketAddr,
    sizes: &Sizes,
    path: impl Fn(usize) -> String + Clone + Send + 'static,
) -> anyhow::Result<Vec<f64>> {
    let mut tasks = Vec::new();
    for client in 0..sizes.scale_clients {
        let requests = sizes.scale_queries_per_client;
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut connection = Client::connect(address).await?;
            let mut times = Vec::with_capacity(requests);
            for n in 0..requests {
                let started = Instant::now();
                let (status, _) = connection.get(&path(client + n)).await?;
                anyhow::ensure!(status == 200, "answered {status}");
                times.push(ms(started.elapsed()));
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

/// A data directory whose store holds the pact and every member's offers.
fn fill_store(sizes: &Sizes, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    let members = sizes.scale_members;
    let pact = TestPact::new(members, 113);
    let data_dir = make_data_dirs(&dir.join("scale"), &pact, 1)?
        .pop()
        .context("no data directory")?;
    let mut source = pact.replica();
    let envelopes = write_offers(
        &pact,
        &mut source,
        0..members,
        sizes.scale_offers_per_member,
    )?;
    drop(source);
    let store = Store::open(store_path(&data_dir))?;
    for batch in envelopes.chunks(FILL_BATCH) {
        store.append_envelopes(batch)?;
    }
    // The API answers only known accounts: a read-only one for the clients.
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
    store.put_token(token_hash(super::http::BENCH_TOKEN), &token)?;
    Ok(data_dir)
}

/// The child process of the scale benchmark: starts the node of
/// `data_dir` with its HTTP API on loopback, prints `ready ADDRESS MS` on
/// stdout, and runs until stdin closes.
pub async fn serve_store(data_dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let node = start(loopback_options(data_dir, Vec::new(), true)?).await?;
    let address = node.http_address.context("the HTTP API did not start")?;
    let mut probe = Client::connect(address).await?;
    probe.get("/health").await?;
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "ready {address} {:.0}", ms(started.elapsed()))?;
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
