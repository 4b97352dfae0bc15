//! The Verwaltung page: admins only; accounts with role and state, a new
//! account with its generated password shown once, role changes, disabling,
//! the last admin, revoking tokens, and the paged audit log.

use super::*;
use crate::accounts::Role;

impl TestNode {
    async fn admin_form(&self, session: &str, path: &str, body: String) -> (StatusCode, String) {
        let answer = self
            .send(
                Request::post(path)
                    .header(header::COOKIE, session)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
                Body::from(body),
            )
            .await;
        let shown = if answer.status == StatusCode::SEE_OTHER {
            answer.location().to_string()
        } else {
            answer.body
        };
        (answer.status, shown)
    }
}

#[tokio::test]
async fn only_admins_see_the_verwaltung() {
    let node = TestNode::new();
    node.add_account("leser", Role::Viewer, true);
    let (viewer, _) = node.login_page("leser").await;
    let denied = node
        .send(
            Request::get("/verwaltung").header(header::COOKIE, &viewer),
            Body::empty(),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let overview = node.page(&viewer, "/").await;
    assert!(
        !overview.contains("href=\"/verwaltung\""),
        "no link for a viewer"
    );
    node.add_account("chefin", Role::Admin, true);
    let (admin, _) = node.login_page("chefin").await;
    let page = node.page(&admin, "/verwaltung").await;
    assert!(page.contains("href=\"/verwaltung\""), "in the navigation");
    assert!(page.contains("Konten dieses Knotens") && page.contains("leser"));
    assert!(
        page.contains("Protokoll") && page.contains("login"),
        "{page}"
    );
    let english = node.page(&admin, "/verwaltung?lang=en").await;
    assert!(english.contains("Accounts of this node") && english.contains("Audit log"));
}

#[tokio::test]
async fn an_admin_manages_accounts_and_tokens_from_the_page() {
    let node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let (session, csrf) = node.login_page("chefin").await;
    // A new account with a generated password, shown once.
    let (status, page) = node
        .admin_form(
            &session,
            "/verwaltung/konten",
            format!("csrf={csrf}&account=emil&role=it_lead&password="),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let shown = &page[page.find("data-testid=\"new-password\"").unwrap()..];
    let password = &shown[shown.find("<code>").unwrap() + 6..shown.find("</code>").unwrap()];
    let login = node
        .send(
            Request::post("/api/login").header(header::CONTENT_TYPE, "application/json"),
            Body::from(json!({ "account": "emil", "password": password }).to_string()),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "the shown password works");
    let (status, page) = node
        .admin_form(
            &session,
            "/verwaltung/konten",
            format!("csrf={csrf}&account=emil&role=viewer&password="),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("Die Änderung wurde nicht gespeichert."),
        "{page}"
    );
    // Role change and disabling.
    let (status, _) = node
        .admin_form(
            &session,
            "/verwaltung/konten/emil/rolle",
            format!("csrf={csrf}&role=requester"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = node
        .admin_form(
            &session,
            "/verwaltung/konten/emil/sperren",
            format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, accounts) = node.get("/api/accounts").await;
    let emil = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "emil")
        .unwrap()
        .clone();
    assert_eq!(
        (emil["role"].as_str(), emil["disabled"].as_bool()),
        (Some("requester"), Some(true))
    );
    let page = node.page(&session, "/verwaltung").await;
    assert!(
        page.contains("/verwaltung/konten/emil/entsperren"),
        "can be enabled again"
    );
    // The last active admin: "admin" (the test's token account) steps down
    // first, then "chefin" cannot.
    let (status, _) = node
        .admin_form(
            &session,
            "/verwaltung/konten/admin/sperren",
            format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = node
        .admin_form(
            &session,
            "/verwaltung/konten/chefin/rolle",
            format!("csrf={csrf}&role=viewer"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("last active admin"), "{page}");
    // Revoking a token (each account made here had one; the disabled
    // accounts' went with the disabling).
    let page = node.page(&session, "/verwaltung").await;
    let at = page.find("/widerrufen").unwrap();
    let start = page[..at].rfind("/verwaltung/token/").unwrap() + "/verwaltung/token/".len();
    let id = &page[start..at];
    let (status, _) = node
        .admin_form(
            &session,
            &format!("/verwaltung/token/{id}/widerrufen"),
            format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let left = node
        .send(
            Request::get("/api/tokens").header(header::COOKIE, &session),
            Body::empty(),
        )
        .await
        .json();
    let left = left.as_array().unwrap();
    // Disabling emil and admin revoked theirs; chefin's went from the page.
    assert!(left.is_empty(), "{left:?}");
    let audit = node.page(&session, "/verwaltung").await;
    for action in ["account_created", "account_changed", "token_revoked"] {
        assert!(audit.contains(action), "{action} is in the audit log");
    }
}
