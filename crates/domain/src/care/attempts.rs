//! Phone attempts on a care task and what follows them. A customer who does not answer is
//! tried again at another time of day (morning, afternoon, evening: someone at work in the
//! morning may answer in the evening), a set number of times; a task left open past its due
//! time goes to the manager.

use chrono::{DateTime, Days, Duration, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

use super::{at_local_time, vocabulary};

vocabulary!(
    /// What a call came to.
    Outcome {
        Reached => "reached",
        NotReached => "not_reached",
        WrongNumber => "wrong_number",
        Refused => "refused",
        CallBack => "call_back",
    }
);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a customer who never answers is closed as unreached.
    pub max_attempts: u32,
    /// Hours an open task may be past due before the manager is told.
    pub escalation_grace_hours: u32,
}

impl Default for RetryPolicy {
    /// Three attempts (one morning, one afternoon, one evening), 24 hours' grace.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            escalation_grace_hours: 24,
        }
    }
}

/// What happens to a task after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    /// Closed: the customer was reached (or refused to talk: the contact was made).
    Done,
    /// Closed without contact: wrong number, or the last attempt failed.
    Unreached,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AttemptError {
    #[error("call_back_at is required")]
    CallBackTimeMissing,
    #[error("call_back_at is in the past")]
    CallBackInPast,
}

/// The part of the day a call is made in; the retry goes to another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayPart {
    /// Before 12:00.
    Morning,
    /// 12:00 to 18:00.
    Afternoon,
    /// From 18:00.
    Evening,
}

impl DayPart {
    pub fn of(time: NaiveTime) -> DayPart {
        match time.hour() {
            0..12 => DayPart::Morning,
            12..18 => DayPart::Afternoon,
            _ => DayPart::Evening,
        }
    }
}

/// The store-time hours retries are scheduled at: one in each part of the day.
pub const ATTEMPT_HOURS: [u32; 3] = [10, 15, 19];

/// The next attempt window after `now` that lies in another part of the day than `now`.
pub fn next_window(now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let local = now.with_timezone(&zone);
    let part = DayPart::of(local.time());
    let today = local.date_naive();
    (0..=2u64)
        .filter_map(|ahead| today.checked_add_days(Days::new(ahead)))
        .flat_map(|day| {
            ATTEMPT_HOURS
                .into_iter()
                .filter_map(move |hour| Some((day, NaiveTime::from_hms_opt(hour, 0, 0)?)))
        })
        .filter(|(_, time)| DayPart::of(*time) != part)
        .map(|(day, time)| at_local_time(zone, day, time))
        .find(|window| *window > now)
        .unwrap_or_else(|| now + Duration::hours(24))
}

/// Decides the task's next step. `attempts_so_far` counts earlier attempts (this one not
/// included).
///
/// - Reached or refused: done (the contact was made; the outcome is recorded).
/// - Wrong number: unreached at once, trying again will not help.
/// - Not reached: retried at the next window (10:00, 15:00, 19:00 store time) in another part
///   of the day than `now`, so three attempts fall morning, afternoon and evening; the attempt
///   that reaches `max_attempts` closes the task as unreached.
/// - Call back: the customer named a time, which must be in the future; the task is retried
///   then. A call-back counts as an attempt (so a later not-reached attempt may be the last)
///   but never closes the task as unreached itself: the customer asked to be called.
pub fn next_step(
    policy: &RetryPolicy,
    attempts_so_far: u32,
    outcome: Outcome,
    call_back_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    zone: Tz,
) -> Result<NextStep, AttemptError> {
    match outcome {
        Outcome::Reached | Outcome::Refused => Ok(NextStep::Done),
        Outcome::WrongNumber => Ok(NextStep::Unreached),
        Outcome::NotReached if attempts_so_far.saturating_add(1) >= policy.max_attempts => {
            Ok(NextStep::Unreached)
        }
        Outcome::NotReached => Ok(NextStep::RetryAt(next_window(now, zone))),
        Outcome::CallBack => match call_back_at {
            None => Err(AttemptError::CallBackTimeMissing),
            Some(at) if at <= now => Err(AttemptError::CallBackInPast),
            Some(at) => Ok(NextStep::RetryAt(at)),
        },
    }
}

