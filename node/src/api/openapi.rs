//! `GET /api/openapi.json`: an OpenAPI 3.1 document made from the route
//! table (`routes.rs`) and the schemas below, so it lists exactly the
//! routes the router serves. Public, like `/health`: it describes the API
//! and holds no data of the pact or of this node.
//!
//! Every request body and every JSON answer (accounts, tokens, the audit
//! log and a bundle's report included) has its full JSON Schema
//! (2020-12, as OpenAPI 3.1 uses), derived from the Rust types with
//! `schemars` ([`body_schemas`]): the records with the nested details of
//! every offer kind, enums with their values, id patterns, the machine
//! range of every integer and the model's limits where it states them.
//! Written here, with their fields: the error, the one-word answers
//! (`Health`, `LoggedOut`, `Revoked`) and the notifications. A
//! body that fits its schema is decoded; the model's `validate()` and the
//! read model's rules may still refuse it, each with its own code.

use amtshilfe_protocol::model::{AidRequest, Offer, Pledge};
use amtshilfe_protocol::read_model::{MissionOrder, OfferEntry, RequestView};
use axum::Json;
use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::sessions::{LoginBody, TokenBody};
use crate::ops::Saved;
use crate::ops::acceptances::AcceptanceBody;
use crate::ops::accounts::{AccountChange, NewAccount};
use crate::ops::incident_room::{IncidentListItem, RoomAnswer};
use crate::ops::incidents::{IncidentBody, LineBody, ReportBody, StepBody};
use crate::ops::mission_end::{DeclineBody, SettlementBody, StatusBody};

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
    let schemas = schemas();
    let mut paths = Map::new();
    for route in routes {
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        item[route.method.as_str().to_lowercase()] = operation(route, &schemas);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "amtshilfe node API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The local HTTP API of one amtshilfe node. Every route but the public ones needs a session cookie (from POST /api/login; writes then also need the header x-csrf-token) or an API token (Authorization: Bearer …). Every error is {\"error\":{\"code\",\"message\",\"field\"?,\"rule\"?}} with a stable code (field and rule name the offending field and the rule it breaks, for validation_failed).",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
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
        "Export" => {
            return json!({
                "text/csv": { "schema": schema_ref(name) },
                "application/json": { "schema": schema_ref(name) },
            });
        }
        _ => "application/json",
    };
    json!({ media: { "schema": schema_ref(name) } })
}

/// The query types whose fields are the routes' query parameters.
const QUERY_TYPES: [&str; 2] = ["RegistryQuery", "AuditQuery"];

/// The schema of query parameter `name` of a route with `query`: the field
/// of the query type that has all of them, without its `null` (a parameter
/// is absent, never null).
fn query_parameter_schema(schemas: &Value, query: &[(&str, &str)], name: &str) -> Value {
    let fields = QUERY_TYPES
        .iter()
        .map(|ty| &schemas[ty]["properties"])
        .find(|fields| query.iter().all(|(name, _)| fields.get(name).is_some()));
    let Some(field) = fields.map(|fields| fields[name].clone()) else {
        return string();
    };
    without_null(field)
}

fn without_null(mut schema: Value) -> Value {
    let is_null = |s: &Value| s.get("type") == Some(&json!("null"));
    if let Some(any_of) = schema.get("anyOf").and_then(Value::as_array) {
        let rest: Vec<&Value> = any_of.iter().filter(|s| !is_null(s)).collect();
        if let [only] = rest[..] {
            return only.clone();
        }
    }
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|ty| ty != "null");
        if types.len() == 1 {
            schema["type"] = types[0].clone();
        }
    }
    schema
}

