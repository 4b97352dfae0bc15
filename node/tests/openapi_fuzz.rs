//! A standard OpenAPI fuzzer against a real node: schemathesis (from the
//! Python package registry) reads `/api/openapi.json` of a node on
//! 127.0.0.1 and sends requests generated from it with the node's API
//! token (`tests/openapi/fuzz.py`). No request that fits the document may
//! be answered 5xx or refused as malformed (`invalid_body`,
//! `invalid_json`, `invalid_query`, `unsupported_media_type`); every JSON
//! answer must fit the document's schema for it.
//!
//! First the check is shown to work: with a document that promises more
//! than the node takes (the registry's `limit` any string), the fuzzer
//! must fail.
//!
//! Needs `python3` with schemathesis (`.ci/run` installs it). Without it
//! this test fails and names the command that installs it; only
//! `AMTSHILFE_OPENAPI_FUZZ=skip` turns that into a skip, and says so.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::print_stderr, clippy::print_stdout, clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use support::{TOKENS, found_pact, get, init_nodes, start};

/// Examples per operation: about a minute on a development build.
const EXAMPLES: &str = "150";

fn fuzz(base: &str, token: &str, extra: &[&str]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/openapi/fuzz.py");
    Command::new("python3")
        .arg(script)
        .args([base, token])
        .args(extra)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_standard_fuzzer_finds_no_request_that_fits_the_document_refused() {
    let installed = Command::new("python3")
        .args(["-c", "import schemathesis"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !installed {
        let missing = "python3 with schemathesis is missing; install it with \
                       `python3 -m pip install schemathesis`";
        if std::env::var("AMTSHILFE_OPENAPI_FUZZ").is_ok_and(|v| v == "skip") {
            eprintln!("OPENAPI FUZZ TEST NOT RUN (AMTSHILFE_OPENAPI_FUZZ=skip): {missing}");
            return;
        }
        panic!("{missing} (or set AMTSHILFE_OPENAPI_FUZZ=skip to skip it knowingly)");
    }

    let root = tempfile::tempdir().unwrap();
    let nodes = init_nodes(root.path(), &["Kreis Bergstraße"]);
    found_pact(root.path(), &nodes);
    let node = &nodes[0];
    let mut child = start(node);
    let base = format!("http://{}", node.http);
    let token = TOKENS.lock().unwrap()[&node.http].clone();

    // The check can fail: a document whose registry `limit` is any string
    // promises what the node refuses (`limit=abc` is invalid_query).
    let (status, document) = get(node.http, "/api/openapi.json").unwrap();
    assert_eq!(status, 200);
    let mut document: serde_json::Value = serde_json::from_str(&document).unwrap();
    let parameters = document["paths"]["/api/registry"]["get"]["parameters"]
        .as_array_mut()
        .unwrap();
    let limit = parameters
        .iter_mut()
        .find(|parameter| parameter["name"] == "limit")
        .unwrap();
    limit["schema"] = serde_json::json!({ "type": "string" });
    let doctored = root.path().join("doctored-openapi.json");
    std::fs::write(&doctored, document.to_string()).unwrap();
    let output = fuzz(
        &base,
        &token,
        &[
            "--examples",
            "20",
            "--document",
            doctored.to_str().unwrap(),
            "--only",
            "/api/registry",
        ],
    );
    let said = text(&output);
    assert!(
        !output.status.success() && said.contains("refused with invalid_query"),
        "the fuzzer must catch a document that promises more than the node takes:\n{said}"
    );

    // The node's own document: nothing that fits it is refused as malformed.
    let started = Instant::now();
    let output = fuzz(&base, &token, &["--examples", EXAMPLES]);
    let said = text(&output);
    println!("{said}");
    println!("schemathesis ran for {:?}", started.elapsed());
    support::terminate(&mut child);
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{said}"
    );
    // Each of the three runs (see fuzz.py) sent requests.
    let runs = said
        .lines()
        .filter(|line| line.contains(" generated, ") && !line.trim().starts_with("0 "))
        .count();
    assert_eq!(
        runs, 3,
        "all three runs must have tested something:\n{said}"
    );
}
