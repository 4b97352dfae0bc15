//! On-call notifications: tells the contacts of `[notify]` about this
//! member's alerts (a new request in the pact, a pledge on its request, an
//! acceptance of its pledge, its legal clocks at 80 % and overdue, a
//! member unreachable for too long), by e-mail and JSON webhook, and
//! escalates to the next contact when nobody acknowledges in time.
//!
//! Each round: the current alerts are computed (`alerts.rs`); those the
//! outbox has not seen are stored durably (`store/notify.rs`) before
//! anything is sent; then each open event is sent, retried with capped
//! exponential backoff, or escalated. An alert id is recorded once and
//! never recorded again, so a restart never sends it twice. On the
//! notifier's very first run every alert that already holds is recorded
//! as `Baseline` and not sent: an install must not page anyone for last
//! month's requests. Never decides what an alert is (the read model does).

pub mod alerts;
pub mod message;
pub mod smtp;
pub mod webhook;

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Contact, NotifyConfig};
use crate::core::SharedCore;
use crate::store::{
    DeliveryLine, NOTIFY_EVENTS_MAX, NewAlert, NotifyEvent, NotifyStatus, Store, StoreError,
};
use smtp::SmtpSettings;

/// Most channel calls (e-mails plus webhook calls) per round, so that a
/// burst of alerts cannot tie the notifier up; the rest wait a round.
pub const SENDS_PER_RUN_MAX: usize = 16;
/// Wait before the first retry of a failed channel, in ms; doubled per
/// failed round up to [`RETRY_MAX_MS`].
pub const RETRY_FIRST_MS: i64 = 30_000;
/// Longest wait between retries, in ms.
pub const RETRY_MAX_MS: i64 = 15 * 60_000;
/// Time between rounds when nothing changes.
pub const TICK: Duration = Duration::from_secs(20);
/// Pause after a change before the round, so that a sync burst is one round.
pub const CHANGE_SETTLE: Duration = Duration::from_secs(2);

const EMAIL: u8 = 1;
const WEBHOOK: u8 = 2;

/// The notifier's settings, from `[notify]`.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// Contacts in escalation order.
    pub contacts: Vec<Contact>,
    /// The SMTP server, if any contact has e-mail.
    pub smtp: Option<SmtpSettings>,
    /// Time a contact has to acknowledge, in ms.
    pub escalation_ms: i64,
    /// Time without contact after which a member is unreachable, in ms.
    pub unreachable_ms: i64,
    /// This member's name, for the messages.
    pub node_name: String,
}

impl NotifySettings {
    /// The settings of a checked `[notify]` section; reads the SMTP
    /// password file if there is one.
    pub fn from_config(config: &NotifyConfig, node_name: &str) -> anyhow::Result<Self> {
        let minutes = |m: u64| i64::try_from(m).unwrap_or(i64::MAX / 60_000) * 60_000;
        let login = match (&config.smtp_user, &config.smtp_password_file) {
            (Some(user), Some(path)) => {
                let password = std::fs::read_to_string(path).map_err(|error| {
                    anyhow::anyhow!(
                        "cannot read notify.smtp_password_file {}: {error}",
                        path.display()
                    )
                })?;
                Some(smtp::SmtpLogin {
                    user: user.clone(),
                    password: password.trim_end_matches(['\r', '\n']).to_owned(),
                })
            }
            _ => None,
        };
        Ok(Self {
            contacts: config.contacts.clone(),
            smtp: match (&config.smtp_server, &config.smtp_from) {
                (Some(server), Some(from)) => Some(SmtpSettings {
                    server: server.clone(),
                    security: config.smtp_security,
                    from: from.clone(),
                    login,
                }),
                _ => None,
            },
            escalation_ms: minutes(config.escalation_minutes),
            unreachable_ms: minutes(config.unreachable_minutes),
            node_name: node_name.to_owned(),
        })
    }
}

/// Something that lends the store for a moment (the node's own handle on
/// it, `Store::handle`, so that no round takes the core's lock, or a
/// locked store in tests). Never held across a send.
pub trait StoreAccess {
    /// Runs `f` on the store.
    fn with_store<R>(&self, f: impl FnOnce(&Store) -> R) -> R;
}

impl StoreAccess for Store {
    fn with_store<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(self)
    }
}

