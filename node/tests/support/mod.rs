//! Support for tests that run the real `amtshilfe` binary as separate
//! processes, on loopback or each in a network namespace of its own (see
//! `amtshilfe_tests::netns`): free ports, a pact founded through the
//! command line, nodes started and killed, a tiny blocking HTTP client that
//! reaches a node inside its namespace, and reading a node's registry.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
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
    /// The address its peer-to-peer listener is on.
    pub(crate) p2p_host: Ipv4Addr,
    /// The network namespace it runs in (`None`: the test's own, loopback).
    pub(crate) namespace: Option<String>,
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
            init_node(&dir, name, Ipv4Addr::LOCALHOST, free_port(), None)
        })
        .collect()
}

/// `amtshilfe init` for one node listening on `p2p_host:p2p_port`, inside
/// `namespace` if given. Its HTTP API is on a loopback port (inside the
/// namespace, where `request` reaches it).
pub(crate) fn init_node(
    dir: &Path,
    name: &str,
    p2p_host: Ipv4Addr,
    p2p_port: u16,
    namespace: Option<&str>,
) -> NodeDir {
    let http: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let out = amtshilfe(&[
        "init",
        "--dir",
        dir.to_str().unwrap(),
        "--name",
        name,
        "--listen",
        &format!("/ip4/{p2p_host}/tcp/{p2p_port}"),
        "--http",
        &http.to_string(),
    ]);
    register_token(http, dir);
    if let Some(namespace) = namespace {
        NAMESPACES
            .lock()
            .unwrap()
            .insert(http, namespace.to_string());
    }
    let member_key = out
        .lines()
        .find(|l| l.contains("member key ("))
        .and_then(|l| l.split_whitespace().last())
        .unwrap()
        .to_string();
    NodeDir {
        config: dir.join("amtshilfe.toml"),
        dir: dir.to_path_buf(),
        http,
        p2p_port,
        p2p_host,
        namespace: namespace.map(str::to_owned),
        member_key,
        name: name.to_string(),
    }
}

