//! The OpenAPI document against the API itself: the document passes a
//! standard OpenAPI validator, every example body these tests send fits
//! its schema, an offer built from the document is created, and bodies
//! generated from the schemas are never answered 5xx, `invalid_body` or
//! `invalid_json`: what the schema allows decodes, and only the model's
//! rules may refuse it, each with its own code.

use std::path::Path;
use std::process::Command;

use super::*;

/// The document as the route serves it.
async fn document(node: &TestNode) -> Value {
    let (status, document) = node.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    document
}

/// Runs `tests/openapi/check.py` (openapi-spec-validator and jsonschema)
/// on the document and the named bodies; panics with its report.
pub(super) fn check_with_standard_tools(document: &Value, bodies: &[(&str, Value)]) {
    let dir = tempfile::tempdir().unwrap();
    let document_path = dir.path().join("openapi.json");
    std::fs::write(&document_path, document.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/openapi/check.py");
    let mut command = Command::new("python3");
    command.arg(script).arg(&document_path);
    for (index, (schema, body)) in bodies.iter().enumerate() {
        let path = dir.path().join(format!("body-{index}.json"));
        std::fs::write(&path, body.to_string()).unwrap();
        command.arg(format!("{schema}={}", path.display()));
    }
    let output = command
        .output()
        .expect("python3 with openapi-spec-validator and jsonschema (see .ci/run)");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_standard_validator_accepts_the_document_and_every_example_body() {
    let mut node = TestNode::new();
    let document = document(&node).await;
    let other = node.other_id();
    let acceptance =
        json!({ "pledger": other, "pledge": "p-1", "quantity": 2, "terms": "bis Freitag" });
    let bodies = [
        ("Offer", laptops(20)),
        ("Offer", forensics_person()),
        ("AidRequest", laptop_request(5)),
        ("Pledge", pledge(other, &id("r-1"), "n1", 3)),
        ("AcceptanceBody", acceptance),
        (
            "LoginBody",
            json!({ "account": "admin", "password": PASSWORD }),
        ),
        ("TokenBody", json!({ "label": "Skript", "days": 7 })),
        (
            "NewAccount",
            json!({ "account": "leitung", "role": "requester" }),
        ),
        ("AccountChange", json!({ "disabled": true })),
    ];
    check_with_standard_tools(&document, &bodies);
    // An offer that the document calls valid is created.
    node.created("/api/offers", laptops(20), StatusCode::CREATED)
        .await;
}

/// JSON Schema counts `20.0` as an integer: a client (or a fuzzer) that
/// writes whole numbers as floats sends a body that fits the document, and
/// the node takes it (found by schemathesis, `tests/openapi/fuzz.py`).
#[tokio::test]
async fn whole_numbers_written_as_floats_fit_the_schema_and_are_accepted() {
    let mut node = TestNode::new();
    let document = document(&node).await;
    let mut offer = laptops(20);
    offer["detail"]["quantity"] = json!(20.0);
    let from = offer["valid_from_ms"].as_i64().unwrap();
    #[allow(clippy::cast_precision_loss)]
    let from_float = from as f64;
    offer["valid_from_ms"] = json!(from_float);
    assert!(offer.to_string().contains("20.0"), "{offer}");
    check_with_standard_tools(&document, &[("Offer", offer.clone())]);
    let created = node
        .created("/api/offers", offer, StatusCode::CREATED)
        .await;
    let (_, registry) = node.get("/api/registry").await;
    let entry = registry
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["address"]["id"] == json!(created))
        .unwrap_or_else(|| panic!("{registry}"));
    assert_eq!(entry["offer"]["detail"]["quantity"], json!(20), "{entry}");
    // A fraction is no integer, for the schema as for the node.
    let mut half = laptops(20);
    half["detail"]["quantity"] = json!(2.5);
    node.refused("/api/offers", half, StatusCode::BAD_REQUEST, "invalid_body")
        .await;
}

#[tokio::test]
async fn the_standard_validator_finds_a_body_that_breaks_the_schema() {
    // The check above can fail: an offer without its contact does not fit.
    let node = TestNode::new();
    let document = document(&node).await;
    let mut offer = laptops(20);
    offer.as_object_mut().unwrap().remove("contact");
    let dir = tempfile::tempdir().unwrap();
    let result =
        std::panic::catch_unwind(|| check_with_standard_tools(&document, &[("Offer", offer)]));
    drop(dir);
    assert!(
        result.is_err(),
        "a body without a required field must not validate"
    );
}

#[test]
fn every_record_schema_has_its_fields_and_the_details_of_every_offer_kind() {
    let schemas = crate::api::openapi::schemas();
    let offer = &schemas["Offer"];
    for field in [
        "title",
        "status",
        "valid_from_ms",
        "contact",
        "updated_at_ms",
        "detail",
    ] {
        assert!(offer["properties"][field].is_object(), "Offer.{field}");
    }
    let text = schemas.to_string();
    for kind in [
        "person",
        "remote_capacity",
        "equipment",
        "team_package",
        "service_relocation",
    ] {
        assert!(text.contains(&format!("\"{kind}\"")), "offer kind {kind}");
    }
    assert!(schemas["Contact"]["properties"]["email"].is_object());
    assert_eq!(schemas["Pledge"]["properties"]["quantity"]["minimum"], 1);
    assert_eq!(
        schemas["Pledge"]["properties"]["quantity"]["maximum"],
        10_000
    );
    assert!(schemas["RecordId"]["pattern"].is_string());
}

/// A small deterministic generator (xorshift) so that a failing seed can
/// be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn chance(&mut self) -> bool {
        self.next() & 1 == 0
    }
}

