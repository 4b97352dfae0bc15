//! The incident room's routes and the end of a mission order: each route
//! writes what it says, refuses hostile input with its code and writes
//! nothing then, and a viewer writes nothing at all.

use amtshilfe_protocol::model::RecordTag;

use super::*;

const HOUR_MS: i64 = 3_600_000;

fn incident_body(aware_at_ms: i64) -> Value {
    json!({
        "title": "Ransomware im Rathaus",
        "aware_at_ms": aware_at_ms,
        "affected_services": ["Meldewesen"],
        "profile": "gdpr"
    })
}

fn gdpr_report_complete(sent_at_ms: i64) -> Value {
    let fields: Vec<Value> = amtshilfe_protocol::incident::report_fields(
        amtshilfe_protocol::incident::ClockKind::GdprArt33,
    )
    .iter()
    .map(|t| json!({ "id": t.id, "value": "angegeben" }))
    .collect();
    json!({ "fields": fields, "sent_at_ms": sent_at_ms })
}

#[tokio::test]
async fn an_opened_incident_shows_its_clocks_checklist_and_prefilled_drafts() {
    let mut node = TestNode::new();
    let me = node.me();
    let aware = clock::now_ms() - 10 * HOUR_MS;
    let id = node
        .created("/api/incidents", incident_body(aware), StatusCode::CREATED)
        .await;
    let (status, list) = node.get("/api/incidents").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["hit_member"], json!(me));

    let (status, room) = node.get(&format!("/api/incidents/{me}/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{room}");
    let gdpr = &room["clocks"][0];
    assert_eq!(gdpr["kind"], "gdpr_art33");
    let left_h = gdpr["left_ms"].as_i64().unwrap() as f64 / HOUR_MS as f64;
    assert!((61.9..=62.0).contains(&left_h), "about 62 h left: {left_h}");
    assert_eq!(gdpr["phase"]["phase"], "running", "{gdpr}");
    assert_eq!(
        room["steps"].as_array().unwrap().len(),
        14,
        "gdpr: no § 32 step"
    );
    assert_eq!(room["writable"], true);
    let report = &room["reports"][0];
    assert_eq!(report["draft"], true);
    assert!(
        report["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "nature" && f["value"] == "Ransomware im Rathaus"),
        "pre-filled: {report}"
    );
    assert!(!report["missing"].as_array().unwrap().is_empty());

    let (status, answer) = node.get(&format!("/api/incidents/{me}/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "incident_not_found");
    let (status, _) = node.get("/api/incidents/zz/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn steps_lines_and_reports_go_to_own_incidents_only_and_bad_ones_change_nothing() {
    let mut node = TestNode::new();
    let me = node.me();
    let id = node
        .created(
            "/api/incidents",
            incident_body(clock::now_ms() - HOUR_MS),
            StatusCode::CREATED,
        )
        .await;
    let step = json!({ "step": "isolate", "state": "done", "owner": "IT-Leitung", "note": "Netz getrennt" });
    let steps = format!("/api/incidents/{me}/{id}/steps");
    node.created(&steps, step.clone(), StatusCode::CREATED)
        .await;
    let line = json!({ "text": "Krisenstab einberufen", "author": "Bürgermeisterin" });
    let lines = format!("/api/incidents/{me}/{id}/timeline");
    node.created(&lines, line.clone(), StatusCode::CREATED)
        .await;
    let (_, room) = node.get(&format!("/api/incidents/{me}/{id}")).await;
    let isolate = room["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "isolate")
        .unwrap();
    assert_eq!(
        (&isolate["state"], &isolate["owner"]),
        (&json!("done"), &json!("IT-Leitung"))
    );
    let timeline = room["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|l| l["kind"] == "entry" && l["text"] == "Krisenstab einberufen")
    );
    assert!(timeline.iter().any(|l| l["kind"] == "step"));

    // Hostile or wrong input: each refused with its code, nothing written.
    let bad_step = json!({ "step": "no-such-step", "state": "done" });
    node.refused(
        &steps,
        bad_step,
        StatusCode::BAD_REQUEST,
        "validation_failed",
    )
    .await;
    // An amber line on a node whose member has no published encryption
    // key: it could not be sealed even to the member itself.
    let amber = json!({ "text": "Lösegeldforderung", "author": "CISO", "tlp": "amber" });
    node.refused(&lines, amber, StatusCode::CONFLICT, "seal_key_missing")
        .await;
    let future = json!({ "text": "x", "author": "y", "at_ms": clock::now_ms() + 30 * DAY_MS });
    let error = node
        .refused(&lines, future, StatusCode::BAD_REQUEST, "validation_failed")
        .await;
    assert_eq!(error["field"], "at_ms", "a line dated ahead of its write");
    node.refused(
        &format!("/api/incidents/{me}/i-unknown/steps"),
        step.clone(),
        StatusCode::NOT_FOUND,
        "incident_not_found",
    )
    .await;
    node.refused(
        &format!("/api/incidents/{me}/BAD!/steps"),
        step.clone(),
        StatusCode::NOT_FOUND,
        "incident_not_found",
    )
    .await;
    node.refused_raw(
        &lines,
        Some("{\"text\":".into()),
        StatusCode::BAD_REQUEST,
        "invalid_json",
    )
    .await;
    // Member B's incident is not this member's to write.
    let b = node.other_id();
    node.other_writes(
        RecordKey::new(RecordTag::Incident, super::id("i-b")),
        json!({ "title": "B", "aware_at_ms": T0_MS, "profile": "gdpr", "status": "open", "created_at_ms": T0_MS }),
    );
    node.refused(
        &format!("/api/incidents/{b}/i-b/timeline"),
        line,
        StatusCode::NOT_FOUND,
        "incident_not_found",
    )
    .await;

    // Reports: sent only when complete, never dated ahead, then its clock stops.
    let report = format!("/api/incidents/{me}/{id}/reports/gdpr_art33");
    let incomplete = json!({ "fields": [], "sent_at_ms": clock::now_ms() });
    node.refused_with(
        Method::PUT,
        &report,
        Some(incomplete.to_string()),
        StatusCode::BAD_REQUEST,
        "validation_failed",
    )
    .await;
    let ahead = gdpr_report_complete(clock::now_ms() + 2 * HOUR_MS).to_string();
    node.refused_with(
        Method::PUT,
        &report,
        Some(ahead),
        StatusCode::BAD_REQUEST,
        "validation_failed",
    )
    .await;
    node.refused_with(
        Method::PUT,
        &format!("/api/incidents/{me}/{id}/reports/nis3"),
        Some(json!({ "fields": [] }).to_string()),
        StatusCode::NOT_FOUND,
        "report_kind_not_found",
    )
    .await;
    let sent_at = clock::now_ms() - 60_000;
    node.created_with(
        Method::PUT,
        &report,
        gdpr_report_complete(sent_at),
        StatusCode::OK,
    )
    .await;
    let (_, room) = node.get(&format!("/api/incidents/{me}/{id}")).await;
    let phase = &room["clocks"][0]["phase"];
    assert_eq!(
        (&phase["phase"], &phase["at_ms"]),
        (&json!("sent"), &json!(sent_at)),
        "{phase}"
    );
    assert_eq!(room["reports"][0]["draft"], false);
    assert!(
        room["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "report_sent" && l["author"] == "Kreis Bergstraße"),
        "the report sent, by whom: {}",
        room["timeline"]
    );
}

#[tokio::test]
async fn a_viewer_cannot_write_the_room_or_end_a_mission_order() {
    let mut node = TestNode::new();
    let id = node
        .created("/api/incidents", incident_body(T0_MS), StatusCode::CREATED)
        .await;
    node.token = node.add_account("vera", Role::Viewer, false);
    let b = node.other_id();
    let me = node.me();
    let writes = [
        ("/api/incidents".to_string(), incident_body(T0_MS)),
        (
            format!("/api/incidents/{me}/{id}/steps"),
            json!({ "step": "isolate", "state": "done" }),
        ),
        (
            format!("/api/incidents/{me}/{id}/timeline"),
            json!({ "text": "x", "author": "y" }),
        ),
        (format!("/api/incidents/{b}/i-b/adopt"), json!({})),
        (format!("/api/pledges/{b}/p-1/decline"), json!({})),
        (
            "/api/acceptances/a-1/status".to_string(),
            json!({ "status": "closed" }),
        ),
        (
            "/api/settlements".to_string(),
            json!({ "requester": b, "acceptance": "a-1", "hours": 1, "expenses_cents": 0 }),
        ),
    ];
    for (uri, body) in writes {
        node.refused(&uri, body, StatusCode::FORBIDDEN, "forbidden")
            .await;
    }
    node.refused_with(
        Method::PUT,
        &format!("/api/incidents/{me}/{id}/reports/gdpr_art33"),
        Some(json!({ "fields": [] }).to_string()),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let (status, _) = node.get("/api/incidents").await;
    assert_eq!(status, StatusCode::OK, "a viewer reads");
}

#[tokio::test]
async fn acting_on_behalf_is_marked_and_only_the_member_named_adopts() {
    let mut node = TestNode::new();
    let me = node.me();
    let b = node.other_id();
    let mut for_b = incident_body(T0_MS);
    for_b["on_behalf_of"] = json!(b);
    let id = node
        .created("/api/incidents", for_b, StatusCode::CREATED)
        .await;
    let (_, list) = node.get("/api/incidents").await;
    assert_eq!(list[0]["hit_member"], json!(b));
    assert_eq!(list[0]["on_behalf_by"], json!(me));
    let mut for_me = incident_body(T0_MS);
    for_me["on_behalf_of"] = json!(me);
    node.refused(
        "/api/incidents",
        for_me,
        StatusCode::FORBIDDEN,
        "not_authorised",
    )
    .await;
    let mut for_stranger = incident_body(T0_MS);
    for_stranger["on_behalf_of"] = json!(MemberId::from_key(KeyPair::from_seed([9; 32]).public()));
    node.refused(
        "/api/incidents",
        for_stranger,
        StatusCode::FORBIDDEN,
        "not_authorised",
    )
    .await;
    // A cannot adopt its own on-behalf incident; B's own one is not for A.
    node.refused(
        &format!("/api/incidents/{me}/{id}/adopt"),
        json!({}),
        StatusCode::CONFLICT,
        "not_for_this_member",
    )
    .await;
    node.other_writes(
        RecordKey::new(RecordTag::Incident, super::id("i-own")),
        json!({ "title": "B", "aware_at_ms": T0_MS, "profile": "gdpr", "status": "open", "created_at_ms": T0_MS }),
    );
    node.refused(
        &format!("/api/incidents/{b}/i-own/adopt"),
        json!({}),
        StatusCode::CONFLICT,
        "not_for_this_member",
    )
    .await;
    node.refused(
        &format!("/api/incidents/{b}/i-none/adopt"),
        json!({}),
        StatusCode::NOT_FOUND,
        "adopted_incident_not_found",
    )
    .await;
    // B (the Landkreis, say) opened one for A; A adopts it.
    node.other_writes(
        RecordKey::new(RecordTag::Incident, super::id("i-for-a")),
        json!({ "title": "Für A", "aware_at_ms": T0_MS, "profile": "gdpr", "status": "open", "on_behalf_of": me, "created_at_ms": T0_MS }),
    );
    let (_, room) = node.get(&format!("/api/incidents/{b}/i-for-a")).await;
    assert_eq!(room["adoptable"], true);
    let own = node
        .created(
            &format!("/api/incidents/{b}/i-for-a/adopt"),
            json!({}),
            StatusCode::CREATED,
        )
        .await;
    node.refused(
        &format!("/api/incidents/{b}/i-for-a/adopt"),
        json!({}),
        StatusCode::CONFLICT,
        "already_adopted",
    )
    .await;
    let (_, room) = node.get(&format!("/api/incidents/{b}/i-for-a")).await;
    assert_eq!(room["adoptable"], false);
    assert_eq!(room["incident"]["adopted_by"]["id"], own.as_str());
    let (_, own_room) = node.get(&format!("/api/incidents/{me}/{own}")).await;
    assert_eq!(own_room["adopted"]["id"], "i-for-a");
    assert_eq!(own_room["incident"]["title"], "Für A");
}

/// Member B pledges `quantity` on A's request `request`.
fn b_pledges(node: &mut TestNode, pledge_id: &str, request: &RecordId, quantity: u32) {
    let me = node.me();
    node.other_writes(
        RecordKey::pledge(super::id(pledge_id)),
        pledge(me, request, "n1", quantity),
    );
}

#[tokio::test]
async fn the_requester_declines_and_closes_the_helper_settles() {
    let mut node = TestNode::new();
    let b = node.other_id();
    let request = node
        .created("/api/requests", laptop_request(10), StatusCode::CREATED)
        .await;
    b_pledges(&mut node, "p-1", &request, 4);
    b_pledges(&mut node, "p-2", &request, 3);

    // Decline p-1; refusals for unknown pledges and pledges on others' requests.
    node.created(
        &format!("/api/pledges/{b}/p-1/decline"),
        json!({ "reason": "Schon gedeckt" }),
        StatusCode::CREATED,
    )
    .await;
    node.refused(
        &format!("/api/pledges/{b}/p-none/decline"),
        json!({}),
        StatusCode::NOT_FOUND,
        "pledge_not_found",
    )
    .await;
    let b_request = super::id("r-b");
    node.other_writes(RecordKey::request(b_request.clone()), laptop_request(2));
    node.other_writes(
        RecordKey::pledge(super::id("p-own")),
        pledge(b, &b_request, "n1", 1),
    );
    node.refused(
        &format!("/api/pledges/{b}/p-own/decline"),
        json!({}),
        StatusCode::CONFLICT,
        "not_your_request",
    )
    .await;
    let (_, board) = node.get("/api/board").await;
    let mine = board
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"]["id"] == request.as_str())
        .unwrap();
    assert_eq!(
        mine["needs"][0]["totals"]["pledged"], 3,
        "the declined pledge stopped counting"
    );

    // p-2 becomes a mission order; it moves on, never back.
    let acceptance = node
        .created(
            "/api/acceptances",
            json!({ "pledger": b, "pledge": "p-2", "quantity": 3 }),
            StatusCode::CREATED,
        )
        .await;
    node.refused(
        &format!("/api/pledges/{b}/p-2/decline"),
        json!({}),
        StatusCode::CONFLICT,
        "pledge_accepted",
    )
    .await;
    let status = format!("/api/acceptances/{acceptance}/status");
    node.refused(
        &status,
        json!({ "status": "released", "hours": 200_000 }),
        StatusCode::BAD_REQUEST,
        "validation_failed",
    )
    .await;
    node.created_with(
        Method::POST,
        &status,
        json!({ "status": "closed", "hours": 12, "expenses_cents": 45_000 }),
        StatusCode::OK,
    )
    .await;
    node.refused(
        &status,
        json!({ "status": "active" }),
        StatusCode::CONFLICT,
        "status_not_forward",
    )
    .await;
    node.refused(
        "/api/acceptances/a-none/status",
        json!({ "status": "closed" }),
        StatusCode::NOT_FOUND,
        "mission_order_not_found",
    )
    .await;

    // A helps B: A pledges, B accepts, A records its figures.
    let own_pledge = node
        .created(
            "/api/pledges",
            pledge(b, &b_request, "n1", 1),
            StatusCode::CREATED,
        )
        .await;
    let me = node.me();
    node.other_writes(
        RecordKey::acceptance(super::id("a-b")),
        json!({
            "pledge": { "pledger": me, "pledge": own_pledge }, "request": b_request, "need": "n1",
            "quantity": 1, "accepted_at_ms": clock::now_ms(), "status": "active"
        }),
    );
    node.created(
        "/api/settlements",
        json!({ "requester": b, "acceptance": "a-b", "hours": 6, "expenses_cents": 0, "note": "Vor Ort" }),
        StatusCode::CREATED,
    )
    .await;
    node.other_writes(
        RecordKey::acceptance(super::id("a-other")),
        json!({
            "pledge": { "pledger": b, "pledge": "p-own" }, "request": b_request, "need": "n1",
            "quantity": 1, "accepted_at_ms": clock::now_ms(), "status": "active"
        }),
    );
    node.refused(
        "/api/settlements",
        json!({ "requester": b, "acceptance": "a-other", "hours": 6, "expenses_cents": 0 }),
        StatusCode::CONFLICT,
        "not_your_mission_order",
    )
    .await;
    let (_, orders) = node.get("/api/missions").await;
    let settled = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["address"]["id"] == "a-b")
        .unwrap();
    assert_eq!(settled["settlement"]["state"], "recorded", "{settled}");
}

#[tokio::test]
async fn a_request_posted_on_behalf_is_marked_on_the_board_and_the_lagebild() {
    let mut node = TestNode::new();
    let b = node.other_id();
    let own = node
        .created("/api/requests", laptop_request(2), StatusCode::CREATED)
        .await;
    let for_b = node
        .created("/api/requests", laptop_request(3), StatusCode::CREATED)
        .await;
    let mut incident = incident_body(T0_MS);
    incident["on_behalf_of"] = json!(b);
    incident["requests"] = json!([for_b]);
    node.created("/api/incidents", incident, StatusCode::CREATED)
        .await;

    let (status, board) = node.get("/api/board").await;
    assert_eq!(status, StatusCode::OK);
    let row = |id: &RecordId| {
        board
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"]["id"] == id.as_str())
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&for_b)["on_behalf_of"], json!(b));
    assert_eq!(row(&for_b)["on_behalf_of_name"], "Stadt Darmstadt");
    assert_eq!(row(&own)["on_behalf_of"], Value::Null);

    node.add_account("lage", Role::Viewer, true);
    let (session, _) = node.login_page("lage").await;
    let lagebild = node.page(&session, "/").await;
    assert_eq!(
        lagebild
            .matches("(vertretungsweise für Stadt Darmstadt)")
            .count(),
        1,
        "only the request posted for B is marked: {lagebild}"
    );
    let me = node.me();
    let request_page = node
        .page(&session, &format!("/anfragen/{me}/{for_b}"))
        .await;
    assert!(request_page.contains("(vertretungsweise für Stadt Darmstadt)"));
}
