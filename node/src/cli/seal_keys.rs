//! `amtshilfe keys`: the key files for sealed records (posture and other
//! confidential records). `keys member` creates the member's encryption
//! secret, `keys officer` a joint security officer's signing key and
//! encryption secret (on the node that will host the officer's login),
//! `keys install` copies either set from another directory.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::seal_keys::{
    SealKeyHolder, create_member_seal_key, create_officer_keys, install_seal_keys,
    read_member_seal_key, read_officer_keys,
};

/// The `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create this member's encryption key (member-seal.key).
    Member {
        /// The node's data directory.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Create a joint security officer's keys (officer.key, officer-seal.key)
    /// on the node that hosts the officer's login.
    Officer {
        /// The node's data directory.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Install keys created elsewhere (e.g. on removable media) into the
    /// data directory; never replaces a key.
    Install {
        /// The node's data directory.
        #[arg(long)]
        dir: PathBuf,
        /// The directory holding the key files.
        #[arg(long)]
        from: PathBuf,
        /// Install the officer's keys instead of the member's.
        #[arg(long)]
        officer: bool,
    },
}

pub(super) fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Member { dir } => {
            let secret = create_member_seal_key(&dir)?;
            println!(
                "Verschlüsselungsschlüssel des Mitglieds angelegt / member encryption key created"
            );
            println!(
                "  encryption key (Verschlüsselungsschlüssel): {}",
                secret.public()
            );
            println!(
                "  copy member-seal.key to every node of this member that reads posture records"
            );
        }
        KeysCommand::Officer { dir } => {
            let keys = create_officer_keys(&dir)?;
            print_officer(
                &keys.signing.public().to_string(),
                &keys.encryption.public().to_string(),
            );
            println!(
                "  propose the appointment with the officer key; the members it serves must approve"
            );
        }
        KeysCommand::Install { dir, from, officer } => {
            let holder = if officer {
                SealKeyHolder::Officer
            } else {
                SealKeyHolder::Member
            };
            install_seal_keys(&dir, &from, holder)?;
            if officer {
                let keys =
                    read_officer_keys(&dir)?.context("the officer's keys were not written")?;
                print_officer(
                    &keys.signing.public().to_string(),
                    &keys.encryption.public().to_string(),
                );
            } else {
                let secret =
                    read_member_seal_key(&dir)?.context("the member's key was not written")?;
                println!("Schlüssel installiert / key installed");
                println!(
                    "  encryption key (Verschlüsselungsschlüssel): {}",
                    secret.public()
                );
            }
        }
    }
    Ok(())
}

fn print_officer(signing: &str, encryption: &str) {
    println!("Schlüssel der/des gemeinsamen ISB / joint security officer's keys");
    println!("  officer key (ISB-Schlüssel):                {signing}");
    println!("  encryption key (Verschlüsselungsschlüssel): {encryption}");
}
