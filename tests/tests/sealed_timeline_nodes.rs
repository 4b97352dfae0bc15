//! Sealed TLP amber timeline lines between real nodes over libp2p on
//! loopback: the hit member writes an amber line before anyone helps, so
//! it is sealed to itself alone; another member pledges, the hit member
//! accepts (a mission order), and the hit member's node re-seals the line
//! on its own so the helper's node reads it through its HTTP API. A third
//! member's node stores and relays only ciphertext and its API shows the
//! line as confidential, without text.

// Test code: a failed setup step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use amtshilfe_node::accounts::{new_token, token_hash};
use amtshilfe_node::app::RunningNode;
use amtshilfe_node::clock::now_ms;
use amtshilfe_node::seal_keys::create_member_seal_key;
use amtshilfe_node::sealing::open::published_keys;
use amtshilfe_node::sealing::timeline::seal_line_record;
use amtshilfe_node::store::{AccountRecord, TokenRecord};
use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{Collection, MemberId, RecordId};
use amtshilfe_protocol::incident::{ClockProfile, Incident, IncidentStatus, TimelineEntry, Tlp};
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag, RequestRef};
use amtshilfe_protocol::read_model::{RecordAddress, TimelineEvent};
use amtshilfe_protocol::seal::ReaderId;
use amtshilfe_tests::fixtures::TestPact;
use amtshilfe_tests::sample;
use common::nodes::{
    admitted, dial_address, fast_options, make_data_dirs, start, wait_until, write_and_announce,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DEADLINE: Duration = Duration::from_secs(40);

/// What no one but the readers may ever see in clear.
const SECRET_TEXT: &str = "Angreifer nutzt VPN-Zugang des Dienstleisters";

fn put(tag: RecordTag, id: &str, record: Record) -> RecordOp {
    RecordOp::Put {
        key: RecordKey::new(tag, RecordId::new(id).unwrap()).to_string(),
        json: record.to_json(),
    }
}

/// An API token for a viewer account on `node`.
fn viewer_token(node: &RunningNode) -> String {
    let token = new_token().unwrap();
    let core = node.core.lock();
    core.store()
        .put_account(
            "lage",
            &AccountRecord {
                role: "viewer".into(),
                password_hash: "-".into(),
                created_at_ms: 0,
                disabled: false,
            },
        )
        .unwrap();
    core.store()
        .put_token(
            token_hash(&token),
            &TokenRecord {
                account: "lage".into(),
                label: "test".into(),
                created_at_ms: 0,
                role: None,
                expires_at_ms: None,
            },
        )
        .unwrap();
    token
}

/// `GET path` on the node's HTTP API with `token`, as JSON.
async fn get_json(address: SocketAddr, token: &str, path: &str) -> Value {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    // The API answers with a length, not chunks, for these small bodies;
    // a chunked body starts with its hex length on a line of its own.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body.split_once("\r\n").unwrap().1
    } else {
        body
    };
    let end = body.rfind('}').unwrap();
    serde_json::from_str(&body[..=end]).unwrap()
}

