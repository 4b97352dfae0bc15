//! Accounts and access: nothing but `/health` and the login answers without
//! a session or token; login, logout, CSRF, rate limiting, and the role
//! check on every write route, for the JSON API and the pages.

use super::*;
use crate::accounts::{PAIR_FREE_FAILURES, Role};

const PAGES: [&str; 8] = [
    "/",
    "/ressourcen",
    "/ressourcen/o-1/bearbeiten",
    "/register",
    "/anfordern",
    "/netzwerk",
    "/anfragen/00/r-1",
    "/abmelden",
];
const API_GETS: [&str; 11] = [
    "/api/tokens",
    "/api/status",
    "/api/registry",
    "/api/board",
    "/api/missions",
    "/api/me",
    "/api/accounts",
    "/api/audit",
    "/metrics",
    "/events",
    "/api/nothing-here",
];

/// Every write route with the roles that may use it (all `POST` but the
/// ones in [`method_of`]).
fn write_routes(b: MemberId) -> Vec<(&'static str, String, Vec<Role>)> {
    let offer = vec![Role::Admin, Role::ItLead];
    let request = vec![Role::Admin, Role::Requester];
    let admin = vec![Role::Admin];
    vec![
        ("api", "/api/offers".into(), offer.clone()),
        ("api", "/api/offers/o-1".into(), offer.clone()),
        ("page", "/ressourcen/o-1/bearbeiten".into(), offer.clone()),
        ("api", "/api/offers/o-1/withdraw".into(), offer.clone()),
        ("api", "/api/pledges".into(), offer.clone()),
        ("api", "/api/requests".into(), request.clone()),
        ("api", "/api/acceptances".into(), request.clone()),
        ("api", "/api/accounts".into(), admin.clone()),
        ("api", "/api/accounts/x".into(), admin.clone()),
        ("api", "/api/tokens/x".into(), admin.clone()),
        ("page", "/ressourcen".into(), offer.clone()),
        (
            "page",
            "/ressourcen/o-1/zurueckziehen".into(),
            offer.clone(),
        ),
        ("page", format!("/anfragen/{b}/r-1/zusage"), offer),
        ("page", "/anfordern".into(), request.clone()),
        ("page", "/verwaltung/konten".into(), admin.clone()),
        ("page", "/verwaltung/konten/x/rolle".into(), admin.clone()),
        ("page", "/verwaltung/konten/x/sperren".into(), admin.clone()),
        (
            "page",
            "/verwaltung/konten/x/entsperren".into(),
            admin.clone(),
        ),
        (
            "page",
            "/verwaltung/token/x/widerrufen".into(),
            admin.clone(),
        ),
        ("page", format!("/anfragen/{b}/r-1/annahme"), request),
    ]
}

/// The method of a route of [`write_routes`].
fn method_of(path: &str) -> Method {
    match path {
        "/api/offers/o-1" => Method::PUT,
        "/api/accounts/x" => Method::PATCH,
        "/api/tokens/x" => Method::DELETE,
        _ => Method::POST,
    }
}

#[tokio::test]
async fn nothing_but_health_and_login_answers_without_a_session() {
    let node = TestNode::new();
    let b = node.other_id();
    for path in PAGES.iter().filter(|p| **p != "/abmelden") {
        let answer = node.send(Request::get(*path), Body::empty()).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(answer.location(), "/anmelden", "{path}");
    }
    for path in API_GETS {
        let answer = node.send(Request::get(path), Body::empty()).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(answer.json()["error"]["code"], "unauthenticated", "{path}");
    }
    for (_, path, _) in write_routes(b) {
        let request = Request::builder()
            .method(method_of(&path))
            .uri(path.as_str());
        let answer = node.send(request, Body::empty()).await;
        assert!(
            matches!(
                answer.status,
                StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
            ),
            "{path}: {}",
            answer.status
        );
    }
    let bad_token = node
        .send(
            Request::get("/api/status").header(header::AUTHORIZATION, "Bearer amt_nope"),
            Body::empty(),
        )
        .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        node.send(Request::get("/health"), Body::empty())
            .await
            .status,
        StatusCode::OK
    );
    let login = node.send(Request::get("/anmelden"), Body::empty()).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Anmelden"));
    let english = node
        .send(Request::get("/anmelden?lang=en"), Body::empty())
        .await;
    assert!(english.body.contains("Log in"));
    assert!(english.cookie("amtshilfe_lang").is_some());
}