/// One JSON value that fits `schema` (resolving `$ref`s in `schemas`).
fn generate(schemas: &Value, schema: &Value, rng: &mut Rng, depth: u32) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return generate(schemas, &schemas[name], rng, depth + 1);
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[rng.below(values.len() as u64) as usize].clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(choices) = schema[key].as_array() {
            let choice = &choices[rng.below(choices.len() as u64) as usize];
            let mut value = generate(schemas, choice, rng, depth + 1);
            // Properties stated beside the choice (a tagged enum's shared ones).
            if schema["properties"].is_object() {
                let rest = generate_object(schemas, schema, rng, depth);
                if let (Some(value), Value::Object(rest)) = (value.as_object_mut(), rest) {
                    value.extend(rest);
                }
            }
            return value;
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        let mut merged = serde_json::Map::new();
        for part in all {
            if let Value::Object(part) = generate(schemas, part, rng, depth + 1) {
                merged.extend(part);
            }
        }
        return Value::Object(merged);
    }
    let kind = match &schema["type"] {
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds[rng.below(kinds.len() as u64) as usize]
            .as_str()
            .unwrap()
            .to_owned(),
        _ if schema["properties"].is_object() => "object".to_owned(),
        _ => "null".to_owned(),
    };
    match kind.as_str() {
        "object" => generate_object(schemas, schema, rng, depth),
        "array" => {
            let min = schema["minItems"].as_u64().unwrap_or(0);
            let max = schema["maxItems"].as_u64().unwrap_or(3).min(min + 3);
            let count = min + rng.below(max - min + 1);
            let items = &schema["items"];
            Value::Array(
                (0..count)
                    .map(|_| generate(schemas, items, rng, depth + 1))
                    .collect(),
            )
        }
        "string" => Value::String(generate_string(schema, rng)),
        "integer" => {
            let min = schema["minimum"].as_i64().unwrap_or(i64::MIN);
            let max = schema["maximum"].as_i64().unwrap_or(i64::MAX);
            let picks = [min, max, min.saturating_add(1), 0, 1, 10, T0_MS];
            let pick = picks[rng.below(picks.len() as u64) as usize];
            if (min..=max).contains(&pick) {
                json!(pick)
            } else if max < i64::MAX && schema["maximum"].is_u64() {
                json!(max)
            } else {
                json!(min)
            }
        }
        "number" => json!(rng.below(1000) as f64 / 7.0),
        "boolean" => json!(rng.chance()),
        _ => Value::Null,
    }
}

