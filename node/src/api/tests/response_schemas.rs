//! The answers fit their schemas: the registry, the request board,
//! the mission orders and the status of a node with an offer, a request, a
//! pledge and an acceptance; the login, me, token, account and audit
//! answers; and a bundle import's report are checked against the
//! document's schemas with the standard validator, and those schemas name
//! the fields (not just "an object").

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

/// Sends `body` with the admin's token (or with `session` and its CSRF
/// token) and returns the status and the JSON answer.
async fn answer_of(
    node: &TestNode,
    method: Method,
    uri: &str,
    body: Body,
    session: Option<(&str, &str)>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    request = match session {
        Some((cookie, csrf)) => request
            .header(header::COOKIE, cookie)
            .header("x-csrf-token", csrf),
        None => request.header(header::AUTHORIZATION, format!("Bearer {}", node.token)),
    };
    let answer = node
        .send(
            request.header(header::CONTENT_TYPE, "application/json"),
            body,
        )
        .await;
    (answer.status, answer.json())
}

fn json_body(value: Value) -> Body {
    Body::from(value.to_string())
}

#[tokio::test]
async fn session_account_token_audit_and_bundle_answers_validate_against_their_schemas() {
    let node = TestNode::new();
    node.add_account("dora", Role::ItLead, true);
    let mut answers: Vec<(&str, Value)> = Vec::new();

    let login = node
        .send(
            Request::post("/api/login").header(header::CONTENT_TYPE, "application/json"),
            json_body(json!({ "account": "dora", "password": PASSWORD })),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let cookie = login.cookie(crate::api::auth::SESSION_COOKIE).unwrap();
    let csrf = login.json()["csrf_token"].as_str().unwrap().to_owned();
    answers.push(("LoginAnswer", login.json()));
    let session = Some((cookie.as_str(), csrf.as_str()));

    let (status, token) = answer_of(
        &node,
        Method::POST,
        "/api/tokens",
        json_body(json!({ "label": "Skript", "days": 7 })),
        session,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    answers.push(("TokenAnswer", token));

    let (status, made) = answer_of(
        &node,
        Method::POST,
        "/api/accounts",
        json_body(json!({ "account": "emil", "role": "viewer" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert!(made["password"].is_string(), "{made}");
    answers.push(("NewAccountAnswer", made));
    let (status, changed) = answer_of(
        &node,
        Method::PATCH,
        "/api/accounts/emil",
        json_body(json!({ "disabled": true })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    answers.push(("Account", changed));

    for (path, schema, at_least) in [
        ("/api/me", "Me", 0),
        ("/api/tokens", "Tokens", 3),
        ("/api/accounts", "Accounts", 3),
        ("/api/audit", "AuditRows", 3),
    ] {
        let (status, answer) = node.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        if let Some(rows) = answer.as_array() {
            assert!(rows.len() >= at_least, "{path}: {answer}");
        }
        answers.push((schema, answer));
    }

    // A bundle of everything, imported again: all duplicates.
    let request = Request::post("/api/bundle/export")
        .header(header::AUTHORIZATION, format!("Bearer {}", node.token))
        .body(Body::empty())
        .unwrap();
    let response = node.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let (status, report) =
        answer_of(&node, Method::POST, "/api/bundle", Body::from(bytes), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(report["duplicates"].as_u64().unwrap() > 0, "{report}");
    answers.push(("BundleReport", report));

    let (_, document) = node.get("/api/openapi.json").await;
    let schemas = &document["components"]["schemas"];
    for (name, field) in [
        ("LoginAnswer", "csrf_token"),
        ("Me", "role"),
        ("TokenAnswer", "expires_at_ms"),
        ("TokenRow", "label"),
        ("Account", "disabled"),
        ("NewAccountAnswer", "account"),
        ("AuditRow", "action"),
        ("BundleReport", "refused"),
        ("RefusedItem", "code"),
    ] {
        let required = schemas[name]["required"].as_array().expect(name);
        assert!(required.contains(&json!(field)), "{name}: {required:?}");
    }
    check_with_standard_tools(&document, &answers);

    // The check can fail: an audit row without its action does not fit.
    let at = answers
        .iter()
        .position(|(name, _)| *name == "AuditRows")
        .unwrap();
    let mut broken = answers[at].1.clone();
    broken[0].as_object_mut().unwrap().remove("action");
    let refused = std::panic::catch_unwind(|| {
        check_with_standard_tools(&document, &[("AuditRows", broken)]);
    });
    assert!(refused.is_err(), "an audit row without its action");
}
