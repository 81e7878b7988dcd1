//! Dates that recur or fall due: birthdays and purchase anniversaries every year, contacts
//! every few months, and the free first and second maintenance (首保/二保) that must not expire
//! unused.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::vocabulary;
use crate::service::maintenance::{Reading, date_reaching};

/// The day a yearly date (birthday, purchase anniversary) falls on in `year`; 29 February falls
/// on 28 February in a common year.
pub fn yearly_on(date: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, date.month(), date.day()).or_else(|| {
        (date.month() == 2 && date.day() == 29)
            .then(|| NaiveDate::from_ymd_opt(year, 2, 28))
            .flatten()
    })
}

/// Whether a yearly date's occurrence, shifted by `offset_days`, is `today` (the reminder for
/// a birthday N days ahead has offset -N). Only occurrences after the date's own year count, so
/// a purchase anniversary starts with the first anniversary (and nobody is wished a happy
/// birthday on the day they were born).
pub fn yearly_due_today(date: NaiveDate, offset_days: i32, today: NaiveDate) -> bool {
    // The occurrence whose shifted day would be today.
    let days = Days::new(u64::from(offset_days.unsigned_abs()));
    let occurrence = if offset_days >= 0 {
        today.checked_sub_days(days)
    } else {
        today.checked_add_days(days)
    };
    occurrence
        .is_some_and(|day| day.year() > date.year() && yearly_on(date, day.year()) == Some(day))
}

/// Adds calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The free first and second maintenance (首保/二保): limits in months after delivery and in
/// km on the odometer, whichever comes first.
///
/// Brands differ (some give 3 months / 3,000 km, some 12 months / 7,500 km for the first), so
/// this is a store setting; the default is the common 6 months / 5,000 km and
/// 12 months / 10,000 km.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeServicePolicy {
    pub first_months: u32,
    pub first_km: u32,
    pub second_months: u32,
    pub second_km: u32,
}

impl Default for FreeServicePolicy {
    fn default() -> Self {
        FreeServicePolicy {
            first_months: 6,
            first_km: 5_000,
            second_months: 12,
            second_km: 10_000,
        }
    }
}

impl FreeServicePolicy {
    /// The limits of one free service: months after delivery and km.
    pub fn limits(&self, which: FreeService) -> (u32, u32) {
        match which {
            FreeService::First => (self.first_months, self.first_km),
            FreeService::Second => (self.second_months, self.second_km),
        }
    }
}

vocabulary!(
    /// Which free service.
    FreeService {
        First => "first",
        Second => "second",
    }
);

/// Which limit brings a free service due first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueBy {
    Date,
    Mileage,
}

/// The day a free service is due and the limit that sets it: the earlier of the month limit
/// after delivery and the day the car is expected to reach the km limit at its pace. A new car
/// counts as 0 km on its delivery day when no reading is that old, so one later reading is
/// enough for a pace. Never earlier than the delivery date.
pub fn free_service_due_by(
    policy: &FreeServicePolicy,
    which: FreeService,
    delivered_on: NaiveDate,
    readings: &[Reading],
) -> (NaiveDate, DueBy) {
    let (months, km) = policy.limits(which);
    let by_date = add_months(delivered_on, months);
    let mut known: Vec<Reading> = readings.to_vec();
    if !known.iter().any(|r| r.on <= delivered_on) {
        known.push(Reading {
            on: delivered_on,
            km: 0,
        });
    }
    match date_reaching(&known, km) {
        Some(on) if on < by_date => (on.max(delivered_on), DueBy::Mileage),
        _ => (by_date, DueBy::Date),
    }
}

