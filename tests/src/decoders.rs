//! Every decoder that takes bytes from outside the node (peers, files an
//! operator is handed, HTTP clients), as one function
//! per fuzz target: the cargo-fuzz targets under `fuzz/` call these, and
//! the stable test `tests/tests/fuzz_corpus.rs` replays the committed
//! corpus (`fuzz/corpus/<target>/`) through the same functions, so a
//! crash found once stays fixed on stable CI.
//!
//! A target returns normally for any input, accepted or refused; a panic
//! (or a hang) is the bug. Where a decoded value goes on to a later stage
//! of the node (ingress, the membership log, address parsing), the target
//! follows it there, as the node does. These functions never write files
//! or open sockets.

use std::path::Path;
use std::sync::OnceLock;

use amtshilfe_node::config::Config;
use amtshilfe_node::invitation::Invitation;
use amtshilfe_node::net::Announcement;
use amtshilfe_node::net::codec::{Introduction, KnownPeers, Wire};
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{Collection, DocumentId};
use amtshilfe_protocol::ingress::SignatureCheck;
use amtshilfe_protocol::membership::{MembershipLog, SignedEntry};
use amtshilfe_protocol::model::{AidRequest, Offer, Pledge};
use amtshilfe_protocol::replica::Replica;
use amtshilfe_protocol::sync::{MESSAGE_BYTES_MAX, SyncRequest, SyncResponse, SyncSession};
use libp2p::{Multiaddr, PeerId};

use crate::fixtures::TestPact;

/// A fuzz target: takes any bytes, panics only on a bug.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (the corpus folder and the `fuzz/` binary).
pub const TARGETS: &[(&str, Target)] = &[
    ("envelope", envelope),
    ("ingress_envelope", ingress_envelope),
    ("ingress_change", ingress_change),
    ("sync_request", sync_request),
    ("sync_response", sync_response),
    ("membership_entry", membership_entry),
    ("gossip_announcement", gossip_announcement),
    ("introduction", introduction),
    ("peer_exchange", peer_exchange),
    ("invitation", invitation),
    ("charter_file", charter_file),
    ("config_file", config_file),
    ("api_body", api_body),
    ("bundle", bundle),
];

/// Runs target `name` on `data`; `false` if there is no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(target, _)| *target == name) {
        Some((_, target)) => {
            target(data);
            true
        }
        None => false,
    }
}

/// The pact every stateful target runs in: two founders with delegated
/// devices (member 0 writes).
pub fn pact() -> &'static TestPact {
    static PACT: OnceLock<TestPact> = OnceLock::new();
    PACT.get_or_init(|| TestPact::new(2, 16))
}

/// Three offers written by member 0's device: the seed corpus's real
/// changes.
pub fn seed_envelopes() -> &'static [Envelope] {
    static WRITES: OnceLock<Vec<Envelope>> = OnceLock::new();
    WRITES.get_or_init(|| {
        let pact = pact();
        let mut replica = pact.replica();
        let mut rng = crate::rng::SeededRng::new(16);
        (0..3)
            .filter_map(|n| {
                let now = crate::fixtures::T0_MS + 1_000 * n;
                let (collection, ops) = crate::sample::offer_write(&mut rng, now);
                replica
                    .write(&pact.members[0].device, collection, &ops, now)
                    .ok()
            })
            .collect()
    })
}

/// A replica of the pact that holds the seed writes.
pub fn written_replica() -> Replica {
    let mut replica = pact().replica();
    let _ = replica.receive_envelopes(seed_envelopes().to_vec(), SignatureCheck::TrustStored);
    replica
}

fn pact_id() -> amtshilfe_protocol::ids::PactId {
    static ID: OnceLock<amtshilfe_protocol::ids::PactId> = OnceLock::new();
    *ID.get_or_init(|| pact().replica().pact_id())
}

/// An envelope's wire form; a decoded one must encode to itself.
pub fn envelope(data: &[u8]) {
    if let Ok(envelope) = Envelope::from_bytes(data) {
        let again = Envelope::from_bytes(&envelope.to_bytes());
        assert!(
            again.as_ref().is_ok_and(|again| *again == envelope),
            "an envelope does not survive its own encoding: {again:?}"
        );
        let _ = envelope.verify_signature(&pact_id());
    }
}

