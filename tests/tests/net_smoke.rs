//! Two real nodes over libp2p on loopback: a write on one reaches the other.

mod common;

use std::time::Duration;

use amtshilfe_protocol::ids::Collection;
use amtshilfe_tests::fixtures::TestPact;
use amtshilfe_tests::rng::SeededRng;
use amtshilfe_tests::sample;
use common::nodes::{dial_address, loopback_options, make_data_dirs, start, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_node_reaches_the_other() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(2, 1);
    let dirs = make_data_dirs(root.path(), &pact);
    let a = start(loopback_options(&dirs[0], vec![])).await;
    let b = start(loopback_options(&dirs[1], vec![dial_address(&a)])).await;

    let mut rng = SeededRng::new(5);
    let (collection, ops) = sample::offer_write(&mut rng, amtshilfe_node::clock::now_ms());
    assert_eq!(collection, Collection::Offers);
    let envelope = a
        .core
        .lock()
        .write(collection, &ops, amtshilfe_node::clock::now_ms())
        .unwrap();
    a.net.send(amtshilfe_node::net::NetCommand::Announce(
        amtshilfe_node::net::Announcement::Envelope(envelope),
    ));

    let took = wait_until("the offer reaches B", Duration::from_secs(20), || {
        b.core.lock().replica().digest() == a.core.lock().replica().digest()
    })
    .await;
    println!("converged in {took:?}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_also_talk_over_quic() {
    let root = tempfile::tempdir().unwrap();
    let pact = TestPact::new(2, 2);
    let dirs = make_data_dirs(root.path(), &pact);
    let quic_only = |dir: &std::path::Path, bootstrap| {
        let mut options = loopback_options(dir, bootstrap);
        options.listen = vec!["/ip4/127.0.0.1/udp/0/quic-v1".parse().unwrap()];
        options
    };
    let a = start(quic_only(&dirs[0], vec![])).await;
    let a_address = dial_address(&a);
    assert!(a_address.to_string().contains("/quic-v1/"), "{a_address}");
    let b = start(quic_only(&dirs[1], vec![a_address])).await;

    let mut rng = SeededRng::new(6);
    let now = amtshilfe_node::clock::now_ms();
    let (collection, ops) = sample::offer_write(&mut rng, now);
    a.core.lock().write(collection, &ops, now).unwrap();

    let took = wait_until(
        "the offer reaches B over QUIC",
        Duration::from_secs(20),
        || b.core.lock().replica().digest() == a.core.lock().replica().digest(),
    )
    .await;
    println!("converged over QUIC in {took:?}");
    a.stop().await;
    b.stop().await;
}
