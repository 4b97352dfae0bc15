//! The aid workflow through the API: pledges against another member's
//! request and their refusals, then a request of this member, a partial
//! pledge by the other member, and its acceptance into a mission order.

use axum::http::StatusCode;
use serde_json::json;

use super::*;

#[tokio::test]
async fn pledges_follow_the_open_quantity_and_the_rules() {
    let mut node = TestNode::new();
    let b = node.other_id();
    let request = id("r-b1");
    node.other_writes(RecordKey::request(request.clone()), laptop_request(5));

    let pledge_id = node
        .created(
            "/api/pledges",
            pledge(b, &request, "n1", 3),
            StatusCode::CREATED,
        )
        .await;
    assert!(pledge_id.as_str().starts_with("p-"));
    let (_, board) = node.get("/api/board").await;
    let totals = &board[0]["needs"][0]["totals"];
    assert_eq!(
        (
            totals["requested"].clone(),
            totals["pledged"].clone(),
            totals["open"].clone()
        ),
        (json!(5), json!(3), json!(2))
    );

    let error = node
        .refused(
            "/api/pledges",
            pledge(b, &request, "n1", 3),
            StatusCode::CONFLICT,
            "over_open_quantity",
        )
        .await;
    assert_eq!(
        error["message"],
        "Only 2 of the 5 units of need n1 are still open; a pledge of 3 is too many."
    );
    node.refused(
        "/api/pledges",
        pledge(b, &id("r-nope"), "n1", 1),
        StatusCode::NOT_FOUND,
        "request_not_found",
    )
    .await;
    node.refused(
        "/api/pledges",
        pledge(b, &request, "n9", 1),
        StatusCode::NOT_FOUND,
        "need_not_found",
    )
    .await;
    let error = node
        .refused(
            "/api/pledges",
            pledge(b, &request, "n1", 0),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "quantity");
    let mut withdrawn = pledge(b, &request, "n1", 1);
    withdrawn["status"] = json!("withdrawn");
    let error = node
        .refused(
            "/api/pledges",
            withdrawn,
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "status");

    let mine = node
        .created("/api/requests", laptop_request(4), StatusCode::CREATED)
        .await;
    let me = node.me();
    node.refused(
        "/api/pledges",
        pledge(me, &mine, "n1", 1),
        StatusCode::CONFLICT,
        "own_request",
    )
    .await;

    let mut closed = laptop_request(2);
    closed["status"] = json!("closed");
    node.other_writes(RecordKey::request(id("r-b2")), closed);
    node.refused(
        "/api/pledges",
        pledge(b, &id("r-b2"), "n1", 1),
        StatusCode::CONFLICT,
        "request_not_open",
    )
    .await;
}

#[tokio::test]
async fn a_pledge_drawing_on_an_offer_holds_its_units() {
    let mut node = TestNode::new();
    let b = node.other_id();
    let request = id("r-b1");
    node.other_writes(RecordKey::request(request.clone()), laptop_request(5));
    let offer = node
        .created("/api/offers", laptops(3), StatusCode::CREATED)
        .await;

    let mut too_many = pledge(b, &request, "n1", 4);
    too_many["offer"] = json!(offer);
    node.refused(
        "/api/pledges",
        too_many,
        StatusCode::CONFLICT,
        "over_offer_remaining",
    )
    .await;
    let mut unknown = pledge(b, &request, "n1", 1);
    unknown["offer"] = json!("o-0000000000000000");
    node.refused(
        "/api/pledges",
        unknown,
        StatusCode::NOT_FOUND,
        "offer_not_found",
    )
    .await;

    let mut two = pledge(b, &request, "n1", 2);
    two["offer"] = json!(offer);
    node.created("/api/pledges", two, StatusCode::CREATED).await;
    let (_, registry) = node.get("/api/registry").await;
    assert_eq!(
        (
            registry[0]["held"].clone(),
            registry[0]["remaining"].clone()
        ),
        (json!(2), json!(1))
    );

    node.created(
        &format!("/api/offers/{offer}/withdraw"),
        json!(null),
        StatusCode::OK,
    )
    .await;
    let mut after = pledge(b, &request, "n1", 1);
    after["offer"] = json!(offer);
    node.refused(
        "/api/pledges",
        after,
        StatusCode::CONFLICT,
        "offer_not_available",
    )
    .await;
}

