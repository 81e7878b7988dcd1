//! Quiet hours (免打扰时段): no SMS, e-mail or WeChat message reaches a customer at night. A
//! message falling in the quiet hours is held until they end, in the store's time zone.

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::at_local;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

const fn hour(h: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, 0, 0) {
        Some(time) => time,
        None => NaiveTime::MIN,
    }
}

impl Default for QuietHours {
    /// 21:00 to 09:00.
    fn default() -> Self {
        QuietHours {
            start: hour(21),
            end: hour(9),
        }
    }
}

impl QuietHours {
    /// Whether the window runs past midnight (21:00–09:00).
    fn crosses_midnight(&self) -> bool {
        self.start > self.end
    }

    fn contains(&self, time: NaiveTime) -> bool {
        if self.crosses_midnight() {
            time >= self.start || time < self.end
        } else {
            self.start <= time && time < self.end
        }
    }

    /// Whether `at` falls in the quiet hours in `zone` (the window may cross midnight;
    /// start == end means no quiet hours). The start is quiet, the end is not.
    pub fn is_quiet(&self, at: DateTime<Utc>, zone: Tz) -> bool {
        self.contains(at.with_timezone(&zone).time())
    }

    /// The first moment at or after `at` when a message may go out: `at` itself outside quiet
    /// hours, else the end of the quiet window in the store's zone (next morning when it
    /// crosses midnight).
    pub fn release_at(&self, at: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        let local = at.with_timezone(&zone);
        if !self.contains(local.time()) {
            return at;
        }
        let today = local.date_naive();
        let release_day = if self.crosses_midnight() && local.time() >= self.start {
            today.checked_add_days(Days::new(1)).unwrap_or(today)
        } else {
            today
        };
        let end = release_day.and_time(self.end);
        let first = at_local(zone, end);
        if first > at {
            return first;
        }
        // Inside the repeated hour after clocks went back: the end's second coming.
        zone.from_local_datetime(&end)
            .latest()
            .map(|later| later.with_timezone(&Utc))
            .filter(|later| *later > at)
            .unwrap_or(at)
    }
}

