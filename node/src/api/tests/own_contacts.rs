//! This member's own 24/7 contacts: set over the API and from the page,
//! which confirms them and clears the Lagebild's hint; confirmed
//! unchanged a quarter later; bad contacts refused with their field and
//! rule and nothing written; only this member's profile is ever written;
//! the quarterly reminder is recorded once, not again after a restart.

use amtshilfe_protocol::model::DAY_MS;

use super::client::Answer;
use super::*;

fn contacts_body() -> Value {
    json!({
        "primary_contact": { "role": "IT-Rufbereitschaft", "phone": "+49 6252 15 0", "email": "rufbereitschaft@kreis-bergstrasse.example" },
        "deputy_contact": { "role": "IT-Leitung", "phone": "+49 6252 15 1", "email": "it-leitung@kreis-bergstrasse.example" },
        "kind": "landkreis",
        "ags": "06431"
    })
}

impl TestNode {
    fn own_profile(&self) -> Option<amtshilfe_protocol::model::MemberProfile> {
        let core = self.core.lock();
        let me = core.device().member;
        core.replica().read_model().profile(&me).cloned()
    }

    async fn own_contacts_form(&self, session: &str, path: &str, body: String) -> Answer {
        self.send(
            Request::post(path)
                .header(header::COOKIE, session)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }
}

#[tokio::test]
async fn the_member_sets_and_confirms_its_own_contacts_over_the_api() {
    let mut node = TestNode::new();
    // Nothing to confirm before contacts are set.
    node.refused(
        "/api/profile/contacts/confirm",
        json!(null),
        StatusCode::NOT_FOUND,
        "profile_not_found",
    )
    .await;
    // Hostile or broken contacts: refused with field and rule, nothing
    // written.
    for (path, value, field, rule) in [
        (
            "/primary_contact/phone",
            json!("ruf mich an"),
            "primary_contact.phone",
            "bad_format",
        ),
        (
            "/deputy_contact/email",
            json!("kein-postfach"),
            "deputy_contact.email",
            "bad_format",
        ),
        (
            "/primary_contact/role",
            json!(" "),
            "primary_contact.role",
            "empty",
        ),
        (
            "/deputy_contact/role",
            json!("x".repeat(10_000)),
            "deputy_contact.role",
            "too_long",
        ),
        ("/ags", json!("6431x"), "ags", "bad_format"),
        ("/kind", json!("koenigreich"), "kind", "unknown_id"),
    ] {
        let mut body = contacts_body();
        *body.pointer_mut(path).unwrap() = value;
        let before = node.digest();
        let (status, answer) = node
            .call(Method::PUT, "/api/profile/contacts", Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed", "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
        assert_eq!(answer["error"]["rule"], rule, "{answer}");
        assert_eq!(node.digest(), before, "nothing written");
        assert!(node.announced.try_recv().is_err());
    }
    let mut extra = contacts_body();
    extra["member"] = json!(node.other_id().to_string());
    let (status, _) = node
        .call(Method::PUT, "/api/profile/contacts", Some(extra))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no other member's profile");

    let before = clock::now_ms();
    node.created_with(
        Method::PUT,
        "/api/profile/contacts",
        contacts_body(),
        StatusCode::OK,
    )
    .await;
    let profile = node.own_profile().expect("the profile is written");
    assert_eq!(profile.name, "Kreis Bergstraße", "the name from the pact");
    assert_eq!(profile.primary_contact.phone, "+49 6252 15 0");
    assert!(profile.contacts_confirmed_ms.unwrap() >= before);
    let (_, status) = node.get("/api/status").await;
    assert!(
        status["contacts_stale"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["member"] != node.me().to_string()),
        "{status}"
    );

    // Confirmed unchanged later: only the confirmation moves.
    let first = profile.contacts_confirmed_ms.unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    node.created_with(
        Method::POST,
        "/api/profile/contacts/confirm",
        json!(null),
        StatusCode::OK,
    )
    .await;
    let confirmed = node.own_profile().unwrap();
    assert!(confirmed.contacts_confirmed_ms.unwrap() > first);
    assert_eq!(confirmed.primary_contact, profile.primary_contact);
    assert!(confirmed.updated_at_ms > profile.updated_at_ms);
}

#[tokio::test]
async fn the_lagebild_hints_at_stale_own_contacts_and_the_page_confirms_them() {
    let node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let lagebild = node.page(&admin, "/").await;
    assert!(
        lagebild.contains("data-testid=\"own-contacts-stale\""),
        "no contacts yet: {lagebild}"
    );
    assert!(lagebild.contains("href=\"/pakt/kontakte/eigene\""));
    let pact = node.page(&admin, "/pakt").await;
    assert!(pact.contains("href=\"/pakt/kontakte/eigene\""), "{pact}");

    let page = node.page(&admin, "/pakt/kontakte/eigene").await;
    assert!(
        page.contains("name=\"ags\""),
        "a first profile asks for the AGS"
    );
    // A refused form keeps its values and says why; nothing is written.
    let bad = format!(
        "csrf={csrf}&primary_role=IT&primary_phone=%2B49+6252+150&primary_email=kaputt\
         &deputy_role=IT-Leitung&deputy_phone=%2B49+6252+151&deputy_email=it%40kreis.example\
         &kind=landkreis&ags=06431"
    );
    let answer = node
        .own_contacts_form(&admin, "/pakt/kontakte/eigene", bad)
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(
        answer.body.contains("primary_contact.email"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("value=\"+49 6252 150\""),
        "{}",
        answer.body
    );
    assert!(node.own_profile().is_none());

    let good = format!(
        "csrf={csrf}&primary_role=IT-Rufbereitschaft&primary_phone=%2B49+6252+150&primary_email=ruf%40kreis.example\
         &deputy_role=IT-Leitung&deputy_phone=%2B49+6252+151&deputy_email=it%40kreis.example\
         &kind=landkreis&ags=06431"
    );
    let saved = node
        .own_contacts_form(&admin, "/pakt/kontakte/eigene", good)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        node.own_profile().unwrap().deputy_contact.role,
        "IT-Leitung"
    );
    let lagebild = node.page(&admin, "/").await;
    assert!(!lagebild.contains("data-testid=\"own-contacts-stale\""));

    // A quarter later (dated back here) the hint is back, and the button
    // confirms them as they are.
    node.own_profile_confirmed_at(clock::now_ms() - 100 * DAY_MS);
    let page = node.page(&admin, "/pakt/kontakte/eigene").await;
    assert!(page.contains("veraltet"), "{page}");
    let confirmed = node
        .own_contacts_form(
            &admin,
            "/pakt/kontakte/eigene/bestaetigen",
            format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let lagebild = node.page(&admin, "/").await;
    assert!(!lagebild.contains("data-testid=\"own-contacts-stale\""));

    // Viewers may read the Lagebild, not change the contacts.
    node.add_account("leser", Role::Viewer, true);
    let (viewer, _) = node.login_page("leser").await;
    let denied = node
        .send(
            Request::get("/pakt/kontakte/eigene").header(header::COOKIE, &viewer),
            Body::empty(),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_quarterly_reminder_is_recorded_once_and_not_again_after_a_restart() {
    let node = TestNode::new();
    let core = node.core.lock();
    let now = clock::now_ms();
    let alerts = crate::notify::alerts::current_alerts(&core, i64::MAX, now, now).unwrap();
    let reminder: Vec<_> = alerts
        .iter()
        .filter(|a| a.kind == "contacts_stale")
        .cloned()
        .collect();
    assert_eq!(reminder.len(), 1, "no profile: reminded: {alerts:?}");
    core.store().notify_record(&[], now).unwrap();
    let opened = core.store().notify_record(&reminder, now).unwrap();
    assert_eq!(opened.len(), 1);
    // A restart computes the same alert again: nothing new is recorded.
    let again = crate::notify::alerts::current_alerts(&core, i64::MAX, now + 1, now + 1).unwrap();
    let opened = core.store().notify_record(&again, now + 1).unwrap();
    assert!(
        opened.iter().all(|e| e.kind != "contacts_stale"),
        "{opened:?}"
    );
}
