//! The node's configuration file (TOML): where its data lives, who it is,
//! where it listens and how often it syncs. Loaded once at start; command
//! line flags may override single fields later.
//!
//! Every field is documented here, and these docs are the reference for
//! operators; [`Config::example`] is the same in file form. This module
//! never opens sockets or parses multiaddrs beyond their outer shape (the
//! network layer does), and never reads key material.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Largest configuration file read, in bytes.
pub const CONFIG_FILE_BYTES_MAX: u64 = 64 * 1024;
/// Longest member name, in bytes of UTF-8.
pub const MEMBER_NAME_BYTES_MAX: usize = 256;
/// Most listen addresses.
pub const LISTEN_ADDRESSES_MAX: usize = 16;
/// Most bootstrap addresses.
pub const BOOTSTRAP_ADDRESSES_MAX: usize = 64;
/// Longest address, in bytes.
pub const ADDRESS_BYTES_MAX: usize = 512;
/// Shortest sync interval, in seconds.
pub const SYNC_INTERVAL_SECS_MIN: u64 = 5;
/// Longest sync interval, in seconds (one day).
pub const SYNC_INTERVAL_SECS_MAX: u64 = 86_400;
/// How far each sync round is moved at random, in percent of the interval.
pub const SYNC_JITTER_PERCENT: u64 = 20;
/// Longest allowed host name, in bytes.
pub const HOST_NAME_BYTES_MAX: usize = 253;
/// Most trusted proxies.
pub const TRUSTED_PROXIES_MAX: usize = 16;
/// Longest log filter, in bytes.
pub const LOG_FILTER_BYTES_MAX: usize = 1024;

mod notify;
pub use notify::{
    Contact, ESCALATION_MINUTES_RANGE, NOTIFY_CONTACTS_MAX, NOTIFY_FIELD_BYTES_MAX, NotifyConfig,
    SmtpSecurity, UNREACHABLE_MINUTES_RANGE, smtp_host_port,
};

const EXAMPLE: &str = include_str!("config/example.toml");

/// The node's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Directory holding the node's store and key files. Back it up; keep it
    /// on a local disk. A relative path is taken relative to the directory
    /// of the configuration file.
    pub data_dir: PathBuf,
    /// This member's name as shown in logs and on the dashboard, e.g.
    /// "Kreis Bergstraße". The name in the pact's membership log is the one
    /// other members see.
    pub member_name: String,
    /// Addresses (multiaddrs) on which the node accepts connections from
    /// other members' nodes. Default: TCP and QUIC on port 4100, all
    /// interfaces.
    #[serde(default = "default_listen_addresses")]
    pub listen_addresses: Vec<String>,
    /// Addresses (multiaddrs ending in `/p2p/<peer id>`) of other members'
    /// nodes to contact at start. Only a start: the node remembers every
    /// address it learns, so after the first contact none is needed.
    /// Default: none.
    #[serde(default)]
    pub bootstrap_addresses: Vec<String>,
    /// Whether to find other members' nodes on the local network by mDNS.
    /// Default: off (it announces the node to everyone on the network).
    #[serde(default)]
    pub mdns: bool,
    /// Address and port of the HTTP API and dashboard. Default:
    /// `127.0.0.1:8080`, reachable from this machine only; put a reverse
    /// proxy with TLS in front to reach it from elsewhere.
    #[serde(default = "default_http_bind")]
    pub http_bind: SocketAddr,
    /// Whether browsers reach the dashboard over HTTPS, directly or through
    /// a reverse proxy with TLS: then its cookies carry the `Secure` flag
    /// and are never sent over plain HTTP. Leave it off for the default
    /// `127.0.0.1` address, where browsers would drop such cookies.
    /// Default: off.
    #[serde(default)]
    pub secure_cookies: bool,
    /// Who takes reports of barriers in the dashboard, shown on its
    /// accessibility statement (`/barrierefreiheit`): an office, e-mail
    /// address and phone number, as the member publishes them. Default:
    /// empty, and the statement then says that the operator has not named
    /// one yet.
    #[serde(default)]
    pub accessibility_contact: String,
    /// Addresses of reverse proxies in front of the dashboard whose
    /// `X-Forwarded-For` header names the real client. Without it every
    /// client behind a proxy has the proxy's address, and the login
    /// limiter's per-address delays then hit everybody at once. Name only
    /// proxies that set the header themselves (nginx:
    /// `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`).
    /// At most 16. Default: none.
    #[serde(default)]
    pub trusted_proxies: Vec<IpAddr>,
    /// Host names (as browsers send them in `Host`, without port) the
    /// dashboard answers for besides `localhost`, `127.0.0.1`, `[::1]`
    /// and the address in `http_bind`. Requests naming any other host are
    /// refused (421), so a web page cannot reach the dashboard through a
    /// name of its own that points at this machine (DNS rebinding). Behind
    /// a reverse proxy that passes the browser's `Host` on, name the
    /// public host name here. At most 16. Default: none.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Seconds between two full comparisons (anti-entropy) with each
    /// connected peer; each round is moved at random by up to 20 % so that
    /// nodes do not sync in lockstep. 5 to 86400. Default: 30.
    #[serde(default = "default_sync_interval_secs")]
    pub sync_interval_secs: u64,
    /// What to log, in `tracing` filter syntax (e.g. `info` or
    /// `info,amtshilfe_node=debug`). The `RUST_LOG` environment variable
    /// overrides it. Default: `info`.
    #[serde(default = "default_log_filter")]
    pub log_filter: String,
    /// On-call notifications (`[notify]`): contacts in escalation order,
    /// each with an e-mail address and/or a webhook URL; the SMTP server;
    /// minutes until the next contact is told; minutes after which a
    /// member counts as unreachable. Default: none, nobody is notified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<NotifyConfig>,
}