/// Whether an open task past its due time is to be escalated to the manager (due + grace <
/// now).
pub fn is_escalation_due(policy: &RetryPolicy, due_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    due_at
        .checked_add_signed(Duration::hours(i64::from(policy.escalation_grace_hours)))
        .is_some_and(|limit| limit < now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    fn at(d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(2026, 3, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn not_reached(so_far: u32, now: DateTime<Utc>) -> NextStep {
        next_step(
            &RetryPolicy::default(),
            so_far,
            Outcome::NotReached,
            None,
            now,
            Shanghai,
        )
        .unwrap()
    }

    #[test]
    fn outcomes_round_trip() {
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::parse("busy"), None);
    }

    #[test]
    fn three_attempts_fall_morning_afternoon_and_evening() {
        // Morning call missed → 15:00; afternoon missed → 19:00; the evening one is the last.
        assert_eq!(
            not_reached(0, at(2, 10, 5)),
            NextStep::RetryAt(at(2, 15, 0))
        );
        assert_eq!(
            not_reached(1, at(2, 15, 10)),
            NextStep::RetryAt(at(2, 19, 0))
        );
        assert_eq!(not_reached(2, at(2, 19, 3)), NextStep::Unreached);
        // Started in the afternoon: evening, then the next morning.
        assert_eq!(
            not_reached(0, at(2, 14, 50)),
            NextStep::RetryAt(at(2, 19, 0))
        );
        assert_eq!(
            not_reached(1, at(2, 19, 20)),
            NextStep::RetryAt(at(3, 10, 0))
        );
        // Early in the morning the 10:00 window is the same part of the day: afternoon.
        assert_eq!(
            not_reached(0, at(2, 8, 30)),
            NextStep::RetryAt(at(2, 15, 0))
        );
        // The month's last evening goes to the next month's first morning.
        assert_eq!(
            not_reached(0, at(31, 21, 0)),
            NextStep::RetryAt(
                Shanghai
                    .with_ymd_and_hms(2026, 4, 1, 10, 0, 0)
                    .unwrap()
                    .with_timezone(&Utc)
            )
        );
    }

    #[test]
    fn retry_windows_are_store_time() {
        // 02:00 UTC is 10:00 in Shanghai: the retry is 15:00 Shanghai, 07:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
        assert_eq!(
            next_window(now, Shanghai),
            Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()
        );
        // In Berlin the day after the spring change 08:00 UTC is 10:00 CEST: retried at
        // 15:00 CEST, 13:00 UTC.
        let berlin = chrono_tz::Europe::Berlin;
        let now = Utc.with_ymd_and_hms(2026, 3, 29, 8, 0, 0).unwrap();
        assert_eq!(
            next_window(now, berlin),
            Utc.with_ymd_and_hms(2026, 3, 29, 13, 0, 0).unwrap()
        );
    }

    #[test]
    fn contact_made_closes_the_task() {
        let policy = RetryPolicy::default();
        let now = at(2, 10, 0);
        for outcome in [Outcome::Reached, Outcome::Refused] {
            assert_eq!(
                next_step(&policy, 0, outcome, None, now, Shanghai),
                Ok(NextStep::Done)
            );
        }
        assert_eq!(
            next_step(&policy, 0, Outcome::WrongNumber, None, now, Shanghai),
            Ok(NextStep::Unreached)
        );
        let one_try = RetryPolicy {
            max_attempts: 1,
            ..policy
        };
        assert_eq!(
            next_step(&one_try, 0, Outcome::NotReached, None, now, Shanghai),
            Ok(NextStep::Unreached)
        );
    }

    #[test]
    fn a_call_back_needs_a_future_time_and_never_runs_out() {
        let policy = RetryPolicy::default();
        let now = at(2, 10, 0);
        let call =
            |so_far, when| next_step(&policy, so_far, Outcome::CallBack, when, now, Shanghai);
        assert_eq!(call(0, None), Err(AttemptError::CallBackTimeMissing));
        assert_eq!(call(0, Some(now)), Err(AttemptError::CallBackInPast));
        assert_eq!(
            call(0, Some(at(1, 18, 0))),
            Err(AttemptError::CallBackInPast)
        );
        let evening = at(2, 20, 30);
        assert_eq!(call(0, Some(evening)), Ok(NextStep::RetryAt(evening)));
        // Past the attempt limit the customer's own time still stands.
        assert_eq!(call(5, Some(evening)), Ok(NextStep::RetryAt(evening)));
    }

    #[test]
    fn late_tasks_go_to_the_manager_after_the_grace() {
        let policy = RetryPolicy::default();
        let due = at(2, 23, 30);
        assert!(!is_escalation_due(&policy, due, at(2, 23, 31)));
        assert!(!is_escalation_due(&policy, due, at(3, 23, 30)));
        assert!(is_escalation_due(&policy, due, at(3, 23, 31)));
        let strict = RetryPolicy {
            escalation_grace_hours: 0,
            ..policy
        };
        assert!(is_escalation_due(&strict, due, at(2, 23, 31)));
    }
}
