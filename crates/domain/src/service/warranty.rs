//! Warranty coverage (包修) by time and mileage, and the 三包 rights the advisor must see at
//! reception (家用汽车产品修理更换退货责任规定).
//!
//! Every limit is "time or mileage, whichever comes first" (以先到者为准), counted from the
//! start date the caller passes: the purchase invoice date for 三包, the maker's warranty start
//! (usually the same day) for coverage. The 三包 thresholds changed with the 2021 revision in
//! force from 2022-01-01: cars invoiced before then keep the 2013 rules (more than 35 repair
//! days, more than 5 repairs of one fault), later ones get 30 days and 4 repairs, plus a
//! new-car-or-refund right for a major component failing in the first 7 days.

use chrono::{Months, NaiveDate};

use crate::sales::vocabulary;

/// A time-or-mileage limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub months: u32,
    pub km: u32,
}

impl Limit {
    /// The legal minimum repair warranty (包修期): 3 years or 60,000 km. Makers may give more.
    pub const STATUTORY_REPAIR: Limit = Limit {
        months: 36,
        km: 60_000,
    };

    /// The first day no longer covered.
    fn ends_on(self, start: NaiveDate) -> NaiveDate {
        start
            .checked_add_months(Months::new(self.months))
            .unwrap_or(NaiveDate::MAX)
    }

    fn within(self, start: NaiveDate, today: NaiveDate, odometer_km: u32) -> bool {
        today < self.ends_on(start) && odometer_km <= self.km
    }
}

/// Whether a car is covered today and how much is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    Covered {
        last_day: NaiveDate,
        /// Days left, today included.
        days_left: i64,
        km_left: u32,
    },
    Expired {
        by_time: bool,
        by_mileage: bool,
    },
}

/// The coverage a `limit` from `start` gives on `today` at `odometer_km`.
pub fn coverage(limit: Limit, start: NaiveDate, today: NaiveDate, odometer_km: u32) -> Coverage {
    let ends_on = limit.ends_on(start);
    if limit.within(start, today, odometer_km) {
        Coverage::Covered {
            last_day: ends_on.pred_opt().unwrap_or(ends_on),
            days_left: (ends_on - today).num_days(),
            km_left: limit.km - odometer_km,
        }
    } else {
        Coverage::Expired {
            by_time: today >= ends_on,
            by_mileage: odometer_km > limit.km,
        }
    }
}

vocabulary!(
    /// The kinds of fault the 三包 rules treat specially: a safety failure (steering or brake
    /// failure, a cracked body, a fuel leak, a traction-battery fire) and a major component
    /// (engine, transmission, traction battery or drive motor, or their main parts).
    FaultClass {
        SafetyFailure => "safety_failure",
        MajorComponent => "major_component",
        Other => "other",
    }
);

/// A revision of the 三包 thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SanbaoRules {
    /// The 三包 period (三包有效期).
    pub period: Limit,
    /// The early window for serious faults, in days and km.
    pub early_days: u32,
    pub early_km: u32,
    /// Days in which a major component needing replacement gives the right to a new car or a
    /// refund (0: no such rule).
    pub major_component_days: u32,
    /// More repairs of one fault than this gives the right to a new car or a refund.
    pub max_repairs_of_fault: u32,
    /// More days in repair than this, in the period, gives the same right.
    pub max_repair_days: u32,
}

impl SanbaoRules {
    pub const RULES_2013: SanbaoRules = SanbaoRules {
        period: Limit {
            months: 24,
            km: 50_000,
        },
        early_days: 60,
        early_km: 3_000,
        major_component_days: 0,
        max_repairs_of_fault: 5,
        max_repair_days: 35,
    };

    pub const RULES_2022: SanbaoRules = SanbaoRules {
        major_component_days: 7,
        max_repairs_of_fault: 4,
        max_repair_days: 30,
        ..SanbaoRules::RULES_2013
    };

