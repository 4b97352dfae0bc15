//! The clean-image attestation of an equipment offer: saved through the
//! JSON API and the form, shown in the registry JSON and on the Register
//! page; a bad one is refused with its field and code, and nothing is
//! written.

use axum::http::StatusCode;
use serde_json::json;

use super::*;

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn attested_laptops() -> Value {
    let mut offer = laptops(5);
    offer["detail"]["clean_image"] = json!({
        "imaged_by": "M. Weber, IT Heppenheim",
        "imaged_at_ms": T0_MS - DAY_MS,
        "image_name": "Win11-Basis-2026-03",
        "image_sha256": HASH,
    });
    offer
}

#[tokio::test]
async fn an_attested_offer_shows_its_image_in_the_registry() {
    let mut node = TestNode::new();
    node.created("/api/offers", attested_laptops(), StatusCode::CREATED)
        .await;
    node.created("/api/offers", laptops(2), StatusCode::CREATED)
        .await;
    let (_, registry) = node.get("/api/registry").await;
    let images: Vec<&Value> = registry
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["offer"]["detail"]["clean_image"])
        .collect();
    assert_eq!(images.len(), 2);
    let attested = images.iter().find(|image| !image.is_null()).unwrap();
    assert_eq!(attested["image_sha256"], HASH);
    assert_eq!(attested["imaged_by"], "M. Weber, IT Heppenheim");
    assert!(
        images.iter().any(|image| image.is_null()),
        "an offer without one has none"
    );
}

#[tokio::test]
async fn a_bad_attestation_is_refused_with_its_code_and_nothing_is_written() {
    let mut node = TestNode::new();
    let cases: [(&str, Value, &str); 5] = [
        ("image_sha256", json!("abc"), "bad_format"),
        ("image_sha256", json!(HASH.to_uppercase()), "bad_format"),
        ("imaged_by", json!("  "), "empty"),
        ("image_name", json!("x".repeat(121)), "too_long"),
        // Attested for an imaging after the offer was saved.
        ("imaged_at_ms", json!(T0_MS + DAY_MS), "inconsistent"),
    ];
    for (field, value, rule) in cases {
        let mut offer = attested_laptops();
        offer["detail"]["clean_image"][field] = value;
        let error = node
            .refused(
                "/api/offers",
                offer,
                StatusCode::BAD_REQUEST,
                "validation_failed",
            )
            .await;
        assert_eq!(error["field"], format!("detail.clean_image.{field}"));
        assert_eq!(error["rule"], rule, "{error}");
    }
    let mut unknown = attested_laptops();
    unknown["detail"]["clean_image"]["verified"] = json!(true);
    node.refused(
        "/api/offers",
        unknown,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
}

#[tokio::test]
async fn the_offer_form_takes_an_attestation_and_the_register_shows_it() {
    let node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, csrf) = node.login_page("it").await;
    let form = format!(
        "csrf={csrf}&kind=equipment&title=5+Notebooks&valid_from=2026-01-01&contact_role=IT&contact_phone=%2B49+6252+15-0&contact_email=it%40example.de&category=laptop&quantity=5&image_state=clean_standalone&location=Heppenheim&clean_image_imaged_by=M.+Weber&clean_image_date=2025-12-30&clean_image_image_name=Win11-Basis&clean_image_image_sha256={HASH}"
    );
    let (status, _) = node.form(&session, "/ressourcen", form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let register = node.page(&session, "/register").await;
    assert!(register.contains(HASH), "{register}");
    assert!(register.contains("Neu aufgesetzt von M. Weber, 30.12.2025"));

    // A hash that is not one is refused on the form, pointing at the field.
    let bad = format!(
        "csrf={csrf}&kind=equipment&title=6+Notebooks&valid_from=2026-01-01&contact_role=IT&contact_phone=%2B49+6252+15-0&contact_email=it%40example.de&category=laptop&quantity=6&image_state=clean_standalone&location=Heppenheim&clean_image_imaged_by=M.+Weber&clean_image_date=2025-12-30&clean_image_image_name=Win11-Basis&clean_image_image_sha256=abc"
    );
    let (status, page) = node.form(&session, "/ressourcen", bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("SHA-256"), "{page}");
    let register = node.page(&session, "/register").await;
    assert!(!register.contains("6 Notebooks"), "nothing written");
}
