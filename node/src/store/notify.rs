//! The notification outbox: every alert the notifier has seen, with its
//! delivery state and log, so that an alert is stored before it is sent
//! and is never sent again for the same id, across restarts. Bounded to
//! [`NOTIFY_EVENTS_MAX`] rows. Never sends and never decides who is told
//! what (`crate::notify` does).

use std::collections::BTreeSet;

use redb::{ReadableTable, ReadableTableMetadata, TableDefinition, TableError};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};

/// Most events kept in the outbox; the oldest finished ones go first.
pub const NOTIFY_EVENTS_MAX: usize = 2_000;
/// Most delivery lines kept per event; the oldest go first.
pub const DELIVERY_LINES_MAX: usize = 32;

/// Event number → postcard-encoded [`NotifyEvent`].
const NOTIFY_EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("notify_events");
/// Alert id → event number: the "already seen" index.
const NOTIFY_IDS: TableDefinition<&str, u64> = TableDefinition::new("notify_ids");
/// Notifier state: [`STARTED_AT`] and [`NEXT_SEQ`].
const NOTIFY_STATE: TableDefinition<&str, i64> = TableDefinition::new("notify_state");
/// When the notifier first ran on this store, ms since the epoch.
const STARTED_AT: &str = "started_at_ms";
const NEXT_SEQ: &str = "next_seq";

const READING: &str = "reading the notification outbox";
const WRITING: &str = "writing the notification outbox";

/// Where an event stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotifyStatus {
    /// Already true when the notifier first ran: recorded, never sent.
    Baseline,
    /// Being sent to, or waiting for an acknowledgement from, a contact.
    Open,
    /// An operator acknowledged it; nothing more is sent.
    Acknowledged {
        /// The account that acknowledged.
        by: String,
        /// When, ms since the epoch.
        at_ms: i64,
    },
    /// The last contact did not acknowledge within the escalation time.
    Unanswered,
}

/// One line of an event's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// Which contact (index in the configured order).
    pub contact: u32,
    /// `email`, `webhook` or `escalation`.
    pub channel: String,
    /// Whether it went through.
    pub ok: bool,
    /// The server's answer or the error.
    pub detail: String,
}

/// One alert in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyEvent {
    /// Event number, counted up from 1; the acknowledgement route uses it.
    pub seq: u64,
    /// The alert's stable id.
    pub alert_id: String,
    /// What kind of alert (`new_request`, `clock_overdue`, …).
    pub kind: String,
    /// German subject.
    pub subject_de: String,
    /// English subject.
    pub subject_en: String,
    /// When it was recorded, ms since the epoch.
    pub created_ms: i64,
    /// Where it stands.
    pub status: NotifyStatus,
    /// The contact being notified (index in the configured order).
    pub contact: u32,
    /// Since when that contact is being notified, ms since the epoch.
    pub contact_since_ms: i64,
    /// Channels of that contact that went through (bit 0 e-mail, bit 1 webhook).
    pub channels_done: u8,
    /// Failed rounds for that contact so far.
    pub attempts: u32,
    /// When the next round may run, ms since the epoch.
    pub next_attempt_ms: i64,
    /// What was sent where, oldest first.
    pub log: Vec<DeliveryLine>,
}

impl NotifyEvent {
    /// Adds `line` to the log, dropping the oldest beyond
    /// [`DELIVERY_LINES_MAX`].
    pub fn note(&mut self, line: DeliveryLine) {
        self.log.push(line);
        if self.log.len() > DELIVERY_LINES_MAX {
            self.log.remove(0);
        }
    }
}

/// An alert to record: id, kind and subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// Stable id.
    pub id: String,
    /// Kind, as in [`NotifyEvent::kind`].
    pub kind: String,
    /// German subject.
    pub subject_de: String,
    /// English subject.
    pub subject_en: String,
}

