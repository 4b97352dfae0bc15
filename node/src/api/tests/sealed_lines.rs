//! TLP amber and red timeline lines through the API: sealed before they
//! are written, the text shown only where this node is a reader, bad
//! input refused with its code and nothing written.

use amtshilfe_protocol::incident::{LinePlace, TimelineEntry, Tlp, seal_line};
use amtshilfe_protocol::model::{Record, RecordTag};
use amtshilfe_protocol::read_model::RecordAddress;
use amtshilfe_protocol::seal::{EncryptionSecret, Reader, ReaderId};

use super::*;
use crate::sealing::SealIdentities;
use crate::sealing::task::maintain;

const HOUR_MS: i64 = 3_600_000;
const SECRET_TEXT: &str = "Lösegeldforderung 40 BTC, Frist Freitag";

/// Node A with its member's encryption key published.
fn node_with_seal_key() -> TestNode {
    let node = TestNode::new();
    {
        let mut core = node.core.lock();
        core.set_seal_identities(SealIdentities {
            member: Some(EncryptionSecret::from_bytes([21; 32])),
            officer: None,
        });
        let round = maintain(&mut core, clock::now_ms()).unwrap();
        assert_eq!(round.written.len(), 1, "the member key is published");
    }
    node
}

fn incident(aware_at_ms: i64) -> Value {
    json!({ "title": "Ransomware", "aware_at_ms": aware_at_ms, "profile": "gdpr" })
}

fn entry_of(room: &Value, author: &str) -> Value {
    room["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "entry" && l["author"] == author)
        .cloned()
        .unwrap_or_else(|| panic!("no line by {author}: {room}"))
}

#[tokio::test]
async fn an_amber_line_is_stored_sealed_and_read_back_by_its_member() {
    let mut node = node_with_seal_key();
    let _ = node.announced.try_recv();
    let me = node.me();
    let id = node
        .created(
            "/api/incidents",
            incident(clock::now_ms() - HOUR_MS),
            StatusCode::CREATED,
        )
        .await;
    let lines = format!("/api/incidents/{me}/{id}/timeline");
    let line_id = node
        .created(
            &lines,
            json!({ "text": SECRET_TEXT, "author": "CISO", "tlp": "amber" }),
            StatusCode::CREATED,
        )
        .await;

    // What is stored (and travels) holds no plaintext.
    let stored = {
        let core = node.core.lock();
        let address = RecordAddress::new(me, RecordId::new(line_id.as_str()).unwrap());
        core.replica()
            .read_model()
            .timeline_entry(&address)
            .cloned()
            .unwrap()
    };
    assert_eq!(stored.tlp, Tlp::Amber);
    assert_eq!(stored.text, "");
    let json = Record::Timeline(stored.clone()).to_json();
    assert!(!json.contains("Lösegeld"), "{json}");
    assert!(!json.contains(&hex::encode("Lösegeld")), "{json}");
    let readers: Vec<ReaderId> = stored.sealed.unwrap().readers().map(|r| r.id).collect();
    assert_eq!(
        readers,
        vec![ReaderId::Member(me)],
        "no helper, no officer yet"
    );

    // The member's own node reads it, marked amber and sealed.
    let (_, room) = node.get(&format!("/api/incidents/{me}/{id}")).await;
    let line = entry_of(&room, "CISO");
    assert_eq!(line["text"], SECRET_TEXT, "{line}");
    assert_eq!(
        (&line["tlp"], &line["sealed"], &line["readable"]),
        (&json!("amber"), &json!(true), &json!(true))
    );

    // Hostile or wrong input: refused with its code, nothing written.
    node.refused(
        &lines,
        json!({ "text": "x", "author": "CISO", "tlp": "purple" }),
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    let error = node
        .refused(
            &lines,
            json!({ "text": "  ", "author": "CISO", "tlp": "red" }),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(
        error["field"], "text",
        "an empty text is refused before sealing"
    );
    // Sealed and hex-encoded, a long text of multi-byte characters no
    // longer fits one record: refused, not written in part.
    node.refused(
        &lines,
        json!({ "text": "€".repeat(4000), "author": "CISO", "tlp": "amber" }),
        StatusCode::PAYLOAD_TOO_LARGE,
        "record_too_large",
    )
    .await;
    let other = node.other_id();
    let on_behalf = node
        .created(
            "/api/incidents",
            json!({ "title": "Für B", "aware_at_ms": clock::now_ms() - HOUR_MS,
                    "profile": "gdpr", "on_behalf_of": other }),
            StatusCode::CREATED,
        )
        .await;
    node.refused(
        &format!("/api/incidents/{me}/{on_behalf}/timeline"),
        json!({ "text": SECRET_TEXT, "author": "CISO", "tlp": "red" }),
        StatusCode::CONFLICT,
        "sealed_line_on_behalf",
    )
    .await;
}

#[tokio::test]
async fn another_members_sealed_line_shows_as_confidential_without_text() {
    let mut node = node_with_seal_key();
    let b = node.other_id();
    node.other_writes(
        RecordKey::new(RecordTag::Incident, super::id("i-b")),
        json!({ "title": "B", "aware_at_ms": T0_MS, "profile": "gdpr", "status": "open", "created_at_ms": T0_MS }),
    );
    let pact = node.core.lock().replica().pact_id();
    let b_secret = EncryptionSecret::from_bytes([22; 32]);
    let entry = TimelineEntry {
        incident: super::id("i-b"),
        at_ms: T0_MS,
        tlp: Tlp::Red,
        author: "Krisenstab B".into(),
        text: SECRET_TEXT.into(),
        sealed: None,
    };
    let place = LinePlace {
        pact: &pact,
        owner: &b,
        record: "t-b",
    };
    let readers = [Reader {
        id: ReaderId::Member(b),
        key: b_secret.public(),
    }];
    let sealed = seal_line(place, entry, &readers, [1; 32]).unwrap();
    node.other_writes(
        RecordKey::new(RecordTag::Timeline, super::id("t-b")),
        serde_json::from_str(&Record::Timeline(sealed).to_json()).unwrap(),
    );
    let (status, room) = node.get(&format!("/api/incidents/{b}/i-b")).await;
    assert_eq!(status, StatusCode::OK);
    let line = entry_of(&room, "Krisenstab B");
    assert_eq!(
        (
            &line["tlp"],
            &line["sealed"],
            &line["readable"],
            &line["text"]
        ),
        (&json!("red"), &json!(true), &json!(false), &json!(""))
    );
    assert!(!room.to_string().contains("Lösegeld"));
    // The page shows the placeholder in its place.
    node.add_account("kommune", Role::ItLead, true);
    let (session, _) = node.login_page("kommune").await;
    let page = node.page(&session, &format!("/vorfaelle/{b}/i-b")).await;
    assert!(page.contains("vertraulich (TLP:RED)"), "{page}");
    assert!(!page.contains("Lösegeld"));
}
