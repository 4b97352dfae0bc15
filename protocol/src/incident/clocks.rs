//! The legal clocks of an incident, as pure functions of the awareness time,
//! the time the caller says it is, and when reports were marked as sent.
//!
//! - GDPR Art. 33: the personal-data breach is reported to the data
//!   protection authority within 72 hours of becoming aware of it.
//! - § 32 BSIG (NIS-2 entities only): an early warning within 24 hours of
//!   becoming aware of a significant incident, a notification within 72
//!   hours, a final report one month after the notification.
//!
//! A clock reminds at 80 % of its span and is overdue at its deadline; a
//! report marked as sent stops its clock. The final report's month counts
//! from the notification's sent time, or, while the notification is not
//! sent, from the notification's deadline (so the date shown can only move
//! later once the notification goes out, never surprise anyone earlier).
//! Calendar months are counted in UTC; the day is clamped to the month's
//! last day (31 Jan + 1 month = 28/29 Feb).
//!
//! Nothing here reads a clock: `now_ms` is always an argument.

use crate::calendar::{civil_from_days, days_from_civil};
use crate::model::DAY_MS;
use serde::{Deserialize, Serialize};

/// One minute, in milliseconds.
pub const MINUTE_MS: i64 = 60_000;
/// One hour, in milliseconds.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// GDPR Art. 33: report within 72 hours of awareness.
pub const GDPR_ART33_MS: i64 = 72 * HOUR_MS;
/// § 32 (1) 1 BSIG: early warning within 24 hours of awareness.
pub const BSIG_EARLY_WARNING_MS: i64 = 24 * HOUR_MS;
/// § 32 (1) 2 BSIG: notification within 72 hours of awareness.
pub const BSIG_NOTIFICATION_MS: i64 = 72 * HOUR_MS;
/// The reminder fires when this share of a clock's span, in per cent, has
/// passed.
pub const REMINDER_PERCENT: i64 = 80;

/// Which legal clocks run for an incident.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum ClockProfile {
    /// Every municipality: GDPR Art. 33 only.
    #[serde(rename = "gdpr")]
    Gdpr,
    /// Regulated entities (e.g. a Stadtwerk): GDPR Art. 33 and § 32 BSIG.
    #[serde(rename = "gdpr+bsig32")]
    GdprBsig32,
}

impl ClockProfile {
    /// The clocks of this profile, in deadline order of a fresh incident.
    pub fn clocks(self) -> &'static [ClockKind] {
        match self {
            ClockProfile::Gdpr => &[ClockKind::GdprArt33],
            ClockProfile::GdprBsig32 => &[
                ClockKind::BsigEarlyWarning,
                ClockKind::GdprArt33,
                ClockKind::BsigNotification,
                ClockKind::BsigFinalReport,
            ],
        }
    }

    /// The stored id.
    pub fn id(self) -> &'static str {
        match self {
            ClockProfile::Gdpr => "gdpr",
            ClockProfile::GdprBsig32 => "gdpr+bsig32",
        }
    }
}

/// One legal deadline; each has exactly one report.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Art. 33 GDPR report to the data protection authority.
    GdprArt33,
    /// § 32 BSIG early warning.
    BsigEarlyWarning,
    /// § 32 BSIG notification.
    BsigNotification,
    /// § 32 BSIG final report.
    BsigFinalReport,
}

impl ClockKind {
    /// Every kind.
    pub const ALL: [ClockKind; 4] = [
        ClockKind::GdprArt33,
        ClockKind::BsigEarlyWarning,
        ClockKind::BsigNotification,
        ClockKind::BsigFinalReport,
    ];

    /// Stable id, as stored and used in notification event ids.
    pub fn id(self) -> &'static str {
        match self {
            ClockKind::GdprArt33 => "gdpr_art33",
            ClockKind::BsigEarlyWarning => "bsig_early_warning",
            ClockKind::BsigNotification => "bsig_notification",
            ClockKind::BsigFinalReport => "bsig_final_report",
        }
    }

    /// German label.
    pub fn label_de(self) -> &'static str {
        match self {
            ClockKind::GdprArt33 => "Meldung an die Datenschutzaufsicht (Art. 33 DSGVO)",
            ClockKind::BsigEarlyWarning => "Frühe Erstmeldung (§ 32 Abs. 1 Nr. 1 BSIG)",
            ClockKind::BsigNotification => "Meldung (§ 32 Abs. 1 Nr. 2 BSIG)",
            ClockKind::BsigFinalReport => "Abschlussmeldung (§ 32 Abs. 1 Nr. 4 BSIG)",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            ClockKind::GdprArt33 => "Report to the data protection authority (Art. 33 GDPR)",
            ClockKind::BsigEarlyWarning => "Early warning (§ 32 (1) 1 BSIG)",
            ClockKind::BsigNotification => "Notification (§ 32 (1) 2 BSIG)",
            ClockKind::BsigFinalReport => "Final report (§ 32 (1) 4 BSIG)",
        }
    }
}

