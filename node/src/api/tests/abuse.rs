//! Abuse of the HTTP side: logins a stranger abandons or fails must not
//! lock out the operators; the client address comes from a trusted proxy
//! only.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;

use super::*;
use crate::accounts::{ADDRESS_FREE_FAILURES, PAIR_FREE_FAILURES, Role};
use crate::api::auth::client_address;

fn from(address: &str) -> axum::http::request::Builder {
    let peer: SocketAddr = format!("{address}:40000").parse().unwrap();
    Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(ConnectInfo(peer))
}

fn body(account: &str, password: &str) -> Body {
    Body::from(json!({ "account": account, "password": password }).to_string())
}

/// Logins whose client goes away while the password is being checked
/// used to leave their attempts "in flight" for ever: `admin` then got 429
/// until a restart. The password check is held back here, so that the
/// abandoned login is certainly inside it when its client goes away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_logins_do_not_lock_the_account() {
    let node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let held = node.accounts.hold_password_work().await;
    let attempts = (0..7).map(|_| {
        let request = from("127.0.0.1").body(body("chefin", PASSWORD)).unwrap();
        tokio::time::timeout(
            Duration::from_millis(300),
            node.app.clone().oneshot(request),
        )
    });
    let answers = futures::future::join_all(attempts).await;
    // One attempt at a time per account and address: the first waits in the
    // password check until its client gives up, the others are told to
    // come back later.
    let abandoned = answers.iter().filter(|a| a.is_err()).count();
    assert_eq!(
        abandoned, 1,
        "exactly one login waited in the password check"
    );
    for answer in answers.into_iter().flatten() {
        assert_eq!(answer.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    }
    drop(held);
    // The same client, right away: logged in, not limited.
    let answer = node.send(from("127.0.0.1"), body("chefin", PASSWORD)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

/// A stranger guessing `admin`'s password slows down only the stranger.
#[tokio::test]
async fn a_strangers_failures_do_not_lock_the_operator_out() {
    let node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    for _ in 0..PAIR_FREE_FAILURES {
        let answer = node.send(from("10.0.0.66"), body("chefin", "falsch")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let slowed = node.send(from("10.0.0.66"), body("chefin", PASSWORD)).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(slowed.headers.contains_key(header::RETRY_AFTER));
    let operator = node.send(from("127.0.0.1"), body("chefin", PASSWORD)).await;
    assert_eq!(operator.status, StatusCode::OK, "{}", operator.body);
}

/// Behind a trusted proxy each client is told apart by the proxy's
/// `X-Forwarded-For`; anyone else's header is ignored.
#[test]
fn the_client_address_comes_from_trusted_proxies_only() {
    let proxy: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("x-forwarded-for", "203.0.113.9, 10.0.0.5".parse().unwrap());
    assert_eq!(client_address(Some(proxy), &headers, &[]), "127.0.0.1");
    assert_eq!(client_address(Some(proxy), &headers, &[proxy]), "10.0.0.5");
    let inner: std::net::IpAddr = "10.0.0.5".parse().unwrap();
    assert_eq!(
        client_address(Some(proxy), &headers, &[proxy, inner]),
        "203.0.113.9"
    );
    headers.insert("x-forwarded-for", "kein-ip".parse().unwrap());
    assert_eq!(client_address(Some(proxy), &headers, &[proxy]), "127.0.0.1");
    assert_eq!(client_address(None, &headers, &[proxy]), "unknown");
}

/// Through a trusted proxy, one client's failures do not slow another.
#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_limited_apart() {
    let node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let (net, _announced) = NetHandle::detached();
    let (_stop, stopped) = watch::channel(false);
    let settings = crate::api::HttpSettings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let app = router(ApiState::new(node.core.clone(), net, stopped).with_settings(&settings));
    let send = |client: &'static str, password: &'static str| {
        let request = from("127.0.0.1")
            .header("x-forwarded-for", client)
            .body(body("chefin", password))
            .unwrap();
        app.clone().oneshot(request)
    };
    for _ in 0..ADDRESS_FREE_FAILURES + 1 {
        send("203.0.113.66", "falsch").await.unwrap();
    }
    let stranger = send("203.0.113.66", PASSWORD).await.unwrap();
    assert_eq!(stranger.status(), StatusCode::TOO_MANY_REQUESTS);
    let operator = send("203.0.113.7", PASSWORD).await.unwrap();
    assert_eq!(operator.status(), StatusCode::OK);
}

/// A login does not take the core's lock: it is answered while the lock
/// is held (as while the node applies and commits a sync page).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_does_not_wait_for_the_core() {
    let node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let core = node.core.clone();
    let (held_tx, held) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let _guard = core.lock();
        held_tx.send(()).unwrap();
        let _ = released.recv_timeout(Duration::from_secs(30));
    });
    held.recv().unwrap();
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        node.send(from("127.0.0.1"), body("chefin", PASSWORD)),
    )
    .await;
    release.send(()).unwrap();
    holder.join().unwrap();
    let answer = answer.expect("the login waited for the core's lock");
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}