/// Envelope bytes from a peer, through the whole ingress pipeline.
pub fn ingress_envelope(data: &[u8]) {
    let mut replica = pact().replica();
    let _ = replica.receive_envelope_bytes(&[data.to_vec()], SignatureCheck::Verify);
}

/// Change bytes signed by a delegated device, so that they pass the
/// signature and reach automerge's parser, the actor binding, the schema
/// check, placement and apply.
pub fn ingress_change(data: &[u8]) {
    let pact = pact();
    let mut replica = pact.replica();
    let writer = &pact.members[0];
    let document = DocumentId::new(writer.id(), Collection::Offers);
    let envelope = Envelope::sign(
        &replica.pact_id(),
        document,
        data.to_vec(),
        &writer.device.key,
    );
    let _ = replica.receive_envelopes(vec![envelope], SignatureCheck::Verify);
}

/// The first byte picks the layer: odd → `rest` is the inflated message
/// (deflated here, so the fuzzer explores postcard under the deflate);
/// even → `rest` is the wire bytes as they come.
fn wire_bytes(data: &[u8]) -> Vec<u8> {
    match data.split_first() {
        Some((mode, rest)) if mode & 1 == 1 => {
            use std::io::Write as _;
            let mut encoder =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = encoder.write_all(&rest[..rest.len().min(MESSAGE_BYTES_MAX)]);
            encoder.finish().unwrap_or_default()
        }
        Some((_, rest)) => rest.to_vec(),
        None => Vec::new(),
    }
}

/// A sync request (deflated postcard), answered by a replica that holds
/// the seed writes, as a node answers a peer's pull.
pub fn sync_request(data: &[u8]) {
    thread_local! {
        static ANSWERING: std::cell::RefCell<Replica> = std::cell::RefCell::new(written_replica());
    }
    if let Ok(request) = SyncRequest::from_bytes(&wire_bytes(data)) {
        ANSWERING.with(|replica| {
            let _ = replica.borrow().answer_sync(&request);
        });
    }
}

/// A sync response (deflated postcard), taken in by a pull session of an
/// empty replica, as the node's sync driver does.
pub fn sync_response(data: &[u8]) {
    if let Ok(response) = SyncResponse::from_bytes(&wire_bytes(data)) {
        let mut replica = pact().replica();
        let (mut session, _) = SyncSession::start(&replica);
        let _ = session.on_response(&mut replica, response);
    }
}

/// A membership entry's wire form, then into the log.
pub fn membership_entry(data: &[u8]) {
    if let Ok(entry) = SignedEntry::from_bytes(data) {
        let mut replica = pact().replica();
        let _ = replica.receive_entry(entry);
    }
}

/// A gossip message: an envelope through ingress or an entry into the
/// log, as the node's gossip handler does.
pub fn gossip_announcement(data: &[u8]) {
    let Some(announcement) = Announcement::from_bytes(data) else {
        return;
    };
    let mut replica = pact().replica();
    match announcement {
        Announcement::Envelope(envelope) => {
            let _ = replica.receive_envelopes(vec![envelope], SignatureCheck::Verify);
        }
        Announcement::Entry(entry) => {
            let _ = replica.receive_entry(entry);
        }
    }
}

/// An introduction (a peer's delegation entries), then its entries into
/// the log as one batch.
pub fn introduction(data: &[u8]) {
    if let Ok(introduction) = Introduction::decode(data) {
        let mut replica = pact().replica();
        let _ = replica.receive_entries(introduction.entries);
    }
}

/// A peer exchange answer, then its peer ids and addresses parsed as the
/// node parses them.
pub fn peer_exchange(data: &[u8]) {
    if let Ok(peers) = KnownPeers::decode(data) {
        for peer in peers.peers {
            let _ = PeerId::from_bytes(&peer.peer);
            for address in peer.addresses {
                if let Ok(address) = Multiaddr::try_from(address) {
                    let _ = address.to_string();
                }
            }
        }
    }
}

/// An invitation file (JSON), then its hex entries.
pub fn invitation(data: &[u8]) {
    if let Ok(invitation) = serde_json::from_slice::<Invitation>(data) {
        let _ = invitation.decode_entries();
    }
}

