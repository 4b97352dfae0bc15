//! `amtshilfe demo`.

use std::path::PathBuf;

use crate::demo::{self, DemoOptions};

/// Options of `amtshilfe demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep the nodes' data in this directory (default: a temporary one,
    /// removed at the end).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// HTTP port of the first node; the other five use the next ports, and
    /// their libp2p ports are 100 higher.
    #[arg(long, default_value_t = 8101)]
    pub http_port: u16,
}

pub(super) async fn run(args: DemoArgs) -> anyhow::Result<()> {
    demo::run(DemoOptions {
        dir: args.dir,
        http_port: args.http_port,
    })
    .await
}