#[tokio::test]
async fn a_session_logs_in_reads_pages_and_logs_out() {
    let node = TestNode::new();
    node.add_account("anna", Role::Viewer, true);
    let (session, csrf) = node.login_page("anna").await;
    assert_eq!(csrf.len(), 64);
    for path in PAGES
        .iter()
        .filter(|p| **p != "/abmelden" && !p.starts_with("/anfragen") && !p.ends_with("bearbeiten"))
    {
        let page = node
            .send(
                Request::get(*path).header(header::COOKIE, &session),
                Body::empty(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("<main id=\"inhalt\""), "{path}");
    }
    let out = node
        .send(
            Request::post("/abmelden")
                .header(header::COOKIE, &session)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        out.cookie("amtshilfe_session").unwrap(),
        "amtshilfe_session="
    );
    let after = node
        .send(
            Request::get("/").header(header::COOKIE, &session),
            Body::empty(),
        )
        .await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
    let (_, audit) = node.get("/api/audit").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"login") && actions.contains(&"logout"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn writes_with_a_session_need_the_csrf_token() {
    let mut node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, csrf) = node.login_page("it").await;
    let form = |csrf: &str| {
        format!(
            "csrf={csrf}&kind=equipment&title=Notebooks&valid_from=2026-01-01&contact_role=IT&contact_phone=%2B49+6252+15-0&contact_email=it%40example.de&category=laptop&quantity=3&image_state=clean_standalone&location=Heppenheim"
        )
    };
    for sent in [String::new(), "0".repeat(64)] {
        let refused = node
            .send(
                Request::post("/ressourcen")
                    .header(header::COOKIE, &session)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
                Body::from(form(&sent)),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let json_without = node
        .send(
            Request::post("/api/offers")
                .header(header::COOKIE, &session)
                .header(header::CONTENT_TYPE, "application/json"),
            Body::from(laptops(3).to_string()),
        )
        .await;
    assert_eq!(json_without.json()["error"]["code"], "csrf_failed");
    assert!(node.announced.try_recv().is_err(), "nothing was written");
    let saved = node
        .send(
            Request::post("/ressourcen")
                .header(header::COOKIE, &session)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(form(&csrf)),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let json_with = node
        .send(
            Request::post("/api/offers")
                .header(header::COOKIE, &session)
                .header("x-csrf-token", &csrf)
                .header(header::CONTENT_TYPE, "application/json"),
            Body::from(laptops(2).to_string()),
        )
        .await;
    assert_eq!(json_with.status, StatusCode::CREATED);
    let (_, registry) = node.get("/api/registry").await;
    assert_eq!(registry.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn failed_logins_are_limited() {
    let node = TestNode::new();
    node.add_account("bernd", Role::Requester, true);
    let login = |password: &str| {
        Body::from(json!({ "account": "bernd", "password": password }).to_string())
    };
    let post = || Request::post("/api/login").header(header::CONTENT_TYPE, "application/json");
    for _ in 0..PAIR_FREE_FAILURES {
        let answer = node.send(post(), login("falsch")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.json()["error"]["code"], "login_failed");
    }
    let limited = node.send(post(), login(PASSWORD)).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    // Another account from the same client is not: delays are per
    // account and address (and per address only after many more).
    node.add_account("clara", Role::Viewer, true);
    let other = node
        .send(
            post(),
            Body::from(json!({ "account": "clara", "password": PASSWORD }).to_string()),
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_failed_logins_are_limited_too() {
    let node = TestNode::new();
    node.add_account("bernd", Role::Requester, true);
    let attempts = (0..20).map(|_| {
        node.send(
            Request::post("/api/login").header(header::CONTENT_TYPE, "application/json"),
            Body::from(json!({ "account": "bernd", "password": "falsch" }).to_string()),
        )
    });
    let answers = futures::future::join_all(attempts).await;
    let checked = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    let limited = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + limited, 20);
    assert!(
        checked <= PAIR_FREE_FAILURES as usize,
        "{checked} passwords were checked in one window"
    );
}

#[tokio::test]
async fn api_login_gives_a_cookie_and_a_csrf_token() {
    let node = TestNode::new();
    node.add_account("dora", Role::Requester, true);
    let answer = node
        .send(
            Request::post("/api/login").header(header::CONTENT_TYPE, "application/json"),
            Body::from(json!({ "account": "dora", "password": PASSWORD }).to_string()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["role"], "requester");
    let cookie_header = answer
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie_header.contains("HttpOnly") && cookie_header.contains("SameSite=Strict"));
    let session = answer.cookie("amtshilfe_session").unwrap();
    let me = node
        .send(
            Request::get("/api/me").header(header::COOKIE, &session),
            Body::empty(),
        )
        .await;
    assert_eq!(me.json()["account"], "dora");
}

#[tokio::test]
async fn every_write_route_checks_the_role() {
    let node = TestNode::new();
    let b = node.other_id();
    for role in Role::ALL {
        let token = node.add_account(
            &format!("user-{}", role.id().replace('_', "-")),
            role,
            false,
        );
        for (kind, path, allowed) in write_routes(b) {
            let content_type = if kind == "api" {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            let answer = node
                .send(
                    Request::builder()
                        .method(method_of(&path))
                        .uri(path.as_str())
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .header(header::CONTENT_TYPE, content_type),
                    Body::from(if kind == "api" { "{}" } else { "" }),
                )
                .await;
            if allowed.contains(&role) {
                assert_ne!(answer.status, StatusCode::FORBIDDEN, "{role:?} {path}");
            } else {
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{role:?} {path}");
                if kind == "api" {
                    assert_eq!(answer.json()["error"]["code"], "forbidden");
                }
            }
        }
        let audit = node
            .send(
                Request::get("/api/audit").header(header::AUTHORIZATION, format!("Bearer {token}")),
                Body::empty(),
            )
            .await;
        assert_eq!(
            audit.status == StatusCode::OK,
            role == Role::Admin,
            "{role:?}"
        );
    }
}

#[tokio::test]
async fn admins_make_accounts_and_any_session_makes_tokens() {
    let node = TestNode::new();
    let (status, made) = node
        .post(
            "/api/accounts",
            json!({ "account": "emil", "role": "it_lead" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let password = made["password"].as_str().unwrap().to_string();
    let (status, _) = node
        .post(
            "/api/accounts",
            json!({ "account": "emil", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let login = node
        .send(
            Request::post("/api/login").header(header::CONTENT_TYPE, "application/json"),
            Body::from(json!({ "account": "emil", "password": password }).to_string()),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    // A token cannot make tokens; a login session can.
    let (status, refused) = node.post("/api/tokens", json!({ "label": "Skript" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["error"]["code"], "token_needs_session");
    let session = login.cookie(crate::api::auth::SESSION_COOKIE).unwrap();
    let csrf = login.json()["csrf_token"].as_str().unwrap().to_string();
    let answer = node
        .send(
            Request::post("/api/tokens")
                .header(header::COOKIE, &session)
                .header("x-csrf-token", &csrf)
                .header(header::CONTENT_TYPE, "application/json"),
            Body::from(json!({ "label": "Skript" }).to_string()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let token = answer.json()["token"].as_str().unwrap().to_string();
    let me = node
        .send(
            Request::get("/api/me").header(header::AUTHORIZATION, format!("Bearer {token}")),
            Body::empty(),
        )
        .await;
    assert_eq!(me.json()["account"], "emil");
    let (_, accounts) = node.get("/api/accounts").await;
    assert_eq!(accounts.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn events_report_stored_changes() {
    let mut node = TestNode::new();
    let answer = node
        .app
        .clone()
        .oneshot(
            Request::get("/events")
                .header(header::AUTHORIZATION, format!("Bearer {}", node.token))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = answer.into_body();
    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
        .await
        .expect("an event arrives")
        .unwrap()
        .unwrap();
    let text = String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap();
    assert!(text.starts_with("event: change\ndata: "), "{text}");
    let _ = &mut node;
}

/// Browsers fetch other things (a favicon, a second tab) between showing
/// the login form and sending it; those requests land on the login page
/// too and must not invalidate the form on the screen.
#[tokio::test]
async fn other_requests_between_showing_and_sending_the_login_form_keep_it_valid() {
    let node = TestNode::new();
    node.add_account("anna", Role::Viewer, true);
    let form = node.send(Request::get("/anmelden"), Body::empty()).await;
    let login_cookie = form.cookie("amtshilfe_login").unwrap();
    let token = client::value_of(&form.body, "login_token");
    for path in ["/favicon.ico", "/anmelden"] {
        let other = node
            .send(
                Request::get(path).header(header::COOKIE, &login_cookie),
                Body::empty(),
            )
            .await;
        if let Some(cookie) = other.cookie("amtshilfe_login") {
            assert_eq!(cookie, login_cookie, "{path} replaced the login token");
        }
    }
    let answer = node
        .send(
            Request::post("/anmelden")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &login_cookie),
            Body::from(format!(
                "login_token={token}&account=anna&password={}",
                PASSWORD
            )),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
}