impl Store {
    /// When the notifier first ran on this store, if it has.
    pub fn notify_started_at_ms(&self) -> Result<Option<i64>, StoreError> {
        let txn = self.read_txn(READING)?;
        let table = match txn.open_table(NOTIFY_STATE) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
        };
        let value = table
            .get(STARTED_AT)
            .map_err(StoreError::database(&self.path, READING))?;
        Ok(value.map(|v| v.value()))
    }

    /// Records every alert of `alerts` whose id the outbox has not seen,
    /// in one durable transaction, as [`NotifyStatus::Baseline`] on the
    /// notifier's first run (no start time yet; it is set now) and as
    /// [`NotifyStatus::Open`] after. `current` names the alerts that hold
    /// now: beyond [`NOTIFY_EVENTS_MAX`] rows, rows of alerts no longer
    /// current go first, so that a live alert is not forgotten and sent
    /// again. Returns the new open events.
    pub fn notify_record(
        &self,
        alerts: &[NewAlert],
        now_ms: i64,
    ) -> Result<Vec<NotifyEvent>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, WRITING);
        let current: BTreeSet<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
        let txn = self.begin_durable(WRITING)?;
        let mut opened = Vec::new();
        // Rows changed: a round whose alerts are all recorded (the usual
        // case, every few seconds) commits nothing and costs no fsync.
        let mut written = 0;
        {
            let mut state = txn
                .open_table(NOTIFY_STATE)
                .map_err(StoreError::database(&self.path, WRITING))?;
            let mut ids = txn
                .open_table(NOTIFY_IDS)
                .map_err(StoreError::database(&self.path, WRITING))?;
            let mut events = txn
                .open_table(NOTIFY_EVENTS)
                .map_err(StoreError::database(&self.path, WRITING))?;
            let first_run = state.get(STARTED_AT).map_err(failed())?.is_none();
            if first_run {
                state.insert(STARTED_AT, now_ms).map_err(failed())?;
            }
            if first_run {
                written += 1;
            }
            let mut next_seq = state
                .get(NEXT_SEQ)
                .map_err(failed())?
                .map_or(1, |v| v.value().max(1));
            for alert in alerts {
                if ids.get(alert.id.as_str()).map_err(failed())?.is_some() {
                    continue;
                }
                let seq = u64::try_from(next_seq).unwrap_or(u64::MAX);
                next_seq += 1;
                let event = NotifyEvent {
                    seq,
                    alert_id: alert.id.clone(),
                    kind: alert.kind.clone(),
                    subject_de: alert.subject_de.clone(),
                    subject_en: alert.subject_en.clone(),
                    created_ms: now_ms,
                    status: if first_run {
                        NotifyStatus::Baseline
                    } else {
                        NotifyStatus::Open
                    },
                    contact: 0,
                    contact_since_ms: now_ms,
                    channels_done: 0,
                    attempts: 0,
                    next_attempt_ms: now_ms,
                    log: Vec::new(),
                };
                events
                    .insert(seq, self.encode_event(&event)?.as_slice())
                    .map_err(failed())?;
                ids.insert(alert.id.as_str(), seq).map_err(failed())?;
                written += 1;
                if event.status == NotifyStatus::Open {
                    opened.push(event);
                }
            }
            if written > 0 {
                state.insert(NEXT_SEQ, next_seq).map_err(failed())?;
            }
            while events.len().map_err(failed())? > NOTIFY_EVENTS_MAX as u64 {
                let mut rows = Vec::new();
                for row in events.iter().map_err(failed())? {
                    let (key, value) = row.map_err(failed())?;
                    rows.push((key.value(), self.decode_event(value.value())?));
                }
                // Oldest first: a finished row of a past alert, else any
                // finished row, else the oldest row.
                let finished = |e: &NotifyEvent| e.status != NotifyStatus::Open;
                let victim = rows
                    .iter()
                    .find(|(_, e)| finished(e) && !current.contains(e.alert_id.as_str()))
                    .or_else(|| rows.iter().find(|(_, e)| finished(e)))
                    .or_else(|| rows.first());
                let Some((seq, event)) = victim else { break };
                events.remove(*seq).map_err(failed())?;
                ids.remove(event.alert_id.as_str()).map_err(failed())?;
            }
        }
        self.finish(txn, written, WRITING)?;
        Ok(opened)
    }

    /// Every event in the outbox, newest first, at most `limit`.
    pub fn notify_events(&self, limit: usize) -> Result<Vec<NotifyEvent>, StoreError> {
        let txn = self.read_txn(READING)?;
        let table = match txn.open_table(NOTIFY_EVENTS) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(error) => return Err(StoreError::database(&self.path, READING)(error)),
        };
        let failed = || StoreError::database::<redb::StorageError>(&self.path, READING);
        let mut rows = Vec::new();
        for row in table.iter().map_err(failed())?.rev().take(limit) {
            let (_, value) = row.map_err(failed())?;
            rows.push(self.decode_event(value.value())?);
        }
        Ok(rows)
    }

    /// Changes event `seq` by `change` in one durable transaction, on its
    /// current stored state (an acknowledgement that came in while it was
    /// being sent is kept). Returns the changed event, or `None` if there
    /// is no such event.
    pub fn notify_update(
        &self,
        seq: u64,
        change: impl FnOnce(&mut NotifyEvent),
    ) -> Result<Option<NotifyEvent>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, WRITING);
        let txn = self.begin_durable(WRITING)?;
        let event = {
            let mut events = txn
                .open_table(NOTIFY_EVENTS)
                .map_err(StoreError::database(&self.path, WRITING))?;
            let stored = match events.get(seq).map_err(failed())? {
                Some(value) => Some(self.decode_event(value.value())?),
                None => None,
            };
            match stored {
                Some(mut event) => {
                    change(&mut event);
                    events
                        .insert(seq, self.encode_event(&event)?.as_slice())
                        .map_err(failed())?;
                    Some(event)
                }
                None => None,
            }
        };
        self.finish(txn, usize::from(event.is_some()), WRITING)?;
        Ok(event)
    }

    fn encode_event(&self, event: &NotifyEvent) -> Result<Vec<u8>, StoreError> {
        postcard::to_stdvec(event).map_err(|error| StoreError::Refused {
            what: "notification event",
            detail: error.to_string(),
        })
    }

    fn decode_event(&self, bytes: &[u8]) -> Result<NotifyEvent, StoreError> {
        postcard::from_bytes(bytes)
            .map_err(|error| self.damaged(format!("a notification event does not decode: {error}")))
    }
}
