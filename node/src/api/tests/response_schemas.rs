//! The read answers fit their schemas: the registry, the request board,
//! the mission orders and the status of a node with an offer, a request, a
//! pledge and an acceptance are checked against the document's schemas
//! with the standard validator, and those schemas name the fields (not
//! just "an object").

use super::schema_bodies::check_with_standard_tools;
use super::*;

#[tokio::test]
async fn registry_board_and_mission_answers_validate_against_their_schemas() {
    let mut node = TestNode::new();
    node.created("/api/offers", laptops(20), StatusCode::CREATED)
        .await;
    let request = node
        .created("/api/requests", laptop_request(5), StatusCode::CREATED)
        .await;
    node.other_writes(
        RecordKey::pledge(id("p-b1")),
        pledge(node.me(), &request, "n1", 3),
    );
    let b = node.other_id();
    node.created(
        "/api/acceptances",
        json!({ "pledger": b, "pledge": "p-b1", "quantity": 2, "terms": "bis Freitag" }),
        StatusCode::CREATED,
    )
    .await;
    let mut answers = Vec::new();
    for (path, schema) in [
        ("/api/registry", "RegistryEntries"),
        ("/api/board", "Board"),
        ("/api/missions", "MissionOrders"),
        ("/api/status", "Status"),
    ] {
        let (status, answer) = node.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        if let Some(rows) = answer.as_array() {
            assert_eq!(rows.len(), 1, "{path}: {answer}");
        }
        answers.push((schema, answer));
    }
    let (_, document) = node.get("/api/openapi.json").await;
    let schemas = &document["components"]["schemas"];
    for (name, field) in [
        ("OfferEntry", "remaining"),
        ("RequestView", "needs"),
        ("NeedView", "totals"),
        ("PledgeView", "accepted_quantity"),
        ("MissionOrder", "settlement"),
        ("Status", "writes_stopped"),
    ] {
        let required = schemas[name]["required"].as_array().expect(name);
        assert!(required.contains(&json!(field)), "{name}: {required:?}");
    }
    check_with_standard_tools(&document, &answers);

    // The check can fail: a mission order without its acceptance does not fit.
    let mut broken = answers[2].1.clone();
    broken[0].as_object_mut().unwrap().remove("acceptance");
    let refused = std::panic::catch_unwind(|| {
        check_with_standard_tools(&document, &[("MissionOrders", broken)]);
    });
    assert!(refused.is_err(), "a mission order without its acceptance");
}
