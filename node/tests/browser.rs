//! The dashboard in a real browser (headless Chromium, driven by
//! Playwright): two nodes; on A an IT lead offers 3 laptops and edits the
//! offer once; on B a requester asks for 5; the request appears on A
//! without a reload; A pledges 3; B accepts; both pages show the mission
//! order and 2 still open. Screenshots of each step land in `target/browser-screenshots/`.
//!
//! Needs Debian's `chromium` and `npm install` in `tests/browser/`; `.ci/run`
//! installs both and sets `AMTSHILFE_BROWSER_TEST=required`, which turns a
//! missing browser into a failure. Elsewhere a missing browser is reported
//! and the test returns.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::print_stderr, clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;

use support::{found_pact, init_nodes, p2p_address, post, set_bootstrap, start};

const IT_LEAD_PASSWORD: &str = "it-leitung-test-passwort";
const REQUESTER_PASSWORD: &str = "anfrage-test-passwort";

fn stop(child: &mut support::Running) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn browser_tools_missing(browser_dir: &Path) -> Option<String> {
    if !Path::new("/usr/bin/chromium").exists() {
        return Some("/usr/bin/chromium is missing (apt-get install chromium)".into());
    }
    if !browser_dir.join("node_modules/playwright-core").exists() {
        return Some(format!(
            "playwright-core is missing (cd {} && npm install)",
            browser_dir.display()
        ));
    }
    None
}

#[test]
fn two_nodes_offer_request_pledge_and_accept_in_the_browser() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let browser_dir = repository.join("tests/browser");
    if let Some(missing) = browser_tools_missing(&browser_dir) {
        let required = std::env::var("AMTSHILFE_BROWSER_TEST").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "the browser test is required here, but {missing}"
        );
        eprintln!("browser test not run: {missing}");
        return;
    }

    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(root.path(), &["Kreis Bergstraße", "Stadt Darmstadt"]);
    let (a, b) = (&nodes[0], &nodes[1]);
    found_pact(root.path(), &nodes);
    set_bootstrap(b, &[p2p_address(a)]);
    let mut children = vec![start(a), start(b)];
    for (node, account, role, password) in [
        (a, "it-leitung", "it_lead", IT_LEAD_PASSWORD),
        (b, "anfrage", "requester", REQUESTER_PASSWORD),
    ] {
        let body = serde_json::json!({ "account": account, "role": role, "password": password })
            .to_string();
        let (status, answer) = post(node.http, "/api/accounts", &body).unwrap();
        assert_eq!(status, 201, "{answer}");
    }

    let shots = repository.join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let output = Command::new("node")
        .arg("flow.js")
        .current_dir(&browser_dir)
        .env("A_URL", format!("http://{}", a.http))
        .env("B_URL", format!("http://{}", b.http))
        .env("IT_LEAD_PASSWORD", IT_LEAD_PASSWORD)
        .env("REQUESTER_PASSWORD", REQUESTER_PASSWORD)
        .env("SHOTS", &shots)
        .output()
        .unwrap();
    for child in &mut children {
        stop(child);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the browser flow failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("browser flow passed"));
}
