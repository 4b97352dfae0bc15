//! The pages. Each is a function from read-model views and [`Ctx`] to a
//! whole HTML document. Sections that change with replicated data carry
//! `data-live` and an `id`, and are swapped in place by the live script
//! (`data-quiet` ones without announcing it: sync times).

mod admin;
mod after_action;
mod agreement;
mod agreement_form;
mod benchmark;
mod bundle_upload;
mod contact_sheet;
mod exercise;
mod incident;
mod login;
mod mission_print;
mod network;
mod notifications;
mod offer_form;
mod offers;
mod on_behalf;
mod overview;
mod own_contacts;
mod pact;
mod pact_devices;
mod posture;
mod request;
mod request_form;
mod statement;
#[cfg(test)]
mod tests;

use amtshilfe_protocol::catalogue::CatalogueName;
use amtshilfe_protocol::model::{Offer, OfferDetail, OfferStatus};
use maud::{Markup, html};

use crate::Ctx;
use crate::i18n::{Lang, Text, label};
pub use crate::offer_fields::{FormError, FormValues};
pub use admin::{AccountRow, AdminView, AuditRow, TokenRow, admin};
pub use after_action::{FailedContactRow, after_action};
pub use agreement::agreement;
pub use agreement_form::{AgreementForm, STAGES};
pub use benchmark::benchmark;
pub use bundle_upload::{BUNDLE_UPLOAD_PATH, BundleImportView, RefusedItemRow};
pub use contact_sheet::{ContactSheetRow, contact_sheet, stale_text};
pub use exercise::{exercise_badge, exercise_banner, exercise_title};
pub use incident::{
    ClockRow, IncidentRow, IncidentsView, LineRow, OpenNotification, OrderRow, PledgeRow,
    ReportFieldRow, ReportRow, RoomView, StepRow, incident_room, incidents, parse_date_time,
    report_print,
};
pub use login::login;
pub use mission_print::{MissionPrint, PrintParty, grouped_hex, mission_print};
pub use network::{ForkRow, NetworkView, PeerRow, network};
pub use notifications::NotificationRow;
pub use offer_form::{OfferForm, offer_edit};
pub use offers::{REGISTER_PAGE, RegisterForm, register, resources};
pub use on_behalf::on_behalf_mark;
pub use overview::{MemberRow, overview};
pub use own_contacts::{OWN_CONTACTS_PATH, OwnContactsView, own_contacts};
pub use pact::{
    PactConfirm, PactMemberRow, PactOfficerRow, PactPage, PactProposalRow, pact, pact_confirm,
};
pub use pact_devices::PactDeviceRow;
pub use posture::{
    PostureView, REVIEW_COMMENT_ROWS, REVIEW_FINDING_ROWS, WorkspaceRow, answer_label,
    answer_value, officer_detail_page, posture_page, status_label, workspace_page,
};
pub use request::{PageRefusal, RefusedForm, RequestPage, request};
pub use request_form::{NEED_ROWS, request_form};
pub use statement::accessibility_statement;

/// What an offer is, in a few words: "Notebook", "Forensik (Person)".
pub(crate) fn offer_what(lang: Lang, offer: &Offer) -> String {
    match &offer.detail {
        OfferDetail::Person(person) => format!(
            "{} ({})",
            label(lang, CatalogueName::Role, &person.role),
            label(lang, CatalogueName::OfferKind, "person")
        ),
        OfferDetail::Equipment(equipment) => {
            label(lang, CatalogueName::EquipmentCategory, &equipment.category)
        }
        OfferDetail::RemoteCapacity(remote) => format!(
            "{} ({} h/{})",
            label(lang, CatalogueName::OfferKind, "remote_capacity"),
            remote.hours_per_week,
            Text::Week.get(lang)
        ),
        OfferDetail::TeamPackage(_) => label(lang, CatalogueName::OfferKind, "team_package"),
        OfferDetail::ServiceRelocation(service) => format!(
            "{}: {}",
            label(lang, CatalogueName::OfferKind, "service_relocation"),
            service.service
        ),
    }
}

/// An offer status in words.
pub(crate) fn status_text(lang: Lang, status: OfferStatus) -> &'static str {
    match status {
        OfferStatus::Available => Text::StatusAvailable.get(lang),
        OfferStatus::Reserved => Text::StatusReserved.get(lang),
        OfferStatus::Assigned => Text::StatusAssigned.get(lang),
        OfferStatus::OutOfService => Text::StatusOutOfService.get(lang),
    }
}

/// `<option>`s of a catalogue, with `selected` chosen.
pub(crate) fn options(lang: Lang, name: CatalogueName, selected: &str) -> Markup {
    let catalogue = amtshilfe_protocol::catalogue::catalogues().get(name);
    html! {
        @for entry in catalogue.entries() {
            option value=(entry.id) selected[entry.id == selected] {
                (if lang == Lang::De { &entry.de } else { &entry.en })
            }
        }
    }
}

/// A labelled field: `<label for=id>` and the control.
pub(crate) fn field(id: &str, text: &str, control: Markup) -> Markup {
    html! { div { label for=(id) { (text) } (control) } }
}

/// What a date field accepts: `TT.MM.JJJJ` (shown and expected on every
/// page) or ISO `JJJJ-MM-TT` (what older pages and scripts send). The
/// server parses both (`format::parse_date`); this only lets the browser
/// point out a typo before sending.
pub(crate) const DATE_PATTERN: &str = r"\s*(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*";

/// A date entry field: a text input, not `<input type="date">`, whose
/// format follows the browser's locale (MM/DD/YYYY in an English
/// browser). The label names the format, so it is read out and seen
/// whatever the browser's language. `text` carries any "required" mark.
pub(crate) fn date_input(
    lang: Lang,
    id: &str,
    text: &str,
    value: &str,
    required: bool,
    invalid: Option<&str>,
) -> Markup {
    html! {
        div {
            label for=(id) { (text) " " span.hint { "(" (Text::DateHint.get(lang)) ")" } }
            input id=(id) name=(id) type="text" inputmode="numeric" autocomplete="off" size="10" maxlength="12"
                pattern=(DATE_PATTERN) value=(value) required[required] aria-invalid=[invalid];
        }
    }
}

/// A box that scrolls sideways by itself when `content` (a wide table) is
/// wider than the screen, so the page around it never does. It takes the
/// focus so that keyboard users can scroll it too, and is named by `label`.
pub(crate) fn scroll_box(label: &str, content: Markup) -> Markup {
    html! { div.table-wrap role="region" aria-label=(label) tabindex="0" { (content) } }
}

/// Why a form was refused, above the form: `heading`, then the node's
/// message, with a link to the field it is about (by the field's id).
pub(crate) fn refusal(ctx: &Ctx, heading: Text, error: &FormError) -> Markup {
    html! {
        div.error id="form-error" role="alert" tabindex="-1" {
            strong { (ctx.t(heading)) }
            @if let Some(name) = error.field.as_deref() {
                " " a href={ "#" (name) } { (ctx.t(Text::CheckField)) } "."
            }
            br;
            span.muted { (error.message) }
        }
    }
}

/// "no entries" paragraph.
pub(crate) fn none(ctx: &Ctx) -> Markup {
    html! { p.muted { (ctx.t(Text::NothingHere)) } }
}
