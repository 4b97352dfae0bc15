//! The Pakt page: admins only; members with their key's fingerprint, an
//! officer's appointment reviewed (nothing signed) and then signed, the
//! open proposal with the approvals missing, and the approval page that
//! shows the whole proposal.

use super::*;
use crate::accounts::Role;
use crate::keys::{MEMBER_KEY_FILE, write_key_file};

impl TestNode {
    async fn pact_form(&self, session: &str, path: &str, body: String) -> Answer {
        self.send(
            Request::post(path)
                .header(header::COOKIE, session)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }
}

use super::client::Answer;

#[tokio::test]
async fn an_admin_reviews_signs_and_follows_a_proposal_on_the_pakt_page() {
    let node = TestNode::new();
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    node.add_account("leser", Role::Viewer, true);
    let (viewer, _) = node.login_page("leser").await;
    let denied = node
        .send(
            Request::get("/pakt").header(header::COOKIE, &viewer),
            Body::empty(),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    node.add_account("chefin", Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let page = node.page(&admin, "/pakt").await;
    assert!(page.contains("Stadt Darmstadt") && page.contains("Kreis Bergstraße"));
    let fingerprint = amtshilfe_protocol::fingerprint::words(&KeyPair::from_seed([2; 32]).public());
    assert!(
        page.contains(&fingerprint),
        "the key's word fingerprint is shown"
    );

    let officer = KeyPair::from_seed([60; 32]).public().to_string();
    let other = node.other_id().to_string();
    let form = format!(
        "csrf={csrf}&kind=appoint_officer&name=ISB+S%C3%BCdhessen&officer_key={officer}&serves={other}"
    );
    let heads = node.core.lock().replica().membership().heads();
    let review = node.pact_form(&admin, "/pakt/pruefen", form.clone()).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(review.body.contains("ISB Südhessen") && review.body.contains(&officer));
    assert!(review.body.contains("action=\"/pakt/vorschlag\""));
    assert_eq!(
        node.core.lock().replica().membership().heads(),
        heads,
        "reviewing signs nothing"
    );
    let shown = hidden_field(&review.body, "shown").expect("the review names what it showed");
    let signed = node
        .pact_form(&admin, "/pakt/vorschlag", format!("{form}&shown={shown}"))
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = node.page(&admin, "/pakt").await;
    assert!(
        page.contains("Es fehlen") && page.contains("außerdem nötig"),
        "{page}"
    );
    let pact = node.get("/api/pact").await.1;
    let hash = pact["proposals"][0]["hash"].as_str().unwrap().to_string();
    let shown = node
        .page(&admin, &format!("/pakt/vorschlaege/{hash}"))
        .await;
    assert!(shown.contains(&hash) && shown.contains("ISB Südhessen"));

    // A refused form shows the page with its reason and signs nothing.
    let heads = node.core.lock().replica().membership().heads();
    let bad = node
        .pact_form(
            &admin,
            "/pakt/pruefen",
            format!("csrf={csrf}&kind=rotate_key&member={other}&new_key=kaputt"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("new_key"), "{}", bad.body);
    assert_eq!(node.core.lock().replica().membership().heads(), heads);
}

/// The value of the hidden field `name` on a page.
pub(super) fn hidden_field(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &page[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

/// A removal freezes the member at the heads the review showed: when its
/// documents moved on between the review and the button, nothing is
/// signed and the admin is asked to review again.
#[tokio::test]
async fn a_removal_signs_only_the_heads_its_review_showed() {
    let mut node = TestNode::new();
    write_key_file(
        &node._dir.path().join(MEMBER_KEY_FILE),
        &KeyPair::from_seed([1; 32]),
    )
    .unwrap();
    node.add_account("chefin", Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let other = node.other_id().to_string();
    let form = format!("csrf={csrf}&kind=remove&member={other}");

    let review = node.pact_form(&admin, "/pakt/pruefen", form.clone()).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let shown = hidden_field(&review.body, "shown").expect("the review names what it showed");
    // Member B writes after the review: its heads are no longer the shown ones.
    node.other_writes(RecordKey::offer(super::id("o-late")), laptops(2));
    let heads = node.core.lock().replica().membership().heads();
    let signed = node
        .pact_form(&admin, "/pakt/vorschlag", format!("{form}&shown={shown}"))
        .await;
    assert_eq!(signed.status, StatusCode::CONFLICT, "{}", signed.body);
    assert!(signed.body.contains("review it again"));
    assert_eq!(
        node.core.lock().replica().membership().heads(),
        heads,
        "nothing signed"
    );
    // Without a review nothing is signed either.
    let unreviewed = node
        .pact_form(&admin, "/pakt/vorschlag", form.clone())
        .await;
    assert_eq!(
        unreviewed.status,
        StatusCode::CONFLICT,
        "{}",
        unreviewed.body
    );
    assert_eq!(node.core.lock().replica().membership().heads(), heads);

    // Reviewed again, it signs.
    let review = node.pact_form(&admin, "/pakt/pruefen", form.clone()).await;
    let shown = hidden_field(&review.body, "shown").unwrap();
    let signed = node
        .pact_form(&admin, "/pakt/vorschlag", format!("{form}&shown={shown}"))
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_ne!(node.core.lock().replica().membership().heads(), heads);
}
