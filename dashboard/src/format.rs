//! Dates and times for people in Germany: `TT.MM.JJJJ`, 24-hour clock,
//! Europe/Berlin (CET, CEST from the last Sunday of March 01:00 UTC to the
//! last Sunday of October 01:00 UTC). Pure arithmetic, no time zone files.

use amtshilfe_protocol::calendar::{civil_from_days, days_from_civil};
pub use amtshilfe_protocol::model::DAY_MS;

/// The end (exclusive) of a period whose last day, as a form shows it,
/// starts at `last_day_ms`: an end date counts in full, to its midnight.
pub fn end_after_last_day(last_day_ms: i64) -> i64 {
    last_day_ms.saturating_add(DAY_MS)
}

/// The last day to show for a period that ends (exclusive) at `end_ms`:
/// the inverse of [`end_after_last_day`].
pub fn last_day_before(end_ms: i64) -> i64 {
    end_ms.saturating_sub(1)
}
const HOUR_MS: i64 = 3_600_000;

/// The last Sunday of `month` in `year`, 01:00 UTC, in ms.
fn last_sunday_0100_utc(year: i64, month: u32) -> i64 {
    let last_day = days_from_civil(year, month + 1, 1) - 1;
    // 1970-01-01 was a Thursday (weekday 4 with Sunday = 0).
    let weekday = (last_day + 4).rem_euclid(7);
    (last_day - weekday) * DAY_MS + HOUR_MS
}

/// Berlin's offset from UTC at `utc_ms`, in ms.
pub fn berlin_offset_ms(utc_ms: i64) -> i64 {
    let (year, _, _) = civil_from_days(utc_ms.div_euclid(DAY_MS));
    let summer = last_sunday_0100_utc(year, 3) <= utc_ms && utc_ms < last_sunday_0100_utc(year, 10);
    if summer { 2 * HOUR_MS } else { HOUR_MS }
}

fn local_parts(utc_ms: i64) -> (i64, u32, u32, i64) {
    let local = utc_ms + berlin_offset_ms(utc_ms);
    let (year, month, day) = civil_from_days(local.div_euclid(DAY_MS));
    (year, month, day, local.rem_euclid(DAY_MS) / 60_000)
}

/// `TT.MM.JJJJ` in Berlin.
pub fn date(utc_ms: i64) -> String {
    let (year, month, day, _) = local_parts(utc_ms);
    format!("{day:02}.{month:02}.{year:04}")
}

/// `TT.MM.JJJJ HH:MM` in Berlin, 24-hour clock.
pub fn date_time(utc_ms: i64) -> String {
    let (year, month, day, minutes) = local_parts(utc_ms);
    format!(
        "{day:02}.{month:02}.{year:04} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    )
}

/// `JJJJ-MM-TT` in Berlin, the value of an `<input type="date">`.
pub fn iso_date(utc_ms: i64) -> String {
    let (year, month, day, _) = local_parts(utc_ms);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Euro cents as German writes them, without the unit: `1234,56`.
pub fn euros(cents: u64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

/// Midnight in Berlin of an `<input type="date">` value (`JJJJ-MM-TT`) or
/// of `TT.MM.JJJJ`, in UTC ms; `None` if it is neither.
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let (year, month, day) = if let Some((y, rest)) = text.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    } else {
        let mut parts = text.split('.');
        let d = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok()?;
        let y = parts.next()?.parse().ok()?;
        (y, m, d)
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1970..=9999).contains(&year) {
        return None;
    }
    let local_midnight = days_from_civil(year, month, day) * DAY_MS;
    if civil_from_days(local_midnight / DAY_MS) != (year, month, day) {
        return None;
    }
    // The offset at local midnight is the offset an hour earlier in UTC;
    // midnight is never inside a DST switch (those happen at 02:00/03:00).
    let utc = local_midnight - HOUR_MS;
    Some(local_midnight - berlin_offset_ms(utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_dates() {
        // 2026-01-01T00:00:00Z is 01:00 in Berlin (CET).
        assert_eq!(date_time(1_767_225_600_000), "01.01.2026 01:00");
        // 2026-07-01T12:00:00Z is 14:00 CEST.
        assert_eq!(date_time(1_782_907_200_000), "01.07.2026 14:00");
        assert_eq!(date(1_767_225_600_000 - 1), "01.01.2026");
        // DST 2026 starts 29.03. 01:00 UTC.
        let start = last_sunday_0100_utc(2026, 3);
        assert_eq!(date_time(start - 60_000), "29.03.2026 01:59");
        assert_eq!(date_time(start), "29.03.2026 03:00");
        assert_eq!(last_sunday_0100_utc(2026, 10), 1_792_890_000_000);
    }

    #[test]
    fn euros_have_two_decimals_after_a_comma() {
        assert_eq!(euros(0), "0,00");
        assert_eq!(euros(5), "0,05");
        assert_eq!(euros(123_456), "1234,56");
    }

    #[test]
    fn parsing_round_trips() {
        for text in ["2026-03-29", "2026-10-25", "2026-01-01", "2026-07-15"] {
            let ms = parse_date(text).unwrap();
            assert_eq!(iso_date(ms), text);
            assert!(date_time(ms).ends_with("00:00"), "{}", date_time(ms));
        }
        assert_eq!(parse_date("15.07.2026"), parse_date("2026-07-15"));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("morgen"), None);
    }
}
