//! The Netzwerk page's bundle upload (admins): the form that posts a
//! bundle file, and what the import took and refused, with reasons.

use maud::{Markup, html};

use crate::Ctx;
use crate::i18n::Lang;

/// Where the upload form posts.
pub const BUNDLE_UPLOAD_PATH: &str = "/netzwerk/buendel";

/// One item of a bundle that ingress refused.
#[derive(Debug, Clone)]
pub struct RefusedItemRow {
    /// Position among the bundle's items (entries first, then envelopes).
    pub index: usize,
    /// `entry` or `envelope`.
    pub kind: String,
    /// The reason code.
    pub code: String,
    /// The reason in words.
    pub reason: String,
}

/// What an upload did.
#[derive(Debug, Clone)]
pub enum BundleImportView {
    /// The bundle went through ingress; these items were taken or refused.
    Imported {
        /// Membership entries newly applied.
        entries_applied: usize,
        /// Envelopes newly applied.
        envelopes_applied: usize,
        /// Items this node had already.
        duplicates: usize,
        /// Envelopes waiting for dependencies.
        pending: usize,
        /// Items ingress refused.
        refused: Vec<RefusedItemRow>,
    },
    /// The bundle was refused whole; nothing of it was applied.
    Refused {
        /// The refusal code.
        code: String,
        /// The reason in words.
        message: String,
        /// The items that made it refuse, if any.
        items: Vec<RefusedItemRow>,
    },
}

fn tr(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

fn refused_table(ctx: &Ctx, items: &[RefusedItemRow]) -> Markup {
    html! {
        @if !items.is_empty() {
            table {
                caption { (tr(ctx, "Abgewiesene Teile", "Refused items")) }
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (tr(ctx, "Art", "Kind")) }
                    th scope="col" { (tr(ctx, "Grund", "Reason")) }
                    th scope="col" { (tr(ctx, "Erklärung", "Explanation")) }
                } }
                tbody { @for item in items { tr {
                    td { (item.index) }
                    td { (item.kind) }
                    td { code { (item.code) } }
                    td { (item.reason) }
                } } }
            }
        }
    }
}

fn outcome(ctx: &Ctx, import: &BundleImportView) -> Markup {
    match import {
        BundleImportView::Imported {
            entries_applied,
            envelopes_applied,
            duplicates,
            pending,
            refused,
        } => html! {
            div role="status" id="bundle-result" {
                p { strong { (tr(ctx, "Bündel eingelesen.", "Bundle imported.")) } }
                ul {
                    li { (tr(ctx, "Neue Mitgliedschaftseinträge: ", "New membership entries: ")) (entries_applied) }
                    li { (tr(ctx, "Neue Änderungen: ", "New changes: ")) (envelopes_applied) }
                    li { (tr(ctx, "Schon vorhanden: ", "Already held: ")) (duplicates) }
                    li { (tr(ctx, "Wartend auf Vorgänger: ", "Waiting for earlier changes: ")) (pending) }
                    li { (tr(ctx, "Abgewiesen: ", "Refused: ")) (refused.len()) }
                }
                (refused_table(ctx, refused))
            }
        },
        BundleImportView::Refused {
            code,
            message,
            items,
        } => html! {
            div role="alert" id="bundle-result" {
                p {
                    strong { (tr(ctx, "Bündel abgewiesen, nichts übernommen: ", "Bundle refused, nothing applied: ")) }
                    code { (code) } " – " (message)
                }
                (refused_table(ctx, items))
            }
        },
    }
}

/// The upload section: the result of the last upload, if any, and (for
/// admins) the form.
pub(crate) fn section(ctx: &Ctx, import: Option<&BundleImportView>) -> Markup {
    if !ctx.can_administer {
        return html! {};
    }
    html! {
        section id="bundle" aria-labelledby="h-bundle" {
            h2 id="h-bundle" { (tr(ctx, "Bündel einlesen", "Import a bundle")) }
            p { (tr(ctx,
                "Ein Bündel (vom USB-Stick oder per E-Mail) läuft durch dieselben Prüfungen wie Daten aus dem Netz; Bündel eines anderen Pakts werden abgewiesen.",
                "A bundle (from a USB stick or e-mail) goes through the same checks as data from the network; bundles of another pact are refused.")) }
            @if let Some(import) = import { (outcome(ctx, import)) }
            form method="post" action=(BUNDLE_UPLOAD_PATH) enctype="multipart/form-data" {
                (ctx.csrf_field())
                label for="bundle-file" { (tr(ctx, "Bündeldatei", "Bundle file")) }
                input id="bundle-file" type="file" name="bundle" required;
                button type="submit" { (tr(ctx, "Einlesen", "Import")) }
            }
        }
    }
}
