//! Minimal UTC calendar arithmetic for certificate validity windows and the
//! clocks the simulated appliances print (no date crate needed).

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A UTC instant broken into calendar fields.
pub(crate) struct UtcTime {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub millis: u16,
    /// 0 = Sunday … 6 = Saturday.
    pub weekday: u8,
}

const SECS_PER_DAY: i64 = 86_400;

/// Seconds and milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> (i64, u16) {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2),
            u16::try_from(d.subsec_millis()).unwrap_or(0),
        ),
        Err(_) => (0, 0),
    }
}

/// The current UTC time.
pub(crate) fn now() -> UtcTime {
    let (secs, millis) = unix_now();
    let days = secs.div_euclid(SECS_PER_DAY);
    let rem = secs.rem_euclid(SECS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    UtcTime {
        year,
        month,
        day,
        hour: small(rem / 3600),
        minute: small(rem % 3600 / 60),
        second: small(rem % 60),
        millis,
        // 1970-01-01 was a Thursday.
        weekday: small((days + 4).rem_euclid(7)),
    }
}

/// The UTC calendar date `offset_days` from today.
pub(crate) fn date_from_today(offset_days: i64) -> (i64, u8, u8) {
    let (secs, _) = unix_now();
    civil_from_days(secs.div_euclid(SECS_PER_DAY) + offset_days)
}

/// Days since 1970-01-01 → (year, month, day), after Howard Hinnant's
/// `civil_from_days` (proleptic Gregorian calendar).
pub(crate) fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, small(month), small(day))
}

/// Number of days in `month` (1–12) of `year`; 0 for an invalid month.
pub(crate) fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Three-letter English month name (1–12).
pub(crate) fn month_name(month: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES
        .get(usize::from(month.saturating_sub(1)))
        .copied()
        .unwrap_or("???")
}

/// Three-letter English weekday name (0 = Sunday).
pub(crate) fn weekday_name(weekday: u8) -> &'static str {
    const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    NAMES.get(usize::from(weekday)).copied().unwrap_or("???")
}

/// The time a simulated appliance lives by: real time since it started,
/// plus whatever it was moved forward (each call may take simulated time,
/// so that tests see tokens expire without waiting).
pub(crate) struct DemoClock {
    start: Instant,
    ahead: Mutex<Duration>,
}

impl DemoClock {
    pub(crate) fn new() -> DemoClock {
        DemoClock {
            start: Instant::now(),
            ahead: Mutex::new(Duration::ZERO),
        }
    }

    /// Time since the appliance started.
    pub(crate) fn now(&self) -> Duration {
        self.start.elapsed() + *super::appliance::lock(&self.ahead)
    }

    /// Moves the clock forward.
    pub(crate) fn advance(&self, by: Duration) {
        *super::appliance::lock(&self.ahead) += by;
    }
}

/// Narrows a value already known to be in 0..=255.
fn small(v: i64) -> u8 {
    u8::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_clock_moves_forward() {
        let clock = DemoClock::new();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() >= before + Duration::from_secs(3600));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2023, 13), 0);
    }
}
