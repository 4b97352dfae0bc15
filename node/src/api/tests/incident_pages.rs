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