/// A charter file as `amtshilfe pact sign`/`create` read it: hex text of
/// one entry, which must found a log.
pub fn charter_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(bytes) = hex::decode(text.trim()) else {
        return;
    };
    if let Ok(charter) = SignedEntry::from_bytes(&bytes) {
        let _ = charter.missing_charter_signatures();
        let _ = MembershipLog::new(charter);
    }
}

/// An offline bundle as `amtshilfe bundle import` and `POST /api/bundle`
/// read it, followed through the integrity check and ingress into a
/// replica of the test pact.
pub fn bundle(data: &[u8]) {
    use amtshilfe_protocol::bundle::Bundle;
    if let Ok(bundle) = Bundle::from_bytes(data) {
        let mut replica = pact().replica();
        if bundle.check_integrity(&replica.pact_id()).is_ok() {
            let _ = replica.receive_entries(bundle.entries);
            let _ = replica.receive_envelopes(bundle.envelopes, SignatureCheck::Verify);
        }
    }
}

/// A configuration file.
pub fn config_file(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Config::parse(text, Path::new("/etc/amtshilfe/amtshilfe.toml"));
    }
}

/// A JSON API body; the first byte picks the route's body type, and a
/// decoded record goes through the model's validation, as the handlers do.
pub fn api_body(data: &[u8]) {
    let Some((kind, body)) = data.split_first() else {
        return;
    };
    match kind % 8 {
        0 => {
            if let Ok(offer) = serde_json::from_slice::<Offer>(body) {
                let _ = offer.validate();
            }
        }
        1 => {
            if let Ok(request) = serde_json::from_slice::<AidRequest>(body) {
                let _ = request.validate();
            }
        }
        2 => {
            if let Ok(pledge) = serde_json::from_slice::<Pledge>(body) {
                let _ = pledge.validate();
            }
        }
        // Login, token, new account, account change, acceptance.
        other => {
            let _ = amtshilfe_node::api::decode_json_body(other - 3, body);
        }
    }
}

