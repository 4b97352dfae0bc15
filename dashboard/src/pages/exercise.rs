//! The exercise mark: "ÜBUNG" unmistakable on every page that shows an
//! exercise (banner on its pages, badge in lists, prefix in titles).

use amtshilfe_protocol::pact::{EXERCISE_DE, EXERCISE_EN};
use maud::{Markup, html};

use crate::Ctx;
use crate::i18n::Lang;

fn mark(ctx: &Ctx) -> &'static str {
    match ctx.lang {
        Lang::De => EXERCISE_DE,
        Lang::En => EXERCISE_EN,
    }
}

/// The banner on top of an exercise's own pages.
pub fn exercise_banner(ctx: &Ctx) -> Markup {
    let text = match ctx.lang {
        Lang::De => {
            "Dies ist eine Übung, keine echte Anforderung. Sie zählt in keiner echten Zahl."
        }
        Lang::En => "This is an exercise, not a real request. It counts in no real figure.",
    };
    html! { p.exercise role="note" data-testid="exercise" { strong { (mark(ctx)) } " – " (text) } }
}

/// The badge next to an exercise in a list.
pub fn exercise_badge(ctx: &Ctx) -> Markup {
    html! { " " strong.exercise-badge data-testid="exercise-badge" { (mark(ctx)) } }
}

/// A page title, prefixed with the mark for an exercise.
pub fn exercise_title(ctx: &Ctx, exercise: bool, title: &str) -> String {
    if exercise {
        format!("{} – {title}", mark(ctx))
    } else {
        title.to_owned()
    }
}
