//! `GET /api/openapi.json`: an OpenAPI 3.1 document made from the route
//! table (`routes.rs`) and the schemas below, so it lists exactly the
//! routes the router serves. Public, like `/health`: it describes the API
//! and holds no data of the pact or of this node.
//!
//! The records' schemas name their fields and point to the model; the
//! model's `validate()` is the authority on what a record may contain.

use axum::Json;
use serde_json::{Map, Value, json};

use super::routes::{Access, ApiRoute, api_routes};

/// Common refusals every route but the public ones can answer.
const SESSION_ERRORS: [(u16, &str); 2] = [(401, "unauthenticated"), (403, "csrf_failed")];
/// Refusals every write can answer.
const WRITE_ERRORS: [(u16, &str); 6] = [
    (400, "invalid_json"),
    (400, "invalid_body"),
    (413, "body_too_large"),
    (415, "unsupported_media_type"),
    (503, "writes_stopped"),
    (500, "storage_failed"),
];

/// `GET /api/openapi.json`.
pub(super) async fn document() -> Json<Value> {
    Json(build(&api_routes()))
}

/// The document for `routes`.
pub(crate) fn build(routes: &[ApiRoute]) -> Value {
    let mut paths = Map::new();
    for route in routes {
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        item[route.method.as_str().to_lowercase()] = operation(route);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "amtshilfe node API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The local HTTP API of one amtshilfe node. Every route but the public ones needs a session cookie (from POST /api/login; writes then also need the header x-csrf-token) or an API token (Authorization: Bearer …). Every error is {\"error\":{\"code\",\"message\",\"field\"?}} with a stable code.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": super::auth::SESSION_COOKIE },
                "token": { "type": "http", "scheme": "bearer" },
            },
        },
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn content(name: &str) -> Value {
    let media = match name {
        "Metrics" => "text/plain",
        "Bundle" | "KnownState" => "application/octet-stream",
        "EventStream" => "text/event-stream",
        _ => "application/json",
    };
    json!({ media: { "schema": schema_ref(name) } })
}

fn operation(route: &ApiRoute) -> Value {
    let writes = !matches!(route.method.as_str(), "GET" | "HEAD");
    let mut errors: Vec<(u16, &str)> = route.errors.to_vec();
    if route.access != Access::Public {
        errors.extend(SESSION_ERRORS);
    }
    if let Access::Role(_) = route.access {
        errors.push((403, "forbidden"));
    }
    if writes {
        errors.extend(WRITE_ERRORS);
    }
    let mut responses = Map::new();
    responses.insert(
        route.answer.0.to_string(),
        json!({ "description": "success", "content": content(route.answer.1) }),
    );
    for (status, _) in &errors {
        let codes: Vec<&str> = errors
            .iter()
            .filter(|(s, _)| s == status)
            .map(|(_, code)| *code)
            .collect();
        responses.insert(
            status.to_string(),
            json!({
                "description": format!("error code: {}", codes.join(", ")),
                "content": content("Error"),
            }),
        );
    }
    let mut op = json!({
        "summary": route.summary,
        "operationId": format!("{} {}", route.method, route.path),
        "responses": responses,
    });
    op["security"] = match route.access {
        Access::Public => json!([]),
        _ => json!([{ "session": [] }, { "token": [] }]),
    };
    if let Access::Role(permission) = route.access {
        op["x-permission"] = json!(format!("{permission:?}"));
    }
    if let Some(body) = route.body {
        op["requestBody"] = json!({ "required": true, "content": content(body) });
    }
    let mut parameters: Vec<Value> = path_parameters(route.path)
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    parameters.extend(route.query.iter().map(|(name, meaning)| {
        json!({ "name": name, "in": "query", "required": false, "description": meaning, "schema": { "type": "string" } })
    }));
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    op
}

/// The `{name}` segments of a path.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

fn object(required: &[&str], properties: Value, description: &str) -> Value {
    json!({ "type": "object", "description": description, "required": required, "properties": properties })
}

