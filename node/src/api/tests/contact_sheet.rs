//! The pact's contacts: a member whose 24/7 contacts were confirmed more
//! than a quarter ago is flagged on the Lagebild, in the status and on the
//! printable contact sheet; confirming them again clears the flag.

use amtshilfe_protocol::model::DAY_MS;

use super::*;

fn darmstadt(confirmed_ms: i64) -> serde_json::Value {
    json!({
        "name": "Wissenschaftsstadt Darmstadt", "ags": "06411000", "kind": "kreisfreie_stadt",
        "primary_contact": { "role": "IT-Rufbereitschaft", "phone": "+49 6151 1150", "email": "it-notfall@darmstadt.example" },
        "deputy_contact": { "role": "IT-Leitung", "phone": "+49 6151 1151", "email": "it@darmstadt.example" },
        "updated_at_ms": T0_MS, "contacts_confirmed_ms": confirmed_ms
    })
}

#[tokio::test]
async fn stale_contacts_are_flagged_and_the_sheet_lists_every_member() {
    let mut node = TestNode::new();
    node.add_account("leser", Role::Viewer, true);
    let (session, _) = node.login_page("leser").await;
    let now = crate::clock::now_ms();
    let b = node.other_id();
    node.other_writes(RecordKey::profile(), darmstadt(now - 100 * DAY_MS));

    let (_, status) = node.get("/api/status").await;
    let stale = status["contacts_stale"].as_array().expect("a list");
    let darmstadt_flag = stale
        .iter()
        .find(|s| s["member"] == b.to_string())
        .expect("Darmstadt is flagged");
    assert_eq!(darmstadt_flag["reason"], "expired");
    assert_eq!(darmstadt_flag["confirmed_ms"], now - 100 * DAY_MS);

    let lagebild = node.page(&session, "/").await;
    assert!(
        lagebild.contains("data-testid=\"contacts-stale\""),
        "{lagebild}"
    );
    assert!(lagebild.contains("href=\"/pakt/kontakte\""));

    let sheet = node.page(&session, "/pakt/kontakte").await;
    assert!(sheet.contains("Notfall-Kontaktliste des Pakts"), "{sheet}");
    assert!(sheet.contains("Pakt für Cyberresilienz") || sheet.contains("Stand"));
    assert!(sheet.contains("+49 6151 1150") && sheet.contains("+49 6151 1151"));
    assert!(
        sheet.contains("veraltet (älter als ein Quartal)"),
        "{sheet}"
    );
    assert!(
        sheet.contains("Kreis Bergstraße"),
        "a member without a profile is listed too"
    );
    let english = node.page(&session, "/pakt/kontakte?lang=en").await;
    assert!(english.contains("Pact emergency contact sheet"));

    // Confirmed again today: Darmstadt is no longer flagged.
    node.other_writes(RecordKey::profile(), darmstadt(now));
    let (_, status) = node.get("/api/status").await;
    assert!(
        status["contacts_stale"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["member"] != b.to_string()),
        "{status}"
    );
    let sheet = node.page(&session, "/pakt/kontakte").await;
    assert!(
        !sheet.contains("veraltet (älter als ein Quartal)"),
        "{sheet}"
    );
}
