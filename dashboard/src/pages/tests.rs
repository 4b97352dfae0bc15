//! What the pages promise for accessibility, checked on their HTML: text
//! date fields in TT.MM.JJJJ, the skip link and its focusable target, the
//! polite status line, the statement's contact. The browser test
//! (`node/tests/browser.rs`) checks the rest with axe-core.

use super::*;
use crate::{Ctx, Lang, Nav};

/// 2026-07-15T10:00:00Z (12:00 in Berlin).
const NOW_MS: i64 = 1_784_109_600_000;

fn ctx(lang: Lang) -> Ctx {
    Ctx {
        lang,
        account: "anfrage".into(),
        role: "requester".into(),
        csrf: "c".into(),
        member_name: "Stadt Darmstadt".into(),
        can_offer: true,
        can_pledge: true,
        can_request: true,
        can_accept: true,
        can_administer: false,
        can_edit_posture: false,
        can_review_posture: false,
        member_names: Vec::new(),
        nav: Nav::Anfordern,
    }
}

#[test]
fn date_fields_are_text_in_tt_mm_jjjj_whatever_the_language() {
    for lang in [Lang::De, Lang::En] {
        let html = request_form(&ctx(lang), NOW_MS, &FormValues::new(), None);
        assert!(!html.contains("type=\"date\""), "{html}");
        assert!(
            html.contains(r#"id="start" name="start" type="text" inputmode="numeric""#),
            "{html}"
        );
        assert!(html.contains(r#"value="15.07.2026""#), "{html}");
        assert!(html.contains(r#"value="29.07.2026""#), "{html}");
        assert!(html.contains(Text::DateHint.get(lang)), "{html}");
    }
}

#[test]
fn the_offer_form_shows_tt_mm_jjjj() {
    let values = FormValues::new();
    let form = OfferForm {
        kind: amtshilfe_protocol::model::OfferKind::Equipment,
        values: &values,
        editing: None,
        error: None,
    };
    let html = resources(&ctx(Lang::De), &[], &form, NOW_MS);
    assert!(!html.contains("type=\"date\""), "{html}");
    assert!(html.contains(r#"value="15.07.2026""#), "{html}");
}

#[test]
fn every_page_has_a_skip_link_a_focusable_main_and_a_polite_status() {
    let html = request_form(&ctx(Lang::De), NOW_MS, &FormValues::new(), None);
    let skip = html.find(r##"<a class="skip" href="#inhalt">"##).unwrap();
    let header = html.find("<header>").unwrap();
    assert!(skip < header, "the skip link comes first");
    assert!(
        html.contains(r#"<main id="inhalt" tabindex="-1">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"role="status" aria-live="polite""#),
        "{html}"
    );
    assert!(html.contains(r#"href="/barrierefreiheit""#), "{html}");
}

#[test]
fn the_statement_names_the_contact_or_says_that_none_is_set() {
    let html = accessibility_statement(Lang::De, "Hauptamt, a11y@kreis.example");
    assert!(html.contains("Erklärung zur Barrierefreiheit"));
    assert!(html.contains("Hauptamt, a11y@kreis.example"));
    assert!(html.contains("teilweise vereinbar"));
    let html = accessibility_statement(Lang::En, "<b>x</b>");
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "escaped: {html}");
    let html = accessibility_statement(Lang::De, "");
    assert!(html.contains(Text::StatementNoContact.get(Lang::De)));
}
