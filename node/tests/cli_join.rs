//! Admitting a new member end to end with the real binary: two founders,
//! one invites a third member, the other approves, the third joins and its
//! node is admitted and receives the pact's data. Before the approval it
//! receives nothing.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use support::{
    NodeDir, amtshilfe, found_pact, get, init_nodes, p2p_address, post, set_bootstrap, start,
    wait_for,
};

fn stop(child: &mut support::Running) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn registry_contains(node: &NodeDir, id: &str) -> bool {
    get(node.http, "/api/registry")
        .is_ok_and(|(status, body)| status == 200 && body.contains(&format!("\"{id}\"")))
}

#[test]
fn an_invited_member_is_admitted_after_approval_and_receives_the_pacts_data() {
    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(
        root.path(),
        &["Kreis Bergstraße", "Odenwaldkreis", "Kreis Offenbach"],
    );
    let (a, b, c) = (&nodes[0], &nodes[1], &nodes[2]);
    found_pact(root.path(), &nodes[..2]);
    set_bootstrap(b, &[p2p_address(a)]);

    // A invites C (on a stopped node) and writes an offer once running.
    let invitation = root.path().join("invitation.json");
    let out = amtshilfe(&[
        "invite",
        "--config",
        a.config.to_str().unwrap(),
        "--name",
        &c.name,
        "--member-key",
        &c.member_key,
        "--address",
        &format!("/ip4/127.0.0.1/tcp/{}", a.p2p_port),
        "--out",
        invitation.to_str().unwrap(),
    ]);
    let prefix = out
        .lines()
        .find_map(|l| l.strip_prefix("The other members approve with: amtshilfe approve "))
        .unwrap();
    let mut a_node = start(a);
    let (status, body) = post(
        a.http,
        "/api/offers",
        &serde_json::to_string(&amtshilfe_tests::sample::laptops(3, 1_795_305_600_000)).unwrap(),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let offer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let offer_id = offer["id"].as_str().unwrap().to_string();

    // An invitation whose entries belong to another pact is refused, and
    // leaves no store behind that would block the right one.
    let text = std::fs::read_to_string(&invitation).unwrap();
    let mut forged: serde_json::Value = serde_json::from_str(&text).unwrap();
    forged["pact"] = serde_json::Value::String("ab".repeat(32));
    let wrong = root.path().join("wrong-invitation.json");
    std::fs::write(&wrong, forged.to_string()).unwrap();
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_amtshilfe"))
        .args([
            "join",
            wrong.to_str().unwrap(),
            "--config",
            c.config.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("another pact"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!c.dir.join("store.redb").exists(), "a store was left");

    // C joins and runs before anyone approved: it is not admitted.
    amtshilfe(&[
        "join",
        invitation.to_str().unwrap(),
        "--config",
        c.config.to_str().unwrap(),
    ]);
    let mut c_node = start(c);
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        !registry_contains(c, &offer_id),
        "a member not yet admitted received the pact's data"
    );

    // B gets the proposal from A, then approves it on its stopped node.
    let mut b_node = start(b);
    wait_for("B has the proposal", Duration::from_secs(30), || {
        registry_contains(b, &offer_id)
    });
    stop(&mut b_node);
    // Without a yes nothing is signed, but the whole proposal is shown.
    let blind = std::process::Command::new(support::binary())
        .args(["approve", prefix, "--config", b.config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!blind.status.success());
    let shown = String::from_utf8_lossy(&blind.stdout);
    assert!(shown.contains("admit “Kreis Offenbach”"), "{shown}");
    let out = amtshilfe(&[
        "approve",
        prefix,
        "--yes",
        "--config",
        b.config.to_str().unwrap(),
    ]);
    assert!(out.contains("took effect"), "{out}");
    let mut b_node = start(b);

    // Now C is admitted by the nodes it reaches and receives A's offer.
    let took = wait_for(
        "C receives the pact's data",
        Duration::from_secs(60),
        || registry_contains(c, &offer_id),
    );
    println!("the new member had the pact's data {took:?} after the approving node restarted");
    for child in [&mut a_node, &mut b_node, &mut c_node] {
        stop(child);
    }
}

/// A founder sees the whole charter before signing, and nothing is signed
/// without a yes.
#[test]
fn signing_a_charter_shows_every_founder_and_needs_a_yes() {
    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(root.path(), &["Kreis Bergstraße", "Odenwaldkreis"]);
    let charter = root.path().join("charter.txt");
    let mut args = vec!["pact", "draft", "--name", "Testpakt"];
    let founders: Vec<String> = nodes
        .iter()
        .map(|n| format!("{}={}", n.name, n.member_key))
        .collect();
    for founder in &founders {
        args.extend(["--founder", founder.as_str()]);
    }
    args.extend(["--out", charter.to_str().unwrap()]);
    amtshilfe(&args);
    let draft = std::fs::read_to_string(&charter).unwrap();

    let blind = std::process::Command::new(support::binary())
        .args(["pact", "sign", charter.to_str().unwrap(), "--config"])
        .arg(&nodes[0].config)
        .output()
        .unwrap();
    assert!(!blind.status.success());
    let shown = String::from_utf8_lossy(&blind.stdout);
    for node in &nodes {
        assert!(shown.contains(&node.name), "{shown}");
        assert!(shown.contains(&node.member_key), "{shown}");
    }
    assert_eq!(std::fs::read_to_string(&charter).unwrap(), draft);

    let out = amtshilfe(&[
        "pact",
        "sign",
        charter.to_str().unwrap(),
        "--yes",
        "--config",
        nodes[0].config.to_str().unwrap(),
    ]);
    assert!(out.contains("Still missing: Odenwaldkreis"), "{out}");
    assert_ne!(std::fs::read_to_string(&charter).unwrap(), draft);
}