fn default_listen_addresses() -> Vec<String> {
    vec![
        "/ip4/0.0.0.0/tcp/4100".to_owned(),
        "/ip4/0.0.0.0/udp/4100/quic-v1".to_owned(),
    ]
}

fn default_http_bind() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_sync_interval_secs() -> u64 {
    30
}

fn default_log_filter() -> String {
    "info".to_owned()
}

/// A configuration file that cannot be used. Says which file and which
/// line or field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than a configuration can be.
    #[error(
        "the configuration file {path} is {bytes} bytes, more than the limit of \
         {CONFIG_FILE_BYTES_MAX}; is it the right file?"
    )]
    TooLarge {
        /// The configuration file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// The file is not valid TOML or does not match the fields.
    #[error("in the configuration file {path}: {message}")]
    Parse {
        /// The configuration file.
        path: PathBuf,
        /// The parser's message, with line, column and the offending text.
        message: String,
    },
    /// A field has a value the node cannot use.
    #[error("in the configuration file {path}: `{field}` {reason}")]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl Config {
    /// A configuration with every optional field at its default.
    pub fn with_defaults(data_dir: impl Into<PathBuf>, member_name: impl Into<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            member_name: member_name.into(),
            listen_addresses: default_listen_addresses(),
            bootstrap_addresses: Vec::new(),
            mdns: false,
            http_bind: default_http_bind(),
            secure_cookies: false,
            accessibility_contact: String::new(),
            trusted_proxies: Vec::new(),
            allowed_hosts: Vec::new(),
            sync_interval_secs: default_sync_interval_secs(),
            log_filter: default_log_filter(),
            notify: None,
        }
    }

    /// Reads, parses and checks the file at `path`; a relative `data_dir`
    /// becomes relative to the file's directory.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let read_error = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        let bytes = std::fs::metadata(path).map_err(read_error)?.len();
        if bytes > CONFIG_FILE_BYTES_MAX {
            return Err(ConfigError::TooLarge {
                path: path.to_path_buf(),
                bytes,
            });
        }
        let text = std::fs::read_to_string(path).map_err(read_error)?;
        let mut config = Self::parse(&text, path)?;
        if config.data_dir.is_relative() {
            let base = path.parent().unwrap_or(Path::new(""));
            config.data_dir = base.join(&config.data_dir);
        }
        Ok(config)
    }

    /// Parses and checks `text`; `origin` names it in errors. Paths are
    /// left as written.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|error| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: error.to_string().trim_end().to_owned(),
        })?;
        config
            .check()
            .map_err(|(field, reason)| ConfigError::Invalid {
                path: origin.to_path_buf(),
                field,
                reason,
            })?;
        Ok(config)
    }

    /// A complete configuration file with every field explained, at its
    /// default where it has one.
    pub fn example() -> String {
        EXAMPLE.to_owned()
    }

    fn check(&self) -> Result<(), (&'static str, String)> {
        if self.data_dir.as_os_str().is_empty() {
            return Err(("data_dir", "must not be empty".into()));
        }
        if self.member_name.trim().is_empty() || self.member_name.len() > MEMBER_NAME_BYTES_MAX {
            return Err((
                "member_name",
                format!("must be 1 to {MEMBER_NAME_BYTES_MAX} bytes and not blank"),
            ));
        }
        if self.listen_addresses.is_empty() {
            return Err(("listen_addresses", "must name at least one address".into()));
        }
        check_addresses(
            "listen_addresses",
            &self.listen_addresses,
            LISTEN_ADDRESSES_MAX,
        )?;
        check_addresses(
            "bootstrap_addresses",
            &self.bootstrap_addresses,
            BOOTSTRAP_ADDRESSES_MAX,
        )?;
        if !(SYNC_INTERVAL_SECS_MIN..=SYNC_INTERVAL_SECS_MAX).contains(&self.sync_interval_secs) {
            return Err((
                "sync_interval_secs",
                format!(
                    "is {}, but must be {SYNC_INTERVAL_SECS_MIN} to {SYNC_INTERVAL_SECS_MAX} seconds",
                    self.sync_interval_secs
                ),
            ));
        }
        if self.trusted_proxies.len() > TRUSTED_PROXIES_MAX {
            return Err((
                "trusted_proxies",
                format!("names more than {TRUSTED_PROXIES_MAX} addresses"),
            ));
        }
        if self.allowed_hosts.len() > crate::api::limits::ALLOWED_HOSTS_MAX
            || self.allowed_hosts.iter().any(|host| {
                host.is_empty()
                    || host.len() > HOST_NAME_BYTES_MAX
                    || host.contains(|c: char| c.is_whitespace() || c == '/')
            })
        {
            return Err((
                "allowed_hosts",
                format!(
                    "must name at most {} host names of 1 to {HOST_NAME_BYTES_MAX} bytes, \
                     without spaces, scheme or path (e.g. \"amtshilfe.kreis.example\")",
                    crate::api::limits::ALLOWED_HOSTS_MAX
                ),
            ));
        }
        if self.log_filter.trim().is_empty() || self.log_filter.len() > LOG_FILTER_BYTES_MAX {
            return Err((
                "log_filter",
                format!("must be 1 to {LOG_FILTER_BYTES_MAX} bytes and not blank"),
            ));
        }
        if let Some(notify) = &self.notify {
            notify.check()?;
        }
        Ok(())
    }
}

fn check_addresses(
    field: &'static str,
    addresses: &[String],
    count_max: usize,
) -> Result<(), (&'static str, String)> {
    if addresses.len() > count_max {
        return Err((
            field,
            format!(
                "has {} addresses, at most {count_max} are allowed",
                addresses.len()
            ),
        ));
    }
    for address in addresses {
        if !address.starts_with('/') || address.len() > ADDRESS_BYTES_MAX {
            return Err((
                field,
                format!(
                    "has {address:?}, which is not a multiaddr like \"/ip4/192.0.2.10/tcp/4100\" \
                     (at most {ADDRESS_BYTES_MAX} bytes)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
