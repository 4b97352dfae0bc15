//! A hit member recovers from a blank directory with the real binary: a
//! pact of six nodes holds records; member 5's data directory is deleted
//! (its server is gone); with its offline member key and a recovery
//! ticket another member exported from its running node, a fresh
//! directory recovers, its node is admitted, and an aid request it posts
//! reaches every other node. Its own earlier offers come back from the
//! pact, and what it writes next stands beside them everywhere.
//!
//! The figure is 5,000 records; this debug-build test writes
//! `AMTSHILFE_RECOVERY_RECORDS` (default 600) through the HTTP API to keep
//! its run short. The benchmark row "recovery: blank directory to request
//! seen" measures 5,000 in a release build.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod support;

use std::time::{Duration, Instant};

use support::{
    board_has, export_ticket, post_offer, post_request, recover, recover_refused, registry_has_all,
    start, start_pact, terminate, wait_for,
};

fn records() -> usize {
    std::env::var("AMTSHILFE_RECOVERY_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600)
}

#[test]
fn a_member_whose_data_directory_is_gone_recovers_with_its_offline_member_key() {
    let root = tempfile::tempdir().unwrap();
    let (nodes, mut children) = start_pact(
        root.path(),
        &[
            "Kreis Bergstraße",
            "Odenwaldkreis",
            "Darmstadt-Dieburg",
            "Groß-Gerau",
            "Kreis Offenbach",
            "Main-Kinzig-Kreis",
        ],
    );

    // Every member writes its share of the records, all at once.
    let per_node = records().div_ceil(nodes.len());
    let writers: Vec<_> = nodes
        .iter()
        .cloned()
        .map(|node| {
            std::thread::spawn(move || {
                (0..per_node)
                    .map(|n| post_offer(&node, n).unwrap())
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    let written: Vec<Vec<String>> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let all: Vec<String> = written.concat();
    let own = &written[5];
    wait_for(
        "member 5's offers reached node 0",
        Duration::from_secs(300),
        || registry_has_all(&nodes[0], &all),
    );

    // The member key was kept offline, on a stick.
    let stick = root.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let member_key = stick.join("member.key");
    std::fs::copy(nodes[5].dir.join("member.key"), &member_key).unwrap();
    // Member 0 hands over a recovery ticket from its running node.
    let ticket = root.path().join("ticket.bundle");
    export_ticket(&nodes[0], &ticket);

    // Member 5's server is gone.
    children[5].kill().unwrap();
    children[5].wait().unwrap();
    std::fs::remove_dir_all(&nodes[5].dir).unwrap();

    // A key that is no member's current key recovers nothing and leaves
    // no directory behind.
    let stranger_key = stick.join("stranger.key");
    amtshilfe_node::keys::generate_key_file(&stranger_key).unwrap();
    let wrong = root.path().join("wrong");
    recover_refused(&stranger_key, &ticket, &wrong);

    let started = Instant::now();
    let fresh = root.path().join("node-5-recovered");
    let (recovered, out) = recover(&nodes[5], &member_key, &ticket, &fresh, nodes[5].p2p_port);
    assert!(out.contains(&nodes[5].name), "{out}");
    assert!(
        !fresh.join("member.key").exists(),
        "the member key stays offline"
    );
    children[5] = start(&recovered);
    let id = post_request(&recovered);
    wait_for("node 0 sees the request", Duration::from_secs(120), || {
        board_has(&nodes[0], &id)
    });
    let elapsed = started.elapsed();
    println!(
        "recovery: blank directory to the aid request seen on another node: {elapsed:?} \
         ({} records in the pact)",
        all.len()
    );
    for node in &nodes[..5] {
        wait_for(
            &format!("{} sees the request", node.name),
            Duration::from_secs(60),
            || board_has(node, &id),
        );
    }

    // Its own documents continue: the earlier offers come back from the
    // pact, and a new one stands beside them on every node.
    wait_for(
        "the recovered node lists every record, its own earlier ones too",
        Duration::from_secs(300),
        || registry_has_all(&recovered, &all),
    );
    let new_offer = post_offer(&recovered, 9_999).unwrap();
    let mut expected = own.clone();
    expected.push(new_offer);
    for node in nodes[..5].iter().chain([&recovered]) {
        wait_for(
            &format!("{} lists member 5's earlier and new offers", node.name),
            Duration::from_secs(60),
            || registry_has_all(node, &expected),
        );
    }
    for child in &mut children {
        terminate(child);
    }
}
