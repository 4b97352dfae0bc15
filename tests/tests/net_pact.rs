//! Six real nodes of one pact over libp2p on loopback: convergence through
//! a hub and without it, store and forward while the writer is down, a
//! healed 3/3 partition, a non-member refused, and a forged envelope
//! rejected everywhere. Each test prints the times it measured.

// Test code: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use amtshilfe_node::app::RunningNode;
use amtshilfe_node::clock::now_ms;
use amtshilfe_node::net::{ADMISSION_GRACE, Announcement, NetCommand};
use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{Collection, DocumentId, MemberId, RecordId};
use amtshilfe_protocol::model::{Record, RecordKey, RequestRef};
use amtshilfe_tests::fixtures::TestPact;
use amtshilfe_tests::rng::SeededRng;
use amtshilfe_tests::sample;
use common::nodes::{
    admitted, converged, dial_address, fast_options, heads_of, make_data_dirs, make_outsider_dir,
    observe, start, wait_until, write_and_announce,
};
use common::{offer_put, offers_of, pact_id, request_put, signed_change};

/// Deadline for anything the network should do: generous, so that only a
/// missing behaviour fails, not a slow machine.
const DEADLINE: Duration = Duration::from_secs(30);

/// Starts one node per directory; each dials every node started before it,
/// so the pact is fully meshed without relying on address exchange.
async fn start_mesh(dirs: &[PathBuf]) -> Vec<RunningNode> {
    let mut nodes: Vec<RunningNode> = Vec::new();
    for dir in dirs {
        let bootstrap = nodes.iter().map(dial_address).collect();
        nodes.push(start(fast_options(dir, bootstrap)).await);
    }
    let peers = nodes.len() - 1;
    wait_until("every node admits every other", DEADLINE, || {
        nodes.iter().all(|node| admitted(node) == peers)
    })
    .await;
    nodes
}

async fn stop_all(nodes: Vec<RunningNode>) {
    for node in nodes {
        node.stop().await;
    }
}

fn refs(nodes: &[RunningNode]) -> Vec<&RunningNode> {
    nodes.iter().collect()
}

/// A put of a pledge of `quantity` laptops against `requester`'s request
/// `request` (need `laptops`, as `sample::laptop_request` names it).
fn pledge_put(id: &str, requester: MemberId, request: &str, quantity: u32) -> RecordOp {
    let target = RequestRef {
        requester,
        request: RecordId::new(request).unwrap(),
        need: RecordId::new("laptops").unwrap(),
    };
    RecordOp::Put {
        key: RecordKey::pledge(RecordId::new(id).unwrap()).to_string(),
        json: Record::Pledge(sample::pledge(target, None, quantity, now_ms())).to_json(),
    }
}

/// Pledgers of the node's view of `requester`'s request `request`.
fn pledgers_of(node: &RunningNode, requester: MemberId, request: &str) -> Vec<MemberId> {
    let core = node.core.lock();
    core.replica()
        .read_model()
        .request_board()
        .iter()
        .filter(|view| view.address.owner == requester && view.address.id.as_str() == request)
        .flat_map(|view| view.needs.iter())
        .flat_map(|need| need.pledges.iter().map(|pledge| pledge.address.owner))
        .collect()
}

