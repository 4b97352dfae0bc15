//! Offers and requests: creating, withdrawing, and every way a body can be
//! refused (model rules with their field path, bad JSON, size, media type).

use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::api::API_BODY_BYTES_MAX;

#[tokio::test]
async fn health_answers_ok() {
    let node = TestNode::new();
    assert_eq!(
        node.get("/health").await,
        (StatusCode::OK, json!({ "status": "ok" }))
    );
    let (status, answer) = node.get("/api/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "route_not_found");
}

#[tokio::test]
async fn an_offer_is_saved_announced_and_listed() {
    let mut node = TestNode::new();
    let before = node.digest();
    let offer = node
        .created("/api/offers", laptops(20), StatusCode::CREATED)
        .await;
    assert!(offer.as_str().starts_with("o-"), "{offer}");
    assert_ne!(node.digest(), before);
    // Durable: the store holds the envelope when the answer arrives.
    assert_eq!(node.core.lock().store().load().unwrap().envelopes.len(), 1);
    let (_, registry) = node.get("/api/registry").await;
    assert_eq!(registry[0]["address"]["id"], offer.as_str());
    assert_eq!(registry[0]["address"]["owner"], node.me().to_string());
    assert_eq!(registry[0]["remaining"], 20);
}

#[tokio::test]
async fn a_request_is_saved() {
    let mut node = TestNode::new();
    let request = node
        .created("/api/requests", laptop_request(5), StatusCode::CREATED)
        .await;
    assert!(request.as_str().starts_with("r-"));
    let (_, board) = node.get("/api/board").await;
    assert_eq!(board[0]["address"]["id"], request.as_str());
    assert_eq!(board[0]["needs"][0]["totals"]["open"], 5);
}

#[tokio::test]
async fn model_rules_refuse_with_the_field_path() {
    let mut node = TestNode::new();
    let mut zero = laptop_request(1);
    zero["needs"][0]["quantity"] = json!(0);
    let error = node
        .refused(
            "/api/requests",
            zero,
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "needs[0].quantity");
    assert_eq!(
        error["message"],
        "needs[0].quantity: must be at least 1, got 0"
    );

    let mut backwards = laptop_request(1);
    backwards["end_ms"] = json!(T0_MS);
    let error = node
        .refused(
            "/api/requests",
            backwards,
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "window");

    let mut expired = laptops(1);
    expired["valid_until_ms"] = json!(T0_MS - 1);
    let error = node
        .refused(
            "/api/offers",
            expired,
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "validity");

    let mut janitor = forensics_person();
    janitor["detail"]["role"] = json!("janitor");
    let error = node
        .refused(
            "/api/offers",
            janitor,
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "detail.role");

    let mut chatty = laptops(1);
    chatty["notes"] = json!("x".repeat(5_000));
    let error = node
        .refused(
            "/api/offers",
            chatty,
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "notes");
    assert_eq!(
        error["message"],
        "notes: 5000 characters, at most 4000 allowed"
    );
}

#[tokio::test]
async fn bodies_that_do_not_fit_are_refused() {
    let mut node = TestNode::new();
    let mut extra = laptops(1);
    extra["colour"] = json!("grau");
    let error = node
        .refused(
            "/api/offers",
            extra,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        )
        .await;
    assert!(
        error["message"].as_str().unwrap().contains("colour"),
        "{error}"
    );

    let mut wrong_kind = laptops(1);
    wrong_kind["detail"]["kind"] = json!("spaceship");
    node.refused(
        "/api/offers",
        wrong_kind,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;

    let mut no_title = laptop_request(1);
    no_title.as_object_mut().unwrap().remove("title");
    node.refused(
        "/api/requests",
        no_title,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;

    for broken in ["{", "{\"title\": }", "not json", ""] {
        node.refused_raw(
            "/api/offers",
            Some(broken.into()),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        )
        .await;
    }

    let mut huge = laptops(1);
    huge["notes"] = json!("x".repeat(API_BODY_BYTES_MAX));
    node.refused(
        "/api/offers",
        huge,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    )
    .await;

    let before = node.digest();
    let (status, _, _) = node
        .raw(
            Method::POST,
            "/api/offers",
            Some(laptops(1).to_string()),
            "text/plain",
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(node.digest(), before);
}

#[tokio::test]
async fn withdrawing_an_offer_takes_it_out_of_service() {
    let mut node = TestNode::new();
    let offer = node
        .created("/api/offers", laptops(20), StatusCode::CREATED)
        .await;
    let uri = format!("/api/offers/{offer}/withdraw");
    let same = node.created(&uri, json!(null), StatusCode::OK).await;
    assert_eq!(same, offer);
    let (_, available) = node.get("/api/registry").await;
    assert_eq!(available, json!([]));
    let (_, all) = node.get("/api/registry?status=any").await;
    assert_eq!(all[0]["offer"]["status"], "out_of_service");
    assert_eq!(all[0]["offer"]["title"], "Notebooks, sauber");
}

#[tokio::test]
async fn only_this_members_known_offers_can_be_withdrawn() {
    let mut node = TestNode::new();
    for unknown in ["o-0000000000000000", "Not-An-Id"] {
        let uri = format!("/api/offers/{unknown}/withdraw");
        node.refused_raw(&uri, None, StatusCode::NOT_FOUND, "offer_not_found")
            .await;
    }
    node.other_writes(RecordKey::offer(id("o-b1")), laptops(3));
    node.refused_raw(
        "/api/offers/o-b1/withdraw",
        None,
        StatusCode::NOT_FOUND,
        "offer_not_found",
    )
    .await;
}
