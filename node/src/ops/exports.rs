//! Exports of the registry, the request board, the mission orders and the
//! reimbursement per pair of members (at the agreement's rates) as
//! tables, for the API (`GET /api/exports/{file}`) and the pages' download
//! links alike. The rows are copied under the core's lock into owned
//! strings; CSV and JSON are made after it is released.
//!
//! CSV as German spreadsheet programs expect it: UTF-8 with a byte order
//! mark, semicolons between fields, CRLF line ends, German headers, dates
//! as `TT.MM.JJJJ HH:MM` in Berlin. Fields that start like a formula
//! (`=`, `+`, `-`, `@`, tab, CR) get a leading `'`, so that a value another
//! member typed is never run as a formula on the reader's machine.

use amtshilfe_dashboard::format::{date_time, euros as euro};
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::membership::MembershipState;
use amtshilfe_protocol::pact::{Reimbursement, ReimbursementModel};
use amtshilfe_protocol::read_model::{PledgeLink, ReadModel, RegistryFilter};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::http::{ApiError, ApiState, with_core};

/// Which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Every offer of every member, whatever its status.
    Registry,
    /// Every need of every request with its quantities.
    Board,
    /// Every mission order.
    Missions,
    /// What each requester owes each helper at the agreement's rates, for
    /// the finance office (exercises left out).
    Reimbursement,
}

/// In which form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Semicolon-separated, UTF-8 with BOM.
    Csv,
    /// An array of objects keyed by the column ids.
    Json,
}

impl Export {
    /// The export named by a file name such as `registry.csv`.
    pub fn from_file(file: &str) -> Option<(Export, Format)> {
        let (name, extension) = file.rsplit_once('.')?;
        let export = match name {
            "registry" => Export::Registry,
            "board" => Export::Board,
            "missions" => Export::Missions,
            "reimbursement" => Export::Reimbursement,
            _ => return None,
        };
        let format = match extension {
            "csv" => Format::Csv,
            "json" => Format::Json,
            _ => return None,
        };
        Some((export, format))
    }

    /// The German file name stem of a download.
    pub fn download_name(self) -> &'static str {
        match self {
            Export::Registry => "amtshilfe-register",
            Export::Board => "amtshilfe-anfragen",
            Export::Missions => "amtshilfe-einsatzauftraege",
            Export::Reimbursement => "amtshilfe-erstattung",
        }
    }

    /// Column ids (the JSON keys) and German headers (the CSV's first row).
    pub fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Export::Registry => &[
                ("member", "Mitglied"),
                ("member_id", "Mitglieds-ID"),
                ("offer_id", "Angebots-ID"),
                ("kind", "Art"),
                ("title", "Titel"),
                ("status", "Status"),
                ("quantity", "Anzahl"),
                ("held", "Zugesagt"),
                ("remaining", "Frei"),
                ("valid_from", "Gültig ab"),
                ("valid_until", "Gültig bis"),
                ("contact_role", "Kontakt (Rolle)"),
                ("contact_phone", "Telefon"),
                ("contact_email", "E-Mail"),
            ],
            Export::Board => &[
                ("requester", "Anfragendes Mitglied"),
                ("request_id", "Anfrage-ID"),
                ("title", "Titel"),
                ("priority", "Priorität"),
                ("status", "Status"),
                ("start", "Beginn"),
                ("end", "Ende"),
                ("need_id", "Bedarfs-ID"),
                ("need_kind", "Art"),
                ("requested", "Angefragt"),
                ("pledged", "Zugesagt"),
                ("accepted", "Angenommen"),
                ("open", "Offen"),
                ("exercise", "Übung"),
            ],
            Export::Missions => &[
                ("acceptance_id", "Auftrags-ID"),
                ("requester", "Anfragendes Mitglied"),
                ("pledger", "Helfendes Mitglied"),
                ("request_id", "Anfrage-ID"),
                ("need_id", "Bedarfs-ID"),
                ("quantity", "Anzahl"),
                ("accepted_at", "Angenommen am"),
                ("status", "Status"),
                ("pledge", "Zusage"),
                ("terms", "Bedingungen"),
                ("exercise", "Übung"),
            ],
            Export::Reimbursement => &[
                ("requester", "Anfragendes Mitglied (zahlt)"),
                ("requester_id", "Mitglieds-ID Anfragende"),
                ("helper", "Helfendes Mitglied (erhält)"),
                ("helper_id", "Mitglieds-ID Helfende"),
                ("mission_orders", "Bestätigte Aufträge"),
                ("unconfirmed", "Unbestätigte Aufträge (nicht enthalten)"),
                ("hours", "Stunden"),
                ("device_days", "Gerätetage"),
                ("hours_eur", "Stundenpauschale (EUR)"),
                ("devices_eur", "Gerätepauschale (EUR)"),
                ("expenses_eur", "Auslagen (EUR)"),
                ("total_eur", "Erstattung gesamt (EUR)"),
            ],
        }
    }
}

