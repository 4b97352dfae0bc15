//! The layers stay apart: the JSON API and the pages never import each
//! other, and the use cases import neither (only `crate::http` knows both).

use std::path::{Path, PathBuf};

fn sources(folder: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    assert!(!found.is_empty(), "no sources under {folder}");
    found
}

/// Lines of code (not comments) in `folder` that name `forbidden`.
fn uses_of(folder: &str, forbidden: &[&str]) -> Vec<String> {
    sources(folder)
        .into_iter()
        .flat_map(|(path, text)| {
            text.lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .filter(|line| forbidden.iter().any(|name| line.contains(name)))
                .map(|line| format!("{}: {}", path.display(), line.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_api_does_not_import_the_pages() {
    assert_eq!(
        uses_of("api", &["crate::web", "web::"]),
        Vec::<String>::new()
    );
}

#[test]
fn the_pages_do_not_import_the_api() {
    assert_eq!(
        uses_of("web", &["crate::api", "api::"]),
        Vec::<String>::new()
    );
}

#[test]
fn the_use_cases_import_neither_adapter() {
    let found = uses_of("ops", &["crate::api", "crate::web", "web::", "api::"]);
    assert_eq!(found, Vec::<String>::new());
}
