//! The amtshilfe web interface: server-rendered HTML pages (maud, no
//! JavaScript build step; one small script file for live updates),
//! the German and English texts, and date formatting for Europe/Berlin.
//!
//! Pages are pure functions from the read model's types (the same ones the
//! node's JSON API serialises) and a small [`Ctx`] to HTML. This crate
//! never does I/O, never speaks HTTP, never checks roles (the node's
//! handlers do and pass what the user may do in [`Ctx`]), and never reads
//! protocol internals beyond `model` and `read_model` types.

pub mod assets;
pub mod format;
pub mod i18n;
mod layout;
pub mod offer_fields;
pub mod pages;
pub mod render_check;

pub use i18n::{Lang, Text};
pub use layout::{Ctx, Nav};

/// A minimal error page (no session needed): status and message.
pub fn error_page(status: u16, message: &str) -> String {
    maud::html! {
        (maud::DOCTYPE)
        html lang="de" {
            head { meta charset="utf-8"; title { "amtshilfe – " (status) } }
            body {
                main {
                    h1 { "Fehler / Error " (status) }
                    p role="alert" { (message) }
                    p { a href="/" { "Lagebild / Situation" } }
                }
            }
        }
    }
    .into_string()
}
