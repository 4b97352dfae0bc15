//! The benchmark program's library (issue #6): each figure against a
//! baseline measured in the same run, printed as a table and written as
//! JSON. `cargo run --release -p amtshilfe-tests --bin bench` runs the full
//! mode; `--quick` runs small sizes that only show every row works.
//!
//! One file per benchmark; `support` holds what several share. Nothing
//! here asserts a timing: the targets are shown, never enforced.

mod durability;
mod flood;
mod gossip_baseline;
mod heal;
mod http;
mod ingest;
mod lossy;
mod propagation;
mod recovery;
mod scale;
mod strangers;
mod support;
mod sync;
mod table;

use std::path::PathBuf;

pub use scale::serve_store;
pub use strangers::serve_node;
pub use support::scale_offer;
pub use table::{Row, render_table, to_json};

/// Every figure the program reports, in table order.
pub const FIGURES: &[&str] = &[
    ingest::INGEST,
    ingest::INGEST_ALL_CORES,
    ingest::INGEST_ONE_AT_A_TIME,
    propagation::P50,
    propagation::P99,
    heal::TIME,
    heal::BYTES,
    sync::BYTES,
    sync::TIME,
    scale::START,
    scale::MEMORY,
    scale::QUERY_P50,
    scale::QUERY_P99,
    scale::QUERY_DEEP_P99,
    scale::QUERY_NONE_P99,
    scale::QUERY_CATEGORY_DEEP_P99,
    scale::QUERY_ROLE_NONE_P99,
    scale::QUERY_SKILL_NONE_P99,
    scale::QUERY_MODE_NONE_P99,
    scale::QUERY_WINDOW_NONE_P99,
    durability::P50,
    durability::P99,
    lossy::P99,
    lossy::HEAL,
    flood::P99,
    strangers::MEMORY,
    strangers::P99,
    recovery::TIME,
    recovery::ROTATION_TIME,
];

/// The rows that need network namespaces: missing, with the reason
/// printed, where the machine cannot make them.
pub const NAMESPACE_FIGURES: &[&str] = &[lossy::P99, lossy::HEAL];

/// What to run and where.
#[derive(Debug, Clone)]
pub struct Config {
    /// Small sizes (CI); otherwise the sizes of the issue.
    pub quick: bool,
    /// Where the benchmarks put their stores and files (fsync is measured
    /// there); a temporary directory inside it is removed afterwards.
    pub dir: PathBuf,
    /// The bench executable, started as a child process with
    /// `--serve-store DIR` for the scale benchmark (so its memory is the
    /// node's alone).
    pub child_exe: PathBuf,
    /// Run only the benchmarks whose name contains one of these.
    pub only: Vec<String>,
}

/// The sizes one mode runs at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub(crate) ingest_envelopes: usize,
    pub(crate) propagation_nodes: usize,
    pub(crate) propagation_writes: usize,
    pub(crate) heal_writes_per_side: usize,
    pub(crate) sync_documents: usize,
    pub(crate) sync_changes_per_document: usize,
    pub(crate) scale_members: usize,
    pub(crate) scale_offers_per_member: usize,
    pub(crate) scale_clients: usize,
    pub(crate) scale_queries_per_client: usize,
    pub(crate) durability_writes: usize,
    pub(crate) lossy_writes: usize,
    pub(crate) lossy_cut_writes: usize,
    pub(crate) lossy_cut: std::time::Duration,
    pub(crate) flood_envelopes: usize,
    pub(crate) flood_quiet_requests: usize,
    pub(crate) strangers: usize,
    pub(crate) strangers_heavy: usize,
    pub(crate) strangers_secs: u64,
    pub(crate) recovery_records: usize,
}

impl Sizes {
    fn of(quick: bool) -> Self {
        if quick {
            Self {
                ingest_envelopes: 200,
                propagation_nodes: 4,
                propagation_writes: 3,
                heal_writes_per_side: 40,
                sync_documents: 4,
                sync_changes_per_document: 10,
                scale_members: 10,
                scale_offers_per_member: 10,
                scale_clients: 5,
                scale_queries_per_client: 4,
                durability_writes: 10,
                lossy_writes: 5,
                lossy_cut_writes: 5,
                lossy_cut: std::time::Duration::from_secs(3),
                flood_envelopes: 300,
                flood_quiet_requests: 5,
                strangers: 100,
                strangers_heavy: 4,
                strangers_secs: 6,
                recovery_records: 300,
            }
        } else {
            Self {
                ingest_envelopes: 20_000,
                propagation_nodes: 20,
                propagation_writes: 100,
                heal_writes_per_side: 1_000,
                sync_documents: 50,
                sync_changes_per_document: 100,
                scale_members: 500,
                scale_offers_per_member: 100,
                scale_clients: 50,
                scale_queries_per_client: 40,
                durability_writes: 500,
                lossy_writes: 100,
                lossy_cut_writes: 20,
                lossy_cut: std::time::Duration::from_secs(20),
                flood_envelopes: 20_000,
                flood_quiet_requests: 100,
                strangers: 1_000,
                strangers_heavy: 64,
                strangers_secs: 30,
                recovery_records: 5_000,
            }
        }
    }
}

/// Runs the benchmarks of `config` and returns their rows in table order.
pub fn run(config: &Config) -> anyhow::Result<Vec<Row>> {
    let sizes = Sizes::of(config.quick);
    std::fs::create_dir_all(&config.dir)?;
    let scratch = tempfile::Builder::new()
        .prefix("amtshilfe-bench-")
        .tempdir_in(&config.dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let wanted =
        |name: &str| config.only.is_empty() || config.only.iter().any(|o| name.contains(o));
    let mut rows = Vec::new();
    if wanted("ingest") {
        rows.extend(ingest::run(&sizes, scratch.path())?);
    }
    if wanted("propagation") {
        rows.extend(runtime.block_on(propagation::run(&sizes, scratch.path()))?);
    }
    if wanted("heal") {
        rows.extend(heal::run(&sizes)?);
    }
    if wanted("sync") {
        rows.extend(sync::run(&sizes)?);
    }
    if wanted("scale") {
        rows.extend(runtime.block_on(scale::run(&sizes, scratch.path(), &config.child_exe))?);
    }
    if wanted("durability") {
        rows.extend(durability::run(&sizes, scratch.path())?);
    }
    if wanted("lossy") {
        rows.extend(lossy::run(&sizes, scratch.path())?);
    }
    if wanted("flood") {
        rows.extend(runtime.block_on(flood::run(&sizes, scratch.path()))?);
    }
    if wanted("strangers") {
        rows.extend(runtime.block_on(strangers::run(&sizes, scratch.path(), &config.child_exe))?);
    }
    if wanted("recovery") {
        rows.extend(runtime.block_on(recovery::run(
            &sizes,
            scratch.path(),
            recovery::Way::MemberKey,
        ))?);
        rows.extend(runtime.block_on(recovery::run(
            &sizes,
            scratch.path(),
            recovery::Way::Rotation,
        ))?);
    }
    Ok(rows)
}
