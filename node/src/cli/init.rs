//! `amtshilfe init`: this member's keys and a node configuration.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use amtshilfe_protocol::ids::MemberId;
use anyhow::Context;

use crate::config::Config;
use crate::keys::{DEVICE_KEY_FILE, MEMBER_KEY_FILE, init_keys};

/// Options of `amtshilfe init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Directory for the node's keys and store (created if missing).
    #[arg(long)]
    pub dir: PathBuf,
    /// This member's name, e.g. "Kreis Bergstraße".
    #[arg(long)]
    pub name: String,
    /// Where to write the configuration (default: DIR/amtshilfe.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Listen address for other members' nodes (repeatable; default: TCP
    /// and QUIC on port 4100).
    #[arg(long = "listen")]
    pub listen: Vec<String>,
    /// Address of the HTTP API (default 127.0.0.1:8080).
    #[arg(long)]
    pub http: Option<SocketAddr>,
}

pub(super) fn run(args: InitArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let dir = std::fs::canonicalize(&args.dir)?;
    let config_path = args
        .config
        .clone()
        .unwrap_or_else(|| dir.join("amtshilfe.toml"));
    if config_path.exists() {
        anyhow::bail!(
            "{} exists already; init never overwrites a configuration",
            config_path.display()
        );
    }
    let mut config = Config::with_defaults(&dir, &args.name);
    if !args.listen.is_empty() {
        config.listen_addresses = args.listen.clone();
    }
    if let Some(http) = args.http {
        config.http_bind = http;
    }
    let text = render_config(&config)?;
    let keys = init_keys(&dir)?;
    let admin = crate::accounts::bootstrap::prepare(&dir, crate::clock::now_ms())?;
    write_new(&config_path, &text)?;

    let member = MemberId::from_key(keys.member.public());
    println!("Knoten eingerichtet / node set up for {}", args.name);
    println!(
        "  member key (Mitgliedsschlüssel): {}",
        keys.member.public()
    );
    println!(
        "  device key (Geräteschlüssel):    {}",
        keys.device.public()
    );
    println!("  member id:                       {member}");
    println!(
        "  configuration:                   {}",
        config_path.display()
    );
    println!();
    println!("Dashboard login (Anmeldung), shown only this once (wird nur jetzt angezeigt):");
    println!("  account (Konto):   {}", admin.name);
    println!("  password (Passwort): {}", admin.password);
    println!(
        "  API token for this machine's command line: {}",
        admin.token_file.display()
    );
    println!();
    println!("Back up now (Jetzt sichern):");
    println!(
        "  {} — the member key. Keep a copy offline (USB stick in a safe);",
        dir.join(MEMBER_KEY_FILE).display()
    );
    println!("      with it the pact can re-admit you if this machine is lost or encrypted.");
    println!(
        "  {} — this node's device key.",
        dir.join(DEVICE_KEY_FILE).display()
    );
    println!();
    println!(
        "Next: give your member key to the pact's founders (amtshilfe pact draft/sign/create),"
    );
    println!(
        "or to a member who invites you (amtshilfe invite), then: amtshilfe run --config {}",
        config_path.display()
    );
    Ok(())
}

/// The configuration as a commented file: the documented example with this
/// node's values in place. Checked by parsing it back.
pub(crate) fn render_config(config: &Config) -> anyhow::Result<String> {
    let values = toml::Table::try_from(config)?;
    let mut text = Config::example();
    for (key, value) in &values {
        let line = toml::to_string(&toml::Table::from_iter([(key.clone(), value.clone())]))?;
        text = replace_setting(&text, key, line.trim_end());
    }
    let parsed = Config::parse(&text, Path::new("amtshilfe.toml"))?;
    anyhow::ensure!(
        parsed == *config,
        "the rendered configuration does not read back as written"
    );
    Ok(text)
}

/// Replaces the setting `key = …` (one line, or a bracketed list over
/// several lines) in `text` with `replacement`.
fn replace_setting(text: &str, key: &str, replacement: &str) -> String {
    let mut out = Vec::new();
    let mut lines = text.lines();
    let prefix = format!("{key} = ");
    while let Some(line) = lines.next() {
        if line.starts_with(&prefix) {
            if line.trim_end().ends_with('[') {
                for rest in lines.by_ref() {
                    if rest.trim_start().starts_with(']') {
                        break;
                    }
                }
            }
            out.push(replacement.to_string());
        } else {
            out.push(line.to_string());
        }
    }
    out.join("\n") + "\n"
}

/// Replaces `path` with `text` so that a crash leaves either the old or the
/// new file whole: written beside it, flushed to disk, then renamed over.
pub(crate) fn replace_file(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let temporary = path.with_extension("new");
    let mut file = std::fs::File::create(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Writes a new file; refuses to overwrite.
pub(crate) fn write_new(path: &Path, content: impl AsRef<[u8]>) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    file.write_all(content.as_ref())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_configuration_reads_back_with_its_comments() {
        let mut config = Config::with_defaults("/srv/amtshilfe", "Kreis Bergstraße");
        config.listen_addresses = vec!["/ip4/127.0.0.1/tcp/4101".into()];
        config.bootstrap_addresses = vec!["/ip4/127.0.0.1/tcp/4100/p2p/12D3KooWAbc".into()];
        config.http_bind = "127.0.0.1:8081".parse().unwrap();
        let text = render_config(&config).unwrap();
        assert!(text.contains("# Directory holding the node's store and key files."));
        assert_eq!(Config::parse(&text, Path::new("x.toml")).unwrap(), config);
    }
}
