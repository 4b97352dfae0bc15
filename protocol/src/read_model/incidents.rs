//! Incident rooms: an incident joined with its checklist, clocks, reports,
//! decision log and helpers, and with the automatic timeline entries its
//! requests, pledges, mission orders and checklist steps give.
//!
//! Acting on behalf: an incident whose author names another member in
//! `on_behalf_of` is that member's incident, written for it; its requests
//! are marked as on behalf of it. When the hit member is back it writes its
//! own incident that `adopts` the other; from then on the adopting record
//! leads and the room holds both records' requests, steps, reports and
//! entries; where the hit member wrote a step or a report of a kind itself,
//! its own records decide (see `fill_parts`). An adoption counts only if
//! the adopted incident really names the adopting member.
//!
//! Nothing here reads a clock: the room is built for the `now_ms` passed in.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use serde::Serialize;

use super::ReadModel;
use super::missions::PledgeLink;
use super::store::RecordAddress;
use crate::ids::{MemberId, RecordId};
use crate::incident::{
    Clock, ClockKind, Incident, IncidentReport, IncidentStep, ReaderRole, SentReports, StepState,
    StepTemplate, TimelineEntry, Tlp, checklist_for, clocks_at,
};
use crate::model::{AcceptanceStatus, RecordTag};

/// One incident with who it is for and whether it was taken over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncidentSummary<'a> {
    /// Author and record id.
    pub address: &'a RecordAddress,
    /// The incident record.
    pub incident: &'a Incident,
    /// The hit member: the author, or the member it acts for.
    pub hit_member: MemberId,
    /// Set when the author acts for the hit member.
    pub on_behalf_by: Option<MemberId>,
    /// Set when the hit member has adopted this on-behalf incident.
    pub adopted_by: Option<&'a RecordAddress>,
}

/// One checklist step with its current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepView<'a> {
    /// The template step (id, labels).
    #[serde(skip)]
    pub template: &'static StepTemplate,
    /// The step id.
    pub id: &'static str,
    /// Its state (`open` while nobody wrote one).
    pub state: StepState,
    /// The latest step record, if any.
    pub record: Option<&'a IncidentStep>,
    /// When it is due, if it has a due time.
    pub due_at_ms: Option<i64>,
    /// Due and not done (nor marked not applicable) at the time asked about.
    pub overdue: bool,
}

/// What a timeline line is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineEvent<'a> {
    /// Written by a person.
    Entry {
        /// The entry.
        address: &'a RecordAddress,
    },
    /// A checklist step changed.
    Step {
        /// The step record.
        address: &'a RecordAddress,
    },
    /// A request of the incident was posted.
    Request {
        /// The request.
        address: &'a RecordAddress,
    },
    /// A pledge on one of its requests.
    Pledge {
        /// The pledge.
        address: &'a RecordAddress,
    },
    /// A mission order was accepted (its status as it is now).
    MissionOrder {
        /// The acceptance.
        address: &'a RecordAddress,
        /// Its status now.
        status: AcceptanceStatus,
    },
    /// A pledge was declined.
    Decline {
        /// The decline.
        address: &'a RecordAddress,
    },
    /// A helper recorded hours and expenses.
    Settlement {
        /// The settlement.
        address: &'a RecordAddress,
    },
    /// A report was marked as sent.
    ReportSent {
        /// The report record: its owner is the member that sent it (the
        /// hit member, or the member acting for it).
        address: &'a RecordAddress,
        /// Which report.
        report: ClockKind,
    },
}

/// One line of the room's timeline.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TimelineItem<'a> {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// Who may read it.
    pub tlp: Tlp,
    /// What.
    pub event: TimelineEvent<'a>,
}

/// Everything one incident room shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncidentRoom<'a> {
    /// The leading incident record.
    pub summary: IncidentSummary<'a>,
    /// The on-behalf incident it adopted, if any.
    pub adopted: Option<&'a RecordAddress>,
    /// The checklist of its profile, in order.
    pub steps: Vec<StepView<'a>>,
    /// Its legal clocks at the time asked about.
    pub clocks: Vec<Clock>,
    /// Its report records (drafts and sent ones).
    pub reports: Vec<(&'a RecordAddress, &'a IncidentReport)>,
    /// Its requests (the on-behalf ones of an adopted incident included).
    pub requests: Vec<RecordAddress>,
    /// Chosen helpers and pledgers with accepted mission orders.
    pub helpers: BTreeSet<MemberId>,
    /// Every timeline line, oldest first, whatever its TLP level.
    pub timeline: Vec<TimelineItem<'a>>,
}

impl IncidentRoom<'_> {
    /// How `reader` stands to this incident. Whether it is an officer
    /// serving the hit member is the caller's knowledge.
    pub fn reader_role(&self, reader: &MemberId, is_officer: bool) -> ReaderRole {
        let acting = self.summary.on_behalf_by == Some(*reader);
        if *reader == self.summary.hit_member || acting {
            ReaderRole::HitMember
        } else if is_officer {
            ReaderRole::Officer
        } else if self.helpers.contains(reader) {
            ReaderRole::Helper
        } else {
            ReaderRole::OtherMember
        }
    }

    /// The timeline lines a reader in `role` may read.
    pub fn timeline_for(&self, role: ReaderRole) -> Vec<&TimelineItem<'_>> {
        self.timeline
            .iter()
            .filter(|item| item.tlp.readable_by(role))
            .collect()
    }
}

