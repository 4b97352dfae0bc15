//! `amtshilfe invite | join | approve`: admitting a member. A member
//! proposes the admission and hands the joiner an invitation; the other
//! members approve; once a majority has, the joiner's node is admitted by
//! every node it connects to. These commands work on a stopped node.

use std::path::PathBuf;

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{EntryHash, MemberId, PactId, PublicKey};
use amtshilfe_protocol::membership::{EntryKind, Proposal, ProposalStatus, SignedEntry};
use amtshilfe_protocol::replica::Replica;
use anyhow::Context;

use super::ConfigArg;
use crate::clock::now_ms;
use crate::config::Config;
use crate::invitation::{Invitation, Invited};
use crate::net::identity::with_peer_id;
use crate::setup::{create_pact_store, read_keys, store_path};
use crate::store::{Store, load_replica};

/// Options of `amtshilfe invite`.
#[derive(Debug, clap::Args)]
pub struct InviteArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The joining member's name, e.g. "Kreis Offenbach".
    #[arg(long)]
    pub name: String,
    /// The joining member's member key (hex, printed by its `amtshilfe init`).
    #[arg(long)]
    pub member_key: PublicKey,
    /// An address where the joiner can reach this node (repeatable), e.g.
    /// /dns4/amtshilfe.kreis.example/tcp/4100. This node's peer id is added.
    #[arg(long = "address")]
    pub addresses: Vec<String>,
    /// The invitation file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// Options of `amtshilfe join`.
