//! Editing offers: `PUT /api/offers/{id}` and the Ressourcen pages' forms
//! for all five kinds, their edit page, and how a refused form comes back.

use super::*;
use crate::accounts::Role;

fn put_body(mut offer: Value, title: &str) -> String {
    offer["title"] = json!(title);
    offer.to_string()
}

#[tokio::test]
async fn an_offer_is_replaced_with_a_later_update_time() {
    let mut node = TestNode::new();
    let offer = node
        .created("/api/offers", laptops(20), StatusCode::CREATED)
        .await;
    let mut changed = laptops(12);
    changed["title"] = json!("12 Notebooks");
    changed["status"] = json!("reserved");
    let uri = format!("/api/offers/{offer}");
    let same = node
        .created_with(Method::PUT, &uri, changed, StatusCode::OK)
        .await;
    assert_eq!(same, offer);
    let (_, all) = node.get("/api/registry?status=any").await;
    assert_eq!(all.as_array().unwrap().len(), 1, "replaced, not added");
    assert_eq!(all[0]["offer"]["title"], "12 Notebooks");
    assert_eq!(all[0]["offer"]["status"], "reserved");
    assert_eq!(all[0]["quantity"], 12);
    let updated = all[0]["offer"]["updated_at_ms"].as_i64().unwrap();
    assert!(updated > T0_MS, "the node sets the update time: {updated}");
}

#[tokio::test]
async fn a_replacement_is_refused_without_writing() {
    let mut node = TestNode::new();
    let offer = node
        .created("/api/offers", laptops(20), StatusCode::CREATED)
        .await;
    let uri = format!("/api/offers/{offer}");
    // A model rule: the equipment's location is required.
    let mut no_location = laptops(3);
    no_location["detail"]["location"] = json!("");
    let error = node
        .refused_with(
            Method::PUT,
            &uri,
            Some(no_location.to_string()),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "detail.location");
    node.refused_with(
        Method::PUT,
        &uri,
        Some(forensics_person().to_string()),
        StatusCode::CONFLICT,
        "offer_kind_fixed",
    )
    .await;
    node.refused_with(
        Method::PUT,
        &uri,
        Some("{\"title\":".into()),
        StatusCode::BAD_REQUEST,
        "invalid_json",
    )
    .await;
    for unknown in ["o-0000000000000000", "Not-An-Id"] {
        node.refused_with(
            Method::PUT,
            &format!("/api/offers/{unknown}"),
            Some(put_body(laptops(1), "x")),
            StatusCode::NOT_FOUND,
            "offer_not_found",
        )
        .await;
    }
    // Another member's offer is not this member's to replace.
    node.other_writes(RecordKey::offer(id("o-b1")), laptops(3));
    node.refused_with(
        Method::PUT,
        "/api/offers/o-b1",
        Some(put_body(laptops(1), "x")),
        StatusCode::NOT_FOUND,
        "offer_not_found",
    )
    .await;
}

/// One form body per kind, as the browser sends it.
fn kind_forms() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "equipment",
            "category=laptop&quantity=3&image_state=clean_standalone&location=Heppenheim&setup_hours=0",
        ),
        (
            "person",
            "role=forensics&mode=both&clearance=none&employment_basis=abordnung&travel_radius_km=50&max_deployment_days=14&max_shift_hours=12&languages=de&skill0=forensics_disk&skill0_level=3",
        ),
        (
            "remote_capacity",
            "hours_per_week=8&response_time_minutes=60&coverage_hours=Mo-Fr&channel_phone=on",
        ),
        (
            "team_package",
            "mission=Clients+neu+aufsetzen&mode=onsite&member0_role=lead&member0_count=1&member1_role=client_rollout&member1_count=4&mobilisation_hours=24&duration_days=10&self_sufficiency_hours=0",
        ),
        (
            "service_relocation",
            "service=Melde-+und+Passwesen&capacity_cases_per_week=120&location=B%C3%BCrgerb%C3%BCro",
        ),
    ]
}

const COMMON: &str = "valid_from=2026-01-01&contact_role=IT&contact_phone=%2B49+6252+15-0&contact_email=it%40example.de";

