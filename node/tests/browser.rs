//! The dashboard in a real browser (headless Chromium, driven by
//! Playwright): three nodes; on A an IT lead offers 3 laptops and edits the
//! offer once; on B a requester asks for 5; the request appears on A
//! without a reload; A pledges 3; B accepts; both pages show the mission
//! order and 2 still open. The registry is downloaded as CSV from the
//! Register page's link and its header and the offer's row are checked.
//! B's requester then opens an incident aware 10 hours ago, sees about 62
//! hours left on the GDPR clock, ticks a step, writes a timeline entry,
//! marks the GDPR report as sent and opens its print view. It writes a
//! TLP:AMBER entry too: A, the helper with the mission order, reads it;
//! a third node C, whose member helps nobody, shows it only as
//! confidential. An exercise (ÜBUNG) runs from B's request through A's
//! pledge, B's acceptance, an exercise incident, A's recorded hours and
//! B's closing of the mission order, and its after-action report shows the
//! order closed, the need covered and only the bystander C unanswered.
//! A's admin sees the agreement's change form, sets the member's own 24/7
//! contacts, which clears the Lagebild's hint, uploads a file that is no
//! bundle on the Netzwerk page (refused with its reason) and opens the
//! Pakt page with the own devices. On every page the flow visits, axe-core checks
//! the WCAG 2.1 A and AA rules (any violation fails); one flow runs on
//! keyboard events only; every page is checked for sideways scrolling at
//! 360 px and at 200 % zoom. Screenshots land in
//! `target/browser-screenshots/`. A second flow (`posture.js`) takes a
//! posture self-assessment through the officer's review on two nodes.
//!
//! Needs `node`, Debian's `chromium` and `npm install` in `tests/browser/`.
//! Without them this test fails and names the command that installs them:
//! a green `cargo test --workspace` means the browser flow ran. Only
//! `AMTSHILFE_BROWSER_TEST=skip` turns a missing browser into a skip, and
//! then the test says so.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::print_stderr, clippy::print_stdout, clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{amtshilfe, found_pact, init_nodes, p2p_address, post, set_bootstrap, start};

const IT_LEAD_PASSWORD: &str = "it-leitung-test-passwort";
const REQUESTER_PASSWORD: &str = "anfrage-test-passwort";
const ADMIN_PASSWORD: &str = "verwaltung-test-passwort";
/// A viewer on node C, whose member helps nobody.
const BYSTANDER_PASSWORD: &str = "lage-test-passwort";
/// Node A's accessibility contact (configuration), shown on its statement.
const A_CONTACT: &str = "Hauptamt Bergstraße, barrierefreiheit@a.example, +49 6252 15-0";
/// Debian's Chromium, which Playwright drives (its own download does not
/// work everywhere).
const CHROMIUM: &str = "/usr/bin/chromium";

fn stop(child: &mut support::Running) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// The npm packages `flow.js` loads (kept in `tests/browser/package.json`).
const NPM_PACKAGES: [&str; 2] = ["playwright-core", "@axe-core/playwright"];

/// What is missing to run the browser flow, with the command that
/// installs it; `None` if everything is there.
fn browser_tools_missing(browser_dir: &Path) -> Option<String> {
    let mut missing = Vec::new();
    let mut commands = Vec::new();
    let node_runs = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !node_runs {
        missing.push("node (Node.js)".to_owned());
        commands.push("apt-get install nodejs npm".to_owned());
    }
    if !Path::new(CHROMIUM).exists() {
        missing.push(CHROMIUM.to_owned());
        commands.push("apt-get install chromium".to_owned());
    }
    let packages: Vec<&str> = NPM_PACKAGES
        .into_iter()
        .filter(|package| !browser_dir.join("node_modules").join(package).exists())
        .collect();
    if !packages.is_empty() {
        missing.push(format!("the npm packages {}", packages.join(", ")));
        commands.push(format!("(cd {} && npm install)", browser_dir.display()));
    }
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "missing: {}. Install with: {}",
        missing.join("; "),
        commands.join(" && ")
    ))
}