/// The day a free service is due: the earlier of the month limit after delivery and the day
/// the car is expected to reach the km limit, estimated from its odometer readings. Never
/// earlier than the delivery date.
pub fn free_service_due(
    policy: &FreeServicePolicy,
    which: FreeService,
    delivered_on: NaiveDate,
    readings: &[Reading],
) -> NaiveDate {
    free_service_due_by(policy, which, delivered_on, readings).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_29th_of_february_falls_on_the_28th_in_a_common_year() {
        let leap_day = day(2000, 2, 29);
        assert_eq!(yearly_on(leap_day, 2027), Some(day(2027, 2, 28)));
        assert_eq!(yearly_on(leap_day, 2028), Some(day(2028, 2, 29)));
        assert_eq!(yearly_on(day(1990, 7, 15), 2026), Some(day(2026, 7, 15)));
    }

    #[test]
    fn a_leap_day_birthday_is_remembered_every_year() {
        let born = day(2000, 2, 29);
        // On the day.
        assert!(yearly_due_today(born, 0, day(2027, 2, 28)));
        assert!(!yearly_due_today(born, 0, day(2027, 3, 1)));
        assert!(yearly_due_today(born, 0, day(2028, 2, 29)));
        assert!(!yearly_due_today(born, 0, day(2028, 2, 28)));
        // One day ahead: 27 February in a common year, 28 February in a leap year.
        assert!(yearly_due_today(born, -1, day(2027, 2, 27)));
        assert!(!yearly_due_today(born, -1, day(2027, 2, 28)));
        assert!(yearly_due_today(born, -1, day(2028, 2, 28)));
        assert!(!yearly_due_today(born, -1, day(2028, 2, 27)));
    }

    #[test]
    fn offsets_cross_the_new_year_and_anniversaries_start_after_a_year() {
        let born = day(1985, 1, 1);
        assert!(yearly_due_today(born, -1, day(2025, 12, 31)));
        assert!(yearly_due_today(born, 3, day(2026, 1, 4)));
        let bought = day(2026, 5, 20);
        assert!(!yearly_due_today(bought, 0, day(2026, 5, 20)));
        assert!(yearly_due_today(bought, 0, day(2027, 5, 20)));
        // A reminder a week before the first anniversary falls in the purchase year.
        assert!(yearly_due_today(day(2026, 1, 3), -7, day(2026, 12, 27)));
        assert!(!yearly_due_today(day(2026, 1, 3), -7, day(2025, 12, 27)));
    }

    #[test]
    fn months_are_clamped_to_the_months_end() {
        assert_eq!(add_months(day(2026, 1, 31), 1), day(2026, 2, 28));
        assert_eq!(add_months(day(2028, 1, 31), 1), day(2028, 2, 29));
        assert_eq!(add_months(day(2026, 1, 31), 3), day(2026, 4, 30));
        assert_eq!(add_months(day(2026, 8, 31), 6), day(2027, 2, 28));
        assert_eq!(add_months(day(2026, 1, 15), 0), day(2026, 1, 15));
        assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn free_services_are_due_by_date_or_by_mileage() {
        let policy = FreeServicePolicy::default();
        let delivered = day(2026, 1, 31);
        let reading = |on, km| Reading { on, km };
        // No readings: the month limit (31 January + 6 months = 31 July).
        assert_eq!(
            free_service_due_by(&policy, FreeService::First, delivered, &[]),
            (day(2026, 7, 31), DueBy::Date)
        );
        // 100 km a day reaches 5,000 km after 50 days, long before six months.
        let busy = [reading(delivered, 0), reading(day(2026, 3, 2), 3_000)];
        assert_eq!(
            free_service_due_by(&policy, FreeService::First, delivered, &busy),
            (day(2026, 3, 22), DueBy::Mileage)
        );
        // The second free service at 10,000 km: 100 days after delivery.
        assert_eq!(
            free_service_due(&policy, FreeService::Second, delivered, &busy),
            day(2026, 5, 11)
        );
        // A single later reading is paced from 0 km on the delivery day.
        assert_eq!(
            free_service_due(&policy, FreeService::First, delivered, &busy[1..]),
            day(2026, 3, 22)
        );
        // 10 km a day: the date comes first.
        let quiet = [reading(delivered, 0), reading(day(2026, 3, 2), 300)];
        assert_eq!(
            free_service_due_by(&policy, FreeService::First, delivered, &quiet),
            (day(2026, 7, 31), DueBy::Date)
        );
    }

    #[test]
    fn a_free_service_is_never_due_before_delivery() {
        // Readings before delivery (the showroom's test drives) have passed the limit already.
        let policy = FreeServicePolicy {
            first_km: 50,
            ..FreeServicePolicy::default()
        };
        let delivered = day(2026, 3, 1);
        let readings = [
            Reading {
                on: day(2026, 2, 1),
                km: 0,
            },
            Reading {
                on: day(2026, 2, 10),
                km: 120,
            },
        ];
        assert_eq!(
            free_service_due(&policy, FreeService::First, delivered, &readings),
            delivered
        );
        assert_eq!(FreeService::parse("second"), Some(FreeService::Second));
    }
}
