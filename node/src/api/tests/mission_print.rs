//! The printable mission order: both parties (with the helper's AGS and
//! contacts from its profile) and the fingerprints of the device keys that
//! signed the acceptance and the pledge; linked from the request page.

use serde_json::json;

use super::*;
use crate::accounts::Role;

#[tokio::test]
async fn the_printable_mission_order_shows_both_parties_and_the_signing_keys() {
    let mut node = TestNode::new();
    node.add_account("kommune", Role::Requester, true);
    let (session, csrf) = node.login_page("kommune").await;
    let (status, location) = node
        .form(&session, "/anfordern", format!("csrf={csrf}&title=Clients+neu&priority=critical&start=2026-01-02&end=2026-01-30&need0_kind=equipment&need0_category=laptop&need0_role=responder&need0_mode=onsite&need0_quantity=5&need1_kind=person&need1_quantity=0"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let me = node.me();
    let request = RecordId::new(location.rsplit('/').next().unwrap()).unwrap();
    let b = node.other_id();
    node.other_writes(
        RecordKey::profile(),
        json!({
            "name": "Wissenschaftsstadt Darmstadt", "ags": "06411000", "kind": "kreisfreie_stadt",
            "population": 160000, "primary_contact": { "role": "ISB", "phone": "+49 6151 1150", "email": "isb@darmstadt.example" },
            "deputy_contact": { "role": "IT-Leitung", "phone": "+49 6151 1151", "email": "it@darmstadt.example" },
            "updated_at_ms": T0_MS
        }),
    );
    node.other_writes(RecordKey::pledge(id("p-b1")), pledge(me, &request, "n1", 3));
    let (status, _) = node
        .form(
            &session,
            &format!("{location}/annahme"),
            format!("csrf={csrf}&pledger={b}&pledge=p-b1&quantity=3"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let detail = node.page(&session, &location).await;
    let acceptance = &detail[detail.find(&format!("/auftraege/{me}/")).expect(&detail)..];
    let print_path = &acceptance[..acceptance.find('"').unwrap()];
    assert!(print_path.ends_with("/druck"), "{print_path}");

    let page = node.page(&session, print_path).await;
    assert!(page.contains("Kreis Bergstraße"), "the requester: {page}");
    // The helper as the pact admitted it, not as its profile names itself.
    assert!(page.contains("Stadt Darmstadt"), "{page}");
    assert!(!page.contains("Wissenschaftsstadt Darmstadt"), "{page}");
    assert!(page.contains("06411000"), "the helper's AGS: {page}");
    assert!(
        page.contains("+49 6151 1150"),
        "the helper's contact: {page}"
    );
    assert!(
        page.contains("02.01.2026 – 30.01.2026"),
        "time window: {page}"
    );
    // Node A's device key signed the acceptance, member B's key the pledge.
    let requester_device = grouped_hex(&KeyPair::from_seed([3; 32]).public().to_string());
    let helper_device = grouped_hex(&KeyPair::from_seed([2; 32]).public().to_string());
    let signers: Vec<&str> = page
        .split("data-testid=\"signer\">")
        .skip(1)
        .map(|rest| &rest[..rest.find('<').unwrap()])
        .collect();
    assert_eq!(signers, [requester_device, helper_device], "{page}");
    let english = node.page(&session, &format!("{print_path}?lang=en")).await;
    assert!(english.contains("Acceptance signed by device"));

    // An unknown mission order is a 404 and shows nothing of another.
    let answer = node
        .send(
            Request::get(format!("/auftraege/{me}/a-unknown/druck"))
                .header(header::COOKIE, &session),
            Body::empty(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(!answer.body.contains("Darmstadt"));
}

fn grouped_hex(hex: &str) -> String {
    amtshilfe_dashboard::pages::grouped_hex(hex)
}
