//! Customer care after the sale (回访 / 关怀): the plans that say who contacts a customer when
//! (after delivery, after a service visit, before the free services, on birthdays), the quiet
//! hours no message may break, and what a phone attempt leads to.
//!
//! Everything here is pure: callers pass in the event time, "now" and the store's time zone.
//! Times are UTC in and out; every calendar rule ("7 days", "09:00", "next month") is applied in
//! the store's zone, so a task due at 23:30 in Shanghai stays on that Shanghai day.

pub mod attempts;
pub mod complaint;
pub mod plan;
pub mod quiet;
pub mod schedule;
pub mod survey;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// Defines a closed vocabulary stored and sent as snake_case text (serde uses the same names).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// How a contact is made.
    Channel {
        Phone => "phone",
        Sms => "sms",
        Email => "email",
        Wechat => "wechat",
        Visit => "visit",
    }
);

impl Channel {
    /// Sent by the notification outbox rather than made by a person (and so held back during
    /// quiet hours).
    pub fn is_message(self) -> bool {
        matches!(self, Channel::Sms | Channel::Email | Channel::Wechat)
    }
}

/// The instant a wall-clock time in `zone` stands for. An ambiguous time (clocks going back)
/// is its earlier instant; a time skipped by clocks going forward is moved on by the gap, as
/// the clock on the wall would show it (02:30 in a 02:00→03:00 gap is 03:30).
pub fn at_local(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(at) = zone.from_local_datetime(&local).earliest() {
        return at.with_timezone(&Utc);
    }
    // In a gap: read the wall time with the offset in force before the gap.
    let before = local - Duration::days(1);
    let offset = zone.offset_from_utc_datetime(&before).fix();
    let utc = local - Duration::seconds(i64::from(offset.local_minus_utc()));
    Utc.from_utc_datetime(&utc)
}

/// `time` on `date` in `zone`, as an instant.
pub fn at_local_time(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    at_local(zone, date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_round_trip_and_messages_go_through_the_outbox() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Channel::parse("fax"), None);
        let messages: Vec<_> = Channel::ALL
            .into_iter()
            .filter(|c| c.is_message())
            .collect();
        assert_eq!(messages, [Channel::Sms, Channel::Email, Channel::Wechat]);
    }

    #[test]
    fn serde_names_are_the_stored_names() {
        use serde::Deserialize;
        use serde::de::{IntoDeserializer, value::Error};
        for channel in Channel::ALL {
            let parsed = Channel::deserialize(IntoDeserializer::<Error>::into_deserializer(
                channel.as_str(),
            ));
            assert_eq!(parsed, Ok(channel));
        }
    }

    #[test]
    fn local_times_resolve_even_across_daylight_saving_changes() {
        let berlin = chrono_tz::Europe::Berlin;
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let time = |h, min| NaiveTime::from_hms_opt(h, min, 0).unwrap();
        let utc = |m, d, h, min| Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap();
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
        assert_eq!(
            at_local_time(berlin, day(3, 29), time(2, 30)),
            utc(3, 29, 1, 30)
        );
        assert_eq!(
            at_local_time(berlin, day(3, 29), time(3, 0)),
            utc(3, 29, 1, 0)
        );
        // 25 October 2026: 02:30 happens twice; the first (CEST) is taken.
        assert_eq!(
            at_local_time(berlin, day(10, 25), time(2, 30)),
            utc(10, 25, 0, 30)
        );
        let shanghai = chrono_tz::Asia::Shanghai;
        assert_eq!(
            at_local_time(shanghai, day(1, 31), time(23, 30)),
            utc(1, 31, 15, 30)
        );
    }
}
