//! Reads: status, registry filters and the metrics page.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ingress::Rejection;
use amtshilfe_protocol::membership::EntryRejection;
use axum::http::StatusCode;
use serde_json::json;

use super::*;

#[tokio::test]
async fn status_names_member_pact_and_counts() {
    let mut node = TestNode::new();
    let (status, answer) = node.get("/api/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["member_id"], node.me().to_string());
    assert_eq!(answer["member_name"], "Kreis Bergstraße");
    let pact = node.core.lock().replica().pact_id();
    assert_eq!(answer["pact_id"], pact.to_string());
    assert_eq!(answer["members"], 2);
    assert_eq!(answer["peers_connected"], 0);
    assert_eq!(answer["envelopes_accepted"], 0);
    assert_eq!(answer["envelopes_pending"], 0);
    assert_eq!(answer["changes_held"], 0);
    assert_eq!(answer["writes_stopped"], false);
    assert_eq!(answer["last_sync_ms"], json!({}));

    node.created("/api/offers", laptops(1), StatusCode::CREATED)
        .await;
    node.core
        .lock()
        .counters
        .last_sync_ms
        .insert("12D3KooWpeer".into(), T0_MS);
    let (_, answer) = node.get("/api/status").await;
    assert_eq!(answer["envelopes_accepted"], 1);
    assert_eq!(answer["last_sync_ms"]["12D3KooWpeer"], T0_MS);
    // What the offer costs this node, under its writer; far from the watch.
    let stored = answer["members_stored"].as_array().unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["member"], node.me().to_string());
    assert!(stored[0]["bytes"].as_u64().unwrap() > 0);
    assert_eq!(stored[0]["over_watch"], false);
}