impl ReadModel {
    /// Every incident, by author and record id.
    pub fn incidents(&self) -> Vec<IncidentSummary<'_>> {
        self.store
            .incidents
            .incidents
            .iter()
            .map(|(address, incident)| self.incident_summary(address, incident))
            .collect()
    }

    /// A written timeline line, by its address.
    pub fn timeline_entry(&self, address: &RecordAddress) -> Option<&TimelineEntry> {
        self.store.incidents.timeline.get(address)
    }

    /// Every written timeline line, by address.
    pub fn timeline_entries(&self) -> impl Iterator<Item = (&RecordAddress, &TimelineEntry)> {
        self.store.incidents.timeline.iter()
    }

    /// A checklist step record, by its address.
    pub fn incident_step(&self, address: &RecordAddress) -> Option<&IncidentStep> {
        self.store.incidents.steps.get(address)
    }

    /// The member an on-behalf request was posted for, if it was: the
    /// request is listed in an incident its author wrote for another member.
    pub fn request_on_behalf_of(&self, request: &RecordAddress) -> Option<MemberId> {
        let owner_s = RecordAddress::new(request.owner, RecordId::lowest());
        self.store
            .incidents
            .incidents
            .range(owner_s..)
            .take_while(|(address, _)| address.owner == request.owner)
            .find(|(_, incident)| incident.requests.contains(&request.id))
            .and_then(|(_, incident)| incident.on_behalf_of)
    }

    fn incident_summary<'a>(
        &'a self,
        address: &'a RecordAddress,
        incident: &'a Incident,
    ) -> IncidentSummary<'a> {
        let hit_member = incident.on_behalf_of.unwrap_or(address.owner);
        let adopted_by = incident.on_behalf_of.and_then(|hit| {
            self.store
                .incidents
                .incidents
                .iter()
                .filter(|(at, _)| at.owner == hit)
                .find(|(_, own)| {
                    own.adopts.as_ref().is_some_and(|adopted| {
                        adopted.author == address.owner && adopted.incident == address.id
                    })
                })
                .map(|(at, _)| at)
        });
        IncidentSummary {
            address,
            incident,
            hit_member,
            on_behalf_by: incident.on_behalf_of.map(|_| address.owner),
            adopted_by,
        }
    }

    /// The room of one incident at `now_ms`.
    pub fn incident_room(&self, address: &RecordAddress, now_ms: i64) -> Option<IncidentRoom<'_>> {
        let (address, incident) = self.store.incidents.incidents.get_key_value(address)?;
        let summary = self.incident_summary(address, incident);
        let adopted = incident.adopts.as_ref().and_then(|adopted| {
            let at = RecordAddress::new(adopted.author, adopted.incident.clone());
            let (at, other) = self.store.incidents.incidents.get_key_value(&at)?;
            (other.on_behalf_of == Some(address.owner)).then_some(at)
        });
        let sources: Vec<&RecordAddress> = std::iter::once(address).chain(adopted).collect();
        let mut requests = Vec::new();
        for source in &sources {
            if let Some(record) = self.store.incidents.incidents.get(*source) {
                requests.extend(
                    record
                        .requests
                        .iter()
                        .map(|id| RecordAddress::new(source.owner, id.clone())),
                );
            }
        }
        let mut room = IncidentRoom {
            summary,
            adopted,
            steps: Vec::new(),
            clocks: Vec::new(),
            reports: Vec::new(),
            requests,
            helpers: incident.helpers.iter().copied().collect(),
            timeline: Vec::new(),
        };
        self.fill_parts(&mut room, &sources, now_ms);
        self.fill_aid(&mut room);
        room.timeline.sort();
        Some(room)
    }

    /// Steps, reports, clocks and written entries of the incident records.
    ///
    /// `sources[0]` is the leading incident, a further one the on-behalf
    /// incident it adopted. That one's author can still write into its own
    /// document, at any time it likes to claim; so where the hit member
    /// has written a step or a report of a kind itself, only its own
    /// records decide the step's state and whether the clock stopped. The
    /// adopted incident's records carry over where the hit member wrote
    /// none. The timeline shows every record.
    fn fill_parts<'a>(
        &'a self,
        room: &mut IncidentRoom<'a>,
        sources: &[&'a RecordAddress],
        now_ms: i64,
    ) {
        let parts = &self.store.incidents;
        let mut latest_steps: Vec<(Reverse<usize>, &RecordAddress, &IncidentStep)> = Vec::new();
        let mut sent = SentReports::default();
        let mut leading_reports = BTreeSet::new();
        for (rank, source) in sources.iter().enumerate() {
            for key in parts.parts_of(source) {
                let at = RecordAddress::new(source.owner, key.id.clone());
                let Some(at) = self.part_address(key.tag, &at) else {
                    continue;
                };
                match key.tag {
                    RecordTag::IncidentStep => {
                        if let Some(step) = parts.steps.get(at) {
                            latest_steps.push((Reverse(rank), at, step));
                            room.timeline.push(clear(
                                step.updated_at_ms,
                                TimelineEvent::Step { address: at },
                            ));
                        }
                    }
                    RecordTag::IncidentReport => {
                        if let Some(report) = parts.reports.get(at) {
                            if rank == 0 {
                                leading_reports.insert(report.kind);
                            }
                            if let Some(sent_at) = report.sent_at_ms {
                                if rank == 0 || !leading_reports.contains(&report.kind) {
                                    sent.note(report.kind, sent_at);
                                }
                                room.timeline.push(clear(
                                    sent_at,
                                    TimelineEvent::ReportSent {
                                        address: at,
                                        report: report.kind,
                                    },
                                ));
                            }
                            room.reports.push((at, report));
                        }
                    }
                    RecordTag::Timeline => {
                        if let Some(entry) = parts.timeline.get(at) {
                            room.timeline.push(written(at, entry));
                        }
                    }
                    _ => {}
                }
            }
        }
        let incident = room.summary.incident;
        room.clocks = clocks_at(incident.profile, incident.aware_at_ms, &sent, now_ms);
        room.steps = checklist_for(incident.profile)
            .map(|template| {
                let record = latest_steps
                    .iter()
                    .filter(|(_, _, step)| step.step == template.id)
                    .max_by_key(|(rank, at, step)| (*rank, step.updated_at_ms, *at))
                    .map(|(_, _, step)| *step);
                let state = record.map_or(StepState::Open, |step| step.state);
                let due_at_ms = template.due_at_ms(incident.aware_at_ms);
                let settled = matches!(state, StepState::Done | StepState::NotApplicable);
                StepView {
                    template,
                    id: template.id,
                    state,
                    record,
                    due_at_ms,
                    overdue: !settled && due_at_ms.is_some_and(|due| now_ms >= due),
                }
            })
            .collect();
    }

    /// The stored address (borrowed from the store, so views can hold it).
    fn part_address(&self, tag: RecordTag, at: &RecordAddress) -> Option<&RecordAddress> {
        let parts = &self.store.incidents;
        match tag {
            RecordTag::IncidentStep => parts.steps.get_key_value(at).map(|(a, _)| a),
            RecordTag::IncidentReport => parts.reports.get_key_value(at).map(|(a, _)| a),
            RecordTag::Timeline => parts.timeline.get_key_value(at).map(|(a, _)| a),
            _ => None,
        }
    }

    /// Pledges, mission orders, declines and settlements of the room's
    /// requests; pledgers with accepted mission orders become helpers.
    fn fill_aid<'a>(&'a self, room: &mut IncidentRoom<'a>) {
        let store = &self.store;
        for request in &room.requests {
            let Some((request_at, record)) = store.requests.get_key_value(request) else {
                continue;
            };
            room.timeline.push(clear(
                record.created_at_ms,
                TimelineEvent::Request {
                    address: request_at,
                },
            ));
            for (pledge_at, pledge) in store.pledges_in(store.pledges_by_request.get(request)) {
                room.timeline.push(clear(
                    pledge.created_at_ms,
                    TimelineEvent::Pledge { address: pledge_at },
                ));
                for decline_at in store
                    .declines_by_pledge
                    .get(pledge_at)
                    .into_iter()
                    .flatten()
                {
                    if let Some(decline) = store.declines.get(decline_at)
                        && super::store::refuses(decline_at.owner, decline, pledge)
                    {
                        room.timeline.push(clear(
                            decline.declined_at_ms,
                            TimelineEvent::Decline {
                                address: decline_at,
                            },
                        ));
                    }
                }
            }
        }
        let orders: Vec<_> = room
            .requests
            .iter()
            .flat_map(|request| self.mission_orders_for_request(request))
            .collect();
        for order in orders {
            if !matches!(order.pledge, PledgeLink::Joined { .. }) {
                continue;
            }
            room.helpers.insert(order.pledger);
            room.timeline.push(clear(
                order.acceptance.accepted_at_ms,
                TimelineEvent::MissionOrder {
                    address: order.address,
                    status: order.acceptance.status,
                },
            ));
            for settlement_at in store
                .settlements_by_acceptance
                .get(order.address)
                .into_iter()
                .flatten()
            {
                if let Some(settlement) = store.settlements.get(settlement_at)
                    && settlement_at.owner == order.pledger
                {
                    room.timeline.push(clear(
                        settlement.recorded_at_ms,
                        TimelineEvent::Settlement {
                            address: settlement_at,
                        },
                    ));
                }
            }
        }
    }
}

fn clear(at_ms: i64, event: TimelineEvent<'_>) -> TimelineItem<'_> {
    TimelineItem {
        at_ms,
        tlp: Tlp::Clear,
        event,
    }
}

fn written<'a>(address: &'a RecordAddress, entry: &TimelineEntry) -> TimelineItem<'a> {
    TimelineItem {
        at_ms: entry.at_ms,
        tlp: entry.tlp,
        event: TimelineEvent::Entry { address },
    }
}
