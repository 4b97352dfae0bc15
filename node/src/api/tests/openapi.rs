//! The OpenAPI document and the route table it is made from: every route
//! the router serves under `/api`, `/health`, `/metrics` and `/events` is
//! in the table, the router serves every route of the table, and the
//! document describes each with its schemas and the error shape.

use std::path::Path;

use super::*;
use crate::api::auth::PUBLIC_PATHS;
use crate::api::routes::{Access, api_routes};

#[tokio::test]
async fn the_document_lists_every_route_with_its_schemas() {
    let node = TestNode::new();
    let answer = node
        .send(Request::get("/api/openapi.json"), Body::empty())
        .await;
    assert_eq!(answer.status, StatusCode::OK, "public, no session needed");
    let document = answer.json();
    assert_eq!(document["openapi"], "3.1.0");
    let schemas = &document["components"]["schemas"];
    let routes = api_routes();
    assert!(routes.len() >= 20);
    for route in &routes {
        let method = route.method.as_str().to_lowercase();
        let operation = &document["paths"][route.path][&method];
        assert!(
            operation.is_object(),
            "{method} {} is undocumented",
            route.path
        );
        assert!(!route.summary.is_empty(), "{} has no summary", route.path);
        let (status, schema) = route.answer;
        let success = &operation["responses"][status.to_string()];
        let named = success["content"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        assert_eq!(
            named["schema"]["$ref"],
            format!("#/components/schemas/{schema}"),
            "{}",
            route.path
        );
        let mut names = vec![schema];
        names.extend(route.body);
        for name in names {
            assert!(schemas[name].is_object(), "schema {name} is missing");
        }
        if let Some(body) = route.body {
            // JSON, or raw bytes for a bundle.
            let media = if matches!(body, "Bundle" | "KnownState") {
                "application/octet-stream"
            } else {
                "application/json"
            };
            let sent = &operation["requestBody"]["content"][media]["schema"];
            assert_eq!(sent["$ref"], format!("#/components/schemas/{body}"));
        }
        for (status, code) in &route.errors {
            let error = &operation["responses"][status.to_string()];
            assert!(
                error["description"].as_str().unwrap().contains(code),
                "{} {code}",
                route.path
            );
            let shape = &error["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(shape, "#/components/schemas/Error");
        }
        if route.access != Access::Public {
            assert!(operation["responses"]["401"].is_object(), "{}", route.path);
        }
        let public = PUBLIC_PATHS.contains(&route.path);
        assert_eq!(route.access == Access::Public, public, "{}", route.path);
    }
    assert!(schemas["Error"]["properties"]["error"]["properties"]["code"].is_object());
}

/// The router serves each route of the table: an answer that is neither
/// "no such route" nor "wrong method".
#[tokio::test]
async fn the_router_serves_every_route_of_the_table() {
    let node = TestNode::new();
    for route in api_routes() {
        let path = route.path.replace("{id}", "x").replace("{name}", "x");
        let request = Request::builder()
            .method(route.method.clone())
            .uri(path.as_str())
            .header(header::AUTHORIZATION, format!("Bearer {}", node.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        // Only the status first: the event stream's body never ends.
        let answer = node.app.clone().oneshot(request).await.unwrap();
        let status = answer.status();
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{} {path}",
            route.method
        );
        if status == StatusCode::NOT_FOUND {
            let bytes = answer.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            assert_ne!(
                body["error"]["code"], "route_not_found",
                "{} {path}",
                route.method
            );
        }
    }
}

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// A JSON route added to the router by hand, outside the table, would be
/// missing from the document: none may be.
#[test]
fn no_json_route_is_mounted_outside_the_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20);
    for prefix in ["/api", "/health", "/metrics", "/events"] {
        let needle = format!(".route(\"{prefix}");
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            assert!(
                !text.contains(&needle),
                "{} mounts a {prefix} route outside api/routes.rs",
                file.display()
            );
        }
    }
}

/// Query parameters carry the schemas of the query types' fields (enums
/// with their values, ranges), never null: a fuzzer that sends `limit=abc`
/// or `kind=` sends what the document does not allow.
#[test]
fn query_parameters_have_the_schemas_of_their_fields() {
    let document = crate::api::openapi::build(&api_routes());
    let parameter = |path: &str, name: &str| {
        document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|parameter| parameter["name"] == name)
            .unwrap_or_else(|| panic!("{path} {name}"))["schema"]
            .clone()
    };
    let resolved = |schema: Value| match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            document["components"]["schemas"][name].clone()
        }
        None => schema,
    };
    let kind = resolved(parameter("/api/registry", "kind")).to_string();
    assert!(
        kind.contains("remote_capacity") && !kind.contains("null"),
        "{kind}"
    );
    let limit = parameter("/api/registry", "limit");
    assert_eq!(limit["type"], "integer", "{limit}");
    assert_eq!(limit["minimum"], 1, "{limit}");
    assert_eq!(limit["maximum"], 1_000, "{limit}");
    let status = parameter("/api/registry", "status")["enum"].to_string();
    assert!(
        status.contains("\"any\"") && status.contains("available"),
        "{status}"
    );
    assert_eq!(parameter("/api/audit", "offset")["type"], "integer");
}