impl StoreAccess for std::sync::Mutex<Store> {
    fn with_store<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&self
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// Sends and escalates the outbox's open events.
#[derive(Debug)]
pub struct Notifier {
    settings: NotifySettings,
}

impl Notifier {
    /// A notifier with `settings`.
    pub fn new(settings: NotifySettings) -> Self {
        Self { settings }
    }

    /// One round at `now_ms`: records the `alerts` not seen before, then
    /// sends, retries and escalates. Returns the channel calls made.
    pub async fn run_once(
        &self,
        store: &impl StoreAccess,
        alerts: &[NewAlert],
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        store.with_store(|s| s.notify_record(alerts, now_ms))?;
        let mut open: Vec<NotifyEvent> = store
            .with_store(|s| s.notify_events(NOTIFY_EVENTS_MAX))?
            .into_iter()
            .filter(|e| e.status == NotifyStatus::Open)
            .collect();
        open.reverse();
        let mut sends = 0;
        for event in open {
            let Some(event) = self.escalate(store, event, now_ms)? else {
                continue;
            };
            let index = event.contact as usize;
            let Some(contact) = self.settings.contacts.get(index) else {
                continue;
            };
            let wanted = channels(contact);
            let missing = wanted & !event.channels_done;
            if missing == 0 || now_ms < event.next_attempt_ms {
                continue;
            }
            if sends + missing.count_ones() as usize > SENDS_PER_RUN_MAX {
                break;
            }
            let (done, lines) = self.send(&event, contact, missing, now_ms).await;
            sends += lines.len();
            store.with_store(|s| {
                s.notify_update(event.seq, |stored| {
                    for line in lines {
                        stored.note(line);
                    }
                    if stored.contact == event.contact {
                        stored.channels_done |= done;
                        if stored.channels_done & wanted != wanted {
                            stored.attempts = stored.attempts.saturating_add(1);
                            stored.next_attempt_ms = now_ms + backoff_ms(stored.attempts);
                        }
                    }
                })
            })?;
        }
        Ok(sends)
    }

    /// Moves `event` to the next contact once its contact's escalation
    /// time is over, or marks it unanswered after the last. Returns the
    /// event if it is still open.
    fn escalate(
        &self,
        store: &impl StoreAccess,
        event: NotifyEvent,
        now_ms: i64,
    ) -> Result<Option<NotifyEvent>, StoreError> {
        if now_ms.saturating_sub(event.contact_since_ms) < self.settings.escalation_ms
            && (event.contact as usize) < self.settings.contacts.len()
        {
            return Ok(Some(event));
        }
        let next = event.contact.saturating_add(1);
        let next_contact = self.settings.contacts.get(next as usize);
        let updated = store.with_store(|s| {
            s.notify_update(event.seq, |stored| {
                if stored.status != NotifyStatus::Open {
                    return;
                }
                let detail = match next_contact {
                    Some(contact) => {
                        stored.contact = next;
                        stored.contact_since_ms = now_ms;
                        stored.channels_done = 0;
                        stored.attempts = 0;
                        stored.next_attempt_ms = now_ms;
                        format!(
                            "keine Bestätigung, weiter an {} / not acknowledged, escalated",
                            contact.name
                        )
                    }
                    None => {
                        stored.status = NotifyStatus::Unanswered;
                        "keine Bestätigung vom letzten Kontakt / nobody acknowledged".to_owned()
                    }
                };
                stored.note(DeliveryLine {
                    at_ms: now_ms,
                    contact: stored.contact,
                    channel: "escalation".into(),
                    ok: next_contact.is_some(),
                    detail,
                });
            })
        })?;
        Ok(updated.filter(|e| e.status == NotifyStatus::Open))
    }