/// One export's rows, owned: made under the lock, written out after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Which table.
    pub export: Export,
    /// One value per column, in the order of [`Export::columns`].
    pub rows: Vec<Vec<String>>,
}

/// The rows of `export` as this node's read model has them now.
pub async fn table(state: &ApiState, export: Export) -> Result<Table, ApiError> {
    with_core(state, move |core| {
        let replica = core.replica();
        Ok(copy_rows(
            replica.read_model(),
            replica.membership().state(),
            export,
            crate::clock::now_ms(),
        ))
    })
    .await
}

/// The rows of `export`, the board as it stands at `now_ms`.
fn copy_rows(model: &ReadModel, state: &MembershipState, export: Export, now_ms: i64) -> Table {
    let rows = match export {
        Export::Registry => registry_rows(model),
        Export::Board => board_rows(model, now_ms),
        Export::Missions => mission_rows(model),
        Export::Reimbursement => reimbursement_rows(model, &agreement_rates(state)),
    };
    Table { export, rows }
}

/// Without an agreement there are no flat rates: documented expenses only.
fn expenses_only() -> Reimbursement {
    Reimbursement {
        model: ReimbursementModel::ExtraCostsActual,
        hour_rate_cents: 0,
        device_day_rate_cents: 0,
    }
}

/// The rates of the agreement in force, or expenses only.
fn agreement_rates(state: &MembershipState) -> Reimbursement {
    state
        .agreement()
        .map_or_else(expenses_only, |v| v.agreement.reimbursement.clone())
}

fn reimbursement_rows(model: &ReadModel, rates: &Reimbursement) -> Vec<Vec<String>> {
    model
        .reimbursements(rates)
        .into_iter()
        .map(|pair| {
            vec![
                member(model, &pair.requester),
                pair.requester.to_string(),
                member(model, &pair.helper),
                pair.helper.to_string(),
                pair.mission_orders.to_string(),
                pair.unconfirmed.to_string(),
                pair.hours.to_string(),
                pair.device_days.to_string(),
                euro(pair.hours_cents),
                euro(pair.devices_cents),
                euro(pair.expenses_cents),
                euro(pair.total_cents),
            ]
        })
        .collect()
}

/// "ÜBUNG" in the exercise column of an exercise's rows, empty otherwise.
fn exercise_mark(exercise: bool) -> String {
    if exercise {
        amtshilfe_protocol::pact::EXERCISE_DE.to_owned()
    } else {
        String::new()
    }
}

/// A serde enum's id (`available`, `open`, …).
fn id_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(id)) => id,
        _ => String::new(),
    }
}

/// A member's name as the pact admitted it (`ReadModel::member_name`),
/// else its id.
fn member(model: &ReadModel, id: &MemberId) -> String {
    model
        .member_name(id)
        .map_or_else(|| id.to_string(), str::to_owned)
}

fn registry_rows(model: &ReadModel) -> Vec<Vec<String>> {
    let everything = RegistryFilter {
        status: None,
        ..RegistryFilter::default()
    };
    model
        .registry_iter(&everything)
        .map(|entry| {
            let offer = entry.offer;
            vec![
                member(model, &entry.address.owner),
                entry.address.owner.to_string(),
                entry.address.id.to_string(),
                offer.kind().id().to_owned(),
                offer.title.clone(),
                id_of(&offer.status),
                entry.quantity.to_string(),
                entry.held.to_string(),
                entry.remaining.to_string(),
                date_time(offer.valid_from_ms),
                offer.valid_until_ms.map(date_time).unwrap_or_default(),
                offer.contact.role.clone(),
                offer.contact.phone.clone(),
                offer.contact.email.clone(),
            ]
        })
        .collect()
}

