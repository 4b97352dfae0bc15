//! The HTTP server's bounds: host names (DNS rebinding), connections per
//! address, idle connections, request time, event streams.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::api::limits::{CappedListener, EVENT_STREAMS_MAX, HTTP_CONNECTIONS_PER_ADDRESS_MAX};

async fn serve(node: &TestNode) -> (std::net::SocketAddr, watch::Sender<bool>) {
    let (net, _announced) = NetHandle::detached();
    let (stop, stopped) = watch::channel(false);
    let bind = "127.0.0.1:0".parse().unwrap();
    let settings = crate::api::HttpSettings {
        allowed_hosts: vec!["amtshilfe.kreis.example".into()],
        ..Default::default()
    };
    let (address, _task) = crate::api::serve(node.core.clone(), net, bind, settings, stopped)
        .await
        .unwrap();
    (address, stop)
}

async fn health_with_host(address: std::net::SocketAddr, host: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET /health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

/// A page of another site whose name resolves to 127.0.0.1 must not get
/// answers (DNS rebinding).
#[tokio::test]
async fn only_allowed_host_names_are_answered() {
    let node = TestNode::new();
    let (address, _stop) = serve(&node).await;
    let port = address.port();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "AMTSHILFE.kreis.example".to_owned(),
    ] {
        let answer = health_with_host(address, &host).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
    let answer = health_with_host(address, &format!("rebind.evil.example:{port}")).await;
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    assert!(!answer.contains(r#""status":"ok""#), "{answer}");
}

/// One address cannot hold every connection: beyond its share new ones are
/// closed at once, and its slots come back when it lets go. (The node
/// itself does not cap loopback clients, which all share 127.0.0.1 behind
/// a local proxy; here loopback stands in for a remote address.)
#[tokio::test]
async fn connections_per_address_are_capped() {
    let node = TestNode::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let listener = axum::serve::ListenerExt::tap_io(
        CappedListener::new(listener, std::sync::Arc::new([])).capping_loopback(),
        |_| {},
    );
    let app = node
        .app
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut held = Vec::new();
    for _ in 0..HTTP_CONNECTIONS_PER_ADDRESS_MAX {
        held.push(tokio::net::TcpStream::connect(address).await.unwrap());
    }
    // Let the server accept them all.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut byte = [0u8; 1];
    let closed = tokio::time::timeout(Duration::from_secs(5), extra.read(&mut byte)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "the connection over the cap was kept open: {closed:?}"
    );
    held.clear();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = health_with_host(address, "localhost").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// The node's own server does not cap this machine's clients per address:
/// behind a local reverse proxy they are every browser at once.
#[tokio::test]
async fn loopback_clients_share_only_the_total_cap() {
    let node = TestNode::new();
    let (address, _stop) = serve(&node).await;
    let mut held = Vec::new();
    for _ in 0..HTTP_CONNECTIONS_PER_ADDRESS_MAX + 8 {
        held.push(tokio::net::TcpStream::connect(address).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = health_with_host(address, "localhost").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A connection that sends nothing is closed after the idle time.
#[tokio::test]
async fn idle_connections_are_closed() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let idle = Duration::from_millis(300);
    let mut listener = CappedListener::new(listener, std::sync::Arc::new([])).with_idle(idle);
    let _client = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut server_side, _) = axum::serve::Listener::accept(&mut listener).await;
    let started = tokio::time::Instant::now();
    let mut byte = [0u8; 1];
    let error = server_side.read(&mut byte).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
    assert!(started.elapsed() >= idle);
}

/// A request that takes too long is answered with 503.
#[tokio::test]
async fn slow_requests_are_cut_off() {
    let limit = Duration::from_millis(100);
    let slow = axum::Router::new()
        .route(
            "/api/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "spät"
            }),
        )
        .layer(axum::middleware::from_fn(move |request, next| {
            crate::api::limits::limit_time(request, next, limit)
        }));
    let answer = slow
        .oneshot(Request::get("/api/slow").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// At most so many event streams are open; a closed one frees its slot.
#[tokio::test]
async fn event_streams_are_capped() {
    let node = TestNode::new();
    let open = || {
        node.app.clone().oneshot(
            Request::get("/events")
                .header(header::AUTHORIZATION, format!("Bearer {}", node.token))
                .body(Body::empty())
                .unwrap(),
        )
    };
    let mut streams = Vec::new();
    for _ in 0..EVENT_STREAMS_MAX {
        let answer = open().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        streams.push(answer);
    }
    let refused = open().await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    streams.pop();
    assert_eq!(open().await.unwrap().status(), StatusCode::OK);
}

/// A client that trickles its headers a byte at a time keeps the idle
/// clock happy but is cut off once the header time is up.
#[tokio::test]
async fn trickled_headers_are_cut_off() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let header_time = Duration::from_millis(300);
    let mut listener = CappedListener::new(listener, std::sync::Arc::new([]))
        .with_idle(Duration::from_secs(5))
        .with_header_time(header_time);
    let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut server_side, _) = axum::serve::Listener::accept(&mut listener).await;
    let trickle = tokio::spawn(async move {
        for byte in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        {
            if client.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    let started = tokio::time::Instant::now();
    let mut buffer = [0u8; 64];
    let error = loop {
        match server_side.read(&mut buffer).await {
            Ok(0) => panic!("the client closed first"),
            Ok(_) => continue,
            Err(error) => break error,
        }
    };
    assert_eq!(error.kind(), std::io::ErrorKind::TimedOut, "{error}");
    assert!(started.elapsed() >= header_time);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    trickle.abort();
}

/// Complete headers stop the header clock (a slow body or a slow answer
/// is the request limit's business); after the answer, the next request's
/// first byte starts it again.
#[tokio::test]
async fn the_header_clock_stops_at_the_blank_line_and_restarts_per_request() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let header_time = Duration::from_millis(300);
    let mut listener = CappedListener::new(listener, std::sync::Arc::new([]))
        .with_idle(Duration::from_secs(5))
        .with_header_time(header_time);
    let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut server_side, _) = axum::serve::Listener::accept(&mut listener).await;
    let mut buffer = [0u8; 256];

    client
        .write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n")
        .await
        .unwrap();
    let read = server_side.read(&mut buffer).await.unwrap();
    assert!(read > 0);
    // Longer than the header time, with the headers complete: still open.
    let waited = tokio::time::timeout(header_time * 2, server_side.read(&mut buffer)).await;
    assert!(
        waited.is_err(),
        "the connection must still be open: {waited:?}"
    );
    client.write_all(b"hallo").await.unwrap();
    assert_eq!(server_side.read(&mut buffer).await.unwrap(), 5);

    server_side
        .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
        .await
        .unwrap();
    client.write_all(b"G").await.unwrap();
    let started = tokio::time::Instant::now();
    let error = loop {
        match server_side.read(&mut buffer).await {
            Ok(0) => panic!("the client closed first"),
            Ok(_) => continue,
            Err(error) => break error,
        }
    };
    assert_eq!(error.kind(), std::io::ErrorKind::TimedOut, "{error}");
    assert!(started.elapsed() < Duration::from_secs(2));
}
