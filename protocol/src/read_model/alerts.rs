//! What a member's on-call contacts must be told, derived from the read
//! model at a given time: each alert has a stable id, so the node's
//! notification outbox can store it before sending and never send the
//! same alert twice, even after a restart.
//!
//! - a new request in the pact (not the member's own);
//! - a pledge on one of the member's requests;
//! - an acceptance of one of the member's pledges;
//! - one of the member's incident clocks at 80 % or overdue.
//!
//! A member unreachable for too long is the node's knowledge (its network
//! state), not the read model's, so it is not here. Nothing here sends,
//! stores or reads a clock.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{ReadModel, RecordAddress};
use crate::ids::MemberId;
use crate::incident::{ClockKind, ClockPhase};
use crate::pact::{is_exercise_id, mark_de};

/// What an alert is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertKind {
    /// Another member asks for help.
    NewRequest,
    /// Someone pledged on my request.
    PledgeOnMyRequest,
    /// The requester accepted my pledge.
    MyPledgeAccepted,
    /// A legal clock of my incident reached 80 %.
    ClockReminder {
        /// Which clock.
        clock: ClockKind,
    },
    /// A legal clock of my incident is overdue.
    ClockOverdue {
        /// Which clock.
        clock: ClockKind,
    },
}

/// One thing to tell the on-call contacts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Alert {
    /// Stable id: the same alert always has the same id.
    pub id: String,
    /// What it is about.
    pub kind: AlertKind,
    /// One German line for the message subject ("ÜBUNG – " first for an
    /// exercise).
    pub subject_de: String,
    /// About an exercise: every text that carries it says so.
    pub exercise: bool,
}

fn request_alert_id(request: &RecordAddress) -> String {
    format!("request:{}:{}", request.owner, request.id)
}

fn pledge_alert_id(pledge: &RecordAddress) -> String {
    format!("pledge:{}:{}", pledge.owner, pledge.id)
}

fn accepted_alert_id(acceptance: &RecordAddress) -> String {
    format!("accepted:{}:{}", acceptance.owner, acceptance.id)
}

impl ReadModel {
    /// The ids of every alert any member gets about the request at
    /// `request`: the request itself, each pledge on it, each acceptance
    /// of one. With the node's outbox they say which notifications of an
    /// exercise nobody acknowledged (its after-action report).
    pub fn alert_ids_of_request(&self, request: &RecordAddress) -> BTreeSet<String> {
        let mut ids = BTreeSet::from([request_alert_id(request)]);
        if let Some(view) = self.request_view(request) {
            ids.extend(
                view.needs
                    .iter()
                    .flat_map(|n| n.pledges.iter())
                    .map(|p| pledge_alert_id(p.address)),
            );
        }
        ids.extend(
            self.mission_orders_for_request(request)
                .iter()
                .map(|o| accepted_alert_id(o.address)),
        );
        ids
    }

    /// Every alert for `member` at `now_ms`, sorted by id.
    pub fn alerts_for(&self, member: &MemberId, now_ms: i64) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let name = |m: &MemberId| self.member_name(m).unwrap_or("ein Mitglied").to_owned();
        for (address, request) in &self.store.requests {
            if address.owner != *member {
                alerts.push(Alert {
                    id: request_alert_id(address),
                    kind: AlertKind::NewRequest,
                    subject_de: mark_de(
                        request.exercise,
                        &format!(
                            "Neue Hilfeanfrage von {}: {}",
                            name(&address.owner),
                            request.title
                        ),
                    ),
                    exercise: request.exercise,
                });
            }
        }
        for (address, pledge) in &self.store.pledges {
            if pledge.request.requester == *member && address.owner != *member {
                alerts.push(Alert {
                    id: pledge_alert_id(address),
                    kind: AlertKind::PledgeOnMyRequest,
                    subject_de: mark_de(
                        is_exercise_id(&pledge.request.request),
                        &format!(
                            "Zusage von {} zu Ihrer Anfrage ({} Einheiten)",
                            name(&address.owner),
                            pledge.quantity
                        ),
                    ),
                    exercise: is_exercise_id(&pledge.request.request),
                });
            }
        }
        for order in self.mission_orders_of(member) {
            let joined = matches!(order.pledge, super::PledgeLink::Joined { .. });
            if order.pledger == *member && joined {
                alerts.push(Alert {
                    id: accepted_alert_id(order.address),
                    kind: AlertKind::MyPledgeAccepted,
                    subject_de: mark_de(
                        order.exercise,
                        &format!(
                            "{} hat Ihre Zusage angenommen: Einsatzauftrag",
                            name(&order.address.owner)
                        ),
                    ),
                    exercise: order.exercise,
                });
            }
        }
        self.clock_alerts(member, now_ms, &mut alerts);
        alerts.sort();
        alerts
    }

    fn clock_alerts(&self, member: &MemberId, now_ms: i64, alerts: &mut Vec<Alert>) {
        for summary in self.incidents() {
            let open = summary.incident.status == crate::incident::IncidentStatus::Open;
            if summary.hit_member != *member || summary.adopted_by.is_some() || !open {
                continue;
            }
            let Some(room) = self.incident_room(summary.address, now_ms) else {
                continue;
            };
            for clock in &room.clocks {
                let (kind, stage, text) = match clock.phase {
                    ClockPhase::Reminder => (
                        AlertKind::ClockReminder { clock: clock.kind },
                        "80",
                        "80 % der Frist verstrichen",
                    ),
                    ClockPhase::Overdue => (
                        AlertKind::ClockOverdue { clock: clock.kind },
                        "overdue",
                        "Frist überschritten",
                    ),
                    ClockPhase::Running | ClockPhase::Sent { .. } => continue,
                };
                alerts.push(Alert {
                    id: format!(
                        "clock:{}:{}:{}:{stage}",
                        summary.address.owner,
                        summary.address.id,
                        clock.kind.id()
                    ),
                    kind,
                    subject_de: mark_de(
                        summary.incident.exercise,
                        &format!("{}: {text}", clock.kind.label_de()),
                    ),
                    exercise: summary.incident.exercise,
                });
            }
        }
    }
}
