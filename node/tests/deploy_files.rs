//! The deployment files stay true to the code.
// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

fn repository_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap()
}

#[test]
fn the_example_configuration_in_deploy_is_the_documented_one() {
    assert_eq!(
        repository_file("deploy/config.example.toml"),
        amtshilfe_node::config::Config::example(),
        "copy node/src/config/example.toml to deploy/config.example.toml"
    );
}

#[test]
fn the_systemd_unit_runs_the_node_hardened_with_state_under_var_lib() {
    let unit = repository_file("deploy/amtshilfe.service");
    for line in [
        "User=amtshilfe",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/amtshilfe",
        "StateDirectory=amtshilfe",
        "NoNewPrivileges=yes",
        "KillSignal=SIGTERM",
        "ExecStart=/usr/local/bin/amtshilfe run --config /var/lib/amtshilfe/amtshilfe.toml",
    ] {
        assert!(unit.lines().any(|l| l == line), "the unit lacks {line:?}");
    }
}

#[test]
fn the_container_runs_as_a_non_root_user() {
    let containerfile = repository_file("deploy/Containerfile");
    assert!(containerfile.lines().any(|l| l == "USER amtshilfe"));
    assert_eq!(
        containerfile.matches("\nFROM ").count() + usize::from(containerfile.starts_with("FROM ")),
        2,
        "multi-stage"
    );
}