fn operation(route: &ApiRoute, schemas: &Value) -> Value {
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
        json!({ "name": name, "in": "query", "required": false, "description": meaning, "schema": query_parameter_schema(schemas, route.query, name) })
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

fn string() -> Value {
    json!({ "type": "string" })
}

fn integer() -> Value {
    json!({ "type": "integer" })
}

fn list_of(item: &str, description: &str) -> Value {
    json!({ "type": "array", "items": schema_ref(item), "description": description })
}

/// Every schema a route names: the bodies' from their types, the other
/// answers' written here.
pub(crate) fn schemas() -> Value {
    let mut all = written_schemas();
    if let Value::Object(map) = &mut all {
        map.extend(body_schemas());
    }
    all
}

/// Adds to each integer schema with a machine format the range of that
/// format (schemars states only `minimum: 0` for unsigned ones), so that a
/// number the schema allows always decodes.
fn machine_range(schema: &mut Schema) {
    let range: Option<(i128, i128)> = match schema.get("format").and_then(Value::as_str) {
        Some("uint8") => Some((0, u8::MAX.into())),
        Some("uint16") => Some((0, u16::MAX.into())),
        Some("uint32") => Some((0, u32::MAX.into())),
        Some("uint64") => Some((0, u64::MAX.into())),
        Some("uint") => Some((0, usize::MAX as i128)),
        Some("int32") => Some((i32::MIN.into(), i32::MAX.into())),
        Some("int64") => Some((i64::MIN.into(), i64::MAX.into())),
        _ => None,
    };
    if let (Some((min, max)), Some(object)) = (range, schema.as_object_mut()) {
        let number = |n: i128| {
            i64::try_from(n).map_or_else(
                |_| json!(u64::try_from(n).unwrap_or(u64::MAX)),
                |n| json!(n),
            )
        };
        object.entry("minimum").or_insert_with(|| number(min));
        object.entry("maximum").or_insert_with(|| number(max));
    }
}

fn add<T: JsonSchema>(generator: &mut SchemaGenerator) {
    generator.subschema_for::<T>();
}

/// The schemas of every request body, of `Saved` and of the registry,
/// board and mission order answers, derived from their Rust types, with the types they use, keyed by schema name.
pub(crate) fn body_schemas() -> Map<String, Value> {
    let settings = SchemaSettings::draft2020_12().with(|settings| {
        settings.definitions_path = "/components/schemas".into();
        settings.meta_schema = None;
    });
    let mut generator = settings.into_generator();
    add::<Offer>(&mut generator);
    add::<AidRequest>(&mut generator);
    add::<Pledge>(&mut generator);
    add::<AcceptanceBody>(&mut generator);
    add::<LoginBody>(&mut generator);
    add::<TokenBody>(&mut generator);
    add::<NewAccount>(&mut generator);
    add::<AccountChange>(&mut generator);
    add::<Saved>(&mut generator);
    add::<IncidentBody>(&mut generator);
    add::<StepBody>(&mut generator);
    add::<LineBody>(&mut generator);
    add::<ReportBody>(&mut generator);
    add::<DeclineBody>(&mut generator);
    add::<StatusBody>(&mut generator);
    add::<SettlementBody>(&mut generator);
    add::<IncidentListItem>(&mut generator);
    add::<RoomAnswer>(&mut generator);
    add::<super::shared_posture::AidShareBody>(&mut generator);
    add::<super::shared_posture::AidUnshared>(&mut generator);
    add::<crate::ops::shared_posture::aid::AidShared>(&mut generator);
    add::<amtshilfe_protocol::posture::AidSummary>(&mut generator);
    add::<crate::ops::shared_posture::benchmark::BenchmarkPublished>(&mut generator);
    add::<crate::ops::shared_posture::benchmark::BenchmarkSeen>(&mut generator);
    // The read answers: the read model's views as they are serialised.
    add::<OfferEntry<'static>>(&mut generator);
    add::<RequestView<'static>>(&mut generator);
    add::<MissionOrder<'static>>(&mut generator);
    add::<super::reads::StatusView>(&mut generator);
    // Sessions, tokens, accounts, the audit log and bundle imports.
    add::<super::sessions::LoginAnswer>(&mut generator);
    add::<super::sessions::Me>(&mut generator);
    add::<super::sessions::TokenAnswer>(&mut generator);
    add::<super::accounts_admin::TokenRow>(&mut generator);
    add::<crate::ops::accounts::AccountView>(&mut generator);
    add::<crate::ops::accounts::NewAccountAnswer>(&mut generator);
    add::<super::sessions::AuditRow>(&mut generator);
    add::<crate::bundle::ImportReport>(&mut generator);
    // The query parameters (see `query_parameter_schema`).
    add::<crate::ops::reads::RegistryQuery>(&mut generator);
    add::<super::sessions::AuditQuery>(&mut generator);
    add::<crate::ops::contacts::ContactsBody>(&mut generator);
    add::<crate::ops::pact::PactView>(&mut generator);
    add::<crate::ops::pact_actions::ProposalBody>(&mut generator);
    add::<crate::ops::pact_actions::InviteBody>(&mut generator);
    add::<crate::ops::pact_actions::SignedEntryBody>(&mut generator);
    add::<crate::ops::device_revocation::RevokeDeviceBody>(&mut generator);
    add::<crate::ops::invitation_for::InvitationAddresses>(&mut generator);
    add::<crate::ops::pact_actions::SignedAnswer>(&mut generator);
    add::<crate::ops::pact_actions::InviteAnswer>(&mut generator);
    // Posture: the member's own, the hosted officer's workspace.
    add::<crate::ops::posture::PostureAnswer>(&mut generator);
    add::<crate::ops::posture::PostureBody>(&mut generator);
    add::<crate::ops::posture::PostureSaved>(&mut generator);
    add::<crate::ops::posture::PostureSubmitted>(&mut generator);
    add::<crate::ops::posture::Workspace>(&mut generator);
    add::<crate::ops::posture::ReviewRequest>(&mut generator);
    let mut definitions = generator.take_definitions(true);
    let mut ranges = RecursiveTransform(machine_range);
    for value in definitions.values_mut() {
        if let Ok(schema) = Schema::try_from(value.take()) {
            let mut schema = schema;
            ranges.transform(&mut schema);
            *value = schema.to_value();
        }
    }
    definitions
}

fn written_schemas() -> Value {
    json!({
        "Error": object(&["error"], json!({ "error": object(&["code", "message"], json!({
            "code": string(), "message": string(),
            "field": { "type": "string", "description": "path of the offending field (validation_failed)" },
            "rule": { "type": "string", "description": "the rule the field breaks (validation_failed): empty, too_long, too_many, below_min, above_max, end_not_after_start, unknown_id, bad_format, duplicate, inconsistent" },
        }), "") }), "Every error answer."),
        "Object": { "type": "object" },
        "Health": object(&["status"], json!({ "status": string() }), ""),
        "OpenApi": { "type": "object", "description": "This document." },
        "LoggedOut": object(&["status"], json!({ "status": string() }), ""),
        "RegistryEntries": list_of("OfferEntry", "Offers with owner, quantity, held and remaining units."),
        "Board": list_of("RequestView", "Requests with their needs and pledged, accepted and open quantities."),
        "MissionOrders": list_of("MissionOrder", "Accepted pledges with both sides."),
        "BenchmarksSeen": list_of("BenchmarkSeen", "The pact benchmarks shared with this member, one per officer serving it."),
        "Tokens": list_of("TokenRow", "Every API token, oldest first."),
        "Incidents": list_of("IncidentListItem", "Every incident, newest awareness first."),
        "Revoked": object(&["status"], json!({ "status": string() }), ""),
        "Accounts": { "type": "array", "items": schema_ref("Account") },
        "AuditRows": list_of("AuditRow", "Audit rows, newest first."),
        "Notification": object(&["seq", "alert_id", "kind", "subject_de", "subject_en", "created_ms", "status", "contact", "log"], json!({ "seq": integer(), "alert_id": string(), "kind": string(), "subject_de": string(), "subject_en": string(), "created_ms": integer(), "status": { "description": "Baseline, Open, Unanswered or {Acknowledged: {by, at_ms}}" }, "contact": integer(), "log": schema_ref("DeliveryLines") }), ""),
        "DeliveryLines": { "type": "array", "items": object(&["at_ms", "contact", "channel", "ok", "detail"], json!({ "at_ms": integer(), "contact": integer(), "channel": string(), "ok": { "type": "boolean" }, "detail": string() }), "") },
        "Notifications": { "type": "array", "items": schema_ref("Notification") },
        "EventStream": { "type": "string", "description": "event: change, data: a counter" },
        "Metrics": { "type": "string" },
        "Bundle": { "type": "string", "format": "binary", "description": "An offline bundle (protocol/src/bundle.rs)." },
        "KnownState": { "type": "string", "format": "binary", "description": "What a node has (a deflated sync Want request); empty: nothing." },
        "Export": { "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "object" } }], "description": "text/csv (semicolons, UTF-8 with BOM, first row the German headers) or application/json (an array of objects keyed by column id)" },
    })
}
