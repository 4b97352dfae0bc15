//! Recovery of a hit member: six loopback nodes share a pact of 5,000
//! records (`--quick`: 300); member 5's node is stopped and its data
//! directory deleted. Measured: from the empty directory, through
//! `amtshilfe recover`'s work (ticket checked, new device key delegated by
//! the offline member key, new store) and the node's start, to member 5's
//! new aid request being in node 0's read model. The crisis-day target is
//! a hit municipality from a blank laptop to a posted request in under ten
//! minutes; the machine's share of that is ≤ 60 s. The same without the
//! member key ([`Way::Rotation`]): the rotation's machine time is in it.

use std::path::Path;
use std::time::{Duration, Instant};

use amtshilfe_node::app::RunningNode;
use amtshilfe_node::cli::{RecoveryPlan, recover};
use amtshilfe_node::net::{Announcement, NetCommand};
use amtshilfe_node::setup::store_path;
use amtshilfe_node::store::Store;
use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, RecordId};
use amtshilfe_protocol::membership::{Proposal, ProposalStatus, SignedEntry};
use amtshilfe_protocol::model::{Record, RecordKey};
use anyhow::Context;

use super::Sizes;
use super::support::{dial_address, loopback_options, make_data_dirs, start, write_offers};
use super::table::Row;
use crate::fixtures::TestPact;
use crate::sample;

pub(crate) const TIME: &str = "recovery: blank directory to request seen (s)";
pub(crate) const ROTATION_TIME: &str =
    "recovery without the member key: rotation to request seen (s)";

/// How member 5 gets back in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    /// With its offline member key.
    MemberKey,
    /// Without it: a new key made on the blank laptop, a rotation to it
    /// proposed by member 0 and approved by members 1 to 3 (a majority of
    /// six with the proposer), each signed on its own node; then recovery
    /// with the new key.
    Rotation,
}

const MEMBERS: usize = 6;
const HIT: usize = 5;
const DEADLINE: Duration = Duration::from_secs(600);