/// The written line of the room as `node`'s API shows it.
async fn line_in_api(address: SocketAddr, token: &str, hit: &MemberId, incident: &str) -> Value {
    let room = get_json(address, token, &format!("/api/incidents/{hit}/{incident}")).await;
    room["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "entry")
        .cloned()
        .unwrap_or_else(|| panic!("no written line: {room}"))
}

/// The readers `node` holds the line sealed to.
fn sealed_to(node: &RunningNode, address: &RecordAddress) -> Vec<ReaderId> {
    let core = node.core.lock();
    core.replica()
        .read_model()
        .timeline_entry(address)
        .and_then(|entry| entry.sealed.as_ref())
        .map(|sealed| sealed.readers().map(|r| r.id).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_reads_the_amber_line_once_accepted_and_a_bystander_never() {
    let pact = TestPact::new(3, 47);
    let root = tempfile::tempdir().unwrap();
    let dirs = make_data_dirs(root.path(), &pact);
    for dir in &dirs {
        create_member_seal_key(dir).unwrap();
    }
    let mut nodes: Vec<RunningNode> = Vec::new();
    for dir in &dirs {
        let bootstrap = nodes.iter().map(dial_address).collect();
        let mut options = fast_options(dir, bootstrap);
        options.http_bind = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
        nodes.push(start(options).await);
    }
    wait_until("every node admits every other", DEADLINE, || {
        nodes.iter().all(|node| admitted(node) == 2)
    })
    .await;
    let member = |i: usize| pact.members[i].id();
    wait_until("every node knows every member's key", DEADLINE, || {
        nodes.iter().all(|node| {
            let keys = published_keys(node.core.lock().replica());
            (0..3).all(|i| keys.contains_key(&ReaderId::Member(member(i))))
        })
    })
    .await;
    let tokens: Vec<String> = nodes.iter().map(viewer_token).collect();
    let http = |i: usize| nodes[i].http_address.unwrap();

    // Member 0 is hit: a request and the incident it belongs to.
    let (hit, helper, bystander) = (member(0), member(1), member(2));
    let now = now_ms();
    let incident = Incident {
        title: "Ransomware im Rathaus".into(),
        aware_at_ms: now - 3_600_000,
        affected_services: vec!["Meldewesen".into()],
        profile: ClockProfile::Gdpr,
        status: IncidentStatus::Open,
        on_behalf_of: None,
        adopts: None,
        requests: vec![RecordId::new("r-1").unwrap()],
        helpers: Vec::new(),
        created_at_ms: now,
        exercise: false,
    };
    write_and_announce(
        &nodes[0],
        Collection::Requests,
        &[
            put(
                RecordTag::Request,
                "r-1",
                Record::Request(sample::laptop_request(5, now)),
            ),
            put(RecordTag::Incident, "i-1", Record::Incident(incident)),
        ],
    );

    // An amber line before anyone helps: sealed to member 0 alone.
    let line_id = RecordId::new("t-1").unwrap();
    let line = TimelineEntry {
        incident: RecordId::new("i-1").unwrap(),
        at_ms: now,
        tlp: Tlp::Amber,
        author: "Krisenstab".into(),
        text: SECRET_TEXT.into(),
        sealed: None,
    };
    let record = {
        let core = nodes[0].core.lock();
        seal_line_record(&core, &line_id, line, now, [9; 32]).unwrap()
    };
    write_and_announce(
        &nodes[0],
        Collection::Requests,
        &[RecordOp::Put {
            key: RecordKey::new(RecordTag::Timeline, line_id.clone()).to_string(),
            json: record.to_json(),
        }],
    );
    let address = RecordAddress::new(hit, line_id.clone());
    wait_until("the line reaches every node", DEADLINE, || {
        nodes
            .iter()
            .all(|node| sealed_to(node, &address) == vec![ReaderId::Member(hit)])
    })
    .await;
    let own = line_in_api(http(0), &tokens[0], &hit, "i-1").await;
    assert_eq!(
        (&own["text"], &own["readable"]),
        (&Value::from(SECRET_TEXT), &Value::from(true))
    );
    let before = line_in_api(http(1), &tokens[1], &hit, "i-1").await;
    assert_eq!(before["readable"], false, "not a helper yet: {before}");

    // Member 1 pledges laptops; member 0 accepts: a mission order.
    let request = RequestRef {
        requester: hit,
        request: RecordId::new("r-1").unwrap(),
        need: RecordId::new("laptops").unwrap(),
    };
    write_and_announce(
        &nodes[1],
        Collection::Pledges,
        &[put(
            RecordTag::Pledge,
            "p-1",
            Record::Pledge(sample::pledge(request.clone(), None, 2, now_ms())),
        )],
    );
    wait_until("the pledge reaches member 0", DEADLINE, || {
        let core = nodes[0].core.lock();
        core.replica()
            .read_model()
            .incident_room(
                &RecordAddress::new(hit, RecordId::new("i-1").unwrap()),
                now_ms(),
            )
            .is_some_and(|room| {
                room.timeline
                    .iter()
                    .any(|l| matches!(l.event, TimelineEvent::Pledge { .. }))
            })
    })
    .await;
    let accepted_at = std::time::Instant::now();
    write_and_announce(
        &nodes[0],
        Collection::Requests,
        &[put(
            RecordTag::Acceptance,
            "a-1",
            Record::Acceptance(sample::acceptance(
                helper,
                RecordId::new("p-1").unwrap(),
                &request,
                2,
                now_ms(),
            )),
        )],
    );

    // Member 0's node re-seals on its own; the helper's API shows the text.
    wait_until(
        "the helper's node holds the line sealed to it",
        DEADLINE,
        || sealed_to(&nodes[1], &address).contains(&ReaderId::Member(helper)),
    )
    .await;
    println!(
        "re-sealed for the accepted helper and on its node after {:?}",
        accepted_at.elapsed()
    );
    let helper_line = line_in_api(http(1), &tokens[1], &hit, "i-1").await;
    assert_eq!(helper_line["text"], SECRET_TEXT, "{helper_line}");
    assert_eq!(
        (&helper_line["tlp"], &helper_line["readable"]),
        (&Value::from("amber"), &Value::from(true))
    );
    let mut readers = sealed_to(&nodes[2], &address);
    readers.sort();
    let mut expected = vec![ReaderId::Member(hit), ReaderId::Member(helper)];
    expected.sort();
    assert_eq!(readers, expected, "the bystander is no reader");

    // The bystander's node: its API shows no text, its store no plaintext.
    let bystander_line = line_in_api(http(2), &tokens[2], &hit, "i-1").await;
    assert_eq!(
        (
            &bystander_line["text"],
            &bystander_line["readable"],
            &bystander_line["tlp"]
        ),
        (&Value::from(""), &Value::from(false), &Value::from("amber"))
    );
    let room = get_json(http(2), &tokens[2], &format!("/api/incidents/{hit}/i-1")).await;
    assert!(!room.to_string().contains("VPN-Zugang"), "{room}");
    {
        let core = nodes[2].core.lock();
        let entry = core
            .replica()
            .read_model()
            .timeline_entry(&address)
            .unwrap();
        let json = Record::Timeline(entry.clone()).to_json();
        assert!(!json.contains("VPN-Zugang") && !json.contains(&hex::encode("VPN-Zugang")));
        let state = core.store().load().unwrap();
        let needle = SECRET_TEXT.as_bytes();
        for envelope in &state.envelopes {
            let bytes = envelope.to_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "plaintext in a stored envelope"
            );
        }
        assert!(core.device().member == bystander);
    }
    for node in nodes {
        node.stop().await;
    }
}
