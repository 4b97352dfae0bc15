//! The incident room's pages: opening an incident, ticking a step, a
//! timeline line and a sent report through the forms, the clocks shown as
//! time left, and a viewer who sees the room without any form.

use super::*;
use crate::accounts::Role;

/// `JJJJ-MM-TTTHH:MM` in Berlin for `utc_ms`, as a datetime-local field.
fn local(utc_ms: i64) -> String {
    let text = amtshilfe_dashboard::format::date_time(utc_ms);
    // TT.MM.JJJJ HH:MM → JJJJ-MM-TTTHH:MM
    let (day, time) = text.split_once(' ').unwrap();
    let parts: Vec<&str> = day.split('.').collect();
    format!("{}-{}-{}T{time}", parts[2], parts[1], parts[0])
}

#[tokio::test]
async fn the_room_is_opened_and_worked_through_its_forms() {
    let node = TestNode::new();
    node.add_account("kommune", Role::Requester, true);
    let (session, csrf) = node.login_page("kommune").await;
    let list = node.page(&session, "/vorfaelle").await;
    assert!(list.contains("Vorfall eröffnen"), "{list}");

    let aware = local(clock::now_ms() - 10 * 3_600_000);
    let (status, location) = node
        .form(
            &session,
            "/vorfaelle",
            format!("csrf={csrf}&title=Ransomware+im+Rathaus&aware={aware}&services=Meldewesen%2C+Kfz&profile=gdpr&on_behalf_of="),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let me = node.me();
    assert!(
        location.starts_with(&format!("/vorfaelle/{me}/i-")),
        "{location}"
    );
    let room = node.page(&session, &location).await;
    assert!(room.contains("Meldefristen"), "{room}");
    assert!(
        room.contains("61 h") || room.contains("62 h"),
        "about 62 hours left on the GDPR clock"
    );
    assert!(room.contains("Meldewesen, Kfz"));

    // Tick a step, write a line, mark the report as sent.
    let (status, back) = node
        .form(
            &session,
            &format!("{location}/schritte"),
            format!("csrf={csrf}&step=isolate&state=done&owner=IT-Leitung&note=getrennt"),
        )
        .await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, location.as_str())
    );
    node.form(
        &session,
        &format!("{location}/verlauf"),
        format!("csrf={csrf}&text=Krisenstab+einberufen&author=B%C3%BCrgermeisterin"),
    )
    .await;
    let fields: String = amtshilfe_protocol::incident::report_fields(
        amtshilfe_protocol::incident::ClockKind::GdprArt33,
    )
    .iter()
    .map(|t| format!("&f_{}=angegeben", t.id))
    .collect();
    let sent = local(clock::now_ms() - 60_000);
    let (status, _) = node
        .form(
            &session,
            &format!("{location}/meldungen/gdpr_art33"),
            format!("csrf={csrf}{fields}&sent={sent}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let room = node.page(&session, &location).await;
    assert!(room.contains("Krisenstab einberufen"), "{room}");
    assert!(room.contains("erledigt"));
    // The step's timeline line names the state it was set to.
    assert!(room.contains("→ erledigt"), "{room}");
    assert!(room.contains("Gesendet am"));
    let print = node
        .page(&session, &format!("{location}/meldungen/gdpr_art33/druck"))
        .await;
    assert!(
        print.contains("angegeben") && print.contains("Strg+P"),
        "{print}"
    );

    // A report marked sent with a field missing comes back with the reason.
    let (status, page) = node
        .form(
            &session,
            &format!("{location}/meldungen/gdpr_art33"),
            format!("csrf={csrf}&sent={sent}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Nicht gespeichert."), "{page}");

    // A line with an unknown TLP level, and an amber line on a node whose
    // member has no published encryption key: the reason, nothing written.
    let before = node.digest();
    for (tlp, status) in [
        ("purple", StatusCode::BAD_REQUEST),
        ("amber", StatusCode::CONFLICT),
    ] {
        let (got, page) = node
            .form(
                &session,
                &format!("{location}/verlauf"),
                format!("csrf={csrf}&text=Geheim&author=CISO&tlp={tlp}"),
            )
            .await;
        assert_eq!(got, status, "{tlp}: {page}");
        assert!(page.contains("Nicht gespeichert."), "{page}");
        assert!(!page.contains(">Geheim<") && !page.contains(": Geheim"));
    }
    assert_eq!(node.digest(), before, "nothing written");
}

#[tokio::test]
async fn a_viewer_sees_the_room_without_forms_and_cannot_post_them() {
    let mut node = TestNode::new();
    let id = node
        .created(
            "/api/incidents",
            json!({ "title": "Ransomware", "aware_at_ms": T0_MS, "profile": "gdpr+bsig32" }),
            StatusCode::CREATED,
        )
        .await;
    node.add_account("leser", Role::Viewer, true);
    let (session, csrf) = node.login_page("leser").await;
    let me = node.me();
    let room = node
        .page(&session, &format!("/vorfaelle/{me}/{id}?lang=en"))
        .await;
    assert!(room.contains("Reporting deadlines"), "{room}");
    assert!(
        room.contains("overdue by"),
        "a 2026-01-01 incident is long overdue"
    );
    assert!(!room.contains("/schritte\""), "no step form for a viewer");
    let (status, _) = node
        .form(
            &session,
            &format!("/vorfaelle/{me}/{id}/schritte"),
            format!("csrf={csrf}&step=isolate&state=done"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let list = node.page(&session, "/vorfaelle").await;
    assert!(
        !list.contains("action=\"/vorfaelle\""),
        "no open form for a viewer"
    );
}

#[tokio::test]
async fn an_open_notification_is_acknowledged_from_the_room() {
    let mut node = TestNode::new();
    let id = node
        .created(
            "/api/incidents",
            json!({ "title": "Ransomware", "aware_at_ms": T0_MS, "profile": "gdpr" }),
            StatusCode::CREATED,
        )
        .await;
    {
        let core = node.core.lock();
        let store = core.store();
        // The first run records a baseline; the alert after it is open.
        store.notify_record(&[], T0_MS).unwrap();
        let alert = crate::store::NewAlert {
            id: "clock-overdue-test".into(),
            kind: "clock_overdue".into(),
            subject_de: "Meldefrist überschritten".into(),
            subject_en: "Deadline passed".into(),
        };
        assert_eq!(store.notify_record(&[alert], T0_MS).unwrap().len(), 1);
    }
    node.add_account("rufdienst", Role::Viewer, true);
    let (session, csrf) = node.login_page("rufdienst").await;
    let me = node.me();
    let room_path = format!("/vorfaelle/{me}/{id}");
    let room = node.page(&session, &room_path).await;
    assert!(room.contains("Meldefrist überschritten"), "{room}");
    assert!(room.contains("action=\"/meldungen/1/bestaetigen\""));

    // A foreign place to go back to is not followed.
    let (status, location) = node
        .form(
            &session,
            "/meldungen/1/bestaetigen",
            format!("csrf={csrf}&back=https%3A%2F%2Fexample.org%2F"),
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/vorfaelle")
    );
    let events = node.core.lock().store().notify_events(10).unwrap();
    assert!(
        matches!(&events[0].status, crate::store::NotifyStatus::Acknowledged { by, .. } if by == "rufdienst"),
        "{:?}",
        events[0].status
    );
    let room = node.page(&session, &room_path).await;
    assert!(!room.contains("Meldefrist überschritten"), "no longer open");
    let (status, _) = node
        .form(
            &session,
            "/meldungen/99/bestaetigen",
            format!("csrf={csrf}&back={room_path}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pledges_are_declined_and_mission_orders_settled_and_confirmed_in_the_room() {
    let mut node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let (session, csrf) = node.login_page("chefin").await;
    let me = node.me();
    let b = node.other_id();
    let request = node
        .created("/api/requests", laptop_request(10), StatusCode::CREATED)
        .await;
    let id = node
        .created(
            "/api/incidents",
            json!({ "title": "Ransomware", "aware_at_ms": T0_MS, "profile": "gdpr", "requests": [request] }),
            StatusCode::CREATED,
        )
        .await;
    for (pledge_id, quantity) in [("p-1", 4), ("p-2", 3)] {
        node.other_writes(
            RecordKey::pledge(super::id(pledge_id)),
            pledge(me, &request, "n1", quantity),
        );
    }
    let room_path = format!("/vorfaelle/{me}/{id}");
    let room = node.page(&session, &room_path).await;
    assert!(room.contains("Zusagen und Einsatzaufträge"), "{room}");
    let (status, back) = node
        .form(
            &session,
            &format!("{room_path}/zusagen/{b}/p-1/ablehnen"),
            format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, room_path.as_str())
    );
    // The form's write was announced too; `created` checks only its own.
    while node.announced.try_recv().is_ok() {}
    let acceptance = node
        .created(
            "/api/acceptances",
            json!({ "pledger": b, "pledge": "p-2", "quantity": 3 }),
            StatusCode::CREATED,
        )
        .await;
    // The helper's figures arrive; the requester closes with the same.
    node.other_writes(
        RecordKey::new(
            amtshilfe_protocol::model::RecordTag::Settlement,
            super::id("st-1"),
        ),
        json!({ "pledge": "p-2", "requester": me, "acceptance": acceptance, "hours": 12,
                "expenses_cents": 45_000, "recorded_at_ms": clock::now_ms() }),
    );
    let (status, page) = node
        .form(
            &session,
            &format!("{room_path}/auftraege/{acceptance}/status"),
            format!("csrf={csrf}&status=closed&hours=12&euros=zw%C3%B6lf"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "euros that are no amount");
    assert!(page.contains("Nicht gespeichert."));
    let (status, _) = node
        .form(
            &session,
            &format!("{room_path}/auftraege/{acceptance}/status"),
            format!("csrf={csrf}&status=closed&hours=12&euros=450%2C00"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    while node.announced.try_recv().is_ok() {}
    let room = node.page(&session, &room_path).await;
    assert!(room.contains("abgelehnt"), "the declined pledge: {room}");
    assert!(room.contains("bestätigt"), "the figures agree: {room}");
    assert!(room.contains("12 h, 450,00 EUR"));

    // The other way round: this member helps B and records its figures.
    let b_request = super::id("r-b");
    node.other_writes(RecordKey::request(b_request.clone()), laptop_request(2));
    node.other_writes(
        RecordKey::new(
            amtshilfe_protocol::model::RecordTag::Incident,
            super::id("i-b"),
        ),
        json!({ "title": "B", "aware_at_ms": T0_MS, "profile": "gdpr", "status": "open",
                "requests": [b_request], "created_at_ms": T0_MS }),
    );
    let own_pledge = node
        .created(
            "/api/pledges",
            pledge(b, &b_request, "n1", 1),
            StatusCode::CREATED,
        )
        .await;
    node.other_writes(
        RecordKey::acceptance(super::id("a-b")),
        json!({ "pledge": { "pledger": me, "pledge": own_pledge }, "request": b_request, "need": "n1",
                "quantity": 1, "accepted_at_ms": clock::now_ms(), "status": "active" }),
    );
    let b_room = format!("/vorfaelle/{b}/i-b");
    let (status, back) = node
        .form(
            &session,
            &format!("{b_room}/abrechnung/{b}/a-b"),
            format!("csrf={csrf}&hours=6&euros=0"),
        )
        .await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, b_room.as_str())
    );
    let room = node.page(&session, &b_room).await;
    assert!(room.contains("von der Helferseite erfasst"), "{room}");
    assert!(
        !room.contains("/status\""),
        "only the requester moves it on"
    );
}

/// A member that names its profile after someone else is still shown under
/// the name the pact admitted it with: in the incident list (page and
/// API), in its room and on the contact sheet.
#[tokio::test]
async fn a_member_naming_its_profile_otherwise_is_shown_under_its_pact_name() {
    let mut node = TestNode::new();
    node.add_account("leser", Role::Viewer, true);
    let (session, _) = node.login_page("leser").await;
    let b = node.other_id();
    node.other_writes(
        RecordKey::profile(),
        json!({
            "name": "Kreis Groß-Gerau", "ags": "06433000", "kind": "landkreis",
            "primary_contact": { "role": "IT-Rufbereitschaft", "phone": "+49 6152 1", "email": "it@gg.example" },
            "deputy_contact": { "role": "IT-Leitung", "phone": "+49 6152 2", "email": "it2@gg.example" },
            "updated_at_ms": T0_MS
        }),
    );
    node.other_writes(
        RecordKey::new(amtshilfe_protocol::model::RecordTag::Incident, super::id("i-b")),
        json!({ "title": "Ausfall", "aware_at_ms": T0_MS, "profile": "gdpr", "status": "open", "created_at_ms": T0_MS }),
    );

    let (status, list) = node.get("/api/incidents").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list[0]["hit_member_name"], "Stadt Darmstadt", "{list}");
    for path in [
        "/vorfaelle".to_string(),
        format!("/vorfaelle/{b}/i-b"),
        "/pakt/kontakte".to_string(),
    ] {
        let page = node.page(&session, &path).await;
        assert!(page.contains("Stadt Darmstadt"), "{path}: {page}");
        assert!(!page.contains("Groß-Gerau"), "{path}: {page}");
    }
}

/// Adopting through the room's form leads to this member's new incident;
/// a second adoption is refused and the room is shown with the reason.
#[tokio::test]
async fn an_incident_opened_on_this_members_behalf_is_adopted_from_its_room() {
    let mut node = TestNode::new();
    node.add_account("kommune", Role::Requester, true);
    let (session, csrf) = node.login_page("kommune").await;
    let me = node.me();
    let b = node.other_id();
    node.other_writes(
        RecordKey::new(
            amtshilfe_protocol::model::RecordTag::Incident,
            super::id("i-for-a"),
        ),
        json!({ "title": "Für A", "aware_at_ms": T0_MS, "profile": "gdpr", "status": "open", "on_behalf_of": me, "created_at_ms": T0_MS }),
    );
    let room = format!("/vorfaelle/{b}/i-for-a");
    assert!(node.page(&session, &room).await.contains("/uebernehmen\""));

    let adopt = format!("{room}/uebernehmen");
    let (status, location) = node.form(&session, &adopt, format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(
        location.starts_with(&format!("/vorfaelle/{me}/i-")),
        "{location}"
    );
    assert!(node.page(&session, &location).await.contains("Für A"));

    let (status, page) = node.form(&session, &adopt, format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(
        page.contains("Für A") && !page.contains("/uebernehmen\""),
        "{page}"
    );
}