/// Parses "HH:MM" (two digits each, 00:00 to 23:59).
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let (hours, minutes) = text.split_once(':')?;
    let two_digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return None;
    }
    NaiveTime::from_hms_opt(hours.parse().ok()?, minutes.parse().ok()?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;
    use chrono_tz::Europe::Berlin;

    fn at(zone: Tz, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        zone.with_ymd_and_hms(2026, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_default_night_window_crosses_midnight() {
        let quiet = QuietHours::default();
        assert_eq!((quiet.start, quiet.end), (time(21, 0), time(9, 0)));
        assert!(!quiet.is_quiet(at(Shanghai, 3, 1, 20, 59), Shanghai));
        assert!(quiet.is_quiet(at(Shanghai, 3, 1, 21, 0), Shanghai));
        assert!(quiet.is_quiet(at(Shanghai, 3, 1, 2, 0), Shanghai));
        assert!(!quiet.is_quiet(at(Shanghai, 3, 1, 9, 0), Shanghai));
        // 22:00 goes out at 09:00 the next morning, 08:59 at 09:00 the same day.
        assert_eq!(
            quiet.release_at(at(Shanghai, 3, 1, 22, 0), Shanghai),
            at(Shanghai, 3, 2, 9, 0)
        );
        assert_eq!(
            quiet.release_at(at(Shanghai, 3, 1, 8, 59), Shanghai),
            at(Shanghai, 3, 1, 9, 0)
        );
        let nine = at(Shanghai, 3, 1, 9, 0);
        assert_eq!(quiet.release_at(nine, Shanghai), nine);
        // The month's last night: released on the first of the next month.
        assert_eq!(
            quiet.release_at(at(Shanghai, 2, 28, 23, 0), Shanghai),
            at(Shanghai, 3, 1, 9, 0)
        );
    }

    #[test]
    fn quiet_hours_are_the_stores_local_hours() {
        let quiet = QuietHours::default();
        // 14:00 UTC is 22:00 in Shanghai (quiet) but 15:00 in Berlin in winter.
        let utc = Utc.with_ymd_and_hms(2026, 1, 10, 14, 0, 0).unwrap();
        assert!(quiet.is_quiet(utc, Shanghai));
        assert!(!quiet.is_quiet(utc, Berlin));
        // Released at 09:00 Shanghai, 01:00 UTC the next UTC day.
        assert_eq!(
            quiet.release_at(utc, Shanghai),
            Utc.with_ymd_and_hms(2026, 1, 11, 1, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_daytime_window_does_not_cross_midnight() {
        let lunch = QuietHours {
            start: time(12, 0),
            end: time(14, 0),
        };
        assert!(!lunch.is_quiet(at(Shanghai, 3, 1, 11, 59), Shanghai));
        assert!(lunch.is_quiet(at(Shanghai, 3, 1, 12, 0), Shanghai));
        assert!(!lunch.is_quiet(at(Shanghai, 3, 1, 14, 0), Shanghai));
        assert!(!lunch.is_quiet(at(Shanghai, 3, 1, 23, 0), Shanghai));
        assert_eq!(
            lunch.release_at(at(Shanghai, 3, 1, 13, 0), Shanghai),
            at(Shanghai, 3, 1, 14, 0)
        );
        let evening = at(Shanghai, 3, 1, 22, 0);
        assert_eq!(lunch.release_at(evening, Shanghai), evening);
    }

    #[test]
    fn equal_start_and_end_mean_no_quiet_hours() {
        let none = QuietHours {
            start: time(9, 0),
            end: time(9, 0),
        };
        let night = at(Shanghai, 3, 1, 3, 0);
        assert!(!none.is_quiet(night, Shanghai));
        assert_eq!(none.release_at(night, Shanghai), night);
    }

    #[test]
    fn clock_changes_do_not_break_the_window() {
        // Berlin springs forward on 29 March 2026 (02:00 → 03:00) and falls back on
        // 25 October (03:00 → 02:00).
        let quiet = QuietHours::default();
        assert_eq!(
            quiet.release_at(at(Berlin, 3, 28, 23, 0), Berlin),
            at(Berlin, 3, 29, 9, 0)
        );
        assert_eq!(
            quiet.release_at(at(Berlin, 10, 24, 23, 0), Berlin),
            at(Berlin, 10, 25, 9, 0)
        );
        // A window ending inside the skipped hour ends once the clocks have jumped.
        let short = QuietHours {
            start: time(23, 0),
            end: time(2, 30),
        };
        let released = short.release_at(at(Berlin, 3, 28, 23, 30), Berlin);
        assert_eq!(
            released,
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap()
        );
        assert!(!short.is_quiet(released, Berlin));
        // A window ending in the repeated hour ends the first time 02:30 comes round.
        let released = short.release_at(at(Berlin, 10, 24, 23, 30), Berlin);
        assert_eq!(
            released,
            Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()
        );
        // Caught in the repeated hour (02:15 CET, the second time round): its 02:30 CET.
        let again = Utc.with_ymd_and_hms(2026, 10, 25, 1, 15, 0).unwrap();
        assert!(short.is_quiet(again, Berlin));
        assert_eq!(
            short.release_at(again, Berlin),
            Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap()
        );
    }

    #[test]
    fn times_are_parsed_as_hh_mm() {
        assert_eq!(parse_time("21:00"), Some(time(21, 0)));
        assert_eq!(parse_time("09:05"), Some(time(9, 5)));
        assert_eq!(parse_time("00:00"), Some(time(0, 0)));
        for bad in [
            "9:00", "24:00", "12:60", "12-00", "", "12:00:00", " 12:00", "+1:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
