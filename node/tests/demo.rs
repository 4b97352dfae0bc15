//! `amtshilfe demo` as a newcomer runs it: six nodes come up and agree;
//! with the IT provider's node taken offline from the console, a new offer
//! still reaches every other node; the provider comes back and catches up;
//! `ende` stops everything cleanly.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use support::{binary, get, post, wait_for};

/// A base port with six free ports after it, below the ephemeral range.
fn free_port_block() -> u16 {
    let start = 20_000 + (std::process::id() % 500) as u16 * 23;
    (0..500)
        .map(|n| 20_000 + (start - 20_000 + 23 * n) % 12_000)
        .find(|base| (0..6).all(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).is_ok()))
        .unwrap()
}

fn registry(address: SocketAddr) -> Option<String> {
    match get(address, "/api/registry?status=any") {
        Ok((200, body)) => Some(body),
        _ => None,
    }
}

/// Waits up to 30 s for `probe` to give a value.
fn wait_for_value<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `GET path` on `address` with a session of the demo officer's login.
fn as_officer(address: SocketAddr, password: &str, path: &str) -> Option<String> {
    use std::io::Read;
    let exchange = |head: String| -> Option<String> {
        let mut stream = std::net::TcpStream::connect(address).ok()?;
        stream.write_all(head.as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    };
    let login = serde_json::json!({ "account": "isb", "password": password }).to_string();
    let answer = exchange(format!(
        "POST /api/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{login}",
        login.len()
    ))?;
    let cookie = answer
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: amtshilfe_session=")
                .or_else(|| l.strip_prefix("Set-Cookie: amtshilfe_session="))
        })?
        .split(';')
        .next()?
        .to_owned();
    let answer = exchange(format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nCookie: amtshilfe_session={cookie}\r\nConnection: close\r\n\r\n"
    ))?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.contains(" 200 ").then(|| body.to_owned())
}

#[test]
fn the_demo_pact_comes_up_agrees_and_keeps_working_without_the_provider() {
    let base = free_port_block();
    let nodes: Vec<SocketAddr> = (0..6)
        .map(|i| SocketAddr::from(([127, 0, 0, 1], base + i)))
        .collect();
    let data = tempfile::tempdir().unwrap();
    let mut child = support::Running(
        Command::new(binary())
            .args([
                "demo",
                "--http-port",
                &base.to_string(),
                "--dir",
                data.path().to_str().unwrap(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut console = child.stdin.take().unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut shown = Vec::new();
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(90))
            .expect("the demo prints its banner");
        shown.push(line.clone());
        if line.starts_with("Befehle") {
            break;
        }
    }
    println!("{}", shown.join("\n"));
    let listed = shown
        .iter()
        .filter(|l| l.trim_start().starts_with('[') && l.contains("http://127.0.0.1:"))
        .count();
    assert_eq!(listed, 6, "six dashboards listed");
    assert_eq!(
        shown
            .iter()
            .filter(|l| l.contains("login: admin / "))
            .count(),
        6,
        "a login per node"
    );
    assert!(
        shown.iter().any(|l| l.contains("login: isb / ")),
        "the joint security officer's login"
    );

    // The printed officer login works and has the officer's role.
    let officer_password = shown
        .iter()
        .find_map(|l| l.split("login: isb / ").nth(1))
        .map(str::trim)
        .unwrap()
        .to_string();
    let login = serde_json::json!({ "account": "isb", "password": officer_password }).to_string();
    let (status, body) = post(nodes[0], "/api/login", &login).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("security_officer"), "{body}");

    // The officer's workspace shows the three members it serves, one
    // submitted assessment waiting, and the host's accepted baseline.
    let workspace = wait_for_value("the served members' posture", || {
        let body = as_officer(nodes[0], &officer_password, "/api/posture/members")?;
        let value: serde_json::Value = serde_json::from_str(&body).ok()?;
        let rows = value["members"].as_array()?.clone();
        (rows.len() == 3 && rows.iter().all(|r| r["revision"].is_u64())).then_some(rows)
    });
    let waiting: Vec<&serde_json::Value> = workspace
        .iter()
        .filter(|r| r["status"]["submitted"].is_object())
        .collect();
    assert_eq!(
        waiting.len(),
        1,
        "one assessment waits for review: {workspace:?}"
    );
    assert_eq!(waiting[0]["name"], "Odenwaldkreis");
    let host = workspace
        .iter()
        .find(|r| r["name"] == "Kreis Bergstraße")
        .unwrap();
    assert!(host["status"]["accepted"].is_object(), "{host}");
    assert_eq!(host["overdue_findings"], 1);
    let page = as_officer(nodes[0], &officer_password, "/isb").unwrap();
    assert!(page.contains("Odenwaldkreis") && page.contains("wartet auf Prüfung"));

    // Scripts use each node's command-line token.
    for (address, short) in nodes.iter().zip([
        "bergstrasse",
        "odenwald",
        "dadi",
        "gross-gerau",
        "darmstadt",
        "provider",
    ]) {
        let token = std::fs::read_to_string(data.path().join(short).join("cli.token")).unwrap();
        support::TOKENS
            .lock()
            .unwrap()
            .insert(*address, token.trim().to_string());
    }

    // All six answer and hold the same registry, with offers of all members.
    let first = registry(nodes[0]).unwrap();
    for address in &nodes {
        assert_eq!(get(*address, "/health").unwrap().0, 200);
        assert_eq!(registry(*address).unwrap(), first, "{address} disagrees");
    }
    assert!(
        first.matches("\"kind\":\"equipment\"").count() >= 6,
        "every member offers laptops"
    );
    let board = get(nodes[4], "/api/board").unwrap().1;
    assert!(
        board.contains("Notbetrieb"),
        "the open request is on the board"
    );

    // The provider goes offline; a district's new offer still reaches the others.
    writeln!(console, "aus 6").unwrap();
    wait_for("the provider is offline", Duration::from_secs(30), || {
        get(nodes[5], "/health").is_err()
    });
    let offer = serde_json::to_string(&amtshilfe_tests::sample::laptops(
        7,
        amtshilfe_node::clock::now_ms(),
    ))
    .unwrap();
    let (status, body) = post(nodes[0], "/api/offers", &offer).unwrap();
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let took = wait_for(
        "the offer reaches the other districts",
        Duration::from_secs(30),
        || {
            nodes[1..5]
                .iter()
                .all(|a| registry(*a).is_some_and(|r| r.contains(&id)))
        },
    );
    println!("with the provider offline, the new offer reached the four other members in {took:?}");

    // The provider comes back and catches up.
    writeln!(console, "an 6").unwrap();
    let took = wait_for("the provider catches up", Duration::from_secs(60), || {
        registry(nodes[5]).is_some_and(|r| r.contains(&id))
    });
    println!("the provider caught up {took:?} after coming back");

    writeln!(console, "ende").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "the demo did not stop cleanly: {status}");
    assert!(
        nodes.iter().all(|a| get(*a, "/health").is_err()),
        "every node stopped"
    );
}
