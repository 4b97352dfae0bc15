//! The `amtshilfe` command line: set up a node (`init`), found a pact
//! (`pact draft`, `pact sign`, `pact create`), admit members (`invite`,
//! `join`, `approve`), run the node (`run`) and look at it (`status`,
//! `audit verify`).
//! Commands that change the store work on a stopped node; a running node
//! holds the store's lock and the command says so.
// The command line talks to its user on standard output.
#![allow(clippy::print_stdout)]

mod audit;
mod bundle;
mod confirm;
mod demo;
mod init;
mod member;
mod members;
mod node_api;
mod pact;
mod recover;
mod restore;
mod run;
mod seal_keys;
mod status;

use std::path::PathBuf;

pub use recover::{Recovered, RecoveryPlan, recover};

use clap::{Parser, Subcommand};

/// amtshilfe: mutual aid between municipalities after a cyber attack.
#[derive(Debug, Parser)]
#[command(name = "amtshilfe", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create this member's keys and a node configuration.
    Init(init::InitArgs),
    /// Found a pact: draft its charter, have every founder sign it, create
    /// each founder's store.
    #[command(subcommand)]
    Pact(pact::PactCommand),
    /// Propose admitting a new member and write an invitation for it.
    Invite(members::InviteArgs),
    /// Set up this node from an invitation.
    Join(members::JoinArgs),
    /// Approve an open membership proposal.
    Approve(members::ApproveArgs),
    /// Run the node until Ctrl-C or SIGTERM.
    Run(run::RunArgs),
    /// Show the node's state (from the running node, or from its store).
    Status(status::StatusArgs),
    /// Rebuild this node's store from a backup, under a new incarnation.
    Restore(restore::RestoreArgs),
    /// Bring a hit member back from a blank machine with its offline
    /// member key and a recovery ticket from another member.
    Recover(recover::RecoverArgs),
    /// Run a demo pact of six nodes on this machine, with fictional data.
    Demo(demo::DemoArgs),
    /// Check the audit log (`audit verify`).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Carry signed data offline: `bundle export`, `bundle import`,
    /// `bundle state`.
    #[command(subcommand)]
    Bundle(bundle::BundleCommand),
    /// Keys for sealed records: the member's encryption key, an officer's keys.
    #[command(subcommand)]
    Keys(seal_keys::KeysCommand),
    /// The pact's governance against the running node: list, approve,
    /// remove, rotate-key, appoint-officer, dismiss-officer.
    #[command(subcommand)]
    Member(member::MemberCommand),
}

impl Cli {
    /// The configuration file the command works with, if it names one.
    pub fn config_path(&self) -> Option<&std::path::Path> {
        match &self.command {
            Command::Run(args) => Some(&args.config.config),
            Command::Status(args) => Some(&args.config.config),
            _ => None,
        }
    }
}

/// The configuration file option shared by most commands.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArg {
    /// The node's configuration file.
    #[arg(long, short, default_value = "amtshilfe.toml")]
    pub config: PathBuf,
}

/// Runs a parsed command line.
pub async fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init(args) => init::run(args),
        Command::Pact(command) => pact::run(command),
        Command::Invite(args) => members::invite(args),
        Command::Join(args) => members::join(args),
        Command::Approve(args) => members::approve(args),
        Command::Run(args) => run::run(args).await,
        Command::Status(args) => status::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Restore(args) => restore::run(args),
        Command::Recover(args) => recover::run(args),
        Command::Audit(command) => audit::run(command),
        Command::Bundle(command) => bundle::run(command),
        Command::Keys(command) => seal_keys::run(command),
        Command::Member(command) => member::run(command),
    }
}
