//! Refused request, pledge and acceptance forms come back as the whole
//! page with the reason and the field it is about, and write nothing.

use super::*;
use crate::accounts::Role;

#[tokio::test]
async fn a_refused_request_form_keeps_what_was_typed_and_points_at_the_row() {
    let mut node = TestNode::new();
    node.add_account("kommune", Role::Requester, true);
    let (session, csrf) = node.login_page("kommune").await;
    // Row 0 is left empty, so the model's first need is form row 1.
    let body = format!(
        "csrf={csrf}&title=Clients+neu&priority=critical&start=2026-01-02&end=2026-01-30\
         &need0_kind=equipment&need0_quantity=0\
         &need1_kind=person&need1_role=wizard&need1_mode=remote&need1_quantity=2"
    );
    let (status, page) = node.form(&session, "/anfordern", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Die Anfrage wurde nicht gesendet."), "{page}");
    assert!(page.contains("href=\"#need1_role\""), "{page}");
    assert!(page.contains("value=\"Clients neu\""), "keeps the title");
    assert!(page.contains("value=\"2026-01-30\""), "keeps the dates");
    assert!(page.contains("<main id=\"inhalt\""), "the whole page");
    assert!(node.announced.try_recv().is_err(), "nothing was written");

    let body = format!(
        "csrf={csrf}&title=Clients&priority=critical&start=2026-01-02&end=2026-01-30\
         &need0_kind=equipment&need0_category=laptop&need0_mode=onsite&need0_quantity=drei"
    );
    let (status, page) = node.form(&session, "/anfordern?lang=en", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("The request was not sent."), "{page}");
    assert!(page.contains("href=\"#need0_quantity\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(node.announced.try_recv().is_err(), "nothing was written");
}

#[tokio::test]
async fn a_refused_pledge_or_acceptance_comes_back_on_the_request_page() {
    let mut node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, csrf) = node.login_page("it").await;
    let b = node.other_id();
    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    let (status, page) = node
        .form(
            &session,
            &format!("/anfragen/{b}/r-b1/zusage"),
            format!("csrf={csrf}&need=n1&quantity=9"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "over the open quantity");
    assert!(
        page.contains("Die Zusage wurde nicht gespeichert."),
        "{page}"
    );
    assert!(page.contains("href=\"#pq-0\""), "{page}");
    assert!(page.contains("Noch offen: 5"), "the request page: {page}");
    assert!(
        page.contains(&format!("data-src=\"/anfragen/{b}/r-b1\"")),
        "live updates fetch the page, not the POST-only address it stands at"
    );
    assert!(node.announced.try_recv().is_err(), "nothing was written");

    // A requester accepting more than was pledged.
    node.add_account("kommune", Role::Requester, true);
    let (session, csrf) = node.login_page("kommune").await;
    let (_, location) = node
        .form(&session, "/anfordern", format!("csrf={csrf}&title=Clients&priority=critical&start=2026-01-02&end=2026-01-30&need0_kind=equipment&need0_category=laptop&need0_mode=onsite&need0_quantity=5"))
        .await;
    let me = node.me();
    let request = RecordId::new(location.rsplit('/').next().unwrap()).unwrap();
    node.other_writes(RecordKey::pledge(id("p-b1")), pledge(me, &request, "n1", 3));
    while node.announced.try_recv().is_ok() {}
    let (status, page) = node
        .form(
            &session,
            &format!("{location}/annahme"),
            format!("csrf={csrf}&pledger={b}&pledge=p-b1&quantity=4"),
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    assert!(
        page.contains("Die Annahme wurde nicht gespeichert."),
        "{page}"
    );
    assert!(page.contains("href=\"#acc-p-b1\""), "{page}");
    assert!(!page.contains("data-testid=\"mission-order\""), "{page}");
    assert!(node.announced.try_recv().is_err(), "nothing was written");
}
