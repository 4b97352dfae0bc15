//! Strangers flooding a node with connections: 1,000 connections from
//! fresh peer ids (real libp2p, TCP + noise + yamux on 127.0.0.1) must not
//! be held beyond the node's connection limits, must keep its memory
//! bounded, and must leave its dashboard answering.

// Test support: a failed setup step is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use amtshilfe_node::net::behaviour::CONNECTIONS_INCOMING_MAX;
use amtshilfe_tests::fixtures::TestPact;
use common::nodes::{dial_address, loopback_options, make_data_dirs, start};
use futures::StreamExt;
use libp2p::core::muxing::StreamMuxerBox;
use libp2p::{Multiaddr, identity};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Connections the strangers open.
const STRANGERS: usize = 1_000;
/// Dials in flight at once.
const DIALS_AT_ONCE: usize = 32;

/// Dials `address` as a fresh peer id; the connection if the handshake
/// completed.
async fn stranger(address: Multiaddr) -> Option<StreamMuxerBox> {
    amtshilfe_tests::strangers::handshake(address, &identity::Keypair::generate_ed25519()).await
}

fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

async fn health(address: std::net::SocketAddr) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_strangers_are_not_all_held_and_the_dashboard_answers() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(1, 3);
    let dirs = make_data_dirs(root.path(), &pact);
    let mut options = loopback_options(&dirs[0], vec![]);
    options.http_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    let node = start(options).await;
    let http = node.http_address.unwrap();
    let mut address = dial_address(&node);
    address.pop();
    let before_mib = resident_mib();

    let mut held = Vec::new();
    let mut most_open = 0;
    let mut dials = futures::stream::iter((0..STRANGERS).map(|_| stranger(address.clone())))
        .buffer_unordered(DIALS_AT_ONCE);
    while let Some(connection) = dials.next().await {
        held.extend(connection);
        most_open = most_open.max(node.net.stats().connections.load(Ordering::Relaxed));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    most_open = most_open.max(node.net.stats().connections.load(Ordering::Relaxed));
    let answer = health(http).await;
    let after_mib = resident_mib();
    println!(
        "{} of {STRANGERS} handshakes completed; the node held at most {most_open} \
         connections; resident memory {before_mib:.0} → {after_mib:.0} MiB",
        held.len()
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        most_open <= CONNECTIONS_INCOMING_MAX as usize,
        "the node held {most_open} connections, more than {CONNECTIONS_INCOMING_MAX}"
    );
    // The strangers' side is in this process too; the node's share of a
    // thousand connections is what must stay small.
    assert!(
        after_mib - before_mib < 512.0,
        "memory grew by {:.0} MiB",
        after_mib - before_mib
    );
    drop(held);
    node.stop().await;
}

/// A stranger over QUIC can make the node hold no more unread bytes than
/// one over TCP: the node's QUIC windows are cut to
/// `QUIC_CONNECTION_DATA_MAX` (8 MiB) per connection, from QUIC's default
/// 15 MB (10 MB per stream, 256 streams).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_over_quic_fills_no_more_than_the_connection_window() {
    use amtshilfe_node::net::behaviour::{NEGOTIATING_STREAMS_MAX, QUIC_CONNECTION_DATA_MAX};
    use amtshilfe_tests::strangers::Stranger;
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(1, 8);
    let dirs = make_data_dirs(root.path(), &pact);
    let mut options = loopback_options(&dirs[0], vec![]);
    options.listen = vec!["/ip4/127.0.0.1/udp/0/quic-v1".parse().unwrap()];
    let node = start(options).await;
    let mut address = dial_address(&node);
    address.pop();
    let stranger = Stranger::dial_quic(address)
        .await
        .expect("the QUIC handshake");
    let pushed = stranger
        .unread_bytes(
            NEGOTIATING_STREAMS_MAX,
            64,
            2 * 1024 * 1024,
            Duration::from_secs(2),
        )
        .await;
    println!(
        "a stranger pushed {:.1} MiB unread over QUIC (window {} MiB)",
        pushed as f64 / 1048576.0,
        QUIC_CONNECTION_DATA_MAX / 1024 / 1024
    );
    // One chunk of slack for the flow control's timing.
    assert!(
        pushed <= QUIC_CONNECTION_DATA_MAX as usize + 64 * 1024,
        "{pushed} bytes"
    );
    assert!(
        pushed > 1024 * 1024,
        "the stranger sent almost nothing: {pushed}"
    );
    drop(stranger);
    node.stop().await;
}

/// A stranger's sync stream is refused at protocol negotiation
/// (`net/gate.rs`), before the node reads a byte of its request; its
/// introduction stream is taken, since that is how a member gets admitted.
/// That members still sync with each other is shown by `net_pact.rs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_sync_stream_is_refused_before_its_request_is_read() {
    use amtshilfe_node::net::codec::{INTRODUCE_PROTOCOL, SYNC_PROTOCOL};
    use amtshilfe_tests::strangers::{INTRODUCE, SYNC, Stranger};
    assert_eq!(
        (SYNC, INTRODUCE),
        (SYNC_PROTOCOL.as_ref(), INTRODUCE_PROTOCOL.as_ref())
    );

    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(1, 5);
    let dirs = make_data_dirs(root.path(), &pact);
    let node = start(loopback_options(&dirs[0], vec![])).await;
    let mut address = dial_address(&node);
    address.pop();
    let stranger = Stranger::dial(address).await.unwrap();
    assert_eq!(
        stranger.proposes(INTRODUCE).await,
        Some(true),
        "a stranger may introduce itself"
    );
    assert_eq!(
        stranger.proposes(SYNC).await,
        Some(false),
        "a stranger's sync stream is refused"
    );
    drop(stranger);
    node.stop().await;
}

/// A member's device gets its sync stream from the connection's first
/// moment: the gate mirrors the devices the node admits, so a member's
/// first request never races the network task's admission of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_sync_stream_is_taken_from_the_first_moment() {
    use amtshilfe_node::net::identity::libp2p_keypair;
    use amtshilfe_node::setup::create_pact_store;
    use amtshilfe_tests::fixtures::T0_MS;
    use amtshilfe_tests::strangers::{SYNC, Stranger};

    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(2, 6);
    let dir = root.path().join("node");
    let (host, guest) = (&pact.members[0], &pact.members[1]);
    // The node knows the other member's device delegation already.
    create_pact_store(
        &dir,
        &pact.charter,
        &pact.entries().cloned().collect::<Vec<_>>(),
        &host.member_key,
        &host.device.key,
        T0_MS,
    )
    .unwrap();
    let keys = amtshilfe_node::keys::DEVICE_KEY_FILE;
    amtshilfe_node::keys::write_key_file(&dir.join(keys), &host.device.key).unwrap();
    amtshilfe_node::keys::write_key_file(
        &dir.join(amtshilfe_node::keys::MEMBER_KEY_FILE),
        &host.member_key,
    )
    .unwrap();
    let node = start(loopback_options(&dir, vec![])).await;
    let mut address = dial_address(&node);
    address.pop();
    let member = Stranger::dial_as(address, libp2p_keypair(&guest.device.key).unwrap())
        .await
        .unwrap();
    assert_eq!(
        member.proposes(SYNC).await,
        Some(true),
        "a member's sync stream is taken"
    );
    drop(member);
    node.stop().await;
}
