//! Managing accounts and tokens through the JSON API: role changes,
//! disabling and enabling, the last admin, revoking tokens, and the audit
//! log that records each change, paged.

use super::*;
use crate::accounts::Role;

impl TestNode {
    async fn patch(&self, name: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, &format!("/api/accounts/{name}"), Some(body))
            .await
    }

    async fn api_login(&self, account: &str) -> StatusCode {
        self.send(
            Request::post("/api/login").header(header::CONTENT_TYPE, "application/json"),
            Body::from(json!({ "account": account, "password": PASSWORD }).to_string()),
        )
        .await
        .status
    }

    async fn get_with(&self, token_or_cookie: (&str, &str), path: &str) -> StatusCode {
        self.send(
            Request::get(path).header(token_or_cookie.0, token_or_cookie.1),
            Body::empty(),
        )
        .await
        .status
    }
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_logins_and_tokens() {
    let node = TestNode::new();
    let token = node.add_account("emil", Role::ItLead, true);
    let bearer = format!("Bearer {token}");
    let (session, _) = node.login_page("emil").await;
    let (status, account) = node.patch("emil", json!({ "disabled": true })).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["disabled"], true);
    let cookie = (header::COOKIE.as_str(), session.as_str());
    assert_eq!(node.get_with(cookie, "/").await, StatusCode::SEE_OTHER);
    let auth = (header::AUTHORIZATION.as_str(), bearer.as_str());
    assert_eq!(
        node.get_with(auth, "/api/me").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(node.api_login("emil").await, StatusCode::UNAUTHORIZED);
    let (status, _) = node.patch("emil", json!({ "disabled": false })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(node.api_login("emil").await, StatusCode::OK);
    // Its tokens were revoked with the disabling, not just paused.
    assert_eq!(
        node.get_with(auth, "/api/me").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_role_change_ends_the_sessions_that_carry_the_old_role() {
    let node = TestNode::new();
    node.add_account("emil", Role::ItLead, true);
    let (session, _) = node.login_page("emil").await;
    let (status, account) = node.patch("emil", json!({ "role": "viewer" })).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["role"], "viewer");
    let cookie = (header::COOKIE.as_str(), session.as_str());
    assert_eq!(node.get_with(cookie, "/").await, StatusCode::SEE_OTHER);
    let (_, accounts) = node.get("/api/accounts").await;
    let emil = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "emil")
        .unwrap();
    assert_eq!(emil["role"], "viewer");
}

#[tokio::test]
async fn the_last_active_admin_stays() {
    let node = TestNode::new();
    for change in [json!({ "disabled": true }), json!({ "role": "viewer" })] {
        let (status, answer) = node.patch("admin", change).await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        assert_eq!(answer["error"]["code"], "last_admin");
    }
    // A disabled admin does not count.
    node.add_account("zweit", Role::Admin, false);
    let (status, _) = node.patch("zweit", json!({ "disabled": true })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = node.patch("admin", json!({ "role": "it_lead" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, answer) = node.patch("nobody", json!({ "disabled": true })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "account_not_found");
    let (status, answer) = node.patch("zweit", json!({ "role": "kaiser" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_body");
    let (status, _) = node.patch("zweit", json!({ "disabled": false })).await;
    assert_eq!(status, StatusCode::OK);
    // With another active admin, this one may step down.
    let (status, answer) = node.patch("admin", json!({ "role": "it_lead" })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn tokens_are_listed_and_revoked() {
    let node = TestNode::new();
    let token = node.add_account("skript", Role::Viewer, false);
    let (status, tokens) = node.get("/api/tokens").await;
    assert_eq!(status, StatusCode::OK);
    let rows = tokens.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(!tokens.to_string().contains(&token), "no secrets listed");
    let id = rows.iter().find(|r| r["account"] == "skript").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let uri = format!("/api/tokens/{id}");
    let (status, _) = node.call(Method::DELETE, &uri, None).await;
    assert_eq!(status, StatusCode::OK);
    let bearer = format!("Bearer {token}");
    let auth = (header::AUTHORIZATION.as_str(), bearer.as_str());
    assert_eq!(
        node.get_with(auth, "/api/me").await,
        StatusCode::UNAUTHORIZED
    );
    for gone in [uri.as_str(), "/api/tokens/nothex"] {
        let (status, answer) = node.call(Method::DELETE, gone, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(answer["error"]["code"], "token_not_found");
    }
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_newest_first_and_paged() {
    let node = TestNode::new();
    node.add_account("emil", Role::ItLead, false);
    let (status, _) = node
        .post(
            "/api/accounts",
            json!({ "account": "frieda", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    node.patch("emil", json!({ "role": "requester" })).await;
    let (_, rows) = node.get("/api/audit").await;
    let rows = rows.as_array().unwrap().clone();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "PATCH /api/accounts/emil",
            "account_changed",
            "POST /api/accounts",
            "account_created"
        ],
        "newest first"
    );
    assert!(
        rows[1]["detail"]
            .as_str()
            .unwrap()
            .contains("it_lead → requester")
    );
    assert_eq!(rows[3]["detail"], "frieda (viewer)");
    let (_, page) = node.get("/api/audit?limit=2&offset=1").await;
    assert_eq!(page.as_array().unwrap()[..], rows[1..3]);
    let (status, answer) = node.get("/api/audit?offset=minus").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "invalid_query");
}

#[tokio::test]
async fn requests_that_match_no_route_leave_no_audit_row() {
    let node = TestNode::new();
    let viewer = node.add_account("vera", Role::Viewer, false);
    let audit_rows = |node: &TestNode| node.core.lock().store().audit_log(1_000).unwrap().len();
    let before = audit_rows(&node);
    for _ in 0..3 {
        let answer = node
            .send(
                Request::post("/api/nope")
                    .header(header::AUTHORIZATION, format!("Bearer {viewer}"))
                    .header(header::CONTENT_TYPE, "application/json"),
                Body::from("{}"),
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(audit_rows(&node), before);
    // A refused write on a real route is still logged.
    let answer = node
        .send(
            Request::post("/api/offers")
                .header(header::AUTHORIZATION, format!("Bearer {viewer}"))
                .header(header::CONTENT_TYPE, "application/json"),
            Body::from(laptops(1).to_string()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_rows(&node), before + 1);
}