    /// The rules a car invoiced on `invoiced_on` was sold under.
    pub fn for_invoice_date(invoiced_on: NaiveDate) -> SanbaoRules {
        match NaiveDate::from_ymd_opt(2022, 1, 1) {
            Some(revision) if invoiced_on >= revision => SanbaoRules::RULES_2022,
            _ => SanbaoRules::RULES_2013,
        }
    }

    /// The 三包 flags for a visit on `today` about `case`, for a car whose period started on
    /// `start`.
    pub fn assess(
        &self,
        start: NaiveDate,
        today: NaiveDate,
        odometer_km: u32,
        case: &SanbaoCase,
    ) -> SanbaoFlags {
        if !self.period.within(start, today, odometer_km) {
            return SanbaoFlags::default();
        }
        let days_since_start = (today - start).num_days();
        let early = days_since_start < i64::from(self.early_days) && odometer_km <= self.early_km;
        let first_days = days_since_start < i64::from(self.major_component_days);
        let major = case.fault == FaultClass::MajorComponent;
        SanbaoFlags {
            in_period: true,
            early_failure: (early && case.fault == FaultClass::SafetyFailure)
                || (first_days && major),
            component_replacement: early && major,
            repeated_fault: case.earlier_repairs_of_fault >= self.max_repairs_of_fault,
            repair_days_exceeded: case.repair_days > self.max_repair_days,
        }
    }
}

/// What the advisor knows about the visit's fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SanbaoCase {
    pub fault: FaultClass,
    /// Repairs of this same fault already made in the period; this visit would be the next.
    pub earlier_repairs_of_fault: u32,
    /// Days the car has spent in repair for quality problems in the period, this visit's so far
    /// included.
    pub repair_days: u32,
}

/// The 三包 rights a visit raises; the advisor escalates any of them to the maker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SanbaoFlags {
    pub in_period: bool,
    /// A safety failure in the early window, or a major component in the first days.
    pub early_failure: bool,
    /// A major component failing in the early window: a free new component.
    pub component_replacement: bool,
    /// This visit would repair the same fault more times than the rules allow.
    pub repeated_fault: bool,
    pub repair_days_exceeded: bool,
}

