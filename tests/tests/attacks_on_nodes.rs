//! Attacks that need whole nodes (real libp2p on loopback, real stores on
//! disk): a node set up for one member but assigned by the log to
//! another, and a stolen device key whose delegation has expired. The
//! protocol-level attacks are in `attacks.rs`; a tampered backup is in
//! `node/tests/backup_restore.rs`.

// Test code: a failed setup step is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use amtshilfe_node::clock::now_ms;
use amtshilfe_node::keys::{DEVICE_KEY_FILE, MEMBER_KEY_FILE, write_key_file};
use amtshilfe_node::setup::{DEVICE_DELEGATION_MS, create_pact_store};
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use common::nodes::{admitted, dial_address, loopback_options, make_data_dirs, start, wait_until};

#[tokio::test]
async fn a_node_whose_keys_belong_to_another_member_than_the_log_says_refuses_to_start() {
    let pact = TestPact::new(3, 21);
    let root = tempfile::tempdir().unwrap();
    let dirs = make_data_dirs(root.path(), &pact);
    // Node 1's device is delegated to member 1 in its log, but its member
    // key file is member 0's (a copied data directory, or a swapped key).
    let member_key = dirs[1].join(MEMBER_KEY_FILE);
    std::fs::remove_file(&member_key).unwrap();
    write_key_file(&member_key, &pact.members[0].member_key).unwrap();
    let error = amtshilfe_node::app::start(loopback_options(&dirs[1], Vec::new()))
        .await
        .expect_err("the node must not start for a member its log does not give it");
    let message = error.to_string();
    assert!(message.contains("refusing to start"), "{message}");
    assert!(message.contains("Mitglied 1"), "{message}");
}

#[tokio::test]
async fn a_device_whose_delegation_expired_is_not_admitted() {
    let pact = TestPact::new(3, 22);
    let root = tempfile::tempdir().unwrap();
    let mut dirs = make_data_dirs(root.path(), &pact);
    // Member 2's device was delegated long ago and ran out an hour ago:
    // think of a stolen old laptop.
    let expired = root.path().join("expired");
    std::fs::create_dir_all(&expired).unwrap();
    let member = &pact.members[2];
    write_key_file(&expired.join(MEMBER_KEY_FILE), &member.member_key).unwrap();
    write_key_file(&expired.join(DEVICE_KEY_FILE), &member.device.key).unwrap();
    let issued_ms = now_ms() - DEVICE_DELEGATION_MS - 3_600_000;
    assert!(issued_ms < T0_MS);
    create_pact_store(
        &expired,
        &pact.charter,
        &[],
        &member.member_key,
        &member.device.key,
        issued_ms,
    )
    .unwrap();
    dirs[2] = expired;

    let hub = start(loopback_options(&dirs[0], Vec::new())).await;
    let valid = start(loopback_options(&dirs[1], vec![dial_address(&hub)])).await;
    let stale = start(loopback_options(&dirs[2], vec![dial_address(&hub)])).await;
    wait_until(
        "the hub admits the valid device",
        Duration::from_secs(30),
        || admitted(&hub) >= 1,
    )
    .await;
    // Both introduced themselves at once; give the expired one the same
    // time again and more.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(admitted(&hub), 1, "the expired device was admitted");
    assert!(
        !hub.core
            .lock()
            .may_connect(&member.device.key.public(), now_ms())
    );
    for node in [stale, valid, hub] {
        node.stop().await;
    }
}
