use super::*;

/// 2026-12-06T08:00:00Z.
const AWARE: i64 = 1_796_544_000_000;

fn at(kind: ClockKind, sent: &SentReports, now: i64) -> Clock {
    clock(kind, AWARE, sent, now)
}

#[test]
fn gdpr_is_due_72_hours_after_awareness_not_after_opening() {
    let none = SentReports::default();
    let ten_hours_in = AWARE + 10 * HOUR_MS;
    let c = at(ClockKind::GdprArt33, &none, ten_hours_in);
    assert_eq!(c.due_at_ms, AWARE + 72 * HOUR_MS);
    assert_eq!(c.left_ms, 62 * HOUR_MS);
    assert_eq!(c.phase, ClockPhase::Running);
}

#[test]
fn the_reminder_fires_at_80_percent_and_overdue_at_the_deadline() {
    let none = SentReports::default();
    let c = at(ClockKind::GdprArt33, &none, AWARE);
    // 80 % of 72 h is 57.6 h = 57 h 36 min.
    assert_eq!(c.reminder_at_ms, AWARE + 57 * HOUR_MS + 36 * MINUTE_MS);
    let just_before = at(ClockKind::GdprArt33, &none, c.reminder_at_ms - 1);
    assert_eq!(just_before.phase, ClockPhase::Running);
    assert_eq!(
        at(ClockKind::GdprArt33, &none, c.reminder_at_ms).phase,
        ClockPhase::Reminder
    );
    assert_eq!(
        at(ClockKind::GdprArt33, &none, c.due_at_ms - 1).phase,
        ClockPhase::Reminder
    );
    let overdue = at(ClockKind::GdprArt33, &none, c.due_at_ms);
    assert_eq!(overdue.phase, ClockPhase::Overdue);
    let later = at(ClockKind::GdprArt33, &none, c.due_at_ms + HOUR_MS);
    assert_eq!(later.left_ms, -HOUR_MS);
}

#[test]
fn a_sent_report_stops_its_clock_and_says_whether_it_was_late() {
    let mut sent = SentReports::default();
    sent.note(ClockKind::GdprArt33, AWARE + 80 * HOUR_MS);
    sent.note(ClockKind::GdprArt33, AWARE + 70 * HOUR_MS);
    let c = at(ClockKind::GdprArt33, &sent, AWARE + 100 * HOUR_MS);
    assert_eq!(
        c.phase,
        ClockPhase::Sent {
            at_ms: AWARE + 70 * HOUR_MS,
            late: false
        },
        "the earliest sent time wins"
    );
    let mut late = SentReports::default();
    late.note(ClockKind::GdprArt33, AWARE + 73 * HOUR_MS);
    assert!(matches!(
        at(ClockKind::GdprArt33, &late, AWARE).phase,
        ClockPhase::Sent { late: true, .. }
    ));
}

#[test]
fn the_gdpr_profile_runs_one_clock() {
    let clocks = clocks(ClockProfile::Gdpr, AWARE, &SentReports::default(), AWARE);
    assert_eq!(clocks.len(), 1);
    assert_eq!(clocks[0].kind, ClockKind::GdprArt33);
}

#[test]
fn the_bsig_profile_runs_early_warning_notification_and_final_report() {
    let none = SentReports::default();
    let now = AWARE + 20 * HOUR_MS;
    let clocks = clocks(ClockProfile::GdprBsig32, AWARE, &none, now);
    let kinds: Vec<ClockKind> = clocks.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ClockKind::BsigEarlyWarning,
            ClockKind::GdprArt33,
            ClockKind::BsigNotification,
            ClockKind::BsigFinalReport
        ]
    );
    let early = clocks[0];
    assert_eq!(early.due_at_ms, AWARE + 24 * HOUR_MS);
    // 20 of 24 hours is 83 %: past the reminder.
    assert_eq!(early.phase, ClockPhase::Reminder);
    assert_eq!(early.left_ms, 4 * HOUR_MS);
    let notification = clocks[2];
    assert_eq!(notification.due_at_ms, AWARE + 72 * HOUR_MS);
    assert_eq!(notification.phase, ClockPhase::Running);
    // Not yet notified: the final report counts from the notification's
    // deadline, 2026-12-09T08:00Z, so it is due 2027-01-09T08:00Z.
    let final_report = clocks[3];
    assert_eq!(final_report.starts_at_ms, AWARE + 72 * HOUR_MS);
    assert_eq!(final_report.due_at_ms, 1_799_481_600_000);
}

#[test]
fn the_final_report_counts_one_month_from_the_notification_sent() {
    let mut sent = SentReports::default();
    // Notification sent 2026-12-07T09:30Z.
    let notified = 1_796_635_800_000;
    sent.note(ClockKind::BsigNotification, notified);
    let c = at(ClockKind::BsigFinalReport, &sent, notified);
    assert_eq!(c.starts_at_ms, notified);
    // 2027-01-07T09:30Z.
    assert_eq!(c.due_at_ms, 1_799_314_200_000);
    assert_eq!(c.phase, ClockPhase::Running);
    assert_eq!(
        at(ClockKind::BsigFinalReport, &sent, c.due_at_ms).phase,
        ClockPhase::Overdue
    );
}

#[test]
fn a_month_later_clamps_to_the_end_of_the_month() {
    // 2027-01-31T12:00Z + 1 month = 2027-02-28T12:00Z.
    assert_eq!(add_one_month(1_801_396_800_000), 1_803_816_000_000);
    // 2028-01-31T00:00Z (leap year) + 1 month = 2028-02-29T00:00Z.
    assert_eq!(add_one_month(1_832_889_600_000), 1_835_395_200_000);
    // 2026-12-15T06:00Z + 1 month = 2027-01-15T06:00Z.
    assert_eq!(add_one_month(1_797_314_400_000), 1_799_992_800_000);
}