#[derive(Debug, clap::Args)]
pub struct JoinArgs {
    /// The invitation file.
    pub invitation: PathBuf,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// Options of `amtshilfe approve`.
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The proposal's hash (a unique prefix is enough).
    pub proposal: String,
    /// Sign without asking (for scripts); the proposal is still shown.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// A stopped node's store and replica.
struct Offline {
    store: Store,
    replica: Replica,
    device: KeyPair,
    member: KeyPair,
}

fn open_offline(config: &Config) -> anyhow::Result<Offline> {
    let (device, member) = read_keys(&config.data_dir)?;
    let member = member.context(
        "the member key is not in the data directory; membership entries are signed with it",
    )?;
    let store = Store::open(store_path(&config.data_dir))
        .context("cannot open the store; is the node running? Stop it first")?;
    let replica = load_replica(&store)?;
    Ok(Offline {
        store,
        replica,
        device,
        member,
    })
}

impl Offline {
    fn add(&mut self, entry: SignedEntry) -> anyhow::Result<()> {
        self.replica
            .receive_entry(entry.clone())
            .map_err(|e| anyhow::anyhow!("the entry was refused: {e}"))?;
        self.store.append_entries(&[entry])?;
        Ok(())
    }
}

pub(super) fn invite(args: InviteArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let mut node = open_offline(&config)?;
    let proposal = Proposal::Add {
        key: args.member_key,
        name: args.name.clone(),
    };
    let entry = node
        .replica
        .membership()
        .propose(&node.member, proposal, now_ms());
    let hash = entry.hash();
    node.add(entry)?;
    let bootstrap = with_peer_id(&args.addresses, &node.device.public())
        .context("the device key is not a valid peer id")?;
    let invitation = Invitation::new(
        &node.replica,
        Invited {
            inviter: member_name(&node.replica, MemberId::from_key(node.member.public())),
            name: args.name.clone(),
            member_key: args.member_key,
            proposal: hash,
        },
        bootstrap,
    );
    invitation.write(&args.out)?;
    println!("Proposed admitting {} (proposal {hash}).", args.name);
    println!(
        "Invitation written to {}; hand it to {} out of band.",
        args.out.display(),
        args.name
    );
    println!(
        "The other members approve with: amtshilfe approve {}",
        &hash.to_string()[..16]
    );
    Ok(())
}

pub(super) fn join(args: JoinArgs) -> anyhow::Result<()> {
    let config_path = args.config.config.clone();
    let mut config = Config::load(&config_path)?;
    let (device, member) = read_keys(&config.data_dir)?;
    let member = member.context("the member key is needed once, to delegate this device")?;
    let invitation = Invitation::read(&args.invitation)?;
    anyhow::ensure!(
        invitation.invited_member_key == member.public(),
        "this invitation is for member key {}, not for this node's member key {}",
        invitation.invited_member_key,
        member.public()
    );
    let entries = invitation
        .decode_entries()
        .map_err(|e| anyhow::anyhow!("the invitation is damaged: {e}"))?;
    let (charter, rest) = entries
        .split_first()
        .context("the invitation holds no charter")?;
    // Checked before anything is created, so a wrong invitation leaves no
    // store behind to block the right one.
    anyhow::ensure!(
        PactId(charter.hash().0) == invitation.pact,
        "the invitation's entries belong to another pact"
    );
    create_pact_store(&config.data_dir, charter, rest, &member, &device, now_ms())?;
    for address in &invitation.bootstrap {
        if !config.bootstrap_addresses.contains(address) {
            config.bootstrap_addresses.push(address.clone());
        }
    }
    super::init::replace_file(&config_path, &super::init::render_config(&config)?)?;
    println!(
        "Joined the store of pact {} ({}).",
        invitation.pact_name, invitation.pact
    );
    println!(
        "Start the node; it is admitted once a majority of members has approved proposal {}.",
        invitation.proposal
    );
    Ok(())
}

pub(super) fn approve(args: ApproveArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let mut node = open_offline(&config)?;
    let matches: Vec<EntryHash> = node
        .replica
        .membership()
        .hashes()
        .into_iter()
        .filter(|h| h.to_string().starts_with(&args.proposal))
        .collect();
    let [proposal] = matches.as_slice() else {
        anyhow::bail!(
            "{} entries match {:?}; give more of the hash",
            matches.len(),
            args.proposal
        )
    };
    super::confirm::confirm(&describe_proposal(&node.replica, proposal)?, args.yes)?;
    let entry = node
        .replica
        .membership()
        .approve(&node.member, *proposal, now_ms());
    node.add(entry)?;
    match node.replica.membership().state().proposal(proposal) {
        Some(ProposalStatus::Applied { .. }) => {
            println!("Approved; the proposal has its majority and took effect.")
        }
        Some(ProposalStatus::Open { approvers }) => println!(
            "Approved; {} of {} members have approved so far.",
            approvers.len(),
            node.replica.membership().state().member_count()
        ),
        other => println!("Approved; the proposal's state: {other:?}"),
    }
    println!("Start the node to share the approval with the pact.");
    Ok(())
}

/// What an approval signs, in full: the proposal's kind and subject, the
/// keys it introduces, the heads a removal or rotation freezes, who
/// proposed it and how many have approved.
fn describe_proposal(replica: &Replica, hash: &EntryHash) -> anyhow::Result<String> {
    let log = replica.membership();
    let entry = log
        .get(hash)
        .context("no such entry in this node's membership log")?;
    let EntryKind::Propose(proposal) = &entry.body.kind else {
        anyhow::bail!("{hash} is not a proposal")
    };
    let proposer = entry
        .author()
        .map_or_else(|| "?".to_string(), |key| key.to_string());
    let (german, english) =
        crate::ops::pact_text::describe(proposal, &|m| member_name(replica, *m));
    let what = format!("{german}\n  ({english})");
    let approvals = match log.state().proposal(hash) {
        Some(ProposalStatus::Open { approvers }) => format!(
            "{} of {} members approved so far",
            approvers.len(),
            log.state().member_count()
        ),
        other => format!("state: {other:?}"),
    };
    Ok(format!(
        "Proposal {hash}: {what}.\nProposed by the key {proposer}; {approvals}."
    ))
}

fn member_name(replica: &Replica, member: MemberId) -> String {
    replica
        .membership()
        .state()
        .members()
        .find(|(id, _)| **id == member)
        .map_or_else(|| member.short(), |(_, info)| info.name.clone())
}