/// Registers the command line's API token that `amtshilfe init` or
/// `recover` wrote to `dir`, for `request` to send to `http`.
fn register_token(http: SocketAddr, dir: &Path) {
    let token = std::fs::read_to_string(dir.join("cli.token")).unwrap();
    TOKENS
        .lock()
        .unwrap()
        .insert(http, token.trim().to_string());
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

/// A pact of `names` founded under `root` and running, every node
/// bootstrapped from the first: their files and processes.
pub(crate) fn start_pact(root: &Path, names: &[&str]) -> (Vec<NodeDir>, Vec<Running>) {
    let nodes = init_nodes(root, names);
    found_pact(root, &nodes);
    let first = p2p_address(&nodes[0]);
    for node in &nodes[1..] {
        set_bootstrap(node, std::slice::from_ref(&first));
    }
    let children = nodes.iter().map(start).collect();
    (nodes, children)
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
    format!(
        "/ip4/{}/tcp/{}/p2p/{}",
        node.p2p_host,
        node.p2p_port,
        peer_id(node)
    )
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
    let mut command = match &node.namespace {
        Some(namespace) => {
            // `ip netns exec` execs the binary in place: the child's pid is
            // the node's, so a SIGKILL reaches the node itself.
            let mut command = Command::new("ip");
            command.args(["netns", "exec", namespace, binary()]);
            command
        }
        None => Command::new(binary()),
    };
    let mut child = Running(
        command
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

/// The network namespace of each node that runs in one, by HTTP address:
/// `request` connects from inside it.
pub(crate) static NAMESPACES: std::sync::Mutex<std::collections::BTreeMap<SocketAddr, String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// A blocking HTTP/1.1 request with the node's API token; returns status
/// and body.
pub(crate) fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let namespace = NAMESPACES.lock().unwrap().get(&address).cloned();
    let mut stream = match namespace {
        Some(namespace) => {
            amtshilfe_tests::netns::connect_in(&namespace, address, Duration::from_secs(2))?
        }
        None => TcpStream::connect_timeout(&address, Duration::from_secs(2))?,
    };
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

/// A valid offer for the API, different for each `n`.
pub(crate) fn offer_json(n: usize) -> String {
    let offer =
        amtshilfe_tests::sample::laptops(1 + (n % 9) as u32, amtshilfe_node::clock::now_ms());
    serde_json::to_string(&offer).unwrap()
}

/// Posts an offer; `Some(id)` if the API acknowledged it (201), `None` if
/// the node did not answer. Any other answer fails the test.
pub(crate) fn post_offer(node: &NodeDir, n: usize) -> Option<String> {
    match post(node.http, "/api/offers", &offer_json(n)) {
        Ok((201, body)) => {
            let value: serde_json::Value = serde_json::from_str(&body).unwrap();
            Some(value["id"].as_str().unwrap().to_string())
        }
        Ok((status, body)) => panic!("the API refused a valid offer: {status} {body}"),
        Err(_) => None,
    }
}

/// Every offer id in the node's registry, page by page; `None` while the
/// node does not answer.
pub(crate) fn registry_ids(node: &NodeDir) -> Option<std::collections::HashSet<String>> {
    registry_listing(node.http, "").map(|ids| ids.into_iter().collect())
}

/// Every offer id the registry at `http` lists, page by page, in order and
/// with repeats (`query` adds filters, e.g. `status=any&`); `None` if the
/// node does not answer.
pub(crate) fn registry_listing(http: SocketAddr, query: &str) -> Option<Vec<String>> {
    const LIMIT: usize = amtshilfe_node::api::REGISTRY_LIMIT_MAX;
    let mut ids = Vec::new();
    for page in 0.. {
        let path = format!("/api/registry?{query}limit={LIMIT}&offset={}", page * LIMIT);
        let Ok((200, body)) = get(http, &path) else {
            return None;
        };
        let entries: Vec<serde_json::Value> = serde_json::from_str(&body).ok()?;
        let count = entries.len();
        ids.extend(
            entries
                .iter()
                .filter_map(|entry| entry["address"]["id"].as_str().map(str::to_owned)),
        );
        if count < LIMIT {
            break;
        }
    }
    Some(ids)
}

/// Whether the node's registry lists every one of `ids`.
pub(crate) fn registry_has_all(node: &NodeDir, ids: &[String]) -> bool {
    registry_ids(node).is_some_and(|listed| ids.iter().all(|id| listed.contains(id)))
}

/// Stops a node with SIGTERM and waits for it.
pub(crate) fn terminate(child: &mut Running) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Whether the node's request board shows request `id`.
pub(crate) fn board_has(node: &NodeDir, id: &str) -> bool {
    get(node.http, "/api/board")
        .is_ok_and(|(status, body)| status == 200 && body.contains(&format!("\"{id}\"")))
}

/// Posts an aid request for 20 laptops; its id. Any answer but 201 fails
/// the test.
pub(crate) fn post_request(node: &NodeDir) -> String {
    let request = serde_json::to_string(&amtshilfe_tests::sample::laptop_request(
        20,
        amtshilfe_node::clock::now_ms(),
    ))
    .unwrap();
    let (status, body) = post(node.http, "/api/requests", &request).unwrap();
    assert_eq!(status, 201, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Proposal `hash` as the node's `/api/pact` shows it; `None` while the
/// node does not answer or does not know the proposal.
pub(crate) fn proposal(node: &NodeDir, hash: &str) -> Option<serde_json::Value> {
    let (status, body) = get(node.http, "/api/pact").ok()?;
    if status != 200 {
        return None;
    }
    let pact: serde_json::Value = serde_json::from_str(&body).ok()?;
    pact["proposals"]
        .as_array()?
        .iter()
        .find(|p| p["hash"] == hash)
        .cloned()
}

/// A recovery ticket from `node` (running or not) at `out`: the pact's
/// membership log and `node`'s peer-to-peer address, no records.
pub(crate) fn export_ticket(node: &NodeDir, out: &Path) {
    amtshilfe(&[
        "bundle",
        "export",
        "--membership-only",
        "--address",
        &format!("/ip4/{}/tcp/{}", node.p2p_host, node.p2p_port),
        "--out",
        out.to_str().unwrap(),
        "--config",
        node.config.to_str().unwrap(),
    ]);
}

/// `amtshilfe recover` of the member `hit` into the blank `dir` with
/// `member_key` and `ticket`, listening on loopback port `p2p_port`.
/// Returns the recovered node's files (its API token registered for
/// `request`) and what the command printed.
pub(crate) fn recover(
    hit: &NodeDir,
    member_key: &Path,
    ticket: &Path,
    dir: &Path,
    p2p_port: u16,
) -> (NodeDir, String) {
    let http: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let out = amtshilfe(&[
        "recover",
        "--member-key",
        member_key.to_str().unwrap(),
        "--ticket",
        ticket.to_str().unwrap(),
        "--dir",
        dir.to_str().unwrap(),
        "--listen",
        &format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
        "--http",
        &http.to_string(),
    ]);
    register_token(http, dir);
    let recovered = NodeDir {
        dir: dir.to_path_buf(),
        config: dir.join("amtshilfe.toml"),
        http,
        p2p_port,
        p2p_host: Ipv4Addr::LOCALHOST,
        namespace: None,
        ..hit.clone()
    };
    (recovered, out)
}

/// `amtshilfe recover` with `member_key` and `ticket` into `dir`, which
/// must be refused because the key is not a member's current key, and
/// leave no directory behind.
pub(crate) fn recover_refused(member_key: &Path, ticket: &Path, dir: &Path) {
    let output = Command::new(binary())
        .args(["recover", "--member-key", member_key.to_str().unwrap()])
        .args(["--ticket", ticket.to_str().unwrap()])
        .args(["--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success(), "recovered: {output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not the current key of a member"),
        "refused for the key, not for anything else: {output:?}"
    );
    assert!(!dir.exists(), "no directory left behind");
}