fn model(name: &str, required: &[&str], file: &str) -> Value {
    let properties: Map<String, Value> = required
        .iter()
        .map(|field| ((*field).to_owned(), json!({})))
        .collect();
    object(
        required,
        Value::Object(properties),
        &format!(
            "The model's {name} record (protocol/src/model/{file}); checked by its validate()."
        ),
    )
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn integer() -> Value {
    json!({ "type": "integer" })
}

fn array_of(description: &str) -> Value {
    json!({ "type": "array", "items": { "type": "object" }, "description": description })
}

/// Every schema a route names.
pub(crate) fn schemas() -> Value {
    json!({
        "Error": object(&["error"], json!({ "error": object(&["code", "message"], json!({
            "code": string(), "message": string(),
            "field": { "type": "string", "description": "path of the offending field (validation_failed)" },
        }), "") }), "Every error answer."),
        "Object": { "type": "object" },
        "Health": object(&["status"], json!({ "status": string() }), ""),
        "OpenApi": { "type": "object", "description": "This document." },
        "Saved": object(&["id", "envelope"], json!({ "id": string(), "envelope": { "type": "string", "description": "content hash of the stored envelope, hex" } }), "A durable write."),
        "LoginBody": object(&["account", "password"], json!({ "account": string(), "password": string() }), ""),
        "LoginAnswer": object(&["account", "role", "csrf_token"], json!({ "account": string(), "role": string(), "csrf_token": string() }), "Send csrf_token as x-csrf-token with every write of this session."),
        "LoggedOut": object(&["status"], json!({ "status": string() }), ""),
        "Me": object(&["account", "role"], json!({ "account": string(), "role": string() }), ""),
        "Status": { "type": "object", "description": "member_id, member_name, pact_id, members, peers_connected, envelope counts, writes_stopped, last_sync_ms" },
        "RegistryEntries": array_of("Offers with owner, quantity, held and remaining units."),
        "Board": array_of("Requests with their needs and pledged, accepted and open quantities."),
        "MissionOrders": array_of("Accepted pledges with both sides."),
        "Offer": model("Offer", &["title", "status", "valid_from_ms", "contact", "updated_at_ms", "detail"], "offer.rs, offer_detail.rs"),
        "AidRequest": model("AidRequest", &["title", "priority", "start_ms", "end_ms", "needs", "status", "created_at_ms"], "request.rs"),
        "Pledge": model("Pledge", &["request", "quantity", "status", "created_at_ms"], "pledge.rs"),
        "AcceptanceBody": object(&["pledger", "pledge", "quantity"], json!({ "pledger": string(), "pledge": string(), "quantity": integer(), "terms": string() }), ""),
        "TokenBody": object(&["label"], json!({ "label": string(), "role": { "type": "string", "description": "the role it acts with: the session's (default) or one with less" }, "days": { "type": "integer", "description": "how long it works: 1 to 365, default 30" } }), ""),
        "TokenAnswer": object(&["account", "token", "role", "expires_at_ms"], json!({ "account": string(), "token": { "type": "string", "description": "shown once" }, "role": string(), "expires_at_ms": integer() }), ""),
        "Tokens": { "type": "array", "items": object(&["id", "account", "label", "created_at_ms", "role", "expires_at_ms"], json!({ "id": { "type": "string", "description": "SHA-256 of the token, hex" }, "account": string(), "label": string(), "created_at_ms": integer(), "role": { "type": ["string", "null"], "description": "null: the account's own role" }, "expires_at_ms": { "type": ["integer", "null"], "description": "null: never (the command line token of init)" } }), "") },
        "Revoked": object(&["status"], json!({ "status": string() }), ""),
        "Account": object(&["account", "role", "disabled", "created_at_ms"], json!({ "account": string(), "role": string(), "disabled": { "type": "boolean" }, "created_at_ms": integer() }), ""),
        "Accounts": { "type": "array", "items": schema_ref("Account") },
        "NewAccount": object(&["account", "role"], json!({ "account": string(), "role": string(), "password": string() }), ""),
        "NewAccountAnswer": object(&["account", "role"], json!({ "account": string(), "role": string(), "password": { "type": "string", "description": "only if generated; shown once" } }), ""),
        "AccountChange": object(&[], json!({ "role": string(), "disabled": { "type": "boolean" } }), "Either or both."),
        "AuditRows": { "type": "array", "items": object(&["at_ms", "account", "action", "detail"], json!({ "at_ms": integer(), "account": string(), "action": string(), "detail": string() }), "") },
        "EventStream": { "type": "string", "description": "event: change, data: a counter" },
        "Metrics": { "type": "string" },
        "Bundle": { "type": "string", "format": "binary", "description": "An offline bundle (protocol/src/bundle.rs)." },
        "KnownState": { "type": "string", "format": "binary", "description": "What a node has (a deflated sync Want request); empty: nothing." },
        "BundleReport": { "type": "object", "description": "entries_applied, envelopes_applied, duplicates, pending, and refused: the items ingress refused on their merits (index, kind, code, reason); the rest applied." },
    })
}
