//! The amtshilfe benchmark program (issue #6).
//!
//! ```text
//! cargo run --release -p amtshilfe-tests --bin bench            # full mode
//! cargo run -p amtshilfe-tests --bin bench -- --quick           # CI sizes
//!     [--json PATH] [--dir DIR] [--only NAME]...
//! ```
//!
//! Prints a table (figure, value, baseline, ratio, target) and writes the
//! same as JSON (default `bench-results.json`).

#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use amtshilfe_tests::bench::{self, Config};
use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut quick = false;
    let mut json = PathBuf::from("bench-results.json");
    let mut dir = std::env::temp_dir();
    let mut only = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--json" => json = args.next().context("--json needs a path")?.into(),
            "--dir" => dir = args.next().context("--dir needs a directory")?.into(),
            "--only" => only.push(args.next().context("--only needs a benchmark name")?),
            "--serve-store" => {
                let data_dir: PathBuf = args
                    .next()
                    .context("--serve-store needs a directory")?
                    .into();
                let runtime = tokio::runtime::Runtime::new()?;
                return runtime.block_on(bench::serve_store(&data_dir));
            }
            "--serve-node" => {
                let data_dir: PathBuf = args
                    .next()
                    .context("--serve-node needs a directory")?
                    .into();
                let runtime = tokio::runtime::Runtime::new()?;
                return runtime.block_on(bench::serve_node(&data_dir));
            }
            "--help" | "-h" => {
                println!(
                    "bench [--quick] [--json PATH] [--dir DIR] [--only ingest|propagation|heal|sync|scale|durability|lossy|flood|strangers|recovery]..."
                );
                return Ok(());
            }
            other => anyhow::bail!("unknown argument {other:?} (try --help)"),
        }
    }
    let config = Config {
        quick,
        dir,
        child_exe: std::env::current_exe()?,
        only,
    };
    let rows = bench::run(&config)?;
    println!("{}", bench::render_table(&rows));
    let text = serde_json::to_string_pretty(&bench::to_json(&rows, quick))?;
    std::fs::write(&json, text + "\n").with_context(|| format!("writing {}", json.display()))?;
    println!("written to {}", json.display());
    Ok(())
}