impl SanbaoFlags {
    /// Whether the customer may choose a new car or a refund.
    pub fn replacement_or_refund(&self) -> bool {
        self.early_failure || self.repeated_fault || self.repair_days_exceeded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const OTHER: SanbaoCase = SanbaoCase {
        fault: FaultClass::Other,
        earlier_repairs_of_fault: 0,
        repair_days: 1,
    };

    #[test]
    fn coverage_runs_to_the_day_before_the_anniversary() {
        let start = date(2024, 1, 10);
        let limit = Limit::STATUTORY_REPAIR;
        assert_eq!(
            coverage(limit, start, date(2027, 1, 9), 59_000),
            Coverage::Covered {
                last_day: date(2027, 1, 9),
                days_left: 1,
                km_left: 1_000
            }
        );
        assert_eq!(
            coverage(limit, start, date(2027, 1, 10), 59_000),
            Coverage::Expired {
                by_time: true,
                by_mileage: false
            }
        );
    }

    #[test]
    fn mileage_ends_coverage_when_it_comes_first() {
        let start = date(2024, 1, 10);
        let limit = Limit::STATUTORY_REPAIR;
        let at_limit = coverage(limit, start, date(2025, 1, 1), 60_000);
        assert!(matches!(at_limit, Coverage::Covered { km_left: 0, .. }));
        assert_eq!(
            coverage(limit, start, date(2025, 1, 1), 60_001),
            Coverage::Expired {
                by_time: false,
                by_mileage: true
            }
        );
        assert_eq!(
            coverage(limit, start, date(2030, 1, 1), 90_000),
            Coverage::Expired {
                by_time: true,
                by_mileage: true
            }
        );
    }

    #[test]
    fn a_leap_day_start_ends_at_the_end_of_february() {
        let limit = Limit {
            months: 24,
            km: 50_000,
        };
        let covered = coverage(limit, date(2024, 2, 29), date(2026, 2, 27), 0);
        assert!(
            matches!(covered, Coverage::Covered { last_day, .. } if last_day == date(2026, 2, 27))
        );
    }

    #[test]
    fn the_rules_follow_the_invoice_date() {
        assert_eq!(
            SanbaoRules::for_invoice_date(date(2021, 12, 31)),
            SanbaoRules::RULES_2013
        );
        assert_eq!(
            SanbaoRules::for_invoice_date(date(2022, 1, 1)),
            SanbaoRules::RULES_2022
        );
    }

    #[test]
    fn a_safety_failure_in_the_first_60_days_or_3000_km_gives_a_new_car_or_refund() {
        let rules = SanbaoRules::RULES_2013;
        let start = date(2025, 3, 1);
        let safety = SanbaoCase {
            fault: FaultClass::SafetyFailure,
            ..OTHER
        };
        let on_day_60 = start + Days::new(59);
        assert!(rules.assess(start, on_day_60, 2_999, &safety).early_failure);
        assert!(
            !rules
                .assess(start, on_day_60 + Days::new(1), 100, &safety)
                .early_failure
        );
        assert!(!rules.assess(start, on_day_60, 3_001, &safety).early_failure);
        assert!(
            !rules
                .assess(start, on_day_60, 100, &OTHER)
                .replacement_or_refund()
        );
    }

    #[test]
    fn a_major_component_gets_a_new_component_early_and_a_new_car_in_the_first_week() {
        let start = date(2025, 3, 1);
        let major = SanbaoCase {
            fault: FaultClass::MajorComponent,
            ..OTHER
        };
        let day_7 = start + Days::new(6);
        let new_rules = SanbaoRules::RULES_2022.assess(start, day_7, 400, &major);
        assert!(new_rules.early_failure && new_rules.component_replacement);
        let day_8 = SanbaoRules::RULES_2022.assess(start, day_7 + Days::new(1), 400, &major);
        assert!(!day_8.early_failure && day_8.component_replacement);
        let old_rules = SanbaoRules::RULES_2013.assess(start, day_7, 400, &major);
        assert!(!old_rules.early_failure && old_rules.component_replacement);
    }

    #[test]
    fn repeated_repairs_and_long_repair_times_give_a_new_car_or_refund() {
        let start = date(2024, 6, 1);
        let today = date(2025, 6, 1);
        let case = |repairs, days| SanbaoCase {
            earlier_repairs_of_fault: repairs,
            repair_days: days,
            ..OTHER
        };
        let old = SanbaoRules::RULES_2013;
        assert!(
            !old.assess(start, today, 20_000, &case(4, 35))
                .replacement_or_refund()
        );
        assert!(old.assess(start, today, 20_000, &case(5, 0)).repeated_fault);
        assert!(
            old.assess(start, today, 20_000, &case(0, 36))
                .repair_days_exceeded
        );
        let new = SanbaoRules::RULES_2022;
        assert!(
            !new.assess(start, today, 20_000, &case(3, 30))
                .replacement_or_refund()
        );
        assert!(new.assess(start, today, 20_000, &case(4, 0)).repeated_fault);
        assert!(
            new.assess(start, today, 20_000, &case(0, 31))
                .repair_days_exceeded
        );
    }

    #[test]
    fn nothing_is_flagged_outside_the_period() {
        let rules = SanbaoRules::RULES_2022;
        let start = date(2023, 1, 1);
        let worst = SanbaoCase {
            fault: FaultClass::SafetyFailure,
            earlier_repairs_of_fault: 9,
            repair_days: 90,
        };
        assert_eq!(
            rules.assess(start, date(2025, 1, 1), 10_000, &worst),
            SanbaoFlags::default()
        );
        assert_eq!(
            rules.assess(start, date(2023, 2, 1), 50_001, &worst),
            SanbaoFlags::default()
        );
        assert!(
            rules
                .assess(start, date(2024, 12, 31), 50_000, &worst)
                .in_period
        );
    }
}
