//! Prospect grades (H/A/B/C) and the follow-up rhythm each grade sets.
//!
//! The grade comes from how soon the prospect means to buy, unless the consultant judges
//! otherwise; the grade then fixes how many days may pass between follow-ups. Both tables are
//! per-store settings with the defaults Chinese dealerships commonly use.

use chrono::{Days, NaiveDate};

use super::vocabulary;

vocabulary!(
    /// Purchase likelihood, hottest first.
    Grade {
        H => "H",
        A => "A",
        B => "B",
        C => "C",
    }
);

impl Grade {
    fn index(self) -> usize {
        match self {
            Grade::H => 0,
            Grade::A => 1,
            Grade::B => 2,
            Grade::C => 3,
        }
    }
}

/// A store's grading and follow-up settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradingPolicy {
    /// A prospect buying within `horizon_days[g]` days is graded `g` (H, A, B, C order).
    pub horizon_days: [u32; 4],
    /// Days between follow-ups for each grade (H, A, B, C order).
    pub cadence_days: [u32; 4],
    /// Days a follow-up may be overdue before the sales manager sees it too.
    pub manager_grace_days: u32,
}

impl Default for GradingPolicy {
    fn default() -> Self {
        GradingPolicy {
            horizon_days: [7, 15, 30, 90],
            cadence_days: [1, 3, 7, 15],
            manager_grace_days: 2,
        }
    }
}

impl GradingPolicy {
    /// Settings must grow with the grade: a hotter grade never has a longer horizon or cadence.
    pub fn validate(&self) -> Result<(), crate::validation::Invalid> {
        let rising = |days: &[u32; 4]| days[0] >= 1 && days.windows(2).all(|w| w[0] <= w[1]);
        if rising(&self.horizon_days) && rising(&self.cadence_days) {
            Ok(())
        } else {
            Err(crate::validation::Invalid("grading.not_ascending"))
        }
    }

    /// The grade a purchase timeframe suggests; beyond every horizon, or unknown, is C.
    pub fn grade_for_timeframe(&self, buys_within_days: Option<u32>) -> Grade {
        let Some(days) = buys_within_days else {
            return Grade::C;
        };
        Grade::ALL
            .iter()
            .copied()
            .find(|grade| days <= self.horizon_days[grade.index()])
            .unwrap_or(Grade::C)
    }

    /// The consultant's judgement, when given, wins over the timeframe.
    pub fn grade(&self, buys_within_days: Option<u32>, judged: Option<Grade>) -> Grade {
        judged.unwrap_or_else(|| self.grade_for_timeframe(buys_within_days))
    }

    /// When the next follow-up is due after contact on `contacted_on`.
    pub fn next_follow_up(&self, grade: Grade, contacted_on: NaiveDate) -> NaiveDate {
        let days = u64::from(self.cadence_days[grade.index()]);
        contacted_on
            .checked_add_days(Days::new(days))
            .unwrap_or(contacted_on)
    }

    /// Whether a follow-up due on `due` is late enough on `today` to alert the manager.
    pub fn escalated(&self, due: NaiveDate, today: NaiveDate) -> bool {
        overdue_days(due, today) > i64::from(self.manager_grace_days)
    }
}

/// Whole days a follow-up due on `due` is late on `today` (0 when not late).
pub fn overdue_days(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// A follow-up counts as on time when done on or before its due day.
pub fn on_time(due: NaiveDate, done_on: NaiveDate) -> bool {
    done_on <= due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn timeframe_sets_the_grade_at_the_default_horizons() {
        let policy = GradingPolicy::default();
        let graded = |days| policy.grade_for_timeframe(Some(days));
        assert_eq!(graded(0), Grade::H);
        assert_eq!(graded(7), Grade::H);
        assert_eq!(graded(8), Grade::A);
        assert_eq!(graded(15), Grade::A);
        assert_eq!(graded(30), Grade::B);
        assert_eq!(graded(31), Grade::C);
        assert_eq!(graded(365), Grade::C);
        assert_eq!(policy.grade_for_timeframe(None), Grade::C);
    }

    #[test]
    fn the_consultants_judgement_overrides_the_timeframe() {
        let policy = GradingPolicy::default();
        assert_eq!(policy.grade(Some(3), Some(Grade::B)), Grade::B);
        assert_eq!(policy.grade(Some(3), None), Grade::H);
    }

    #[test]
    fn cadence_follows_the_grade() {
        let policy = GradingPolicy::default();
        assert_eq!(policy.next_follow_up(Grade::H, day(1)), day(2));
        assert_eq!(policy.next_follow_up(Grade::A, day(1)), day(4));
        assert_eq!(policy.next_follow_up(Grade::B, day(1)), day(8));
        assert_eq!(policy.next_follow_up(Grade::C, day(1)), day(16));
        let custom = GradingPolicy {
            cadence_days: [2, 4, 10, 30],
            ..GradingPolicy::default()
        };
        assert_eq!(custom.next_follow_up(Grade::H, day(1)), day(3));
    }

    #[test]
    fn managers_see_follow_ups_late_past_the_grace_period() {
        let policy = GradingPolicy::default();
        assert!(!policy.escalated(day(10), day(10)));
        assert!(!policy.escalated(day(10), day(12)));
        assert!(policy.escalated(day(10), day(13)));
        assert_eq!(overdue_days(day(10), day(9)), 0);
        assert_eq!(overdue_days(day(10), day(13)), 3);
    }

    #[test]
    fn on_time_means_on_or_before_the_due_day() {
        assert!(on_time(day(10), day(10)));
        assert!(on_time(day(10), day(9)));
        assert!(!on_time(day(10), day(11)));
    }

    #[test]
    fn policies_must_ascend_from_hot_to_cold() {
        assert!(GradingPolicy::default().validate().is_ok());
        let backwards = GradingPolicy {
            cadence_days: [15, 7, 3, 1],
            ..GradingPolicy::default()
        };
        assert!(backwards.validate().is_err());
        let zero = GradingPolicy {
            horizon_days: [0, 15, 30, 90],
            ..GradingPolicy::default()
        };
        assert!(zero.validate().is_err());
    }
}
