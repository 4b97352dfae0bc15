//! `amtshilfe run`: the node, until Ctrl-C or SIGTERM.

use std::time::Duration;

use anyhow::Context;

use super::ConfigArg;
use crate::api::HttpSettings;
use crate::app::{self, NodeOptions};
use crate::config::Config;

/// Options of `amtshilfe run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArg,
}

pub(super) async fn run(args: RunArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let options = node_options(&config)?;
    let http = HttpSettings {
        secure_cookies: config.secure_cookies,
        accessibility_contact: config.accessibility_contact.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
        allowed_hosts: config.allowed_hosts.clone(),
        bind: None,
    };
    let mut node = app::start_with(options, http).await?;
    if let Some(notify) = &config.notify {
        node.start_notifier(crate::notify::NotifySettings::from_config(
            notify,
            &config.member_name,
        )?);
    }
    let member = node.core.lock().device().member;
    println!(
        "amtshilfe node of {} (member {}) is running.",
        config.member_name,
        member.short()
    );
    println!("  peer id:  {}", node.net.peer_id());
    if let Some(address) = node.http_address {
        println!("  HTTP API: http://{address}/");
    }
    println!("Stop with Ctrl-C.");
    wait_for_stop_signal().await?;
    tracing::info!("stopping");
    node.stop().await;
    println!("amtshilfe node stopped.");
    Ok(())
}

/// The node's options from its configuration.
pub(crate) fn node_options(config: &Config) -> anyhow::Result<NodeOptions> {
    let parse = |texts: &[String]| -> anyhow::Result<Vec<libp2p::Multiaddr>> {
        texts
            .iter()
            .map(|t| {
                t.parse()
                    .with_context(|| format!("{t:?} is not a multiaddr"))
            })
            .collect()
    };
    Ok(NodeOptions {
        data_dir: config.data_dir.clone(),
        listen: parse(&config.listen_addresses)?,
        bootstrap: parse(&config.bootstrap_addresses)?,
        mdns: config.mdns,
        sync_interval: Duration::from_secs(config.sync_interval_secs),
        http_bind: Some(config.http_bind),
    })
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM.
async fn wait_for_stop_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = terminate.recv() => {}
    }
    Ok(())
}