    /// Sends `event` to `contact` on the `missing` channels; returns the
    /// channels that went through and a log line per call.
    async fn send(
        &self,
        event: &NotifyEvent,
        contact: &Contact,
        missing: u8,
        now_ms: i64,
    ) -> (u8, Vec<DeliveryLine>) {
        let next = self
            .settings
            .contacts
            .get(event.contact as usize + 1)
            .map(|c| c.name.as_str());
        let minutes = u64::try_from(self.settings.escalation_ms / 60_000).unwrap_or(0);
        let text = message::body(event, &self.settings.node_name, next, minutes);
        let mut done = 0;
        let mut lines = Vec::new();
        let line = |channel: &str, result: Result<String, String>| DeliveryLine {
            at_ms: now_ms,
            contact: event.contact,
            channel: channel.to_owned(),
            ok: result.is_ok(),
            detail: result.unwrap_or_else(|e| e),
        };
        if missing & EMAIL != 0
            && let Some(to) = &contact.email
        {
            let result = match &self.settings.smtp {
                Some(smtp) => smtp::send(smtp, to, &message::subject(event), text.clone()).await,
                None => Err("no SMTP server configured".into()),
            };
            if result.is_ok() {
                done |= EMAIL;
            }
            lines.push(line("email", result));
        }
        if missing & WEBHOOK != 0
            && let Some(url) = &contact.webhook
        {
            let body = message::WebhookBody {
                event: event.seq,
                alert: &event.alert_id,
                kind: &event.kind,
                subject_de: &event.subject_de,
                subject_en: &event.subject_en,
                text: text.clone(),
                node: &self.settings.node_name,
                contact: &contact.name,
                ack: message::ack_path(event.seq),
            };
            let result = match serde_json::to_vec(&body) {
                Ok(json) => webhook::post(url, &json).await,
                Err(error) => Err(error.to_string()),
            };
            if result.is_ok() {
                done |= WEBHOOK;
            }
            lines.push(line("webhook", result));
        }
        (done, lines)
    }
}

/// The channels `contact` has.
fn channels(contact: &Contact) -> u8 {
    (if contact.email.is_some() { EMAIL } else { 0 })
        | (if contact.webhook.is_some() {
            WEBHOOK
        } else {
            0
        })
}

/// Wait after `attempts` failed rounds: doubling from
/// [`RETRY_FIRST_MS`], at most [`RETRY_MAX_MS`].
pub fn backoff_ms(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(20);
    RETRY_FIRST_MS
        .saturating_mul(1 << doublings)
        .min(RETRY_MAX_MS)
}

/// Starts the notifier: a round every [`TICK`] and shortly after each
/// stored change, until `shutdown`.
pub fn spawn(
    core: SharedCore,
    settings: NotifySettings,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let unreachable_ms = settings.unreachable_ms;
        let notifier = Notifier::new(settings);
        // The outbox lives on the store's second handle: recording and
        // updating events never waits for, or holds up, the core's lock.
        let (mut changes, store) = {
            let core = core.lock();
            (core.subscribe_changes(), core.store().handle())
        };
        // Silence before this start is the node's own downtime, not the
        // members': they count as unreachable only once this process has
        // not heard from them for the whole threshold.
        let started_ms = crate::clock::now_ms();
        loop {
            let now_ms = crate::clock::now_ms();
            // On the blocking pool: waiting for the core's lock (held by
            // a sync commit) must not hold up a runtime thread.
            let alerts_core = core.clone();
            let alerts = tokio::task::spawn_blocking(move || {
                alerts::current_alerts(&alerts_core.lock(), unreachable_ms, started_ms, now_ms)
            })
            .await;
            let round = match alerts {
                Ok(Ok(alerts)) => notifier.run_once(&store, &alerts, now_ms).await,
                Ok(Err(error)) => Err(error),
                Err(error) => {
                    tracing::error!(%error, "notification round failed");
                    Ok(0)
                }
            };
            if let Err(error) = round {
                tracing::warn!(%error, "notification round failed");
            }
            tokio::select! {
                _ = shutdown.changed() => break,
                changed = changes.changed() => {
                    let pause = if changed.is_ok() { CHANGE_SETTLE } else { TICK };
                    tokio::time::sleep(pause).await;
                }
                () = tokio::time::sleep(TICK) => {}
            }
        }
    })
}

/// Acknowledges event `seq` for `account`: nothing more is sent or
/// escalated. Returns the event, or `None` if there is none.
pub fn acknowledge(
    store: &Store,
    seq: u64,
    account: &str,
    now_ms: i64,
) -> Result<Option<NotifyEvent>, StoreError> {
    store.notify_update(seq, |event| {
        if matches!(event.status, NotifyStatus::Open | NotifyStatus::Unanswered) {
            event.status = NotifyStatus::Acknowledged {
                by: account.to_owned(),
                at_ms: now_ms,
            };
        }
    })
}