fn generate_object(schemas: &Value, schema: &Value, rng: &mut Rng, depth: u32) -> Value {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut object = serde_json::Map::new();
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            if required.contains(&name.as_str()) || (depth < 6 && rng.chance()) {
                object.insert(name.clone(), generate(schemas, property, rng, depth + 1));
            }
        }
    }
    Value::Object(object)
}

/// A string within the schema's length, or matching its pattern when the
/// pattern is one character class with a count (`^[a-z0-9-]{1,64}$`), the
/// only form the document uses.
fn generate_string(schema: &Value, rng: &mut Rng) -> String {
    if let Some(pattern) = schema["pattern"].as_str() {
        let class_end = pattern.find(']').expect("a character class");
        let class = &pattern[2..class_end];
        let counts = pattern[class_end + 2..pattern.len() - 2].to_owned();
        let (min, max): (u64, u64) = match counts.split_once(',') {
            Some((min, max)) => (min.parse().unwrap(), max.parse().unwrap()),
            None => (counts.parse().unwrap(), counts.parse().unwrap()),
        };
        let mut chars = Vec::new();
        let bytes: Vec<char> = class.chars().collect();
        let mut index = 0;
        while index < bytes.len() {
            if index + 2 < bytes.len() && bytes[index + 1] == '-' {
                chars.extend(bytes[index]..=bytes[index + 2]);
                index += 3;
            } else {
                chars.push(bytes[index]);
                index += 1;
            }
        }
        let length = min + rng.below(max - min + 1);
        return (0..length)
            .map(|_| chars[rng.below(chars.len() as u64) as usize])
            .collect();
    }
    let min = schema["minLength"].as_u64().unwrap_or(0);
    let max = schema["maxLength"].as_u64().unwrap_or(40).min(min + 40);
    let length = min + rng.below(max - min + 1);
    let alphabet: Vec<char> = "aZ 9äß€-@.\"\\/\u{1F6A8}".chars().collect();
    (0..length)
        .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
        .collect()
}

#[tokio::test]
async fn bodies_generated_from_the_schemas_are_decoded_and_judged_by_the_model() {
    let node = TestNode::new();
    let document = document(&node).await;
    let schemas = &document["components"]["schemas"];
    let routes = [
        (Method::POST, "/api/offers", "Offer"),
        (Method::PUT, "/api/offers/o-1", "Offer"),
        (Method::POST, "/api/requests", "AidRequest"),
        (Method::POST, "/api/pledges", "Pledge"),
        (Method::POST, "/api/acceptances", "AcceptanceBody"),
        (Method::POST, "/api/accounts", "NewAccount"),
        (Method::PATCH, "/api/accounts/nobody", "AccountChange"),
    ];
    let mut rng = Rng(0x5eed_cafe_f00d_beef);
    let mut answered = std::collections::BTreeMap::<String, u32>::new();
    for case in 0..150 {
        for (method, path, name) in &routes {
            let body = generate(schemas, &schemas[*name], &mut rng, 0);
            let (status, answer) = node.call(method.clone(), path, Some(body.clone())).await;
            let code = answer["error"]["code"].as_str().unwrap_or("ok").to_owned();
            assert!(
                !status.is_server_error() && code != "invalid_body" && code != "invalid_json",
                "case {case}: {method} {path} answered {status} {answer} to {body}"
            );
            *answered.entry(format!("{path} {code}")).or_default() += 1;
        }
    }
    // The generator reaches past decoding: some bodies are accepted.
    assert!(
        answered.keys().any(|key| key.ends_with(" ok")),
        "{answered:?}"
    );
}