/// The repository's root if the browser tools are there; `None` (the test
/// says it did not run) only under `AMTSHILFE_BROWSER_TEST=skip`, else
/// the test fails naming what is missing.
fn repository_if_browser() -> Option<PathBuf> {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap();
    let Some(missing) = browser_tools_missing(&repository.join("tests/browser")) else {
        return Some(repository);
    };
    // An explicit opt-out only: a newcomer's run without a browser must
    // not come out green as if the flow had run.
    if std::env::var("AMTSHILFE_BROWSER_TEST").is_ok_and(|v| v == "skip") {
        eprintln!("BROWSER TEST NOT RUN (AMTSHILFE_BROWSER_TEST=skip): {missing}");
        return None;
    }
    panic!(
        "the browser test cannot run: {missing} \
         (or set AMTSHILFE_BROWSER_TEST=skip to skip it knowingly)"
    );
}

/// The folder `under` the repository for one flow's screenshots, holding
/// only this run's (an old one could pass for a new one). Only the files
/// directly in it go: both flows run at once, and the posture flow's
/// folder lies inside the other's, so removing the whole tree would pull
/// the folder from under the posture flow's screenshots.
fn fresh_shots(repository: &Path, under: &str) -> PathBuf {
    let shots = repository.join(under);
    std::fs::create_dir_all(&shots).unwrap();
    for entry in std::fs::read_dir(&shots).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::remove_file(path).unwrap();
        }
    }
    shots
}

/// Adds `(node, account, role, password)` accounts through the API.
fn add_accounts(accounts: &[(&support::NodeDir, &str, &str, &str)]) {
    for (node, account, role, password) in accounts {
        let body = serde_json::json!({ "account": account, "role": role, "password": password })
            .to_string();
        let (status, answer) = post(node.http, "/api/accounts", &body).unwrap();
        assert_eq!(status, 201, "{answer}");
    }
}

/// Runs `script` in `browser_dir` with `env`, stops the nodes, and fails
/// unless it exits cleanly and prints `passed`.
fn run_flow(
    browser_dir: &Path,
    script: &str,
    env: &[(&str, &std::ffi::OsStr)],
    children: &mut [support::Running],
    passed: &str,
) {
    let output = Command::new("node")
        .arg(script)
        .current_dir(browser_dir)
        .env("CHROMIUM", CHROMIUM)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    for child in children {
        stop(child);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(passed), "{script} did not say {passed:?}");
}

#[test]
fn two_nodes_offer_request_pledge_and_accept_in_the_browser() {
    let Some(repository) = repository_if_browser() else {
        return;
    };
    let browser_dir = repository.join("tests/browser");

    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(
        root.path(),
        &[
            "Kreis Bergstraße",
            "Stadt Darmstadt",
            "Gemeinde Zwingenberg",
        ],
    );
    let (a, b, c) = (&nodes[0], &nodes[1], &nodes[2]);
    found_pact(root.path(), &nodes);
    set_bootstrap(b, &[p2p_address(a)]);
    set_bootstrap(c, &[p2p_address(a)]);
    // Every member reads what is sealed to it with its member-seal.key.
    for node in &nodes {
        amtshilfe(&["keys", "member", "--dir", node.dir.to_str().unwrap()]);
    }
    let config = std::fs::read_to_string(&a.config).unwrap();
    let line = format!("accessibility_contact = \"{A_CONTACT}\"");
    let config = if config.contains("accessibility_contact = \"\"") {
        config.replace("accessibility_contact = \"\"", &line)
    } else {
        format!("{config}\n{line}\n")
    };
    std::fs::write(&a.config, config).unwrap();
    let mut children = vec![start(a), start(b), start(c)];
    add_accounts(&[
        (a, "it-leitung", "it_lead", IT_LEAD_PASSWORD),
        (b, "anfrage", "requester", REQUESTER_PASSWORD),
        (a, "verwaltung", "admin", ADMIN_PASSWORD),
        (c, "lage", "viewer", BYSTANDER_PASSWORD),
    ]);

    let shots = fresh_shots(&repository, "target/browser-screenshots");
    let urls = [a, b, c].map(|node| format!("http://{}", node.http));
    run_flow(
        &browser_dir,
        "flow.js",
        &[
            ("A_URL", urls[0].as_ref()),
            ("B_URL", urls[1].as_ref()),
            ("C_URL", urls[2].as_ref()),
            ("BYSTANDER_PASSWORD", BYSTANDER_PASSWORD.as_ref()),
            ("IT_LEAD_PASSWORD", IT_LEAD_PASSWORD.as_ref()),
            ("REQUESTER_PASSWORD", REQUESTER_PASSWORD.as_ref()),
            ("ADMIN_PASSWORD", ADMIN_PASSWORD.as_ref()),
            ("A_CONTACT", A_CONTACT.as_ref()),
            ("SHOTS", shots.as_ref()),
        ],
        &mut children,
        "browser flow passed",
    );
}

