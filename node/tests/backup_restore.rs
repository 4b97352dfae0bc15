//! Restoring a node from a backup of its store: what it wrote after the
//! backup comes back from its peer, and its new writes are accepted by the
//! peer without forking its history (the restored store has a new
//! incarnation).
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use support::{
    NodeDir, amtshilfe, found_pact, get, init_nodes, p2p_address, post, set_bootstrap, start,
    wait_for,
};

fn stop(child: &mut support::Running) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    assert!(child.wait().unwrap().success());
}

fn offer(node: &NodeDir, quantity: u32) -> String {
    let body = serde_json::to_string(&amtshilfe_tests::sample::laptops(
        quantity,
        amtshilfe_node::clock::now_ms(),
    ))
    .unwrap();
    let (status, answer) = post(node.http, "/api/offers", &body).unwrap();
    assert_eq!(status, 201, "{answer}");
    serde_json::from_str::<serde_json::Value>(&answer).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Deletes the node's store, as a lost disk would, and runs `amtshilfe
/// restore` from `backup`; its output.
fn lose_store_and_restore(node: &NodeDir, backup: &std::path::Path) -> String {
    std::fs::remove_file(node.dir.join("store.redb")).unwrap();
    amtshilfe(&[
        "restore",
        backup.to_str().unwrap(),
        "--config",
        node.config.to_str().unwrap(),
    ])
}

/// The command line's token after `restore` wrote a new one.
fn reread_token(node: &NodeDir) {
    let token = std::fs::read_to_string(node.dir.join("cli.token")).unwrap();
    support::TOKENS
        .lock()
        .unwrap()
        .insert(node.http, token.trim().to_string());
}

fn has_all(node: &NodeDir, ids: &[String]) -> bool {
    get(node.http, "/api/registry")
        .is_ok_and(|(s, body)| s == 200 && ids.iter().all(|id| body.contains(id.as_str())))
}

#[test]
fn a_node_restored_from_backup_gets_its_later_writes_back_and_does_not_fork() {
    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(root.path(), &["Kreis Bergstraße", "Odenwaldkreis"]);
    let (a, b) = (&nodes[0], &nodes[1]);
    found_pact(root.path(), &nodes);
    set_bootstrap(a, &[p2p_address(b)]);
    let mut b_node = start(b);

    let mut a_node = start(a);
    let before_backup = vec![offer(a, 1), offer(a, 2)];
    wait_for("B has A's first offers", Duration::from_secs(30), || {
        has_all(b, &before_backup)
    });
    stop(&mut a_node);
    let backup = root.path().join("store-backup.redb");
    std::fs::copy(a.dir.join("store.redb"), &backup).unwrap();

    let mut a_node = start(a);
    let after_backup = offer(a, 3);
    wait_for(
        "B has the offer made after the backup",
        Duration::from_secs(30),
        || has_all(b, std::slice::from_ref(&after_backup)),
    );
    stop(&mut a_node);

    // A's disk is lost; it comes back from the backup.
    let out = lose_store_and_restore(a, &backup);
    assert!(out.contains("New incarnation"), "{out}");
    // Accounts are not taken from a backup unless asked for: a new first
    // admin and command-line token replace them.
    assert!(out.contains("No accounts were restored"), "{out}");
    reread_token(a);
    let mut a_node = start(a);
    let restored_write = offer(a, 4);

    let all = [before_backup, vec![after_backup, restored_write]].concat();
    wait_for(
        "both nodes hold all four offers",
        Duration::from_secs(60),
        || has_all(a, &all) && has_all(b, &all),
    );
    let metrics = get(b.http, "/metrics").unwrap().1;
    assert!(
        metrics.contains("amtshilfe_envelopes_rejected_total{reason=\"fork\"} 0"),
        "{metrics}"
    );
    stop(&mut a_node);
    stop(&mut b_node);
}

/// A backup is an outside file after an attack: an envelope planted in it
/// and an account added to it do not come back.
#[test]
fn a_tampered_backup_restores_only_what_passes_ingress() {
    use amtshilfe_node::store::{AccountRecord, Store};
    use amtshilfe_protocol::document::{Document, RecordOp};
    use amtshilfe_protocol::envelope::Envelope;
    use amtshilfe_protocol::identity::{self, KeyPair};
    use amtshilfe_protocol::ids::{ActorKey, Collection, DocumentId, MemberId};

    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(root.path(), &["Kreis Bergstraße", "Odenwaldkreis"]);
    let a = &nodes[0];
    found_pact(root.path(), &nodes);
    let mut a_node = start(a);
    let honest = offer(a, 2);
    stop(&mut a_node);

    let backup = root.path().join("store-backup.redb");
    std::fs::copy(a.dir.join("store.redb"), &backup).unwrap();
    {
        let tampered = Store::open(&backup).unwrap();
        let stored = tampered.load().unwrap();
        let real = stored.envelopes.last().unwrap().clone();
        // An envelope for A's offers signed by a stranger, and a copy of a
        // real one whose signature no longer matches its bytes.
        let member = MemberId::from_key(a.member_key.parse().unwrap());
        let offers = DocumentId::new(member, Collection::Offers);
        let stranger = KeyPair::from_seed([66; 32]);
        let actor = identity::actor_id(&stranger.public(), [6; 16]);
        let actor = ActorKey::from_slice(actor.to_bytes()).unwrap();
        let json = serde_json::to_string(&amtshilfe_tests::sample::laptops(9, 0)).unwrap();
        let change = Document::new(offers)
            .make_change(
                actor,
                0,
                &[RecordOp::Put {
                    key: "offer:o-planted".into(),
                    json,
                }],
            )
            .unwrap();
        let planted = Envelope::sign(&stored.pact, offers, change.raw_bytes().to_vec(), &stranger);
        let mut bent = real.clone();
        bent.document = DocumentId::new(member, Collection::Requests);
        tampered.append_envelopes(&[planted, bent]).unwrap();
        let intruder = AccountRecord {
            role: "admin".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .into(),
            created_at_ms: 0,
            disabled: false,
        };
        tampered.put_account("eindringling", &intruder).unwrap();
    }

    let out = lose_store_and_restore(a, &backup);
    assert!(out.contains("signer_not_delegated: 1"), "{out}");
    assert!(out.contains("bad_signature: 1"), "{out}");
    {
        let restored = Store::open(a.dir.join("store.redb")).unwrap();
        let stored = restored.load().unwrap();
        assert!(
            stored
                .envelopes
                .iter()
                .all(|e| e.signer != KeyPair::from_seed([66; 32]).public()),
            "the planted envelope was restored"
        );
        assert!(restored.accounts().unwrap().is_empty());
    }
    reread_token(a);
    let mut a_node = start(a);
    wait_for("A serves its honest offer", Duration::from_secs(30), || {
        has_all(a, std::slice::from_ref(&honest))
    });
    let accounts = get(a.http, "/api/accounts").unwrap().1;
    assert!(!accounts.contains("eindringling"), "{accounts}");
    stop(&mut a_node);
}
