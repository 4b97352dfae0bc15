//! `amtshilfe member …`: the pact's governance against a running node,
//! through its API with the command line's token (`cli.token`).
//!
//! With `--member-key FILE` (the key kept offline, on a stick) the
//! command signs here: it reads the pact from the node, builds the entry
//! on the log's heads, shows what it signs and asks, then hands the signed
//! entry to the node (`POST /api/pact/entries`), which checks it like any
//! other and shares it. Without it the node signs with the member key it
//! holds, after the same text was shown and confirmed.

use std::path::PathBuf;
use std::time::Duration;

use amtshilfe_protocol::ids::{Collection, EntryHash, MemberId, PactId, PublicKey};
use amtshilfe_protocol::membership::{EntryBody, EntryKind, FrozenHeads, Proposal, SignedEntry};
use amtshilfe_protocol::pact::Agreement;
use anyhow::Context;
use serde_json::{Value, json};

use super::ConfigArg;
use super::node_api::{self, Call};
use crate::clock::now_ms;
use crate::config::Config;
use crate::ops::pact_actions::proposal_details;
use crate::ops::pact_text::describe;

/// `amtshilfe member …`.
#[derive(Debug, clap::Subcommand)]
pub enum MemberCommand {
    /// The members, officers and proposals of the pact.
    List(ListArgs),
    /// Approve an open proposal (shown in full first).
    Approve(ApproveArgs),
    /// Decline an open proposal: a signed "no" the pact sees (shown in
    /// full first); it blocks nothing.
    Decline(ApproveArgs),
    /// Propose admitting a member and write its invitation file.
    Invite(InviteArgs),
    /// Propose removing a member; its documents freeze at the node's heads.
    Remove(RemoveArgs),
    /// Propose replacing a member's key (recovery without the old key).
    RotateKey(RotateArgs),
    /// Propose appointing a joint security officer.
    AppointOfficer(AppointArgs),
    /// Propose dismissing a joint security officer.
    DismissOfficer(DismissArgs),
    /// Propose replacing the pact's agreement with the terms in a JSON
    /// file (the form of `GET /api/pact`'s agreement; see
    /// `Agreement` in the API's documentation).
    ProposeAgreement(AgreementArgs),
    /// Revoke a lost or stolen device of this node's member (no majority
    /// needed): its changes count only up to the node's heads.
    RevokeDevice(RevokeDeviceArgs),
}

/// Options of `member propose-agreement`.
#[derive(Debug, clap::Args)]
pub struct AgreementArgs {
    /// The whole new terms, as JSON.
    #[arg(long)]
    pub file: PathBuf,
    #[command(flatten)]
    pub signing: Signing,
}

/// Options of `member revoke-device`.
#[derive(Debug, clap::Args)]
pub struct RevokeDeviceArgs {
    /// The device key (hex; `member list` shows each member's devices).
    #[arg(long)]
    pub device: PublicKey,
    #[command(flatten)]
    pub signing: Signing,
}

/// Options every signing command shares.
#[derive(Debug, clap::Args)]
pub struct Signing {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Sign here with this member key file (only read); without it the
    /// node signs with the member key it holds.
    #[arg(long)]
    pub member_key: Option<PathBuf>,
    /// Sign without asking (for scripts); what is signed is still shown.
    #[arg(long)]
    pub yes: bool,
}

/// Options of `member list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub config: ConfigArg,
}

/// Options of `member approve`.
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The proposal's hash (a unique prefix is enough).
    pub proposal: String,
    #[command(flatten)]
    pub signing: Signing,
}

/// Options of `member invite`.
#[derive(Debug, clap::Args)]
pub struct InviteArgs {
    /// The joining member's name.
    #[arg(long)]
    pub name: String,
    /// The joining member's key (printed by its `amtshilfe init`).
    #[arg(long)]
    pub key: PublicKey,
    /// An address where the joiner reaches this node (multiaddr;
    /// repeatable; the node adds its peer id).
    #[arg(long = "address")]
    pub addresses: Vec<String>,
    /// Where to write the invitation file.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub signing: Signing,
}

/// Options of `member remove`.
#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// The member id (hex; `member list` shows it).
    #[arg(long)]
    pub member: MemberId,
    #[command(flatten)]
    pub signing: Signing,
}

