//! On-call notifications through a real core: a request another member
//! posts becomes an alert of this node, the notifier posts it to a real
//! webhook receiver on loopback, the API lists the delivery log and takes
//! the acknowledgement, which stops the escalation; the Verwaltung page
//! shows the log.

use std::sync::{Arc, Mutex};

use amtshilfe_protocol::model::RecordKey;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::config::Contact;
use crate::notify::alerts::current_alerts;
use crate::notify::{Notifier, NotifySettings};

const MINUTE_MS: i64 = 60_000;

/// A webhook receiver on loopback: its URL and the bodies it got.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                kept.lock()
                    .unwrap()
                    .push(serde_json::from_str::<Value>(&body).unwrap());
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, bodies)
}

/// Two webhook contacts at `url`, 15 minutes to acknowledge.
fn settings(url: &str) -> NotifySettings {
    let contact = |name: &str| Contact {
        name: name.to_owned(),
        email: None,
        webhook: Some(url.to_owned()),
    };
    NotifySettings {
        contacts: vec![contact("erste"), contact("zweite")],
        smtp: None,
        escalation_ms: 15 * MINUTE_MS,
        unreachable_ms: 60 * MINUTE_MS,
        node_name: "Kreis Bergstraße".to_owned(),
    }
}

#[tokio::test]
async fn the_running_notifier_tells_of_a_request_soon_after_it_arrives() {
    let mut node = TestNode::new();
    let (url, bodies) = receiver().await;
    let (stop, stop_rx) = watch::channel(false);
    let task = crate::notify::spawn(node.core.clone(), settings(&url), stop_rx);
    let started = || node.core.lock().store().notify_started_at_ms().unwrap();
    for _ in 0..100 {
        if started().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(started().is_some(), "the first round did not run");
    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    for _ in 0..200 {
        if !bodies.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["kind"], "new_request");
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn a_new_request_is_notified_listed_and_acknowledged() {
    let mut node = TestNode::new();
    let (url, bodies) = receiver().await;
    let notifier = Notifier::new(settings(&url));
    let core = node.core.clone();
    // The node's notifier works on the store's second handle, as here.
    let store = core.lock().store().handle();
    let round = |at_ms: i64| {
        let alerts = current_alerts(&core.lock(), 60 * MINUTE_MS, 0, at_ms).unwrap();
        (alerts, at_ms)
    };
    let t0 = clock::now_ms();
    // A's contacts are confirmed: no reminder among the alerts.
    node.own_profile_confirmed_at(t0);
    let (alerts, at) = round(t0);
    assert!(alerts.is_empty(), "{alerts:?}");
    notifier.run_once(&store, &alerts, at).await.unwrap();

    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    let (alerts, at) = round(t0 + 1_000);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let expected = format!("request:{}:r-b1", node.other_id());
    assert_eq!(alerts[0].id, expected);
    assert_eq!(notifier.run_once(&store, &alerts, at).await.unwrap(), 1);
    {
        let got = bodies.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["alert"], expected.as_str());
        assert_eq!(got[0]["kind"], "new_request");
        assert!(
            got[0]["subject_de"]
                .as_str()
                .unwrap()
                .starts_with("Neue Hilfeanfrage")
        );
    }

    let (status, log) = node.get("/api/notifications").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    assert_eq!(log[0]["status"], "Open");
    assert_eq!(log[0]["log"][0]["channel"], "webhook");
    assert_eq!(log[0]["log"][0]["ok"], true);
    let seq = log[0]["seq"].as_u64().unwrap();

    // The Verwaltung page shows it, open, with its delivery.
    node.add_account("chefin", crate::accounts::Role::Admin, true);
    let (session, _) = node.login_page("chefin").await;
    let page = node.page(&session, "/verwaltung").await;
    let section = &page[page.find("h-notifications").unwrap()..];
    assert!(section.contains("Neue Hilfeanfrage"), "{section}");
    assert!(
        section.contains("offen, wartet auf Bestätigung"),
        "{section}"
    );
    assert!(section.contains("#1 webhook: ok"), "{section}");

    let (status, acked) = node
        .post(&format!("/api/notifications/{seq}/ack"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    assert_eq!(acked["status"]["Acknowledged"]["by"], "admin");
    let page = node.page(&session, "/verwaltung").await;
    assert!(page.contains("bestätigt von admin"), "{page}");

    // Acknowledged: the second contact is not told when the time is up.
    let (alerts, at) = round(t0 + 20 * MINUTE_MS);
    assert_eq!(notifier.run_once(&store, &alerts, at).await.unwrap(), 0);
    assert_eq!(bodies.lock().unwrap().len(), 1);

    for bad in ["/api/notifications/999/ack", "/api/notifications/eins/ack"] {
        node.refused(
            bad,
            json!({}),
            StatusCode::NOT_FOUND,
            "notification_not_found",
        )
        .await;
    }
}
