//! Durability: latency of an acknowledged write (the node core's `write`:
//! sign, apply, commit to redb with fsync) against a raw append + fsync of
//! a file in the same directory.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use amtshilfe_node::core::Core;
use amtshilfe_node::store::Store;
use amtshilfe_protocol::ids::Collection;

use super::Sizes;
use super::support::{ms, offer_put, percentile};
use super::table::Row;
use crate::fixtures::{T0_MS, TestPact};

pub(crate) const P50: &str = "acknowledged write p50 (ms)";
pub(crate) const P99: &str = "acknowledged write p99 (ms)";

pub(crate) fn run(sizes: &Sizes, dir: &Path) -> anyhow::Result<Vec<Row>> {
    let pact = TestPact::new(2, 83);
    let store = Store::create(
        dir.join("durability.redb"),
        pact.replica().pact_id(),
        [2; 16],
        T0_MS,
    )?;
    let device = pact.members[0].device.clone();
    let mut core = Core::new(pact.replica(), store, device);
    let mut writes = Vec::with_capacity(sizes.durability_writes);
    for n in 0..sizes.durability_writes {
        let now = T0_MS + n as i64;
        let op = offer_put(n, now)?;
        let started = Instant::now();
        core.write(Collection::Offers, &[op], now)?;
        writes.push(ms(started.elapsed()));
    }
    let fsyncs = raw_fsync(dir, sizes.durability_writes)?;
    let (w50, w99) = (percentile(&writes, 50.0), percentile(&writes, 99.0));
    let (f50, f99) = (percentile(&fsyncs, 50.0), percentile(&fsyncs, 99.0));
    let note = format!(
        "{} writes of one offer each; baseline: append 1 KiB to a file in {} and fsync",
        writes.len(),
        dir.display()
    );
    Ok(vec![
        Row {
            figure: P50,
            value: w50,
            unit: "ms",
            baseline: Some(f50),
            baseline_name: "raw fsync p50",
            target: "",
            met: None,
            note: String::new(),
        },
        Row {
            figure: P99,
            value: w99,
            unit: "ms",
            baseline: Some(f99),
            baseline_name: "raw fsync p99",
            target: "<= 3x fsync p99 + 2 ms",
            met: Some(w99 <= 3.0 * f99 + 2.0),
            note,
        },
    ])
}

fn raw_fsync(dir: &Path, count: usize) -> anyhow::Result<Vec<f64>> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("fsync.bin"))?;
    let block = [7u8; 1024];
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        file.write_all(&block)?;
        file.sync_all()?;
        times.push(ms(started.elapsed()));
    }
    Ok(times)
}