#[tokio::test]
async fn every_offer_kind_can_be_made_and_edited_from_the_pages() {
    let node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, csrf) = node.login_page("it").await;
    for (kind, fields) in kind_forms() {
        let page = node
            .page(&session, &format!("/ressourcen?art={kind}"))
            .await;
        assert!(
            page.contains(&format!("name=\"kind\" value=\"{kind}\"")),
            "{kind}"
        );
        let title = format!("Angebot {kind}");
        let body = format!("csrf={csrf}&kind={kind}&title={title}&{COMMON}&{fields}");
        let (status, body) = node.form(&session, "/ressourcen", body).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{kind}: {body}");
    }
    let (_, all) = node.get("/api/registry?status=any").await;
    assert_eq!(all.as_array().unwrap().len(), 5);
    for entry in all.as_array().unwrap() {
        let id = entry["address"]["id"].as_str().unwrap();
        let edit = node
            .page(&session, &format!("/ressourcen/{id}/bearbeiten"))
            .await;
        let title = entry["offer"]["title"].as_str().unwrap();
        assert!(
            edit.contains(&format!("value=\"{title}\"")),
            "prefilled: {edit}"
        );
        let kind = entry["offer"]["detail"]["kind"].as_str().unwrap();
        let (_, fields) = kind_forms().into_iter().find(|(k, _)| *k == kind).unwrap();
        let body = format!("csrf={csrf}&kind={kind}&title=Neu&status=reserved&{COMMON}&{fields}");
        let (status, answer) = node
            .form(&session, &format!("/ressourcen/{id}/bearbeiten"), body)
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{kind}: {answer}");
    }
    let (_, all) = node.get("/api/registry?status=any").await;
    for entry in all.as_array().unwrap() {
        assert_eq!(entry["offer"]["title"], "Neu", "{entry}");
        assert_eq!(entry["offer"]["status"], "reserved", "{entry}");
    }
    let list = node.page(&session, "/ressourcen").await;
    assert_eq!(
        list.matches("/bearbeiten\"").count(),
        5,
        "an edit link each"
    );
}

#[tokio::test]
async fn a_refused_form_comes_back_with_the_message_and_the_values() {
    let mut node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, csrf) = node.login_page("it").await;
    let body = format!(
        "csrf={csrf}&kind=equipment&title=Meine+Notebooks&{COMMON}&category=laptop&quantity=3&image_state=clean_standalone&location="
    );
    let (status, page) = node.form(&session, "/ressourcen", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Das Angebot wurde nicht gespeichert."),
        "{page}"
    );
    assert!(page.contains("href=\"#location\""), "points at the field");
    assert!(
        page.contains("value=\"Meine Notebooks\""),
        "keeps the values"
    );
    assert!(
        page.contains("<main id=\"inhalt\""),
        "the whole page, not an error page"
    );
    assert!(node.announced.try_recv().is_err(), "nothing was written");
    let english = format!(
        "csrf={csrf}&kind=equipment&title=x&{COMMON}&category=laptop&quantity=drei&image_state=clean_standalone&location=L"
    );
    let (status, page) = node.form(&session, "/ressourcen?lang=en", english).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("The offer was not saved."), "{page}");
    assert!(page.contains("href=\"#quantity\""));
    // The new form marks what is required.
    let form = node.page(&session, "/ressourcen?art=equipment").await;
    let location = &form[form.find("id=\"location\"").unwrap()..];
    assert!(location[..location.find('>').unwrap()].contains("required"));
    // Editing: an unknown offer, and a refused edit keeps the typed values.
    let unknown = node
        .send(
            Request::get("/ressourcen/o-0000000000000000/bearbeiten")
                .header(header::COOKIE, &session),
            Body::empty(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let offer = node
        .created("/api/offers", laptops(2), StatusCode::CREATED)
        .await;
    let body = format!(
        "csrf={csrf}&kind=equipment&title=Ge%C3%A4ndert&status=available&{COMMON}&category=laptop&quantity=0&image_state=clean_standalone&location=L"
    );
    let (status, page) = node
        .form(&session, &format!("/ressourcen/{offer}/bearbeiten"), body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("value=\"Geändert\""), "{page}");
    assert!(page.contains("href=\"#quantity\""));
    let (_, all) = node.get("/api/registry?status=any").await;
    assert_eq!(all[0]["offer"]["title"], "Notebooks, sauber", "unchanged");
    // A viewer sees no edit form.
    node.add_account("leser", Role::Viewer, true);
    let (viewer, _) = node.login_page("leser").await;
    let denied = node
        .send(
            Request::get(format!("/ressourcen/{offer}/bearbeiten")).header(header::COOKIE, &viewer),
            Body::empty(),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}
