//! The settlement export: one row per mission order of a requester with
//! the helper's hours and extra costs and whether the requester confirmed
//! them, as CSV for the reimbursement of extra costs (under Amtshilfe only
//! those are reimbursable). Semicolon-separated with a header, as German
//! spreadsheet programs open it; every text field quoted.

use serde::Serialize;

use super::ReadModel;
use super::missions::SettlementState;
use crate::ids::MemberId;
use crate::model::AcceptanceStatus;

/// One row of the export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SettlementRow {
    /// The acceptance's record id.
    pub mission_order: String,
    /// The helping member.
    pub helper: MemberId,
    /// The helper's name, if known.
    pub helper_name: String,
    /// The request and need the order is for (`request/need`).
    pub need: String,
    /// Units accepted.
    pub quantity: u32,
    /// Where the order is.
    pub status: AcceptanceStatus,
    /// Hours the helper recorded.
    pub hours: Option<u32>,
    /// Extra costs the helper recorded, euro cents.
    pub expenses_cents: Option<u64>,
    /// `confirmed`, `differs`, `recorded` or `not_recorded`.
    pub settlement: &'static str,
}

impl ReadModel {
    /// The export rows of every mission order `requester` accepted.
    pub fn settlement_rows(&self, requester: &MemberId) -> Vec<SettlementRow> {
        self.mission_orders_of(requester)
            .into_iter()
            .filter(|order| order.address.owner == *requester)
            .map(|order| {
                let (state, recorded) = match &order.settlement {
                    SettlementState::NotRecorded => ("not_recorded", None),
                    SettlementState::Recorded { settlement } => ("recorded", Some(*settlement)),
                    SettlementState::Confirmed { settlement } => ("confirmed", Some(*settlement)),
                    SettlementState::Differs { settlement } => ("differs", Some(*settlement)),
                };
                SettlementRow {
                    mission_order: order.address.id.to_string(),
                    helper: order.pledger,
                    helper_name: self
                        .member_name(&order.pledger)
                        .unwrap_or_default()
                        .to_owned(),
                    need: format!("{}/{}", order.acceptance.request, order.acceptance.need),
                    quantity: order.acceptance.quantity,
                    status: order.acceptance.status,
                    hours: recorded.map(|s| s.hours),
                    expenses_cents: recorded.map(|s| s.expenses_cents),
                    settlement: state,
                }
            })
            .collect()
    }
}

/// The rows as CSV: header, then one line per row; amounts in euro with a
/// decimal comma.
pub fn settlement_csv(rows: &[SettlementRow]) -> String {
    let mut out = String::from(
        "Einsatzauftrag;Helfendes Mitglied;Mitglied-ID;Bedarf;Menge;Status;Stunden;Auslagen (EUR);Abrechnung\n",
    );
    for row in rows {
        let status = match row.status {
            AcceptanceStatus::Accepted => "accepted",
            AcceptanceStatus::Active => "active",
            AcceptanceStatus::Released => "released",
            AcceptanceStatus::Closed => "closed",
        };
        let hours = row.hours.map(|h| h.to_string()).unwrap_or_default();
        let euro = row
            .expenses_cents
            .map(|c| format!("{},{:02}", c / 100, c % 100))
            .unwrap_or_default();
        out.push_str(&format!(
            "{};{};{};{};{};{};{};{};{}\n",
            quoted(&row.mission_order),
            quoted(&row.helper_name),
            quoted(&row.helper.to_string()),
            quoted(&row.need),
            row.quantity,
            status,
            hours,
            euro,
            row.settlement
        ));
    }
    out
}

/// A CSV text field: quoted, quotes doubled, and a leading `= + - @`
/// defused so that a spreadsheet never runs a name as a formula.
fn quoted(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}
