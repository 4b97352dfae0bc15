//! API tokens: made from a session with at most its role, with an expiry,
//! shown on Verwaltung, revoked when the account is disabled or its role
//! changes.

use super::*;
use crate::api::sessions::{TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX};

/// Logs `account` in and makes a token with `body`; the answer.
async fn make_token(node: &TestNode, account: &str, body: Value) -> client::Answer {
    let login = node
        .send(
            Request::post("/api/login").header(header::CONTENT_TYPE, "application/json"),
            Body::from(json!({ "account": account, "password": PASSWORD }).to_string()),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let session = login.cookie(crate::api::auth::SESSION_COOKIE).unwrap();
    let csrf = login.json()["csrf_token"].as_str().unwrap().to_string();
    node.send(
        Request::post("/api/tokens")
            .header(header::COOKIE, &session)
            .header("x-csrf-token", &csrf)
            .header(header::CONTENT_TYPE, "application/json"),
        Body::from(body.to_string()),
    )
    .await
}

async fn status_with(node: &TestNode, token: &str, method: Method, path: &str) -> StatusCode {
    node.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json"),
        Body::from("{}"),
    )
    .await
    .status
}

#[tokio::test]
async fn a_token_has_no_more_than_its_sessions_role_and_an_expiry() {
    let node = TestNode::new();
    node.add_account("vera", Role::Viewer, true);
    node.add_account("ines", Role::ItLead, true);
    // A viewer cannot mint an admin's or an IT lead's token.
    for role in ["admin", "it_lead", "requester"] {
        let refused = make_token(&node, "vera", json!({ "label": "x", "role": role })).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{role}");
    }
    // Nor a token for longer than the limit, or for no time.
    for days in [0, TOKEN_DAYS_MAX + 1] {
        let refused = make_token(&node, "ines", json!({ "label": "x", "days": days })).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{days}");
    }
    // An IT lead may hand a script a viewer's token; it cannot write.
    let made = make_token(&node, "ines", json!({ "label": "Lesen", "role": "viewer" })).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let answer = made.json();
    assert_eq!(answer["role"], "viewer");
    let expires = answer["expires_at_ms"].as_i64().unwrap();
    let expected = clock::now_ms() + i64::from(TOKEN_DAYS_DEFAULT) * DAY_MS;
    assert!((expires - expected).abs() < 60_000, "{expires}");
    let token = answer["token"].as_str().unwrap().to_string();
    assert_eq!(
        status_with(&node, &token, Method::GET, "/api/me").await,
        StatusCode::OK
    );
    assert_eq!(
        status_with(&node, &token, Method::POST, "/api/offers").await,
        StatusCode::FORBIDDEN
    );
    // The list and the Verwaltung page show role and expiry.
    let (_, list) = node.get("/api/tokens").await;
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "Lesen")
        .unwrap()
        .clone();
    assert_eq!(
        (row["role"].clone(), row["expires_at_ms"].clone()),
        (json!("viewer"), json!(expires))
    );
    node.add_account("chefin", Role::Admin, true);
    let (session, _) = node.login_page("chefin").await;
    let page = node
        .send(
            Request::get("/verwaltung").header(header::COOKIE, &session),
            Body::empty(),
        )
        .await;
    assert!(page.body.contains("Gültig bis"), "{}", page.body);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let node = TestNode::new();
    node.add_account("ines", Role::ItLead, false);
    let token = new_token().unwrap();
    let record = TokenRecord {
        account: "ines".into(),
        label: "alt".into(),
        created_at_ms: 0,
        role: Some("it_lead".into()),
        expires_at_ms: Some(clock::now_ms() - 1),
    };
    node.core
        .lock()
        .store()
        .put_token(token_hash(&token), &record)
        .unwrap();
    assert_eq!(
        status_with(&node, &token, Method::GET, "/api/me").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_role_change_revokes_the_accounts_tokens() {
    let node = TestNode::new();
    node.add_account("ines", Role::ItLead, true);
    let made = make_token(&node, "ines", json!({ "label": "Skript" })).await;
    let token = made.json()["token"].as_str().unwrap().to_string();
    assert_eq!(
        status_with(&node, &token, Method::GET, "/api/me").await,
        StatusCode::OK
    );
    let (status, _) = node
        .call(
            Method::PATCH,
            "/api/accounts/ines",
            Some(json!({ "role": "viewer" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        status_with(&node, &token, Method::GET, "/api/me").await,
        StatusCode::UNAUTHORIZED
    );
    let (_, list) = node.get("/api/tokens").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|t| t["account"] != "ines")
    );
}
