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

use serde::Serialize;

use super::ReadModel;
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

impl ReadModel {
    /// Every alert for `member` at `now_ms`, sorted by id.
    pub fn alerts_for(&self, member: &MemberId, now_ms: i64) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let name = |m: &MemberId| self.member_name(m).unwrap_or("ein Mitglied").to_owned();
        for (address, request) in &self.store.requests {
            if address.owner != *member {
                alerts.push(Alert {
                    id: format!("request:{}:{}", address.owner, address.id),
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
                    id: format!("pledge:{}:{}", address.owner, address.id),
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
                    id: format!("accepted:{}:{}", order.address.owner, order.address.id),
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
