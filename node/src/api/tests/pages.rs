//! The aid workflow through the pages' forms, as a browser would post
//! them: B's request appears on A's Lagebild, A's IT lead pledges from the
//! request page; A's requester asks for 5 laptops, B pledges 3, A accepts,
//! and the request page shows the mission order and 2 still open.

use super::client::value_of;
use super::*;
use crate::accounts::Role;

const FORM: &str = "application/x-www-form-urlencoded";

impl TestNode {
    pub(super) async fn form(
        &self,
        session: &str,
        path: &str,
        body: String,
    ) -> (StatusCode, String) {
        let answer = self
            .send(
                Request::post(path)
                    .header(header::COOKIE, session)
                    .header(header::CONTENT_TYPE, FORM),
                Body::from(body),
            )
            .await;
        let location = answer
            .headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or(answer.body);
        (answer.status, location)
    }

    pub(super) async fn page(&self, session: &str, path: &str) -> String {
        let answer = self
            .send(
                Request::get(path).header(header::COOKIE, session),
                Body::empty(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        answer.body
    }
}

#[tokio::test]
async fn an_it_lead_sees_a_request_and_pledges_from_the_page() {
    let mut node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, csrf) = node.login_page("it").await;
    let b = node.other_id();
    node.other_writes(RecordKey::request(id("r-b1")), laptop_request(5));
    let overview = node.page(&session, "/").await;
    assert!(overview.contains("Ransomware: Clients neu aufsetzen"));
    assert!(
        overview.contains("<td>Stadt Darmstadt</td>"),
        "the requester's name from the membership log: {overview}"
    );
    assert!(overview.contains(&format!("/anfragen/{b}/r-b1")));

    let (status, _) = node
        .form(&session, "/ressourcen", format!("csrf={csrf}&kind=equipment&title=3+Notebooks&valid_from=2026-01-01&contact_role=IT&contact_phone=%2B49+6252+15-0&contact_email=it%40example.de&category=laptop&quantity=3&image_state=clean_standalone&location=Heppenheim"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let resources = node.page(&session, "/ressourcen").await;
    assert!(resources.contains("3 Notebooks") && resources.contains("3 / 3"));
    let detail = node.page(&session, &format!("/anfragen/{b}/r-b1")).await;
    let offer = value_of(
        &detail[detail.find("name=\"offer\"").unwrap()..].replacen("<option value=\"\"", "", 1),
        "offer",
    );
    let (status, back) = node
        .form(
            &session,
            &format!("/anfragen/{b}/r-b1/zusage"),
            format!("csrf={csrf}&need=n1&quantity=3&offer={offer}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{back}");
    let detail = node.page(&session, &format!("/anfragen/{b}/r-b1")).await;
    assert!(detail.contains("Noch offen: 2"), "{detail}");
    let (status, _) = node
        .form(
            &session,
            &format!("/anfragen/{b}/r-b1/zusage"),
            format!("csrf={csrf}&need=n1&quantity=3"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "over the open quantity");
    // Withdrawing the offer from the Ressourcen page.
    let (status, _) = node
        .form(
            &session,
            &format!("/ressourcen/{offer}/zurueckziehen"),
            format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        node.page(&session, "/ressourcen")
            .await
            .contains("zurückgezogen")
    );
}

#[tokio::test]
async fn a_requester_asks_accepts_and_sees_the_mission_order() {
    let mut node = TestNode::new();
    node.add_account("kommune", Role::Requester, true);
    let (session, csrf) = node.login_page("kommune").await;
    let (status, location) = node
        .form(&session, "/anfordern", format!("csrf={csrf}&title=Clients+neu&priority=critical&start=2026-01-02&end=2026-01-30&need0_kind=equipment&need0_category=laptop&need0_role=responder&need0_mode=onsite&need0_quantity=5&need1_kind=person&need1_quantity=0"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let me = node.me();
    assert!(
        location.starts_with(&format!("/anfragen/{me}/r-")),
        "{location}"
    );
    let request = RecordId::new(location.rsplit('/').next().unwrap()).unwrap();
    let b = node.other_id();
    node.other_writes(RecordKey::pledge(id("p-b1")), pledge(me, &request, "n1", 3));
    let detail = node.page(&session, &location).await;
    // B has published no profile: its name comes from the membership log.
    assert!(detail.contains("<td>Stadt Darmstadt</td>"), "{detail}");
    assert!(!detail.contains("<td>?</td>"), "{detail}");
    assert!(detail.contains("Zugesagt: 3"), "{detail}");
    let (status, _) = node
        .form(
            &session,
            &format!("{location}/annahme"),
            format!("csrf={csrf}&pledger={b}&pledge=p-b1&quantity=3"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let detail = node.page(&session, &location).await;
    assert!(detail.contains("data-testid=\"mission-order\""), "{detail}");
    assert!(detail.contains("Noch offen: 2"));
    assert!(detail.contains("02.01.2026"), "dates as TT.MM.JJJJ");
    let english = node.page(&session, &format!("{location}?lang=en")).await;
    assert!(english.contains("Mission order") && english.contains("Still open: 2"));
}

#[tokio::test]
async fn the_register_shows_one_page_at_a_time() {
    let mut node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, _) = node.login_page("it").await;
    for _ in 0..amtshilfe_dashboard::pages::REGISTER_PAGE + 1 {
        node.created("/api/offers", laptops(2), StatusCode::CREATED)
            .await;
    }
    let first = node.page(&session, "/register?category=laptop").await;
    assert_eq!(
        first.matches("<tr").count() - 1,
        100,
        "a header row and 100 offers"
    );
    assert!(first.contains("1–100"), "{first}");
    assert!(
        first.contains("href=\"/register?category=laptop&amp;offset=100\""),
        "{first}"
    );
    let second = node
        .page(&session, "/register?category=laptop&offset=100")
        .await;
    assert!(second.contains("101–101"), "{second}");
    assert!(!second.contains("Weitere Treffer"), "the last page");
    assert!(second.contains("offset=0"), "back to the first page");
    // A region pages the same way (this member is "Kreis Bergstraße").
    let in_region = node
        .page(&session, "/register?region=bergstr&offset=100")
        .await;
    assert!(in_region.contains("101–101"), "{in_region}");
    let elsewhere = node.page(&session, "/register?region=darmstadt").await;
    assert_eq!(elsewhere.matches("<tr").count(), 0, "{elsewhere}");
}

#[tokio::test]
async fn german_dates_are_entered_as_tt_mm_jjjj_and_the_iso_form_still_works() {
    let node = TestNode::new();
    node.add_account("kommune", Role::Requester, true);
    let (session, csrf) = node.login_page("kommune").await;
    let form = node.page(&session, "/anfordern?lang=en").await;
    assert!(!form.contains("type=\"date\""), "{form}");
    assert!(form.contains("DD.MM.YYYY"), "{form}");
    let mut locations = Vec::new();
    for (start, end) in [("02.01.2026", "30.01.2026"), ("2026-01-02", "2026-01-30")] {
        let (status, location) = node
            .form(&session, "/anfordern", format!("csrf={csrf}&title=Clients&priority=critical&start={start}&end={end}&need0_kind=equipment&need0_category=laptop&need0_role=responder&need0_mode=onsite&need0_quantity=5"))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{start}: {location}");
        locations.push(location);
    }
    for location in &locations {
        let detail = node.page(&session, location).await;
        assert!(detail.contains("02.01.2026"), "{detail}");
        assert!(detail.contains("30.01.2026"), "{detail}");
    }
    let (status, page) = node
        .form(&session, "/anfordern", format!("csrf={csrf}&title=Clients&priority=critical&start=31.02.2026&end=30.03.2026&need0_kind=equipment&need0_category=laptop&need0_role=responder&need0_mode=onsite&need0_quantity=5"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(
        page.contains(r##"href="#start""##),
        "the refusal points at the field: {page}"
    );
}

#[tokio::test]
async fn the_accessibility_statement_needs_no_login_and_shows_no_pact_data() {
    let node = TestNode::new();
    let answer = node
        .send(Request::get("/barrierefreiheit"), Body::empty())
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("Erklärung zur Barrierefreiheit"));
    assert!(
        answer.body.contains("noch keinen Kontakt"),
        "{}",
        answer.body
    );
    assert!(!answer.body.contains("Bergstraße"), "no member names");
    let login = node.send(Request::get("/anmelden"), Body::empty()).await;
    assert!(login.body.contains(r#"href="/barrierefreiheit""#));
}

#[tokio::test]
async fn the_lagebild_sums_the_free_units_of_available_offers() {
    let mut node = TestNode::new();
    node.add_account("it", Role::ItLead, true);
    let (session, _) = node.login_page("it").await;
    node.created("/api/offers", laptops(2), StatusCode::CREATED)
        .await;
    node.created("/api/offers", laptops(3), StatusCode::CREATED)
        .await;
    let overview = node.page(&session, "/").await;
    let capacity = &overview[overview.find("id=\"capacity\"").unwrap()..];
    assert!(
        capacity.contains("<td>Notebook</td><td>5</td>"),
        "two laptop offers, 2 and 3 units: {capacity}"
    );
}
