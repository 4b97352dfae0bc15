//! `amtshilfe status`: what the running node reports on its HTTP API, or,
//! if it is not running, what its store holds.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::ConfigArg;
use crate::config::Config;
use crate::setup::store_path;
use crate::store::Store;

/// Options of `amtshilfe status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub config: ConfigArg,
}

/// Largest status answer read, in bytes.
const STATUS_BYTES_MAX: u64 = 1024 * 1024;

pub(super) async fn run(args: StatusArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    match fetch_status(&config).await {
        Ok(body) => {
            println!("The node is running (http://{}).", config.http_bind);
            println!("{body}");
            Ok(())
        }
        Err(reason) => {
            println!(
                "The node does not answer on http://{} ({reason}); reading its store.",
                config.http_bind
            );
            offline_status(&config)
        }
    }
}

async fn fetch_status(config: &Config) -> anyhow::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(config.http_bind).await?;
    let token = crate::accounts::bootstrap::read_cli_token(&config.data_dir)
        .ok_or_else(|| anyhow::anyhow!("no API token in the data directory (cli.token)"))?;
    let request = format!(
        "GET /api/status HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
        config.http_bind
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream
        .take(STATUS_BYTES_MAX)
        .read_to_end(&mut response)
        .await?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 200"),
        "unexpected answer: {}",
        head.lines().next().unwrap_or("")
    );
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| body.to_string());
    Ok(pretty)
}

fn offline_status(config: &Config) -> anyhow::Result<()> {
    let store = Store::open(store_path(&config.data_dir))?;
    let counts = store.counts()?;
    println!("  pact:      {}", store.meta().pact);
    println!("  store:     {}", store.path().display());
    println!("  entries:   {}", counts.entries);
    println!("  envelopes: {}", counts.envelopes);
    Ok(())
}
