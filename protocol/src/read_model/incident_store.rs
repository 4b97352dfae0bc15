//! The incident room's records of every document, keyed by owner and
//! record id, with an index from each incident to its steps, reports and
//! timeline entries (all in the same document as the incident). Like
//! [`super::store`], a pure function of the records it holds.

use std::collections::{BTreeMap, BTreeSet};

use super::store::RecordAddress;
use crate::ids::{MemberId, RecordId};
use crate::incident::{Incident, IncidentReport, IncidentStep, TimelineEntry};
use crate::model::{Record, RecordKey, RecordTag};

/// Incident records with their per-incident index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IncidentStore {
    pub(crate) incidents: BTreeMap<RecordAddress, Incident>,
    pub(crate) steps: BTreeMap<RecordAddress, IncidentStep>,
    pub(crate) reports: BTreeMap<RecordAddress, IncidentReport>,
    pub(crate) timeline: BTreeMap<RecordAddress, TimelineEntry>,
    /// Steps, reports and timeline entries by the incident they name.
    pub(crate) parts_by_incident: BTreeMap<RecordAddress, BTreeSet<RecordKey>>,
}

fn incident_of(owner: MemberId, incident: &RecordId) -> RecordAddress {
    RecordAddress::new(owner, incident.clone())
}

impl IncidentStore {
    /// Takes an incident-room record; any other record is not its own and
    /// is ignored.
    pub(crate) fn insert(&mut self, owner: MemberId, key: &RecordKey, record: Record) {
        let address = RecordAddress::new(owner, key.id.clone());
        let incident = match record {
            Record::Incident(incident) => {
                self.incidents.insert(address, incident);
                return;
            }
            Record::IncidentStep(r) => {
                let incident = r.incident.clone();
                self.steps.insert(address, r);
                incident
            }
            Record::IncidentReport(r) => {
                let incident = r.incident.clone();
                self.reports.insert(address, r);
                incident
            }
            Record::Timeline(r) => {
                let incident = r.incident.clone();
                self.timeline.insert(address, r);
                incident
            }
            _ => return,
        };
        self.parts_by_incident
            .entry(incident_of(owner, &incident))
            .or_default()
            .insert(key.clone());
    }

    /// Removes an incident-room record, if `key` names one.
    pub(crate) fn remove(&mut self, owner: MemberId, key: &RecordKey) -> Option<Record> {
        let address = RecordAddress::new(owner, key.id.clone());
        let (incident, record) = match key.tag {
            RecordTag::Incident => return self.incidents.remove(&address).map(Record::Incident),
            RecordTag::IncidentStep => {
                let r = self.steps.remove(&address)?;
                (r.incident.clone(), Record::IncidentStep(r))
            }
            RecordTag::IncidentReport => {
                let r = self.reports.remove(&address)?;
                (r.incident.clone(), Record::IncidentReport(r))
            }
            RecordTag::Timeline => {
                let r = self.timeline.remove(&address)?;
                (r.incident.clone(), Record::Timeline(r))
            }
            _ => return None,
        };
        let incident = incident_of(owner, &incident);
        if let Some(set) = self.parts_by_incident.get_mut(&incident) {
            set.remove(key);
            if set.is_empty() {
                self.parts_by_incident.remove(&incident);
            }
        }
        Some(record)
    }

    /// The keys of an incident's steps, reports and timeline entries.
    pub(crate) fn parts_of(&self, incident: &RecordAddress) -> impl Iterator<Item = &RecordKey> {
        self.parts_by_incident.get(incident).into_iter().flatten()
    }
}