/// Options of `member rotate-key`.
#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    /// The member id.
    #[arg(long)]
    pub member: MemberId,
    /// The new member key (printed with its word fingerprint by
    /// `amtshilfe recover --new-key`).
    #[arg(long)]
    pub new_key: PublicKey,
    #[command(flatten)]
    pub signing: Signing,
}

/// Options of `member appoint-officer`.
#[derive(Debug, clap::Args)]
pub struct AppointArgs {
    /// The officer's name.
    #[arg(long)]
    pub name: String,
    /// The officer's key (`amtshilfe keys officer`).
    #[arg(long)]
    pub officer_key: PublicKey,
    /// A member id it serves (repeatable).
    #[arg(long = "serves", required = true)]
    pub serves: Vec<MemberId>,
    #[command(flatten)]
    pub signing: Signing,
}

/// Options of `member dismiss-officer`.
#[derive(Debug, clap::Args)]
pub struct DismissArgs {
    /// The officer's key.
    #[arg(long)]
    pub officer_key: PublicKey,
    #[command(flatten)]
    pub signing: Signing,
}

/// Largest answer read from the node, in bytes.
const ANSWER_BYTES_MAX: u64 = 16 * 1024 * 1024;

/// One JSON request to the running node's API with the command line's
/// token; the status and the JSON answer.
fn api(
    config: &Config,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> anyhow::Result<(u16, Value)> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let (status, answer) = node_api::request(
        config,
        &Call {
            method,
            path,
            content_type: "application/json",
            body: body.as_bytes(),
            read_timeout: Duration::from_secs(60),
            answer_bytes_max: ANSWER_BYTES_MAX,
        },
    )?;
    Ok((
        status,
        serde_json::from_slice(&answer).unwrap_or(Value::Null),
    ))
}

fn expect(status: u16, answer: Value, wanted: u16) -> anyhow::Result<Value> {
    if status == wanted {
        return Ok(answer);
    }
    anyhow::bail!(
        "the node refused ({status} {}): {}",
        answer["error"]["code"].as_str().unwrap_or("?"),
        answer["error"]["message"].as_str().unwrap_or("")
    )
}

fn pact(config: &Config) -> anyhow::Result<Value> {
    let (status, answer) = api(config, "GET", "/api/pact", None)?;
    expect(status, answer, 200)
}

fn text_field(value: &Value, name: &str) -> String {
    value[name].as_str().unwrap_or_default().to_owned()
}

/// The member names the node knows, for the texts.
fn name_lookup(pact: &Value) -> impl Fn(&MemberId) -> String + '_ {
    move |member: &MemberId| {
        let id = member.to_string();
        ["members", "former_members"]
            .iter()
            .filter_map(|list| pact[*list].as_array())
            .flatten()
            .find(|m| m["id"] == id.as_str())
            .map_or_else(|| member.short(), |m| text_field(m, "name"))
    }
}

