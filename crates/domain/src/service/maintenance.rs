//! When a car is next due for maintenance: by date or by mileage, whichever comes first, with
//! the mileage date estimated from the car's own odometer readings.
//!
//! The seeds give no interval (makers' schedules differ by brand and model), so the policy is
//! a store setting defaulting to the common every 10,000 km or 12 months.

use chrono::{Days, Months, NaiveDate};

/// An odometer reading: at reception, at delivery (0 km), from a reminder call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub on: NaiveDate,
    pub km: u32,
}

/// How far a car goes: `km` over `days`, both positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub km: u32,
    pub days: u32,
}

/// The car's pace from its earliest to its latest reading. `None` without two readings on
/// different days, or when the odometer went backwards or the car has not moved.
pub fn pace(readings: &[Reading]) -> Option<Pace> {
    let first = readings.iter().min_by_key(|r| r.on)?;
    let last = readings.iter().max_by_key(|r| r.on)?;
    let days = u32::try_from((last.on - first.on).num_days()).ok()?;
    let km = last.km.checked_sub(first.km)?;
    (days > 0 && km > 0).then_some(Pace { km, days })
}

/// The day the car is expected to show `target_km`, going on at its pace from the latest
/// reading (rounded up to a whole day). A target already passed gives the latest reading's day.
pub fn date_reaching(readings: &[Reading], target_km: u32) -> Option<NaiveDate> {
    let pace = pace(readings)?;
    let last = readings.iter().max_by_key(|r| r.on)?;
    let to_go = u64::from(target_km.saturating_sub(last.km));
    let days = (to_go * u64::from(pace.days)).div_ceil(u64::from(pace.km));
    last.on.checked_add_days(Days::new(days))
}

/// Which limit brings the next service first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueBy {
    Date,
    Mileage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub on: NaiveDate,
    pub by: DueBy,
}

/// A store's maintenance interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaintenancePolicy {
    pub interval_km: u32,
    pub interval_months: u32,
}

impl Default for MaintenancePolicy {
    fn default() -> Self {
        MaintenancePolicy {
            interval_km: 10_000,
            interval_months: 12,
        }
    }
}

impl MaintenancePolicy {
    /// The next service's date and mileage, written on the settlement sheet.
    pub fn next_after(&self, serviced: Reading) -> Reading {
        Reading {
            on: serviced
                .on
                .checked_add_months(Months::new(self.interval_months))
                .unwrap_or(NaiveDate::MAX),
            km: serviced.km.saturating_add(self.interval_km),
        }
    }

    /// When the next service falls due: its date, or earlier when the car's pace brings it to
    /// the mileage first. Without a pace the date stands.
    pub fn due(&self, serviced: Reading, readings: &[Reading]) -> Due {
        let next = self.next_after(serviced);
        match date_reaching(readings, next.km) {
            Some(on) if on < next.on => Due {
                on,
                by: DueBy::Mileage,
            },
            _ => Due {
                on: next.on,
                by: DueBy::Date,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(month: u32, day: u32, km: u32) -> Reading {
        Reading {
            on: NaiveDate::from_ymd_opt(2025, month, day).unwrap(),
            km,
        }
    }

    #[test]
    fn pace_runs_from_the_earliest_to_the_latest_reading() {
        let readings = [reading(3, 1, 6_000), reading(1, 1, 0), reading(2, 1, 2_000)];
        assert_eq!(
            pace(&readings),
            Some(Pace {
                km: 6_000,
                days: 59
            })
        );
    }

    #[test]
    fn no_pace_without_distance_or_time() {
        assert_eq!(pace(&[]), None);
        assert_eq!(pace(&[reading(1, 1, 0)]), None);
        assert_eq!(pace(&[reading(1, 1, 0), reading(1, 1, 500)]), None);
        assert_eq!(pace(&[reading(1, 1, 500), reading(2, 1, 500)]), None);
        assert_eq!(pace(&[reading(1, 1, 900), reading(2, 1, 500)]), None);
    }

    #[test]
    fn the_date_a_mileage_is_reached_is_rounded_up_to_a_whole_day() {
        // 3,000 km in 30 days: 100 km a day.
        let readings = [reading(1, 1, 0), reading(1, 31, 3_000)];
        assert_eq!(date_reaching(&readings, 4_000), Some(reading(2, 10, 0).on));
        assert_eq!(date_reaching(&readings, 4_050), Some(reading(2, 11, 0).on));
        assert_eq!(date_reaching(&readings, 2_000), Some(reading(1, 31, 0).on));
        assert_eq!(date_reaching(&readings[..1], 4_000), None);
    }

    #[test]
    fn the_next_service_is_whichever_limit_comes_first() {
        let policy = MaintenancePolicy::default();
        let serviced = reading(1, 15, 5_000);
        assert_eq!(
            policy.next_after(serviced),
            Reading {
                on: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
                km: 15_000
            }
        );
        // 100 km a day reaches 15,000 km on 25 April, long before January.
        let busy = [reading(1, 15, 5_000), reading(2, 14, 8_000)];
        assert_eq!(
            policy.due(serviced, &busy),
            Due {
                on: reading(4, 25, 0).on,
                by: DueBy::Mileage
            }
        );
        // 10 km a day would take until 2027: the date comes first.
        let quiet = [reading(1, 15, 5_000), reading(2, 14, 5_300)];
        assert_eq!(policy.due(serviced, &quiet).by, DueBy::Date);
        assert_eq!(policy.due(serviced, &[]).by, DueBy::Date);
    }
}