/// Valid inputs for every target, made from the test pact: the seed
/// corpus (`cargo run -p amtshilfe-tests --example fuzz_seeds` writes them
/// to `fuzz/corpus/`), and replayed as they are made today by the corpus
/// test, so a format change cannot leave the corpus behind unnoticed.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use amtshilfe_node::net::codec::KnownPeer;
    use amtshilfe_protocol::sync::SyncStep;

    let pact = pact();
    let mut seeds: Vec<(&'static str, String, Vec<u8>)> = Vec::new();
    let mut add = |target: &'static str, name: &str, bytes: Vec<u8>| {
        seeds.push((target, format!("seed-{name}"), bytes));
    };
    for (n, envelope) in seed_envelopes().iter().enumerate() {
        add("envelope", &format!("offer-{n}"), envelope.to_bytes());
        add(
            "ingress_envelope",
            &format!("offer-{n}"),
            envelope.to_bytes(),
        );
        add(
            "ingress_change",
            &format!("offer-{n}"),
            envelope.change.clone(),
        );
        let announcement = Announcement::Envelope(envelope.clone());
        add(
            "gossip_announcement",
            &format!("offer-{n}"),
            announcement.to_bytes(),
        );
    }

    // A whole pull of an empty replica from one that holds the writes.
    let written = written_replica();
    let mut empty = pact.replica();
    let (mut session, mut request) = SyncSession::start(&empty);
    for round in 0..4 {
        let plain = |wire: &[u8]| {
            use std::io::Read as _;
            let mut plain = Vec::new();
            let _ = flate2::read::DeflateDecoder::new(wire).read_to_end(&mut plain);
            plain
        };
        let wire = request.to_bytes();
        add(
            "sync_request",
            &format!("wire-{round}"),
            [&[0u8][..], &wire].concat(),
        );
        add(
            "sync_request",
            &format!("plain-{round}"),
            [&[1u8][..], &plain(&wire)].concat(),
        );
        let response = written.answer_sync(&request);
        let wire = response.to_bytes();
        add(
            "sync_response",
            &format!("wire-{round}"),
            [&[0u8][..], &wire].concat(),
        );
        add(
            "sync_response",
            &format!("plain-{round}"),
            [&[1u8][..], &plain(&wire)].concat(),
        );
        match session.on_response(&mut empty, response) {
            SyncStep::Send(next) => request = next,
            SyncStep::Done(_) => break,
        }
    }

    if let Ok(bytes) = written
        .export_bundle(None, vec!["/ip4/127.0.0.1/tcp/4100".into()])
        .and_then(|bundle| bundle.to_bytes())
    {
        add("bundle", "everything", bytes);
    }
    add("membership_entry", "charter", pact.charter.to_bytes());
    for (n, entry) in pact.delegations.iter().enumerate() {
        add(
            "membership_entry",
            &format!("delegation-{n}"),
            entry.to_bytes(),
        );
        let announcement = Announcement::Entry(entry.clone());
        add(
            "gossip_announcement",
            &format!("delegation-{n}"),
            announcement.to_bytes(),
        );
    }
    for (n, entry) in pact.incarnations.iter().enumerate() {
        add(
            "membership_entry",
            &format!("incarnation-{n}"),
            entry.to_bytes(),
        );
    }
    let introduction = Introduction {
        pact: pact_id(),
        entries: vec![pact.delegations[0].clone()],
    };
    add("introduction", "delegation", introduction.encode());

    let device = pact.members[1].device.key.public();
    let peer = amtshilfe_node::net::identity::peer_id_of(&device)
        .map(|peer| peer.to_bytes())
        .unwrap_or_default();
    let address = "/ip4/10.99.0.2/tcp/4100"
        .parse::<Multiaddr>()
        .map(|address| address.to_vec())
        .unwrap_or_default();
    let peers = KnownPeers {
        peers: vec![KnownPeer {
            peer,
            addresses: vec![address],
        }],
    };
    add("peer_exchange", "one-peer", peers.encode());

    let invitation = Invitation {
        pact: pact_id(),
        pact_name: "Testpakt".into(),
        inviter: pact.members[0].name.clone(),
        invited_name: "Kreis Offenbach".into(),
        invited_member_key: pact.members[1].member_key.public(),
        proposal: pact.delegations[0].hash(),
        entries: std::iter::once(&pact.charter)
            .chain(&pact.delegations)
            .map(|entry| hex::encode(entry.to_bytes()))
            .collect(),
        bootstrap: vec!["/ip4/10.99.0.1/tcp/4100".into()],
    };
    add(
        "invitation",
        "pact",
        serde_json::to_vec_pretty(&invitation).unwrap_or_default(),
    );
    add(
        "charter_file",
        "signed",
        format!("{}\n", hex::encode(pact.charter.to_bytes())).into_bytes(),
    );
    add(
        "config_file",
        "example",
        include_str!("../../node/src/config/example.toml").into(),
    );

    let now = crate::fixtures::T0_MS;
    let json = |value: serde_json::Result<Vec<u8>>| value.unwrap_or_default();
    let offer = crate::sample::laptops(3, now);
    add(
        "api_body",
        "offer",
        [vec![0], json(serde_json::to_vec(&offer))].concat(),
    );
    let request = crate::sample::laptop_request(3, now);
    add(
        "api_body",
        "request",
        [vec![1], json(serde_json::to_vec(&request))].concat(),
    );
    if let Some(need) = request.needs.first() {
        let id = |text: &str| amtshilfe_protocol::ids::RecordId::new(text).ok();
        if let Some(request_id) = id("r-0123456789abcdef") {
            let pledge = crate::sample::pledge(
                amtshilfe_protocol::model::RequestRef {
                    requester: pact.members[1].id(),
                    request: request_id,
                    need: need.id.clone(),
                },
                None,
                1,
                now,
            );
            add(
                "api_body",
                "pledge",
                [vec![2], json(serde_json::to_vec(&pledge))].concat(),
            );
        }
    }
    let pledger = pact.members[0].id();
    let bodies: [(&str, String); 5] = [
        ("login", r#"{"account":"admin","password":"geheim"}"#.into()),
        ("token", r#"{"label":"Skript","days":30}"#.into()),
        (
            "new-account",
            r#"{"account":"lage","role":"viewer"}"#.into(),
        ),
        (
            "account-change",
            r#"{"role":"viewer","disabled":false}"#.into(),
        ),
        (
            "acceptance",
            format!(r#"{{"pledger":"{pledger}","pledge":"p-0123456789abcdef","quantity":2}}"#),
        ),
    ];
    for (kind, (name, body)) in (3u8..).zip(bodies) {
        add("api_body", name, [vec![kind], body.into_bytes()].concat());
    }
    seeds
}