/// The heads of `member`'s documents as the node has them.
fn member_heads(pact: &Value, member: &MemberId) -> anyhow::Result<FrozenHeads> {
    let id = member.to_string();
    let found = pact["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["id"] == id.as_str())
        .with_context(|| format!("{member} is not a current member of the pact"))?;
    let mut heads = FrozenHeads::new();
    for (collection, hashes) in found["heads"].as_object().into_iter().flatten() {
        let collection: Collection = serde_json::from_value(json!(collection))?;
        let hashes = hashes
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| {
                h.as_str()
                    .unwrap_or_default()
                    .parse::<automerge::ChangeHash>()
                    .map_err(|e| anyhow::anyhow!("a head from the node: {e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        heads.insert(collection, hashes);
    }
    Ok(heads)
}

/// Shows `kind` (a proposal or an approval of `proposal`) in full and asks.
fn show_and_confirm(
    pact: &Value,
    proposal: &Proposal,
    heading: &str,
    yes: bool,
) -> anyhow::Result<()> {
    let names = name_lookup(pact);
    let (german, english) = describe(proposal, &names);
    let mut text = format!("{heading}\n  {german}\n  ({english})");
    for (term, value) in proposal_details(proposal) {
        text.push_str(&format!("\n  {term}: {value}"));
    }
    super::confirm::confirm(&text, yes)
}

/// Signs `kind` with the key file on the log's heads as the node has them,
/// and hands it to the node.
fn sign_here(
    config: &Config,
    pact: &Value,
    key_file: &std::path::Path,
    kind: EntryKind,
) -> anyhow::Result<Value> {
    let key = crate::keys::read_key_file(key_file)?;
    let pact_id: PactId = text_field(pact, "pact")
        .parse()
        .context("the node's pact id")?;
    let mut parents: Vec<EntryHash> = pact["heads"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h.as_str().unwrap_or_default().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("the node's log heads do not parse"))?;
    parents.sort();
    let body = EntryBody {
        pact: Some(pact_id),
        parents,
        issued_at_ms: now_ms(),
        kind,
    };
    let entry = SignedEntry::sign(body, &[&key]);
    let (status, answer) = api(
        config,
        "POST",
        "/api/pact/entries",
        Some(&json!({ "entry": hex::encode(entry.to_bytes()) })),
    )?;
    expect(status, answer, 201)
}

fn report(answer: &Value) {
    println!(
        "Signiert / signed: entry {} (proposal {}), state: {}",
        text_field(answer, "entry"),
        text_field(answer, "proposal"),
        text_field(answer, "state")
    );
}

fn propose(signing: &Signing, proposal: Proposal, body: Value) -> anyhow::Result<()> {
    let config = Config::load(&signing.config.config)?;
    let pact = pact(&config)?;
    show_and_confirm(&pact, &proposal, "Vorschlag / proposal:", signing.yes)?;
    let answer = match &signing.member_key {
        Some(file) => sign_here(&config, &pact, file, EntryKind::Propose(proposal))?,
        None => {
            let (status, answer) = api(&config, "POST", "/api/pact/proposals", Some(&body))?;
            expect(status, answer, 201)?
        }
    };
    report(&answer);
    Ok(())
}

fn list(args: ListArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.config.config)?;
    let pact = pact(&config)?;
    println!(
        "{} ({}), majority {} of {}; member key on the node: {}",
        text_field(&pact, "pact_name"),
        text_field(&pact, "pact"),
        pact["majority"],
        pact["member_count"],
        pact["holds_member_key"]
    );
    for member in pact["members"].as_array().into_iter().flatten() {
        println!(
            "  member {}  {}  AGS {}  key {} ({})",
            text_field(member, "id"),
            text_field(member, "name"),
            member["ags"].as_str().unwrap_or("–"),
            text_field(member, "current_key"),
            text_field(member, "fingerprint")
        );
    }
    for officer in pact["officers"].as_array().into_iter().flatten() {
        println!(
            "  officer {}  {}",
            text_field(officer, "key"),
            text_field(officer, "name")
        );
    }
    for proposal in pact["proposals"].as_array().into_iter().flatten() {
        println!(
            "  proposal {} [{}] {} (missing {})",
            text_field(proposal, "hash"),
            text_field(proposal, "state"),
            text_field(proposal, "text_en"),
            proposal["approvals_missing"]
        );
    }
    Ok(())
}

/// Approves (or, with `decline`, declines) the proposal `args` names.
fn vote(args: ApproveArgs, decline: bool) -> anyhow::Result<()> {
    let config = Config::load(&args.signing.config.config)?;
    let pact = pact(&config)?;
    let matches: Vec<&Value> = pact["proposals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| text_field(p, "hash").starts_with(&args.proposal))
        .collect();
    let [shown] = matches.as_slice() else {
        anyhow::bail!(
            "{} proposals match {:?}; give more of the hash",
            matches.len(),
            args.proposal
        )
    };
    let hash: EntryHash = text_field(shown, "hash")
        .parse()
        .context("a proposal hash")?;
    // Described here from the proposal's own signed bytes, not taken as
    // text from the node.
    let proposal = proposal_from_view(shown, &hash)?;
    let (verb, route, kind) = if decline {
        (
            "Ablehnen / decline",
            "decline",
            EntryKind::Decline { proposal: hash },
        )
    } else {
        (
            "Zustimmen zu / approve",
            "approve",
            EntryKind::Approve { proposal: hash },
        )
    };
    let heading = format!(
        "{verb} {hash}\n  vorgeschlagen von / proposed by {}; es fehlen / missing {}",
        text_field(&shown["proposer"], "name"),
        shown["approvals_missing"]
    );
    show_and_confirm(&pact, &proposal, &heading, args.signing.yes)?;
    let answer = match &args.signing.member_key {
        Some(file) => sign_here(&config, &pact, file, kind)?,
        None => {
            let (status, answer) = api(
                &config,
                "POST",
                &format!("/api/pact/proposals/{hash}/{route}"),
                None,
            )?;
            expect(status, answer, 201)?
        }
    };
    report(&answer);
    Ok(())
}

/// The proposal entry the view carries (its signed bytes), checked
/// against the hash it is shown under: what is described is exactly what
/// the approval names.
fn proposal_from_view(shown: &Value, hash: &EntryHash) -> anyhow::Result<Proposal> {
    let bytes = hex::decode(text_field(shown, "entry")).context("the proposal's bytes")?;
    let entry = SignedEntry::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("the proposal from the node does not decode: {e}"))?;
    anyhow::ensure!(
        entry.hash() == *hash,
        "the node sent a proposal whose hash is not {hash}"
    );
    match entry.body.kind {
        EntryKind::Propose(proposal) => Ok(proposal),
        _ => anyhow::bail!("{hash} is not a proposal"),
    }
}

/// Largest agreement file read, in bytes: far above any agreement the
/// log takes (`AGREEMENT_BYTES_MAX` encoded), so that only a wrong file
/// is cut off, before it is parsed.
const AGREEMENT_FILE_BYTES_MAX: u64 = 256 * 1024;

/// Reads the terms, refuses them here with the rule they break (nothing
/// sent, nothing signed), and proposes them on top of the version in
/// force on the node.
fn propose_agreement(args: AgreementArgs) -> anyhow::Result<()> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(&args.file)
        .with_context(|| format!("{}", args.file.display()))?
        .take(AGREEMENT_FILE_BYTES_MAX + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("{}", args.file.display()))?;
    anyhow::ensure!(
        text.len() as u64 <= AGREEMENT_FILE_BYTES_MAX,
        "{} is larger than {AGREEMENT_FILE_BYTES_MAX} bytes",
        args.file.display()
    );
    let agreement: Agreement = serde_json::from_str(&text)
        .with_context(|| format!("{} is no agreement", args.file.display()))?;
    agreement
        .validate()
        .map_err(|e| anyhow::anyhow!("the agreement is refused ({}): {e}", e.code()))?;
    let config = Config::load(&args.signing.config.config)?;
    let previous: Option<EntryHash> = pact(&config)?["agreement_in_force"]
        .as_str()
        .map(str::parse)
        .transpose()
        .map_err(|_| anyhow::anyhow!("the node's agreement in force does not parse"))?;
    let body = json!({
        "kind": "set_agreement",
        "agreement": agreement,
        "previous": previous.map(|p| p.to_string()),
    });
    propose(
        &args.signing,
        Proposal::SetAgreement {
            agreement: Box::new(agreement),
            previous,
        },
        body,
    )
}

/// Proposes the admission (signed here with `--member-key`, else by the
/// node) and writes the invitation file the node builds for it.
fn invite(args: InviteArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.signing.config.config)?;
    let pact = pact(&config)?;
    let proposal = Proposal::Add {
        key: args.key,
        name: args.name.clone(),
    };
    show_and_confirm(&pact, &proposal, "Vorschlag / proposal:", args.signing.yes)?;
    let invitation = match &args.signing.member_key {
        Some(file) => {
            let signed = sign_here(&config, &pact, file, EntryKind::Propose(proposal))?;
            report(&signed);
            let body = json!({ "addresses": args.addresses });
            let path = format!("/api/pact/invitations/{}", text_field(&signed, "proposal"));
            let (status, answer) = api(&config, "POST", &path, Some(&body))?;
            expect(status, answer, 200)?
        }
        None => {
            let body = json!({
                "name": args.name,
                "member_key": args.key.to_string(),
                "addresses": args.addresses,
            });
            let (status, answer) = api(&config, "POST", "/api/pact/invitations", Some(&body))?;
            let answer = expect(status, answer, 201)?;
            report(&answer["signed"]);
            answer["invitation"].clone()
        }
    };
    std::fs::write(&args.out, serde_json::to_string_pretty(&invitation)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "Einladung / invitation: {} (für / for `amtshilfe join`)",
        args.out.display()
    );
    Ok(())
}

/// This node's member as the pact view names it, with the device's
/// entry in its device list.
fn own_device<'a>(pact: &'a Value, device: &PublicKey) -> anyhow::Result<(&'a Value, MemberId)> {
    let own = text_field(&pact["this_member"], "id");
    let member = pact["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["id"] == own.as_str())
        .context("this node's member is not a current member of the pact")?;
    let id: MemberId = own.parse().context("this node's member id")?;
    let text = device.to_string();
    let shown = member["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["device"] == text.as_str())
        .with_context(|| format!("{text} is not a device of this node's member"))?;
    anyhow::ensure!(shown["revoked_by"].is_null(), "{text} is revoked already");
    Ok((member, id))
}

fn revoke_device(args: RevokeDeviceArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.signing.config.config)?;
    let pact = pact(&config)?;
    let (member, id) = own_device(&pact, &args.device)?;
    let frozen_heads = member_heads(&pact, &id)?;
    let shown = crate::ops::device_revocation::describe(&args.device, &frozen_heads);
    let mut text = format!(
        "Gerät sperren / revoke a device:\n  {}\n  ({})",
        shown.text_de, shown.text_en
    );
    for (term, value) in shown.details {
        text.push_str(&format!("\n  {term}: {value}"));
    }
    super::confirm::confirm(&text, args.signing.yes)?;
    let answer = match &args.signing.member_key {
        Some(file) => {
            // Only the member's current key revokes; another key's entry
            // would be stored and do nothing.
            let key = crate::keys::read_key_file(file)?;
            anyhow::ensure!(
                key.public().to_string() == text_field(member, "current_key"),
                "{} is not the current key of this node's member",
                file.display()
            );
            let kind = EntryKind::RevokeDevice {
                member: id,
                device: args.device,
                frozen_heads,
            };
            sign_here(&config, &pact, file, kind)?
        }
        None => {
            let body = json!({ "device": args.device.to_string() });
            let (status, answer) = api(&config, "POST", "/api/pact/devices/revoke", Some(&body))?;
            expect(status, answer, 201)?
        }
    };
    println!("Gesperrt / revoked: entry {}", text_field(&answer, "entry"));
    Ok(())
}

pub(super) fn run(command: MemberCommand) -> anyhow::Result<()> {
    match command {
        MemberCommand::RevokeDevice(args) => revoke_device(args),
        MemberCommand::Invite(args) => invite(args),
        MemberCommand::List(args) => list(args),
        MemberCommand::Approve(args) => vote(args, false),
        MemberCommand::Decline(args) => vote(args, true),
        MemberCommand::Remove(args) => {
            let config = Config::load(&args.signing.config.config)?;
            let frozen_heads = member_heads(&pact(&config)?, &args.member)?;
            propose(
                &args.signing,
                Proposal::Remove {
                    member: args.member,
                    frozen_heads,
                },
                json!({ "kind": "remove", "member": args.member.to_string() }),
            )
        }
        MemberCommand::RotateKey(args) => {
            let config = Config::load(&args.signing.config.config)?;
            let frozen_heads = member_heads(&pact(&config)?, &args.member)?;
            propose(
                &args.signing,
                Proposal::RotateKey {
                    member: args.member,
                    new_key: args.new_key,
                    frozen_heads,
                },
                json!({ "kind": "rotate_key", "member": args.member.to_string(), "new_key": args.new_key.to_string() }),
            )
        }
        MemberCommand::AppointOfficer(args) => propose(
            &args.signing,
            Proposal::AppointOfficer {
                officer_key: args.officer_key,
                name: args.name.clone(),
                serves: args.serves.clone(),
            },
            json!({
                "kind": "appoint_officer",
                "officer_key": args.officer_key.to_string(),
                "name": args.name,
                "serves": args.serves.iter().map(ToString::to_string).collect::<Vec<_>>(),
            }),
        ),
        MemberCommand::ProposeAgreement(args) => propose_agreement(args),
        MemberCommand::DismissOfficer(args) => propose(
            &args.signing,
            Proposal::DismissOfficer {
                officer_key: args.officer_key,
            },
            json!({ "kind": "dismiss_officer", "officer_key": args.officer_key.to_string() }),
        ),
    }
}