const OFFICER_PASSWORD: &str = "isb-test-passwort";

/// The posture review in a real browser, on two nodes: the Odenwaldkreis
/// (A) is served by a joint security officer whose login is on the node
/// of Kreis Bergstraße (B). A's IT lead saves and submits an assessment;
/// the officer returns it with a comment on a question; the IT lead fixes
/// and resubmits; the officer accepts; A's page shows the baseline and,
/// after one more edit, the delta. Every page visited is checked with axe
/// and for reflow (`tests/browser/posture.js`).
#[test]
fn a_posture_assessment_is_returned_fixed_and_accepted_in_the_browser() {
    let Some(repository) = repository_if_browser() else {
        return;
    };
    let browser_dir = repository.join("tests/browser");

    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(root.path(), &["Odenwaldkreis", "Kreis Bergstraße"]);
    let (a, b) = (&nodes[0], &nodes[1]);
    found_pact(root.path(), &nodes);
    set_bootstrap(b, &[p2p_address(a)]);
    support::amtshilfe(&["keys", "member", "--dir", a.dir.to_str().unwrap()]);
    support::amtshilfe(&["keys", "member", "--dir", b.dir.to_str().unwrap()]);
    let printed = support::amtshilfe(&["keys", "officer", "--dir", b.dir.to_str().unwrap()]);
    let officer_key = printed
        .lines()
        .find_map(|l| l.split("officer key (ISB-Schlüssel):").nth(1))
        .map(str::trim)
        .unwrap()
        .to_owned();
    let mut children = vec![start(a), start(b)];

    // The pact appoints the officer to serve A: proposed by A, approved by B.
    let status: serde_json::Value =
        serde_json::from_str(&support::get(a.http, "/api/status").unwrap().1).unwrap();
    let member_a = status["member_id"].as_str().unwrap().to_owned();
    let proposal = serde_json::json!({
        "kind": "appoint_officer", "officer_key": officer_key,
        "name": "Gemeinsame ISB (Test)", "serves": [member_a],
    })
    .to_string();
    let (code, answer) = post(a.http, "/api/pact/proposals", &proposal).unwrap();
    assert_eq!(code, 201, "{answer}");
    let hash = serde_json::from_str::<serde_json::Value>(&answer).unwrap()["proposal"]
        .as_str()
        .unwrap()
        .to_owned();
    support::wait_for(
        "B approves the appointment",
        std::time::Duration::from_secs(30),
        || {
            post(b.http, &format!("/api/pact/proposals/{hash}/approve"), "")
                .is_ok_and(|(code, _)| code == 201)
        },
    );
    add_accounts(&[
        (a, "it-leitung", "it_lead", IT_LEAD_PASSWORD),
        (b, "isb", "security_officer", OFFICER_PASSWORD),
    ]);

    let shots = fresh_shots(&repository, "target/browser-screenshots/posture");
    let urls = [a, b].map(|node| format!("http://{}", node.http));
    run_flow(
        &browser_dir,
        "posture.js",
        &[
            ("A_URL", urls[0].as_ref()),
            ("B_URL", urls[1].as_ref()),
            ("MEMBER_A", member_a.as_ref()),
            ("IT_LEAD_PASSWORD", IT_LEAD_PASSWORD.as_ref()),
            ("OFFICER_PASSWORD", OFFICER_PASSWORD.as_ref()),
            ("SHOTS", shots.as_ref()),
        ],
        &mut children,
        "posture browser flow passed",
    );
}
