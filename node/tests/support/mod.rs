//! Support for tests that run the real `amtshilfe` binary as separate
//! processes on loopback: free ports, a pact founded through the command
//! line, nodes started and killed, and a tiny blocking HTTP client.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_amtshilfe")
}

/// Runs `amtshilfe ARGS` to completion and returns its stdout; panics with
/// its output if it fails.
pub(crate) fn amtshilfe(args: &[&str]) -> String {
    let output: Output = Command::new(binary()).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "amtshilfe {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A loopback port that is free now and lies below the kernel's ephemeral
/// range (which starts at 32768 by default), so that no outgoing connection
/// can take it while its node is restarting. Never the same port twice in
/// one test process.
pub(crate) fn free_port() -> u16 {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    static HANDED_OUT: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = u64::from(std::process::id()) * 7_919;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20_000 + ((seed + n * 104_729) % 12_000) as u16;
        let mut handed_out = HANDED_OUT.lock().unwrap();
        if !handed_out.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            handed_out.push(port);
            return port;
        }
    }
}

/// One node's files and ports.
#[derive(Debug, Clone)]
pub(crate) struct NodeDir {
    pub(crate) dir: PathBuf,
    pub(crate) config: PathBuf,
    pub(crate) http: SocketAddr,
    pub p2p_port: u16,
    pub(crate) member_key: String,
    pub(crate) name: String,
}

/// `amtshilfe init` for each name, with loopback ports.
pub(crate) fn init_nodes(root: &Path, names: &[&str]) -> Vec<NodeDir> {
    names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let dir = root.join(format!("node-{index}"));
            let http: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
            let p2p_port = free_port();
            let out = amtshilfe(&[
                "init",
                "--dir",
                dir.to_str().unwrap(),
                "--name",
                name,
                "--listen",
                &format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
                "--http",
                &http.to_string(),
            ]);
            let token = std::fs::read_to_string(dir.join("cli.token")).unwrap();
            TOKENS
                .lock()
                .unwrap()
                .insert(http, token.trim().to_string());
            let member_key = out
                .lines()
                .find(|l| l.contains("member key ("))
                .and_then(|l| l.split_whitespace().last())
                .unwrap()
                .to_string();
            NodeDir {
                config: dir.join("amtshilfe.toml"),
                dir,
                http,
                p2p_port,
                member_key,
                name: name.to_string(),
            }
        })
        .collect()
}

/// Founds a pact of all `nodes` through `pact draft`, `sign`, `create`.
pub(crate) fn found_pact(root: &Path, nodes: &[NodeDir]) {
    let charter = root.join("charter.txt");
    let mut args = vec![
        "pact".to_string(),
        "draft".into(),
        "--name".into(),
        "Testpakt".into(),
    ];
    for node in nodes {
        args.push("--founder".into());
        args.push(format!("{}={}", node.name, node.member_key));
    }
    args.push("--out".into());
    args.push(charter.to_str().unwrap().into());
    amtshilfe(&args.iter().map(String::as_str).collect::<Vec<_>>());
    for node in nodes {
        amtshilfe(&[
            "pact",
            "sign",
            charter.to_str().unwrap(),
            "--yes",
            "--config",
            node.config.to_str().unwrap(),
        ]);
    }
    for node in nodes {
        amtshilfe(&[
            "pact",
            "create",
            charter.to_str().unwrap(),
            "--config",
            node.config.to_str().unwrap(),
        ]);
    }
}

/// Points `node`'s configuration at `bootstrap` (a multiaddr with peer id).
pub(crate) fn set_bootstrap(node: &NodeDir, bootstrap: &[String]) {
    let text = std::fs::read_to_string(&node.config).unwrap();
    let list = bootstrap
        .iter()
        .map(|b| format!("\"{b}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = text.replace(
        "bootstrap_addresses = []",
        &format!("bootstrap_addresses = [{list}]"),
    );
    std::fs::write(&node.config, text).unwrap();
}

/// The peer id a node's device key gives it.
pub(crate) fn peer_id(node: &NodeDir) -> String {
    let device = amtshilfe_node::keys::read_key_file(&node.dir.join("device.key")).unwrap();
    amtshilfe_node::net::identity::peer_id_of(&device.public())
        .unwrap()
        .to_string()
}

/// Its dialable address.
pub(crate) fn p2p_address(node: &NodeDir) -> String {
    format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", node.p2p_port, peer_id(node))
}

/// A child process that is killed when the guard is dropped, so a failing
/// test never leaves nodes running.
#[derive(Debug)]
pub(crate) struct Running(pub(crate) Child);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `amtshilfe run` for `node`, logging to files in its directory,
/// and waits until its HTTP API answers. If the process exits instead, the
/// test fails with the node's log.
pub(crate) fn start(node: &NodeDir) -> Running {
    let log_path = node.dir.join("node.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .unwrap();
    let mut child = Running(
        Command::new(binary())
            .args(["run", "--config", node.config.to_str().unwrap()])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    wait_for(
        &format!("{} answers", node.name),
        Duration::from_secs(30),
        || {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!(
                    "{} exited ({status}) instead of starting:\n{log}",
                    node.name
                );
            }
            get(node.http, "/health").is_ok_and(|(status, _)| status == 200)
        },
    );
    child
}

/// Polls until `condition` holds; panics after `deadline`.
pub(crate) fn wait_for(
    what: &str,
    deadline: Duration,
    mut condition: impl FnMut() -> bool,
) -> Duration {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < deadline,
            "timed out after {deadline:?} waiting for: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    started.elapsed()
}

/// The command line's API token of each node, by HTTP address, which
/// `request` sends along (`amtshilfe init` writes it to `cli.token`).
pub(crate) static TOKENS: std::sync::Mutex<std::collections::BTreeMap<SocketAddr, String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// A blocking HTTP/1.1 request with the node's API token; returns status
/// and body.
pub(crate) fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    let auth = TOKENS
        .lock()
        .unwrap()
        .get(&address)
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {head:?}")))?;
    Ok((status, body.to_string()))
}

pub(crate) fn get(address: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    request(address, "GET", path, None)
}

pub(crate) fn post(address: SocketAddr, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    request(address, "POST", path, Some(body))
}