/// The owners and ids the registry lists for `query`.
async fn listed(node: &TestNode, query: &str) -> Vec<String> {
    let (status, answer) = node.get(&format!("/api/registry{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {answer}");
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["address"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn registry_filters() {
    let mut node = TestNode::new();
    let laptops_a = node
        .created("/api/offers", laptops(20), StatusCode::CREATED)
        .await
        .to_string();
    let person = node
        .created("/api/offers", forensics_person(), StatusCode::CREATED)
        .await
        .to_string();
    node.other_writes(RecordKey::offer(id("o-b1")), laptops(3));
    let b = node.other_id();

    assert_eq!(listed(&node, "").await.len(), 3);
    assert_eq!(listed(&node, "?kind=person").await, [person.as_str()]);
    assert_eq!(listed(&node, "?role=forensics").await, [person.as_str()]);
    assert_eq!(
        listed(&node, "?skill=forensics_disk&skill_level=3").await,
        [person.as_str()]
    );
    assert!(
        listed(&node, "?skill=forensics_disk&skill_level=4")
            .await
            .is_empty()
    );
    assert_eq!(listed(&node, "?mode=remote").await, [person.as_str()]);
    assert_eq!(
        listed(&node, "?category=laptop&min_remaining=5").await,
        [laptops_a.as_str()]
    );
    assert_eq!(listed(&node, &format!("?owner={b}")).await, ["o-b1"]);
    assert_eq!(
        listed(&node, "?region=BERGSTR").await.len(),
        2,
        "part of this member's name, in any case"
    );
    assert!(
        listed(&node, "?region=0643").await.is_empty(),
        "no profile yet"
    );
    node.own_profile_confirmed_at(T0_MS);
    assert_eq!(listed(&node, "?region=0643").await.len(), 2, "its AGS");
    assert_eq!(listed(&node, "?region=darmstadt").await, ["o-b1"]);
    assert_eq!(
        listed(&node, "?region=darmstadt&category=laptop&offset=1").await,
        Vec::<String>::new()
    );
    assert!(listed(&node, "?region=hamburg").await.is_empty());
    let after_person = format!(
        "?window_start_ms={}&window_end_ms={}",
        T0_MS + 61 * DAY_MS,
        T0_MS + 62 * DAY_MS
    );
    assert_eq!(
        listed(&node, &after_person).await.len(),
        2,
        "the person's validity ended"
    );
    node.created(
        &format!("/api/offers/{person}/withdraw"),
        json!(null),
        StatusCode::OK,
    )
    .await;
    assert!(listed(&node, "?kind=person").await.is_empty());
    assert_eq!(
        listed(&node, "?kind=person&status=any").await,
        [person.as_str()]
    );
    assert_eq!(listed(&node, "?status=out_of_service").await, [person]);

    let long_region = format!("?region={}", "x".repeat(121));
    for bad in [
        "?kind=spaceship",
        "?colour=grey",
        "?min_remaining=-1",
        "?owner=abcd",
        "?status=lost",
        &long_region,
    ] {
        let (status, answer) = node.get(&format!("/api/registry{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer["error"]["code"], "invalid_query", "{bad}: {answer}");
    }
    // Parameters that each fit the document but not together: their own
    // codes, not "malformed".
    for (incomplete, code) in [
        ("?skill_level=2", "skill_level_needs_skill"),
        ("?window_start_ms=5", "window_needs_both_ends"),
    ] {
        let (status, answer) = node.get(&format!("/api/registry{incomplete}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{incomplete}");
        assert_eq!(answer["error"]["code"], code, "{incomplete}: {answer}");
    }
    let (status, answer) = node
        .get("/api/registry?window_start_ms=10&window_end_ms=5")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert_eq!(answer["error"]["field"], "window");
}

#[tokio::test]
async fn the_registry_answers_in_pages() {
    let mut node = TestNode::new();
    let mut ids = Vec::new();
    for quantity in 1..=5 {
        let id = node
            .created("/api/offers", laptops(quantity), StatusCode::CREATED)
            .await;
        ids.push(id.to_string());
    }
    ids.sort();

    let (first, next) = registry_page(&node, "?limit=2").await;
    assert_eq!(first, ids[..2]);
    assert_eq!(next.as_deref(), Some("2"));
    let (second, next) = registry_page(&node, "?limit=2&offset=2").await;
    assert_eq!(second, ids[2..4]);
    assert_eq!(next.as_deref(), Some("4"));
    let (last, next) = registry_page(&node, "?limit=2&offset=4").await;
    assert_eq!(last, ids[4..]);
    assert_eq!(next, None, "no page follows the last");
    let (all, next) = registry_page(&node, "").await;
    assert_eq!(all, ids, "the default page holds a small registry whole");
    assert_eq!(next, None);

    for bad in ["?limit=0", "?limit=1001", "?offset=-1", "?limit=many"] {
        let (status, answer) = node.get(&format!("/api/registry{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer["error"]["code"], "invalid_query", "{bad}: {answer}");
    }
}

/// The ids on one registry page and its `X-Next-Offset` header.
async fn registry_page(node: &TestNode, query: &str) -> (Vec<String>, Option<String>) {
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .uri(format!("/api/registry{query}"))
        .header(
            axum::http::header::AUTHORIZATION,
            format!("Bearer {}", node.token),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let response = node.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let next = response
        .headers()
        .get(crate::api::NEXT_OFFSET_HEADER)
        .map(|value| value.to_str().unwrap().to_string());
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let entries: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let ids = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["address"]["id"].as_str().unwrap().to_string())
        .collect();
    (ids, next)
}

/// The value of the sample line `series` on the metrics page.
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics_page(node: &TestNode) -> String {
    let (status, content_type, bytes) = node.raw(Method::GET, "/metrics", None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn metrics_list_every_family_and_reason_and_move() {
    let mut node = TestNode::new();
    let page = metrics_page(&node).await;
    for family in [
        "amtshilfe_peers_connected gauge",
        "amtshilfe_members gauge",
        "amtshilfe_envelopes_accepted_total counter",
        "amtshilfe_envelopes_duplicate_total counter",
        "amtshilfe_envelopes_rejected_total counter",
        "amtshilfe_entries_rejected_total counter",
        "amtshilfe_pending_envelopes gauge",
        "amtshilfe_held_changes gauge",
        "amtshilfe_sync_sessions_total counter",
        "amtshilfe_sync_rounds_total counter",
        "amtshilfe_last_sync_timestamp_seconds gauge",
        "amtshilfe_gossip_messages_total counter",
        "amtshilfe_member_stored_bytes gauge",
        "amtshilfe_members_over_watch gauge",
    ] {
        assert!(
            page.contains(&format!("\n# TYPE {family}\n")),
            "{family}\n{page}"
        );
        let name = family.split(' ').next().unwrap();
        assert!(page.contains(&format!("# HELP {name} ")), "{name}");
    }
    for code in Rejection::CODES {
        let series = format!("amtshilfe_envelopes_rejected_total{{reason=\"{code}\"}}");
        assert_eq!(sample(&page, &series), Some(0.0), "{series}");
    }
    for code in EntryRejection::CODES {
        let series = format!("amtshilfe_entries_rejected_total{{reason=\"{code}\"}}");
        assert_eq!(sample(&page, &series), Some(0.0), "{series}");
    }
    for result in ["accepted", "ignored", "rejected"] {
        let series = format!("amtshilfe_gossip_messages_total{{result=\"{result}\"}}");
        assert_eq!(sample(&page, &series), Some(0.0), "{series}");
    }
    assert_eq!(sample(&page, "amtshilfe_members"), Some(2.0));
    assert_eq!(
        sample(&page, "amtshilfe_envelopes_accepted_total"),
        Some(0.0)
    );

    // A forged envelope: B's real change with a flipped signature byte.
    let mut forged = node.other_envelope(RecordKey::offer(id("o-b1")), laptops(3));
    forged.signature.0[0] ^= 1;
    let before = node.digest();
    let report = node.core.lock().receive_envelopes(vec![forged], "forger");
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(node.digest(), before);
    // B's next change depends on the one that never arrived: pending.
    let next = node.other_envelope(RecordKey::offer(id("o-b2")), laptops(1));
    let waiting_bytes = next.encoded_len();
    let report = node.core.lock().receive_envelopes(vec![next], "member-b");
    assert_eq!(report.pending, 1);
    // A membership entry signed by a key this pact does not know.
    let stranger = KeyPair::from_seed([99; 32]);
    let entry = {
        let core = node.core.lock();
        let member = MemberId::from_key(stranger.public());
        core.replica().membership().delegate(
            &stranger,
            member,
            &KeyPair::from_seed([98; 32]),
            T0_MS + 1,
            T0_MS,
        )
    };
    let refused = node.core.lock().receive_entry(entry, "stranger");
    assert_eq!(refused, Err(EntryRejection::UnknownAuthor));
    {
        let mut core = node.core.lock();
        core.counters.peers_connected.set(3);
        core.counters.sync_sessions = 4;
        core.counters
            .last_sync_ms
            .insert("12D3KooWpeer".into(), 1_767_225_600_250);
        *core.counters.gossip.entry("rejected").or_insert(0) += 1;
    }

    let page = metrics_page(&node).await;
    // B's waiting change is what B costs this node; the forged one nothing.
    let b_stored = format!(
        "amtshilfe_member_stored_bytes{{member=\"{}\"}}",
        node.other_id()
    );
    assert_eq!(sample(&page, &b_stored), Some(waiting_bytes as f64));
    assert_eq!(sample(&page, "amtshilfe_members_over_watch"), Some(0.0));
    let bad_signature = "amtshilfe_envelopes_rejected_total{reason=\"bad_signature\"}";
    assert_eq!(sample(&page, bad_signature), Some(1.0));
    assert_eq!(
        sample(&page, "amtshilfe_envelopes_rejected_total{reason=\"fork\"}"),
        Some(0.0)
    );
    assert_eq!(sample(&page, "amtshilfe_pending_envelopes"), Some(1.0));
    assert_eq!(
        sample(
            &page,
            "amtshilfe_entries_rejected_total{reason=\"unknown_author\"}"
        ),
        Some(1.0)
    );
    assert_eq!(sample(&page, "amtshilfe_peers_connected"), Some(3.0));
    assert_eq!(sample(&page, "amtshilfe_sync_sessions_total"), Some(4.0));
    assert_eq!(
        sample(
            &page,
            "amtshilfe_last_sync_timestamp_seconds{peer=\"12D3KooWpeer\"}"
        ),
        Some(1_767_225_600.25)
    );
    assert_eq!(
        sample(
            &page,
            "amtshilfe_gossip_messages_total{result=\"rejected\"}"
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn serve_answers_on_a_real_socket_and_stops() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let node = TestNode::new();
    let (net, _announced) = NetHandle::detached();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let bind = "127.0.0.1:0".parse().unwrap();
    let settings = crate::api::HttpSettings::default();
    let (address, task) = crate::api::serve(node.core.clone(), net, bind, settings, stopped)
        .await
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer}");
    stop.send(true).unwrap();
    task.await.unwrap();
}