#[tokio::test]
async fn a_partial_pledge_is_accepted_into_a_mission_order() {
    let mut node = TestNode::new();
    let b = node.other_id();
    let request = node
        .created("/api/requests", laptop_request(5), StatusCode::CREATED)
        .await;
    let their_pledge = id("p-b1");
    node.other_writes(
        RecordKey::pledge(their_pledge.clone()),
        pledge(node.me(), &request, "n1", 3),
    );
    let (_, board) = node.get("/api/board").await;
    let need = &board[0]["needs"][0];
    assert_eq!(need["totals"]["open"], 2);
    assert_eq!(need["pledges"][0]["state"], "offered");
    assert_eq!(
        need["pledges"][0]["pledger_name"], "Stadt Darmstadt",
        "the name the pact admitted the pledger under, profile or not"
    );

    let accept =
        |quantity: u32| json!({ "pledger": b, "pledge": their_pledge, "quantity": quantity });
    let error = node
        .refused(
            "/api/acceptances",
            accept(0),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        )
        .await;
    assert_eq!(error["field"], "quantity");
    node.refused(
        "/api/acceptances",
        accept(4),
        StatusCode::CONFLICT,
        "over_pledged_quantity",
    )
    .await;
    let acceptance = node
        .created("/api/acceptances", accept(2), StatusCode::CREATED)
        .await;
    assert!(acceptance.as_str().starts_with("a-"));
    let error = node
        .refused(
            "/api/acceptances",
            accept(2),
            StatusCode::CONFLICT,
            "over_pledged_quantity",
        )
        .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Only 1 of the 3"),
        "{error}"
    );

    let (_, missions) = node.get("/api/missions").await;
    assert_eq!(missions.as_array().unwrap().len(), 1);
    let order = &missions[0];
    assert_eq!(order["address"]["id"], acceptance.as_str());
    assert_eq!(order["pledger"], b.to_string());
    assert_eq!(order["pledge"]["state"], "joined");
    assert_eq!(order["acceptance"]["request"], request.as_str());
    assert_eq!(order["acceptance"]["need"], "n1");
    assert_eq!(order["acceptance"]["quantity"], 2);
    assert_eq!(order["acceptance"]["status"], "active");
    let (_, board) = node.get("/api/board").await;
    let need = &board[0]["needs"][0];
    assert_eq!(need["totals"]["accepted"], 2);
    assert_eq!(need["pledges"][0]["state"], "accepted");
    assert_eq!(need["pledges"][0]["accepted_quantity"], 2);

    let mut withdrawn = pledge(node.me(), &request, "n1", 3);
    withdrawn["status"] = json!("withdrawn");
    node.other_writes(RecordKey::pledge(their_pledge.clone()), withdrawn);
    node.refused(
        "/api/acceptances",
        accept(1),
        StatusCode::CONFLICT,
        "pledge_withdrawn",
    )
    .await;
}

#[tokio::test]
async fn only_known_pledges_for_this_members_requests_are_accepted() {
    let mut node = TestNode::new();
    let b = node.other_id();
    let unknown = json!({ "pledger": b, "pledge": "p-nope", "quantity": 1 });
    node.refused(
        "/api/acceptances",
        unknown,
        StatusCode::NOT_FOUND,
        "pledge_not_found",
    )
    .await;

    // This member's own pledge is for B's request, not for one of ours.
    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    let ours = node
        .created(
            "/api/pledges",
            pledge(b, &id("r-b1"), "n1", 2),
            StatusCode::CREATED,
        )
        .await;
    let body = json!({ "pledger": node.me(), "pledge": ours, "quantity": 1 });
    node.refused(
        "/api/acceptances",
        body,
        StatusCode::CONFLICT,
        "not_your_request",
    )
    .await;

    // A pledge whose request never arrived here.
    node.other_writes(
        RecordKey::pledge(id("p-b9")),
        pledge(node.me(), &id("r-gone"), "n1", 1),
    );
    let body = json!({ "pledger": b, "pledge": "p-b9", "quantity": 1 });
    node.refused(
        "/api/acceptances",
        body,
        StatusCode::CONFLICT,
        "not_your_request",
    )
    .await;

    let extra = json!({ "pledger": b, "pledge": "p-b9", "quantity": 1, "price": 3 });
    node.refused(
        "/api/acceptances",
        extra,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    let bad_member = json!({ "pledger": "abcd", "pledge": "p-b9", "quantity": 1 });
    node.refused(
        "/api/acceptances",
        bad_member,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
}

#[tokio::test]
async fn a_lapsed_pledge_cannot_be_accepted_and_frees_its_need() {
    let mut node = TestNode::new();
    let b = node.other_id();
    let request = node
        .created("/api/requests", laptop_request(5), StatusCode::CREATED)
        .await;
    let old = id("p-old");
    let mut stale = pledge(node.me(), &request, "n1", 5);
    stale["created_at_ms"] = json!(crate::clock::now_ms() - 49 * 3_600_000);
    node.other_writes(RecordKey::pledge(old.clone()), stale);
    // The board answers as it stands now: the pledge lapsed, its units are
    // open again (as the pledge and acceptance rules see it).
    let (_, board) = node.get("/api/board").await;
    assert_eq!(board[0]["needs"][0]["pledges"][0]["state"], "lapsed");
    assert_eq!(board[0]["needs"][0]["totals"]["open"], 5);
    node.refused(
        "/api/acceptances",
        json!({ "pledger": b, "pledge": old, "quantity": 5 }),
        StatusCode::CONFLICT,
        "pledge_lapsed",
    )
    .await;
    // The request page says so and offers no acceptance of it.
    node.add_account("leitung", Role::Admin, true);
    let (session, _) = node.login_page("leitung").await;
    let page = node
        .page(&session, &format!("/anfragen/{}/{request}", node.me()))
        .await;
    assert!(page.contains("verfallen"), "{page}");
    assert!(!page.contains("value=\"p-old\""), "{page}");
    let (_, missions) = node.get("/api/missions").await;
    assert!(missions.as_array().unwrap().is_empty());
}