pub(crate) async fn run(sizes: &Sizes, dir: &Path, way: Way) -> anyhow::Result<Vec<Row>> {
    let pact = TestPact::new(MEMBERS, 97);
    let root = dir.join(match way {
        Way::MemberKey => "recovery",
        Way::Rotation => "recovery-rotation",
    });
    let dirs = make_data_dirs(&root, &pact, MEMBERS)?;
    let mut replica = pact.replica();
    let per_member = sizes.recovery_records.div_ceil(MEMBERS);
    let envelopes = write_offers(&pact, &mut replica, 0..MEMBERS, per_member)?;
    for dir in &dirs {
        Store::open(store_path(dir))?.append_envelopes(&envelopes)?;
    }
    let first = start(loopback_options(&dirs[0], Vec::new(), false)?).await?;
    let bootstrap = vec![dial_address(&first)?];
    let mut others = Vec::new();
    for dir in &dirs[1..] {
        others.push(start(loopback_options(dir, bootstrap.clone(), false)?).await?);
    }
    // Member 5's server is gone.
    let hit = others.pop().context("six nodes")?;
    hit.stop().await;
    std::fs::remove_dir_all(&dirs[HIT])?;

    let started = Instant::now();
    let member_key = match way {
        Way::MemberKey => pact.members[HIT].member_key.clone(),
        Way::Rotation => rotate(&pact, &first, &others).await?,
    };
    // Member 0 exports a recovery ticket: the membership log and its address.
    let ticket = {
        let mut bundle = first
            .core
            .lock()
            .replica()
            .export_bundle(None, vec![bootstrap[0].to_string()])?;
        bundle.envelopes.clear();
        bundle.to_bytes()?
    };
    let fresh = root.join("node-5-recovered");
    let plan = RecoveryPlan {
        dir: fresh.clone(),
        listen: vec!["/ip4/127.0.0.1/tcp/0".into()],
        http: None,
        from: Vec::new(),
    };
    let recovered = recover(&member_key, &ticket, &plan)?;
    let options = loopback_options(
        &fresh,
        recovered
            .config
            .bootstrap_addresses
            .iter()
            .map(|a| a.parse())
            .collect::<Result<_, _>>()?,
        false,
    )?;
    let node = start(options).await?;
    let now = amtshilfe_node::clock::now_ms();
    let id = RecordId::new("recovery-request")?;
    let op = RecordOp::Put {
        key: RecordKey::request(id.clone()).to_string(),
        json: Record::Request(sample::laptop_request(20, now)).to_json(),
    };
    node.core.lock().write(Collection::Requests, &[op], now)?;
    let owner = pact.members[HIT].device.member;
    loop {
        let seen = first
            .core
            .lock()
            .replica()
            .read_model()
            .request_board()
            .iter()
            .any(|view| view.address.owner == owner && view.address.id == id);
        if seen {
            break;
        }
        anyhow::ensure!(started.elapsed() < DEADLINE, "node 0 never saw the request");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    node.stop().await;
    first.stop().await;
    for other in others {
        other.stop().await;
    }
    Ok(vec![Row {
        figure: match way {
            Way::MemberKey => TIME,
            Way::Rotation => ROTATION_TIME,
        },
        value: elapsed,
        unit: "s",
        baseline: None,
        baseline_name: "",
        target: "≤ 60 s",
        met: Some(elapsed <= 60.0),
        note: format!(
            "{MEMBERS} loopback nodes in one process, {} records; {}recover() with a \
             membership-only ticket, node start, one aid request written, until node 0's \
             read model has it",
            envelopes.len(),
            match way {
                Way::MemberKey => "",
                Way::Rotation => {
                    "rotation proposed on node 0 and approved on nodes 1-3 (machine time \
                     only: the people's phone call and approvals are not in it), "
                }
            }
        ),
    }])
}

/// Announces an entry stored on `node` to the pact, as the API does after
/// signing one (sync would bring it too, a timer later).
fn announce(node: &RunningNode, entry: SignedEntry) {
    node.net
        .send(NetCommand::Announce(Announcement::Entry(entry)));
}

/// The rotation of member 5's key to a key made on the blank laptop:
/// proposed on node 0, each approval signed on its own node once the
/// proposal reached it by sync, until node 0 has it applied. Returns the
/// new key.
async fn rotate(
    pact: &TestPact,
    first: &RunningNode,
    others: &[RunningNode],
) -> anyhow::Result<KeyPair> {
    let new_key = KeyPair::from_seed([0xA5; 32]);
    let member = pact.members[HIT].device.member;
    let now = amtshilfe_node::clock::now_ms();
    let proposal = {
        let mut core = first.core.lock();
        let frozen_heads = core
            .replica()
            .heads()
            .into_iter()
            .filter(|(document, _)| document.owner == member)
            .map(|(document, heads)| (document.collection, heads))
            .collect();
        let entry = core.replica().membership().propose(
            &pact.members[0].member_key,
            Proposal::RotateKey {
                member,
                new_key: new_key.public(),
                frozen_heads,
            },
            now,
        );
        core.receive_entry(entry.clone(), "bench")?;
        let hash = entry.hash();
        announce(first, entry);
        hash
    };
    let started = Instant::now();
    for (n, node) in others.iter().enumerate().take(3) {
        let approver = &pact.members[n + 1].member_key;
        loop {
            let approval = {
                let mut core = node.core.lock();
                if core.replica().membership().contains(&proposal) {
                    let entry = core.replica().membership().approve(approver, proposal, now);
                    core.receive_entry(entry.clone(), "bench")?;
                    Some(entry)
                } else {
                    None
                }
            };
            if let Some(entry) = approval {
                announce(node, entry);
                break;
            }
            anyhow::ensure!(
                started.elapsed() < DEADLINE,
                "the rotation never reached a node"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    loop {
        let applied = matches!(
            first
                .core
                .lock()
                .replica()
                .membership()
                .state()
                .proposal(&proposal),
            Some(ProposalStatus::Applied { .. })
        );
        if applied {
            return Ok(new_key);
        }
        anyhow::ensure!(
            started.elapsed() < DEADLINE,
            "the rotation never took effect"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