fn board_rows(model: &ReadModel, now_ms: i64) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for view in model.request_board_at(now_ms) {
        let request = view.request;
        for need in &view.needs {
            rows.push(vec![
                member(model, &view.address.owner),
                view.address.id.to_string(),
                request.title.clone(),
                request.priority.clone(),
                id_of(&request.status),
                date_time(request.start_ms),
                date_time(request.end_ms),
                need.need.id.to_string(),
                need.need.kind.id().to_owned(),
                need.totals.requested.to_string(),
                need.totals.pledged.to_string(),
                need.totals.accepted.to_string(),
                need.totals.open.to_string(),
                exercise_mark(view.exercise),
            ]);
        }
    }
    rows
}

fn mission_rows(model: &ReadModel) -> Vec<Vec<String>> {
    model
        .mission_orders()
        .into_iter()
        .map(|order| {
            let acceptance = order.acceptance;
            let pledge = match order.pledge {
                PledgeLink::AwaitingPledge => "awaiting_pledge",
                PledgeLink::Mismatch { .. } => "mismatch",
                PledgeLink::Late { .. } => "late",
                PledgeLink::Joined { .. } => "joined",
            };
            vec![
                order.address.id.to_string(),
                member(model, &order.address.owner),
                member(model, &order.pledger),
                acceptance.request.to_string(),
                acceptance.need.to_string(),
                acceptance.quantity.to_string(),
                date_time(acceptance.accepted_at_ms),
                id_of(&acceptance.status),
                pledge.to_owned(),
                acceptance.terms.clone().unwrap_or_default(),
                exercise_mark(order.exercise),
            ]
        })
        .collect()
}

impl Table {
    /// The table as CSV for German spreadsheets (see the module docs).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let headers: Vec<&str> = self.export.columns().iter().map(|(_, de)| *de).collect();
        push_line(&mut out, headers.iter().copied());
        for row in &self.rows {
            push_line(&mut out, row.iter().map(String::as_str));
        }
        out
    }

    /// The table as a JSON array of objects keyed by column id.
    pub fn to_json(&self) -> Value {
        let columns = self.export.columns();
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let object: Map<String, Value> = columns
                        .iter()
                        .zip(row)
                        .map(|((id, _), value)| ((*id).to_owned(), Value::String(value.clone())))
                        .collect();
                    Value::Object(object)
                })
                .collect(),
        )
    }
}

fn push_line<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            out.push(';');
        }
        out.push_str(&csv_field(field));
    }
    out.push_str("\r\n");
}

/// One field: defused if it starts like a formula, quoted if it holds a
/// separator, a quote or a line break.
fn csv_field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if defused.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Notebooks"), "Notebooks");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("sagt \"ja\""), "\"sagt \"\"ja\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+49 6252"), "'+49 6252");
        assert_eq!(csv_field("Zeile\nzwei"), "\"Zeile\nzwei\"");
    }

    #[test]
    fn a_table_has_bom_german_headers_and_crlf() {
        let table = Table {
            export: Export::Board,
            rows: vec![vec!["Kreis".into(); Export::Board.columns().len()]],
        };
        let csv = table.to_csv();
        assert!(csv.starts_with("\u{feff}Anfragendes Mitglied;Anfrage-ID;Titel;"));
        assert_eq!(csv.matches("\r\n").count(), 2);
        assert_eq!(table.to_json()[0]["requester"], "Kreis");
    }

    #[test]
    fn file_names_pick_export_and_format() {
        assert_eq!(
            Export::from_file("missions.csv"),
            Some((Export::Missions, Format::Csv))
        );
        assert_eq!(
            Export::from_file("registry.json"),
            Some((Export::Registry, Format::Json))
        );
        assert_eq!(Export::from_file("accounts.csv"), None);
        assert_eq!(Export::from_file("board.xlsx"), None);
    }
}
