//! A check that no page is rendered while the node's state is locked.
//!
//! The node keeps its replica and store behind one lock that sync, writes
//! and every page share; a page rendered while holding it makes all of
//! them wait for the HTML to be built. The node copies what a page shows
//! under the lock and renders after releasing it. To keep it that way, the
//! node's lock guard holds a [`RenderingForbidden`] token, and every page
//! asks [`assert_may_render`] first: in debug builds (every test), a page
//! rendered on a thread that holds the lock panics and names the rule.

use std::cell::Cell;
use std::marker::PhantomData;

thread_local! {
    /// How many [`RenderingForbidden`] tokens this thread holds.
    static FORBIDDEN: Cell<u32> = const { Cell::new(0) };
}

/// While alive, rendering a page on this thread is a bug (see the module
/// documentation). Not `Send`: it belongs to the thread that made it, as
/// the lock guard that holds it does.
#[derive(Debug)]
#[must_use = "rendering is forbidden only while the token is alive"]
pub struct RenderingForbidden {
    _not_send: PhantomData<*const ()>,
}

/// Forbids rendering on this thread until the token is dropped.
pub fn forbid_rendering() -> RenderingForbidden {
    FORBIDDEN.with(|count| count.set(count.get().saturating_add(1)));
    RenderingForbidden {
        _not_send: PhantomData,
    }
}

impl Drop for RenderingForbidden {
    fn drop(&mut self) {
        FORBIDDEN.with(|count| count.set(count.get().saturating_sub(1)));
    }
}

/// Whether this thread may render now (no token alive on it).
pub fn rendering_allowed() -> bool {
    FORBIDDEN.with(Cell::get) == 0
}

/// Panics in debug builds if this thread holds a [`RenderingForbidden`]
/// token; release builds only count.
pub(crate) fn assert_may_render() {
    debug_assert!(
        rendering_allowed(),
        "a page was rendered while the node's core lock was held: copy what the page \
         shows under the lock and render after releasing it (see ARCHITECTURE.md, \
         the lock discipline)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_nest_and_end_with_their_scope() {
        assert!(rendering_allowed());
        let outer = forbid_rendering();
        let inner = forbid_rendering();
        assert!(!rendering_allowed());
        drop(inner);
        assert!(!rendering_allowed());
        drop(outer);
        assert!(rendering_allowed());
    }

    #[test]
    fn another_thread_is_not_affected() {
        let _token = forbid_rendering();
        let elsewhere = std::thread::spawn(rendering_allowed).join().unwrap();
        assert!(elsewhere);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "core lock was held")]
    fn a_page_rendered_under_the_token_panics() {
        let _token = forbid_rendering();
        let ctx = crate::Ctx {
            lang: crate::Lang::De,
            account: "admin".into(),
            role: "admin".into(),
            csrf: String::new(),
            member_name: "Stadt Darmstadt".into(),
            can_offer: false,
            can_pledge: false,
            can_request: false,
            can_accept: false,
            can_administer: false,
            can_edit_posture: false,
            can_review_posture: false,
            member_names: Vec::new(),
            nav: crate::Nav::Lagebild,
        };
        let _ = crate::layout::page(&ctx, "Lagebild", maud::html! {});
    }
}
