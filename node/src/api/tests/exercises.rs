//! Exercises end to end on one node: a request marked as an exercise gets
//! an id that carries the mark, says ÜBUNG in the board's JSON, the CSV
//! export, the Lagebild and its own page, and is not counted among the
//! open requests; a real request is none of that.

use super::*;

#[tokio::test]
async fn an_exercise_request_is_marked_everywhere_and_counted_nowhere() {
    let mut node = TestNode::new();
    node.add_account("leser", Role::Viewer, true);
    let (session, _) = node.login_page("leser").await;
    let mut drill = laptop_request(3);
    drill["title"] = json!("Übung Notbetrieb");
    drill["exercise"] = json!(true);
    let exercise = node
        .created("/api/requests", drill, StatusCode::CREATED)
        .await;
    let real = node
        .created("/api/requests", laptop_request(2), StatusCode::CREATED)
        .await;
    assert!(exercise.as_str().starts_with("uebung-"), "{exercise}");
    assert!(!real.as_str().starts_with("uebung-"), "{real}");

    let (_, board) = node.get("/api/board").await;
    let marks: Vec<(String, bool)> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["address"]["id"].as_str().unwrap().to_owned(),
                v["exercise"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(marks.contains(&(exercise.to_string(), true)), "{marks:?}");
    assert!(marks.contains(&(real.to_string(), false)), "{marks:?}");

    let (_, _, csv) = node
        .raw(Method::GET, "/api/exports/board.csv", None, "")
        .await;
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(lines[0].ends_with(";Übung"), "{}", lines[0]);
    for line in &lines[1..] {
        if line.is_empty() {
            continue;
        }
        assert_eq!(
            line.contains(exercise.as_str()),
            line.ends_with(";\"ÜBUNG\"") || line.ends_with(";ÜBUNG"),
            "{line}"
        );
    }

    let me = node.me();
    let page = node
        .page(&session, &format!("/anfragen/{me}/{exercise}"))
        .await;
    assert!(page.contains("data-testid=\"exercise\""), "{page}");
    assert!(page.contains("<h1>ÜBUNG – Übung Notbetrieb</h1>"), "{page}");
    let real_page = node.page(&session, &format!("/anfragen/{me}/{real}")).await;
    assert!(!real_page.contains("data-testid=\"exercise\""));

    // The status carries the real figures: the real request and its two
    // laptops, the exercise apart.
    let (_, status) = node.get("/api/status").await;
    assert_eq!(
        status["real_figures"],
        json!({
            "open_requests": 1,
            "open_units": 2,
            "mission_orders": 0,
            "open_exercise_requests": 1
        }),
        "{status}"
    );

    let lagebild = node.page(&session, "/").await;
    assert!(
        lagebild.contains("data-testid=\"exercise-badge\""),
        "{lagebild}"
    );
    assert!(
        lagebild.contains("Offene Anfragen (1)"),
        "only the real one counts: {lagebild}"
    );

    // The exercise's page links its after-action report: B has not
    // answered, nothing is covered yet. A real request has no report.
    let report_path = format!("/anfragen/{me}/{exercise}/auswertung");
    assert!(page.contains(&format!("href=\"{report_path}\"")), "{page}");
    let report = node.page(&session, &report_path).await;
    assert!(report.contains("data-testid=\"after-action\""), "{report}");
    assert!(
        report.contains("Stadt Darmstadt"),
        "B did not answer: {report}"
    );
    assert!(report.contains("0,0 % (0 / 3)"), "{report}");
    let answer = node
        .send(
            Request::get(format!("/anfragen/{me}/{real}/auswertung"))
                .header(header::COOKIE, &session),
            Body::empty(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    // B pledges 2 of 3: the report counts the pledge and drops B from the
    // members that did not answer.
    node.other_writes(
        RecordKey::pledge(id("p-b1")),
        pledge(me, &exercise, "n1", 2),
    );
    let report = node.page(&session, &report_path).await;
    assert!(!report.contains("Stadt Darmstadt"), "{report}");
    // (The fixture's request is dated T0, the pledge now: a long time.)
    assert!(
        !report.contains("data-testid=\"to-first-pledge\">nie"),
        "{report}"
    );

    // (That a request under a plain id cannot carry the mark, nor an
    // exercise id lose it, is the record schema's rule, tested in
    // protocol `read_model::tests::exercise`; writers and ingress both
    // apply it.)
}

/// An incident opened as an exercise carries the mark in its id, says
/// ÜBUNG in its room and in the list; a real incident says nothing.
#[tokio::test]
async fn an_exercise_incident_says_uebung_in_its_room_and_the_list() {
    let mut node = TestNode::new();
    node.add_account("leser", Role::Viewer, true);
    let (session, _) = node.login_page("leser").await;
    let me = node.me();
    let aware = clock::now_ms() - 3_600_000;
    let body = |exercise: bool| {
        json!({
            "title": "Ransomware im Rathaus",
            "aware_at_ms": aware,
            "profile": "gdpr",
            "exercise": exercise
        })
    };
    let drill = node
        .created("/api/incidents", body(true), StatusCode::CREATED)
        .await;
    let real = node
        .created("/api/incidents", body(false), StatusCode::CREATED)
        .await;
    assert!(drill.as_str().starts_with("uebung-"), "{drill}");
    assert!(!real.as_str().starts_with("uebung-"), "{real}");
    // The JSON list says which one is the exercise.
    let (_, incidents) = node.get("/api/incidents").await;
    let marked = |id: &RecordId| {
        incidents
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["id"] == id.as_str())
            .map(|item| item["exercise"].clone())
    };
    assert_eq!(marked(&drill), Some(json!(true)), "{incidents}");
    assert_eq!(marked(&real), Some(json!(false)), "{incidents}");

    let room = node
        .page(&session, &format!("/vorfaelle/{me}/{drill}"))
        .await;
    assert!(room.contains("data-testid=\"exercise\""), "{room}");
    assert!(room.contains("<title>ÜBUNG"), "{room}");
    let real_room = node
        .page(&session, &format!("/vorfaelle/{me}/{real}"))
        .await;
    assert!(!real_room.contains("data-testid=\"exercise\""));
    let list = node.page(&session, "/vorfaelle").await;
    assert_eq!(
        list.matches("data-testid=\"exercise-badge\"").count(),
        1,
        "{list}"
    );
}

/// The after-action report names this member's notifications of the
/// exercise that nobody acknowledged, and only those: a real request's
/// notification is not listed, an acknowledged one drops out.
#[tokio::test]
async fn the_after_action_report_lists_the_exercises_unacknowledged_notifications() {
    let mut node = TestNode::new();
    node.add_account("leser", Role::Viewer, true);
    let (session, _) = node.login_page("leser").await;
    let me = node.me();
    let mut drill = laptop_request(3);
    drill["exercise"] = json!(true);
    let exercise = node
        .created("/api/requests", drill, StatusCode::CREATED)
        .await;
    let real = node
        .created("/api/requests", laptop_request(2), StatusCode::CREATED)
        .await;
    node.other_writes(
        RecordKey::pledge(id("p-drill")),
        pledge(me, &exercise, "n1", 2),
    );
    node.other_writes(RecordKey::pledge(id("p-real")), pledge(me, &real, "n1", 1));
    {
        // The notifier's rounds: the first starts the outbox, the second
        // records both pledges as open notifications.
        let core = node.core.lock();
        let now = clock::now_ms();
        let alerts = crate::notify::alerts::current_alerts(&core, i64::MAX, now, now).unwrap();
        core.store().notify_record(&[], now).unwrap();
        let opened = core.store().notify_record(&alerts, now).unwrap();
        let pledges = opened
            .iter()
            .filter(|e| e.kind == "pledge_on_my_request")
            .count();
        assert_eq!(pledges, 2, "{opened:?}");
    }
    let report_path = format!("/anfragen/{me}/{exercise}/auswertung");
    let report = node.page(&session, &report_path).await;
    let failed = report
        .split("data-testid=\"contacts-failed\"")
        .nth(1)
        .expect("the section is there");
    assert!(
        failed.contains("ÜBUNG – Zusage von Stadt Darmstadt"),
        "{report}"
    );
    assert_eq!(
        failed.matches("<tr>").count(),
        2,
        "one row and the head: {report}"
    );

    let (_, events) = node.get("/api/notifications").await;
    let seq = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["alert_id"] == "pledge:".to_owned() + &node.other_id().to_string() + ":p-drill")
        .map(|e| e["seq"].as_u64().unwrap())
        .expect("the exercise's notification");
    let (status, _) = node
        .post(&format!("/api/notifications/{seq}/ack"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK);
    let report = node.page(&session, &report_path).await;
    assert!(
        report.contains("Keine unbestätigten Benachrichtigungen."),
        "{report}"
    );
}
