//! The headers every answer carries (CSP without inline script or style,
//! nosniff, referrer policy, no framing), the static files the CSP allows,
//! and the `Secure` cookie flag when the node is configured for HTTPS.

use super::*;
use crate::accounts::Role;
use crate::api::CONTENT_SECURITY_POLICY;

fn assert_hardened(answer: &super::client::Answer, what: &str) {
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let csp = header("content-security-policy");
    assert_eq!(csp, CONTENT_SECURITY_POLICY, "{what}");
    for part in [
        "frame-ancestors 'none'",
        "script-src 'self'",
        "style-src 'self'",
    ] {
        assert!(csp.contains(part), "{what}: {part}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
}

/// Nothing inline that the CSP would block: no `<style>`, no `style=`,
/// every `<script>` loads a file.
fn assert_no_inline(html: &str, what: &str) {
    assert!(!html.contains("<style"), "{what} has an inline style sheet");
    assert!(!html.contains(" style="), "{what} has an inline style");
    assert!(
        !html.contains("javascript:"),
        "{what} has a javascript: link"
    );
    for (at, _) in html.match_indices("<script") {
        let tag = &html[at..at + html[at..].find('>').unwrap()];
        assert!(tag.contains(" src="), "{what} has an inline script: {tag}");
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_pages_nothing_inline() {
    let node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let (session, _) = node.login_page("chefin").await;
    let login = node.send(Request::get("/anmelden"), Body::empty()).await;
    assert_hardened(&login, "/anmelden");
    assert_no_inline(&login.body, "/anmelden");
    for path in [
        "/",
        "/ressourcen",
        "/ressourcen?art=team_package",
        "/register",
        "/anfordern",
        "/netzwerk",
        "/verwaltung",
    ] {
        let answer = node
            .send(
                Request::get(path).header(header::COOKIE, &session),
                Body::empty(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_hardened(&answer, path);
        assert_no_inline(&answer.body, path);
        assert!(answer.body.contains("href=\"/static/app.css\""), "{path}");
        assert!(answer.body.contains("src=\"/static/live.js\""), "{path}");
    }
    let error = node.send(Request::get("/api/status"), Body::empty()).await;
    assert_eq!(error.status, StatusCode::UNAUTHORIZED);
    assert_hardened(&error, "an API error");
}

#[tokio::test]
async fn static_files_need_no_session() {
    let node = TestNode::new();
    for (path, content_type) in [
        ("/static/app.css", "text/css; charset=utf-8"),
        ("/static/login.css", "text/css; charset=utf-8"),
        ("/static/live.js", "text/javascript; charset=utf-8"),
    ] {
        let answer = node.send(Request::get(path), Body::empty()).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.headers[header::CONTENT_TYPE], content_type);
        assert!(answer.body.len() > 100, "{path}");
        assert_hardened(&answer, path);
    }
    let missing = node
        .send(Request::get("/static/geheim.txt"), Body::empty())
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn login_cookie(app: &Router) -> String {
    let request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "account": "anna", "password": PASSWORD }).to_string(),
        ))
        .unwrap();
    let answer = app.clone().oneshot(request).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    answer.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn cookies_are_secure_only_when_configured() {
    let node = TestNode::new();
    node.add_account("anna", Role::Viewer, true);
    let plain = login_cookie(&node.app).await;
    assert!(!plain.contains("Secure"), "{plain}");
    let (net, _announced) = NetHandle::detached();
    let (_stop, stopped) = watch::channel(false);
    let state = ApiState::new(node.core.clone(), net, stopped).with_secure_cookies(true);
    let secure = router(state);
    let cookie = login_cookie(&secure).await;
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let form = secure
        .clone()
        .oneshot(
            Request::get("/anmelden?lang=en")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let cookies: Vec<&str> = form
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 2, "language and login form: {cookies:?}");
    assert!(
        cookies.iter().all(|c| c.ends_with("; Secure")),
        "{cookies:?}"
    );
}

/// The decoders the fuzzer drives take what the routes take and refuse
/// what they refuse (unknown fields included).
#[test]
fn json_bodies_decode_as_the_routes_do() {
    assert!(crate::api::decode_json_body(
        0,
        br#"{"account":"admin","password":"x"}"#
    ));
    assert!(crate::api::decode_json_body(1, br#"{"label":"Skript"}"#));
    assert!(crate::api::decode_json_body(
        2,
        br#"{"account":"lage","role":"viewer"}"#
    ));
    assert!(crate::api::decode_json_body(3, br#"{"disabled":true}"#));
    assert!(!crate::api::decode_json_body(
        0,
        br#"{"account":"admin","password":"x","admin":true}"#
    ));
    assert!(!crate::api::decode_json_body(4, b"\xff\x00"));
}
