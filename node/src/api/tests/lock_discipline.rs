//! Pages are copied under the core's lock and rendered after it is
//! released. A page rendered while the lock is held panics in debug builds
//! (`crate::core_guard`), so every page test in this module also checks
//! that its handler keeps to it; this test checks the guard itself.

use std::collections::BTreeMap;

use amtshilfe_dashboard::{Ctx, Lang, Nav};

use super::*;

/// A page context as the pages build it (`web::ctx_for`, which this
/// module may not import: the layering tests keep the API and the pages
/// apart).
fn ctx() -> Ctx {
    Ctx {
        lang: Lang::De,
        account: "admin".into(),
        role: "admin".into(),
        csrf: String::new(),
        member_name: "Kreis Bergstraße".into(),
        can_offer: true,
        can_pledge: true,
        can_request: true,
        can_accept: true,
        can_administer: true,
        can_edit_posture: true,
        can_review_posture: false,
        member_names: Vec::new(),
        nav: Nav::Lagebild,
    }
}

#[tokio::test]
async fn a_page_rendered_while_the_core_lock_is_held_panics() {
    let node = TestNode::new();
    let core = node.core.clone();
    let under_the_lock = std::thread::spawn(move || {
        let _guard = core.lock();
        amtshilfe_dashboard::pages::overview(&ctx(), &[], &BTreeMap::new(), &[])
    })
    .join();
    let message = under_the_lock.expect_err("rendering under the lock must panic");
    let message = message
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| message.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("core lock was held"), "{message}");

    // The same page, after the lock is released, renders.
    drop(node.core.lock());
    let html = amtshilfe_dashboard::pages::overview(&ctx(), &[], &BTreeMap::new(), &[]);
    assert!(html.contains("Kreis Bergstraße"), "{html}");
}

#[tokio::test]
async fn the_metrics_page_is_written_after_the_lock_is_released() {
    let node = TestNode::new();
    let core = node.core.clone();
    let under_the_lock = std::thread::spawn(move || {
        let guard = core.lock();
        crate::metrics::render(&crate::metrics::Snapshot::of(&guard))
    })
    .join();
    assert!(
        under_the_lock.is_err(),
        "writing it under the lock must panic"
    );

    let snapshot = crate::metrics::Snapshot::of(&node.core.lock());
    let page = crate::metrics::render(&snapshot);
    assert!(page.contains("amtshilfe_members 2"), "{page}");
    // The route keeps to it: `reads::metrics_list_every_family_and_reason_and_move`.
}
