//! The posture pages through their forms, as a browser posts them: A's IT
//! lead saves and submits; the officer hosted on A returns it with a
//! comment on a question; the IT lead fixes and resubmits; the officer
//! accepts with a finding; the baseline and the delta show. The pages
//! are linked for the right roles only, and a bad form changes nothing.

use super::*;
use crate::accounts::Role;

const FORM: &str = "csrf={csrf}&a_wiba_01_01=yes&n_wiba_01_01=Konzept+liegt+vor&a_wiba_01_02={second}&e_wiba_01_02=Sicherungskonzept+v3&bcms_stage=reactive&bcms_bia=01.02.2026&nis2_a=2&akc_stage1=01.03.2026&akc_stage1_done=50&rf_mfa_remote_access=1";

fn posture_form(csrf: &str, second: &str) -> String {
    FORM.replace("{csrf}", csrf).replace("{second}", second)
}

#[tokio::test]
async fn a_member_and_its_officer_go_through_review_on_the_pages() {
    let node = TestNode::new();
    node.host_officer();
    let me = node.me();
    node.add_account("it", Role::ItLead, true);
    node.add_account("isb", Role::SecurityOfficer, true);
    node.add_account("leser", Role::Viewer, true);
    let (it, it_csrf) = node.login_page("it").await;
    let (isb, isb_csrf) = node.login_page("isb").await;
    let (viewer, _) = node.login_page("leser").await;

    let start = node.page(&it, "/").await;
    assert!(start.contains("href=\"/sicherheitslage\""));
    assert!(!start.contains("href=\"/isb\""));
    let officer_start = node.page(&isb, "/").await;
    assert!(officer_start.contains("href=\"/isb\""));
    assert!(!officer_start.contains("href=\"/sicherheitslage\""));
    assert!(!node.page(&viewer, "/").await.contains("/sicherheitslage"));
    for path in ["/sicherheitslage", "/isb", &format!("/isb/{me}")] {
        let answer = node
            .send(
                Request::get(path).header(header::COOKIE, &viewer),
                Body::empty(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
    }

    let (status, to) = node
        .form(&it, "/sicherheitslage", posture_form(&it_csrf, "no"))
        .await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/sicherheitslage")
    );
    let own = node.page(&it, "/sicherheitslage").await;
    assert!(own.contains("Konzept liegt vor") && own.contains("Sicherungskonzept v3"));
    assert!(own.contains("id=\"submit-posture\""));
    let (status, _) = node
        .form(
            &it,
            "/sicherheitslage/einreichen",
            format!("csrf={it_csrf}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let workspace = node.page(&isb, "/isb").await;
    assert!(workspace.contains("Kreis Bergstraße") && workspace.contains(&format!("/isb/{me}")));
    assert!(workspace.contains("wartet auf Prüfung"));
    // Per topic and member: one row per WiBA topic; topic 1 has one "ja"
    // and one "nein", so 50 %.
    let matrix = workspace
        .split_once("id=\"served-topics\"")
        .expect("the per-topic table")
        .1;
    let topics = amtshilfe_protocol::posture::WibaCatalogue::builtin()
        .topics
        .len();
    assert_eq!(matrix.matches("scope=\"row\"").count(), topics);
    assert!(matrix.contains("<td>50 %</td>"), "{matrix}");
    let detail = node.page(&isb, &format!("/isb/{me}")).await;
    assert!(detail.contains("id=\"review-form\""));
    let review = format!("/isb/{me}/pruefung");
    let (status, _) = node
        .form(
            &isb,
            &review,
            format!(
                "csrf={isb_csrf}&revision=1&verdict=returned&cq0=wiba_01_02&ct0=Nachweis+fehlt"
            ),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let own = node.page(&it, "/sicherheitslage").await;
    assert!(
        own.contains("zurückgegeben") && own.contains("Nachweis fehlt"),
        "{own}"
    );
    node.form(&it, "/sicherheitslage", posture_form(&it_csrf, "yes"))
        .await;
    node.form(
        &it,
        "/sicherheitslage/einreichen",
        format!("csrf={it_csrf}"),
    )
    .await;
    let (status, _) = node
        .form(
            &isb,
            &review,
            format!("csrf={isb_csrf}&revision=2&verdict=accepted&ft0=Notfallkarte+aush%C3%A4ngen&fo0=IT-Leitung&fd0=01.01.2026"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(node.page(&isb, "/isb").await.contains("angenommen"));

    node.form(&it, "/sicherheitslage", posture_form(&it_csrf, "open"))
        .await;
    let own = node.page(&it, "/sicherheitslage").await;
    assert!(own.contains("Basis: angenommene Revision 2"), "{own}");
    assert!(own.contains("id=\"delta\"") && own.contains("Notfallkarte aushängen"));
    assert!(own.contains("überfällig"));
}

#[tokio::test]
async fn a_bad_posture_form_is_shown_again_with_its_reason_and_changes_nothing() {
    let node = TestNode::new();
    node.host_officer();
    node.add_account("it", Role::ItLead, true);
    let (it, csrf) = node.login_page("it").await;
    let before = node.digest();
    for body in [
        posture_form(&csrf, "maybe"),
        posture_form(&csrf, "no").replace("bcms_bia=01.02.2026", "bcms_bia=gestern"),
        posture_form(&csrf, "no").replace("nis2_a=2", "nis2_a=7"),
        posture_form(&csrf, "no").replace("akc_stage1_done=50", "akc_stage1_done=150"),
    ] {
        let (status, page) = node.form(&it, "/sicherheitslage", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
        assert!(page.contains("role=\"alert\""));
    }
    let (status, _) = node
        .form(&it, "/sicherheitslage/einreichen", format!("csrf={csrf}"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing to submit");
    assert_eq!(node.digest(), before);
}

#[tokio::test]
async fn a_bad_review_form_is_shown_again_with_its_reason_and_changes_nothing() {
    let node = TestNode::new();
    node.host_officer();
    let me = node.me();
    node.add_account("it", Role::ItLead, true);
    node.add_account("isb", Role::SecurityOfficer, true);
    let (it, it_csrf) = node.login_page("it").await;
    let (isb, csrf) = node.login_page("isb").await;
    node.form(&it, "/sicherheitslage", posture_form(&it_csrf, "no"))
        .await;
    node.form(
        &it,
        "/sicherheitslage/einreichen",
        format!("csrf={it_csrf}"),
    )
    .await;
    let before = node.digest();
    let review = format!("/isb/{me}/pruefung");
    for (body, status) in [
        // A finding without its due date.
        (
            format!("csrf={csrf}&revision=1&verdict=accepted&ft0=Etwas+tun"),
            StatusCode::BAD_REQUEST,
        ),
        // Returned without a comment.
        (
            format!("csrf={csrf}&revision=1&verdict=returned"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("csrf={csrf}&revision=1&verdict=maybe"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("csrf={csrf}&revision=x&verdict=accepted"),
            StatusCode::BAD_REQUEST,
        ),
        // A revision never submitted.
        (
            format!("csrf={csrf}&revision=7&verdict=accepted"),
            StatusCode::CONFLICT,
        ),
    ] {
        let (got, page) = node.form(&isb, &review, body.clone()).await;
        assert_eq!(got, status, "{body}: {page}");
        assert!(page.contains("role=\"alert\""), "{body}");
    }
    // Without the form's CSRF token nothing is done either.
    let (got, _) = node
        .form(&isb, &review, "revision=1&verdict=accepted".into())
        .await;
    assert_eq!(got, StatusCode::FORBIDDEN);
    assert_eq!(node.digest(), before);
}

#[tokio::test]
async fn the_form_keeps_the_evidence_date_and_hash_only_for_the_same_document() {
    let mut node = TestNode::new();
    node.host_officer();
    node.as_role(Role::ItLead);
    let hash = "ab".repeat(32);
    let mut body = super::posture::assessment("yes", "no");
    body["wiba"]["wiba_01_02"]["evidence"] = serde_json::json!({
        "document": "Sicherungskonzept v3", "date_ms": T0_MS, "sha256": hash,
    });
    let (status, answer) = node.call(Method::PUT, "/api/posture", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    node.add_account("it", Role::ItLead, true);
    let (it, it_csrf) = node.login_page("it").await;
    let evidence = |answer: &Value| answer["assessment"]["wiba"]["wiba_01_02"]["evidence"].clone();

    // The form carries the document's name only: the date and hash the
    // API saved stay while the name does.
    let (status, _) = node
        .form(&it, "/sicherheitslage", posture_form(&it_csrf, "no"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, own) = node.get("/api/posture").await;
    assert_eq!(
        evidence(&own),
        serde_json::json!({ "document": "Sicherungskonzept v3", "date_ms": T0_MS, "sha256": hash }),
        "{own}"
    );

    let renamed = posture_form(&it_csrf, "no").replace("Sicherungskonzept+v3", "Konzept+v4");
    let (status, _) = node.form(&it, "/sicherheitslage", renamed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, own) = node.get("/api/posture").await;
    assert_eq!(
        evidence(&own),
        serde_json::json!({ "document": "Konzept v4", "date_ms": null, "sha256": null }),
        "{own}"
    );
}
