//! JSON Schema counts `3.0` as an integer (a number whose fraction is
//! zero), so a client generated from the OpenAPI document, or any JSON
//! library that writes every number as a float, may send `"quantity": 3.0`
//! where the Rust type wants a `u32`; serde would refuse it as
//! `invalid_body` although it fits the schema. This layer, on the JSON
//! routes only, writes such whole floats as integers before the handlers
//! decode the body. A float with a fraction is left as it is (and refused
//! by the decoder where an integer is wanted, as the schema refuses it
//! too). Bodies without such a number pass byte for byte unchanged.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Number, Value};

use super::{API_BODY_BYTES_MAX, ApiError};

/// The middleware (see the module docs).
pub(crate) async fn whole_numbers(request: Request, next: Next) -> Response {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !is_json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, API_BODY_BYTES_MAX).await else {
        return ApiError::BodyTooLarge.into_response();
    };
    let rewritten = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|mut value| integral_floats_as_integers(&mut value).then_some(value))
        .and_then(|value| serde_json::to_vec(&value).ok());
    let body = rewritten.map_or_else(|| Body::from(bytes), Body::from);
    next.run(Request::from_parts(parts, body)).await
}

/// Writes every float with a zero fraction that fits an `i64` or a `u64`
/// as that integer; whether any was.
pub(crate) fn integral_floats_as_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() && float.fract() == 0.0 => match whole(float) {
                Some(whole) => {
                    *number = whole;
                    true
                }
                None => false,
            },
            _ => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, item| integral_floats_as_integers(item) | any),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |any, item| integral_floats_as_integers(item) | any),
        _ => false,
    }
}

/// The integer equal to `float`, if one type holds it exactly.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn whole(float: f64) -> Option<Number> {
    // 2^63 and 2^64 are exact as f64; the casts below are in range.
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    if (-I64_END..I64_END).contains(&float) {
        Some(Number::from(float as i64))
    } else if (0.0..U64_END).contains(&float) {
        Some(Number::from(float as u64))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn whole_floats_become_integers_anywhere_in_the_body() {
        let mut body: Value = serde_json::from_str(
            r#"{"quantity": 3.0, "needs": [{"count": 1e2, "level": -2.0}], "ok": 7}"#,
        )
        .unwrap();
        assert!(integral_floats_as_integers(&mut body));
        assert_eq!(
            body,
            json!({ "quantity": 3, "needs": [{ "count": 100, "level": -2 }], "ok": 7 })
        );
        assert!(body["quantity"].is_u64() && body["needs"][0]["level"].is_i64());
    }

    #[test]
    fn fractions_and_numbers_too_large_stay_floats() {
        let mut body: Value =
            serde_json::from_str(r#"{"a": 2.5, "b": 1e30, "c": 18446744073709549568.0}"#).unwrap();
        let before = body.clone();
        let changed = integral_floats_as_integers(&mut body);
        assert!(changed, "c fits a u64");
        assert_eq!(body["a"], before["a"]);
        assert_eq!(body["b"], before["b"]);
        assert_eq!(body["c"], json!(18_446_744_073_709_549_568_u64));
        let mut plain = json!({ "a": 1, "b": "3.0" });
        assert!(!integral_floats_as_integers(&mut plain));
    }
}