/// Whether every node holds `document` at exactly `heads`.
fn all_hold(
    nodes: &[&RunningNode],
    document: &DocumentId,
    heads: &[automerge::ChangeHash],
) -> bool {
    nodes
        .iter()
        .all(|node| heads_of(node, document).as_deref() == Some(heads))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn districts_keep_coordinating_after_the_hub_goes_down() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(6, 101);
    let dirs = make_data_dirs(root.path(), &pact);
    // Node 0 is the hub: the only address any district is configured with.
    let hub = start(fast_options(&dirs[0], vec![])).await;
    let hub_address = dial_address(&hub);
    let mut districts = Vec::new();
    for dir in &dirs[1..] {
        districts.push(start(fast_options(dir, vec![hub_address.clone()])).await);
    }

    let mut rng = SeededRng::new(7);
    let started = Instant::now();
    for node in std::iter::once(&hub).chain(&districts) {
        let (collection, ops) = sample::offer_write(&mut rng, now_ms());
        write_and_announce(node, collection, &ops);
    }
    let mut everyone = vec![&hub];
    everyone.extend(&districts);
    wait_until("all six converge through the hub", DEADLINE, || {
        converged(&everyone)
    })
    .await;
    let initial = started.elapsed();
    println!("hub: initial convergence of six nodes in {initial:?}");

    // The districts learn each other's addresses through the hub and
    // connect directly.
    wait_until(
        "every district connects to the hub and every other district",
        DEADLINE,
        || districts.iter().all(|node| admitted(node) == 5),
    )
    .await;
    println!(
        "hub: full mesh of direct connections after {:?}",
        started.elapsed()
    );

    hub.stop().await;
    let (collection, ops) = sample::offer_write(&mut rng, now_ms());
    let written = Instant::now();
    let envelope = write_and_announce(&districts[0], collection, &ops);
    let heads = heads_of(&districts[0], &envelope.document).unwrap();
    let remaining = refs(&districts);
    wait_until(
        "the write after the hub went down reaches every district",
        DEADLINE,
        || all_hold(&remaining, &envelope.document, &heads) && converged(&remaining),
    )
    .await;
    println!(
        "hub: write with the hub down reached all five districts in {:?}",
        written.elapsed()
    );
    stop_all(districts).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_spreads_while_its_writer_is_down() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(6, 102);
    let dirs = make_data_dirs(root.path(), &pact);
    let mut nodes = start_mesh(&dirs).await;

    // The writer only reaches node 0, so the others can only get its
    // offer relayed (by gossip or sync) through node 0 and each other.
    let writer = nodes.remove(2);
    for node in &nodes[1..] {
        writer.net.send(NetCommand::Block(node.net.peer_id()));
        node.net.send(NetCommand::Block(writer.net.peer_id()));
    }
    wait_until("the writer only reaches node 0", DEADLINE, || {
        admitted(&writer) == 1 && nodes[1..].iter().all(|node| admitted(node) == 4)
    })
    .await;
    let mut rng = SeededRng::new(8);
    let (collection, ops) = sample::offer_write(&mut rng, now_ms());
    let written = Instant::now();
    let envelope = write_and_announce(&writer, collection, &ops);
    let heads = heads_of(&writer, &envelope.document).unwrap();
    writer.stop().await;
    let stopped = Instant::now();
    println!(
        "store and forward: writer stopped {:?} after its write",
        written.elapsed()
    );

    let remaining = refs(&nodes);
    wait_until(
        "the offer of the stopped node reaches the five others",
        DEADLINE,
        || all_hold(&remaining, &envelope.document, &heads) && converged(&remaining),
    )
    .await;
    println!(
        "store and forward: offer reached the five remaining nodes {:?} after the write ({:?} after the writer was down)",
        written.elapsed(),
        stopped.elapsed()
    );
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_three_partition_with_writes_on_both_sides_heals() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(6, 103);
    let dirs = make_data_dirs(root.path(), &pact);
    let nodes = start_mesh(&dirs).await;
    let member = |index: usize| pact.members[index].id();

    // One request on each side, known to all before the partition.
    write_and_announce(
        &nodes[0],
        Collection::Requests,
        &[request_put("r-west", 6, now_ms())],
    );
    write_and_announce(
        &nodes[3],
        Collection::Requests,
        &[request_put("r-east", 4, now_ms())],
    );
    wait_until("the requests reach everyone", DEADLINE, || {
        converged(&refs(&nodes))
    })
    .await;

    // Partition: 0, 1, 2 against 3, 4, 5, both directions.
    let (west, east) = nodes.split_at(3);
    for a in west {
        for b in east {
            a.net.send(NetCommand::Block(b.net.peer_id()));
            b.net.send(NetCommand::Block(a.net.peer_id()));
        }
    }
    wait_until("each half only sees its own half", DEADLINE, || {
        nodes.iter().all(|node| admitted(node) == 2)
    })
    .await;

    // Writes on both sides, each half pledging against the other's request.
    write_and_announce(
        &west[1],
        Collection::Offers,
        &[offer_put("o-west-1", 3, now_ms())],
    );
    write_and_announce(
        &west[1],
        Collection::Pledges,
        &[pledge_put("p-west-1", member(3), "r-east", 2)],
    );
    write_and_announce(
        &west[2],
        Collection::Requests,
        &[request_put("r-west-2", 2, now_ms())],
    );
    write_and_announce(
        &west[0],
        Collection::Offers,
        &[offer_put("o-west-0", 5, now_ms())],
    );
    write_and_announce(
        &east[1],
        Collection::Offers,
        &[offer_put("o-east-4", 1, now_ms())],
    );
    write_and_announce(
        &east[1],
        Collection::Pledges,
        &[pledge_put("p-east-4", member(0), "r-west", 3)],
    );
    write_and_announce(
        &east[2],
        Collection::Requests,
        &[request_put("r-east-5", 7, now_ms())],
    );
    write_and_announce(
        &east[0],
        Collection::Offers,
        &[offer_put("o-east-3", 2, now_ms())],
    );

    let west_refs = refs(west);
    let east_refs = refs(east);
    let partitioned = wait_until("each half converges on its own", DEADLINE, || {
        converged(&west_refs) && converged(&east_refs)
    })
    .await;
    println!("partition: each half converged on its own in {partitioned:?}");
    // Several sync rounds later, still nothing has crossed.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let west_pledges = DocumentId::new(member(1), Collection::Pledges);
    let east_pledges = DocumentId::new(member(4), Collection::Pledges);
    let west_requests = DocumentId::new(member(2), Collection::Requests);
    let east_requests = DocumentId::new(member(5), Collection::Requests);
    for node in west {
        assert_eq!(heads_of(node, &east_pledges), None, "east's pledge crossed");
        assert_eq!(
            heads_of(node, &east_requests),
            None,
            "east's request crossed"
        );
        assert!(pledgers_of(node, member(0), "r-west").is_empty());
    }
    for node in east {
        assert_eq!(heads_of(node, &west_pledges), None, "west's pledge crossed");
        assert_eq!(
            heads_of(node, &west_requests),
            None,
            "west's request crossed"
        );
        assert!(pledgers_of(node, member(3), "r-east").is_empty());
    }
    assert_ne!(observe(&west[0]).0, observe(&east[0]).0);

    // Heal.
    let healing = Instant::now();
    for a in west {
        for b in east {
            a.net.send(NetCommand::Unblock(b.net.peer_id()));
            b.net.send(NetCommand::Unblock(a.net.peer_id()));
        }
    }
    for node in &nodes {
        node.net.send(NetCommand::SyncNow);
    }
    let everyone = refs(&nodes);
    wait_until(
        "all six converge after the partition heals",
        DEADLINE,
        || converged(&everyone),
    )
    .await;
    println!(
        "partition: all six converged {:?} after the heal",
        healing.elapsed()
    );
    wait_until("the full mesh is back", DEADLINE, || {
        nodes.iter().all(|node| admitted(node) == 5)
    })
    .await;
    println!(
        "partition: full mesh back {:?} after the heal",
        healing.elapsed()
    );
    for node in &nodes {
        assert_eq!(pledgers_of(node, member(0), "r-west"), vec![member(4)]);
        assert_eq!(pledgers_of(node, member(3), "r-east"), vec![member(1)]);
        for document in [&west_pledges, &east_pledges, &west_requests, &east_requests] {
            assert!(heads_of(node, document).is_some());
        }
    }
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_outside_the_pact_gets_nothing_and_is_dropped() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(3, 104);
    let dirs = make_data_dirs(root.path(), &pact);
    let members = start_mesh(&dirs).await;
    for (index, node) in members.iter().enumerate() {
        let (collection, ops) = sample::offer_write(&mut SeededRng::new(index as u64), now_ms());
        write_and_announce(node, collection, &ops);
    }
    wait_until("the members converge", DEADLINE, || {
        converged(&refs(&members))
    })
    .await;

    let outsider_dir = make_outsider_dir(root.path(), &pact, 0x5a);
    let outsider = start(fast_options(&outsider_dir, vec![dial_address(&members[0])])).await;
    let before = observe(&outsider);
    assert!(before.1.is_empty(), "the outsider starts without documents");

    // It connects (the outsider sees the member), is never admitted by the
    // member, and is disconnected after the grace period.
    let started = Instant::now();
    let mut was_connected = false;
    let mut dropped_after = None;
    while started.elapsed() < ADMISSION_GRACE + Duration::from_secs(8) {
        let outsider_sees = admitted(&outsider);
        was_connected |= outsider_sees > 0;
        if was_connected && outsider_sees == 0 && dropped_after.is_none() {
            dropped_after = Some(started.elapsed());
        }
        for node in &members {
            assert_eq!(admitted(node), 2, "a member admitted the outsider");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(was_connected, "the outsider never reached the member");
    let dropped_after = dropped_after.expect("the member never dropped the outsider");
    println!("outsider: dropped by the member after {dropped_after:?}");

    // No document, no record, no envelope reached it. (Its digest does
    // change: a member's introduction carries the delegations of that
    // member's own device and the declaration of the incarnation it writes
    // under, which every connecting peer receives before admission;
    // nothing else of the log.)
    let after = observe(&outsider);
    assert!(after.1.is_empty(), "the outsider received documents");
    assert_eq!(after.2, before.2, "the outsider's read model changed");
    let (accepted, entries) = {
        let core = outsider.core.lock();
        let replica = core.replica();
        (
            replica.stats().accepted,
            replica.membership().hashes().len(),
        )
    };
    assert_eq!(accepted, 0, "the outsider applied envelopes");
    let learned_only_delegations = {
        use amtshilfe_protocol::membership::EntryKind;
        let core = outsider.core.lock();
        core.replica()
            .membership()
            .entries_in_order()
            .into_iter()
            .all(|(_, entry)| {
                matches!(
                    entry.body.kind,
                    EntryKind::Charter(_)
                        | EntryKind::Delegate { .. }
                        | EntryKind::Incarnation { .. }
                )
            })
    };
    assert!(
        learned_only_delegations,
        "the outsider learned more of the log than devices' delegations and incarnations"
    );
    assert_ne!(after.0, observe(&members[0]).0);
    println!(
        "outsider: 0 documents, 0 envelopes; {entries} membership entries learned from introductions"
    );
    outsider.stop().await;
    stop_all(members).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_forging_another_members_document_is_rejected_everywhere() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(6, 105);
    let dirs = make_data_dirs(root.path(), &pact);
    let nodes = start_mesh(&dirs).await;
    let victim = pact.members[1].id();
    write_and_announce(
        &nodes[1],
        Collection::Offers,
        &[offer_put("o-real", 2, now_ms())],
    );
    let everyone = refs(&nodes);
    wait_until("the victim's offer reaches everyone", DEADLINE, || {
        converged(&everyone)
    })
    .await;
    let before = observe(&nodes[0]);

    // Member 4's real device signs a change to member 1's offers document.
    let attacker = &pact.members[4].device;
    let forged = signed_change(
        &pact_id(&pact.charter),
        offers_of(victim),
        &attacker.key,
        attacker.incarnation,
        now_ms(),
        &[offer_put("o-forged", 99, now_ms())],
    );
    let sent = Instant::now();
    let report = nodes[2]
        .core
        .lock()
        .receive_envelopes(vec![forged.clone()], "test");
    assert!(report.accepted.is_empty());
    assert_eq!(report.rejected.len(), 1);
    nodes[4]
        .net
        .send(NetCommand::Announce(Announcement::Envelope(forged)));

    let rejected = |node: &RunningNode| {
        node.core
            .lock()
            .replica()
            .stats()
            .rejected
            .get("signer_not_delegated")
            .copied()
            .unwrap_or(0)
    };
    // Every node but the attacker's own hears the announcement.
    let receivers: Vec<&RunningNode> = nodes
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != 4)
        .map(|(_, node)| node)
        .collect();
    let took = wait_until(
        "every node that received the forgery rejects it",
        DEADLINE,
        || receivers.iter().all(|node| rejected(node) >= 1),
    )
    .await;
    println!("forgery: rejected by all five receivers within {took:?}");
    assert!(
        rejected(&nodes[2]) >= 2,
        "direct and gossip copies rejected"
    );

    // A few sync rounds later nothing changed anywhere.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for node in &nodes {
        assert_eq!(observe(node), before, "a node applied the forgery");
    }
    println!(
        "forgery: digests unchanged {:?} after it was sent",
        sent.elapsed()
    );
    stop_all(nodes).await;
}