/// When reports of one incident were marked as sent, ms since the epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SentReports {
    /// Art. 33 GDPR report.
    pub gdpr_art33: Option<i64>,
    /// § 32 BSIG early warning.
    pub bsig_early_warning: Option<i64>,
    /// § 32 BSIG notification.
    pub bsig_notification: Option<i64>,
    /// § 32 BSIG final report.
    pub bsig_final_report: Option<i64>,
}

impl SentReports {
    /// When the report of `kind` was sent, if it was.
    pub fn of(&self, kind: ClockKind) -> Option<i64> {
        match kind {
            ClockKind::GdprArt33 => self.gdpr_art33,
            ClockKind::BsigEarlyWarning => self.bsig_early_warning,
            ClockKind::BsigNotification => self.bsig_notification,
            ClockKind::BsigFinalReport => self.bsig_final_report,
        }
    }

    /// Notes that the report of `kind` was sent at `at_ms`; the earliest
    /// sent time wins, so the order reports are read in does not matter.
    pub fn note(&mut self, kind: ClockKind, at_ms: i64) {
        let slot = match kind {
            ClockKind::GdprArt33 => &mut self.gdpr_art33,
            ClockKind::BsigEarlyWarning => &mut self.bsig_early_warning,
            ClockKind::BsigNotification => &mut self.bsig_notification,
            ClockKind::BsigFinalReport => &mut self.bsig_final_report,
        };
        *slot = Some(slot.map_or(at_ms, |earlier| earlier.min(at_ms)));
    }
}

/// Where a clock stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum ClockPhase {
    /// Less than 80 % of the span has passed.
    Running,
    /// At least 80 % has passed, the deadline has not.
    Reminder,
    /// The deadline has passed and the report is not sent.
    Overdue,
    /// The report was marked as sent.
    Sent {
        /// When it was sent.
        at_ms: i64,
        /// Whether it went out after the deadline.
        late: bool,
    },
}

/// One clock of an incident at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Clock {
    /// Which deadline.
    pub kind: ClockKind,
    /// When its span starts (awareness; for the final report, the
    /// notification).
    pub starts_at_ms: i64,
    /// The deadline.
    pub due_at_ms: i64,
    /// When the 80 % reminder is due.
    pub reminder_at_ms: i64,
    /// Deadline minus now; negative once overdue.
    pub left_ms: i64,
    /// Where it stands.
    pub phase: ClockPhase,
}

/// The span of one clock: when it starts and when it is due.
pub fn span(kind: ClockKind, aware_at_ms: i64, sent: &SentReports) -> (i64, i64) {
    match kind {
        ClockKind::GdprArt33 => (aware_at_ms, aware_at_ms.saturating_add(GDPR_ART33_MS)),
        ClockKind::BsigEarlyWarning => (
            aware_at_ms,
            aware_at_ms.saturating_add(BSIG_EARLY_WARNING_MS),
        ),
        ClockKind::BsigNotification => (
            aware_at_ms,
            aware_at_ms.saturating_add(BSIG_NOTIFICATION_MS),
        ),
        ClockKind::BsigFinalReport => {
            let notification = sent
                .bsig_notification
                .unwrap_or(aware_at_ms.saturating_add(BSIG_NOTIFICATION_MS));
            (notification, add_one_month(notification))
        }
    }
}

/// The clock of `kind` at `now_ms`.
pub fn clock(kind: ClockKind, aware_at_ms: i64, sent: &SentReports, now_ms: i64) -> Clock {
    let (starts_at_ms, due_at_ms) = span(kind, aware_at_ms, sent);
    let length = due_at_ms.saturating_sub(starts_at_ms).max(0);
    let reminder_at_ms = starts_at_ms
        .saturating_add(length / 100 * REMINDER_PERCENT + length % 100 * REMINDER_PERCENT / 100);
    let phase = match sent.of(kind) {
        Some(at_ms) => ClockPhase::Sent {
            at_ms,
            late: at_ms > due_at_ms,
        },
        None if now_ms >= due_at_ms => ClockPhase::Overdue,
        None if now_ms >= reminder_at_ms => ClockPhase::Reminder,
        None => ClockPhase::Running,
    };
    Clock {
        kind,
        starts_at_ms,
        due_at_ms,
        reminder_at_ms,
        left_ms: due_at_ms.saturating_sub(now_ms),
        phase,
    }
}

/// Every clock of `profile` at `now_ms`.
pub fn clocks(
    profile: ClockProfile,
    aware_at_ms: i64,
    sent: &SentReports,
    now_ms: i64,
) -> Vec<Clock> {
    profile
        .clocks()
        .iter()
        .map(|kind| clock(*kind, aware_at_ms, sent, now_ms))
        .collect()
}

/// The same time of day one calendar month later (UTC), the day clamped to
/// the target month's length.
pub fn add_one_month(ms: i64) -> i64 {
    let days = ms.div_euclid(DAY_MS);
    let time_of_day = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    let (year, month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let day = day.min(days_in_month(year, month));
    days_from_civil(year, month, day)
        .saturating_mul(DAY_MS)
        .saturating_add(time_of_day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests;
