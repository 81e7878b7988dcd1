//! Repair quality and workshop KPIs: comebacks, first-time fix, technician efficiency and
//! productivity, effective labour rate, on-time delivery and show rate.
//!
//! Counts add up per technician, advisor, team, store or period; rates are basis points as in
//! the sales funnel, `None` when their base is zero. Money figures are fen, rounded half up.

use chrono::{NaiveDate, NaiveDateTime};

use super::{AppointmentStatus, scale_half_up};
use crate::sales::funnel::basis_points;
use crate::sales::vocabulary;

/// A car back this many days after delivery with the same concern is a comeback.
pub const COMEBACK_DAYS: i64 = 30;

vocabulary!(
    /// What a visit was about, as the advisor classifies the customer's concern.
    ConcernCategory {
        Maintenance => "maintenance",
        Engine => "engine",
        Transmission => "transmission",
        Brakes => "brakes",
        Chassis => "chassis",
        Electrical => "electrical",
        AirConditioning => "air_conditioning",
        Body => "body",
        Other => "other",
    }
);

/// One of a vehicle's visits: the day and what it was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub on: NaiveDate,
    pub concern: ConcernCategory,
}

/// The earlier visit this one comes back from: the latest of the same vehicle's earlier visits
/// (delivered on `on`, the current visit not among them) with the same concern, at most
/// [`COMEBACK_DAYS`] before. Routine maintenance is never a comeback: it is due, not redone.
pub fn comeback_of<'a>(earlier_visits: &'a [Visit], visit: &Visit) -> Option<&'a Visit> {
    if visit.concern == ConcernCategory::Maintenance {
        return None;
    }
    earlier_visits
        .iter()
        .filter(|earlier| earlier.concern == visit.concern)
        .filter(|earlier| (0..=COMEBACK_DAYS).contains(&(visit.on - earlier.on).num_days()))
        .max_by_key(|earlier| earlier.on)
}

/// What a period's repair orders, clock records and appointments add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkshopCounts {
    pub repair_orders: u64,
    /// Repair orders a comeback later returned to.
    pub comebacks: u64,
    pub revenue_fen: i64,
    pub labour_revenue_fen: i64,
    /// Standard minutes sold on the orders (hours sold).
    pub billed_minutes: u64,
    /// Minutes technicians were clocked on jobs.
    pub clocked_minutes: u64,
    /// Minutes technicians were present to work.
    pub available_minutes: u64,
    pub delivered: u64,
    pub delivered_on_time: u64,
    pub appointments_kept: u64,
    pub no_shows: u64,
}

/// The KPIs the counts give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkshopRates {
    pub first_time_fix: Option<u32>,
    pub comeback: Option<u32>,
    /// Billed ÷ clocked: above 100% when technicians beat standard times.
    pub efficiency: Option<u32>,
    /// Clocked ÷ available.
    pub productivity: Option<u32>,
    pub on_time_delivery: Option<u32>,
    pub show_rate: Option<u32>,
    /// 客单价.
    pub revenue_per_order_fen: Option<i64>,
    /// Labour revenue per hour sold.
    pub effective_labour_rate_fen: Option<i64>,
}

impl WorkshopCounts {
    /// Counts a delivery, on time when the car was ready by the promised time.
    pub fn record_delivery(&mut self, promised: NaiveDateTime, delivered: NaiveDateTime) {
        self.delivered += 1;
        if delivered <= promised {
            self.delivered_on_time += 1;
        }
    }

    /// Counts an appointment that has run its course. Cancelled and rescheduled ones were
    /// withdrawn and booked or confirmed ones are still to come, so they count for neither.
    pub fn record_appointment(&mut self, status: AppointmentStatus) {
        match status {
            AppointmentStatus::Arrived => self.appointments_kept += 1,
            AppointmentStatus::NoShow => self.no_shows += 1,
            _ => {}
        }
    }

    pub fn rates(&self) -> WorkshopRates {
        let fixed_first_time = self.repair_orders.saturating_sub(self.comebacks);
        let due_appointments = self.appointments_kept.saturating_add(self.no_shows);
        WorkshopRates {
            first_time_fix: basis_points(fixed_first_time, self.repair_orders),
            comeback: basis_points(self.comebacks, self.repair_orders),
            efficiency: basis_points(self.billed_minutes, self.clocked_minutes),
            productivity: basis_points(self.clocked_minutes, self.available_minutes),
            on_time_delivery: basis_points(self.delivered_on_time, self.delivered),
            show_rate: basis_points(self.appointments_kept, due_appointments),
            revenue_per_order_fen: per(self.revenue_fen, 1, self.repair_orders),
            effective_labour_rate_fen: per(self.labour_revenue_fen, 60, self.billed_minutes),
        }
    }

    pub fn add(&mut self, other: &WorkshopCounts) {
        self.repair_orders = self.repair_orders.saturating_add(other.repair_orders);
        self.comebacks = self.comebacks.saturating_add(other.comebacks);
        self.revenue_fen = self.revenue_fen.saturating_add(other.revenue_fen);
        self.labour_revenue_fen = self
            .labour_revenue_fen
            .saturating_add(other.labour_revenue_fen);
        self.billed_minutes = self.billed_minutes.saturating_add(other.billed_minutes);
        self.clocked_minutes = self.clocked_minutes.saturating_add(other.clocked_minutes);
        self.available_minutes = self
            .available_minutes
            .saturating_add(other.available_minutes);
        self.delivered = self.delivered.saturating_add(other.delivered);
        self.delivered_on_time = self
            .delivered_on_time
            .saturating_add(other.delivered_on_time);
        self.appointments_kept = self
            .appointments_kept
            .saturating_add(other.appointments_kept);
        self.no_shows = self.no_shows.saturating_add(other.no_shows);
    }
}

/// `fen × scale ÷ count`, rounded half up; `None` for a zero count.
fn per(fen: i64, scale: i64, count: u64) -> Option<i64> {
    scale_half_up(fen, scale, i64::try_from(count).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(day: u32, concern: ConcernCategory) -> Visit {
        Visit {
            on: NaiveDate::from_ymd_opt(2025, 5, day).unwrap(),
            concern,
        }
    }

    #[test]
    fn the_same_concern_within_30_days_is_a_comeback() {
        let history = [
            visit(1, ConcernCategory::Brakes),
            visit(3, ConcernCategory::Electrical),
            visit(10, ConcernCategory::Brakes),
        ];
        let back = visit(31, ConcernCategory::Brakes);
        assert_eq!(comeback_of(&history, &back), Some(&history[2]));
        let late = Visit {
            on: NaiveDate::from_ymd_opt(2025, 6, 10).unwrap(),
            ..back
        };
        assert_eq!(comeback_of(&history, &late), None);
        let day_30 = Visit {
            on: NaiveDate::from_ymd_opt(2025, 6, 9).unwrap(),
            ..back
        };
        assert_eq!(comeback_of(&history, &day_30), Some(&history[2]));
        assert_eq!(
            comeback_of(&history, &visit(12, ConcernCategory::Engine)),
            None
        );
    }

    #[test]
    fn routine_maintenance_is_never_a_comeback() {
        let history = [visit(1, ConcernCategory::Maintenance)];
        assert_eq!(
            comeback_of(&history, &visit(5, ConcernCategory::Maintenance)),
            None
        );
    }

    #[test]
    fn workshop_rates_come_from_the_counts() {
        let counts = WorkshopCounts {
            repair_orders: 200,
            comebacks: 6,
            revenue_fen: 21_000_000,
            labour_revenue_fen: 4_800_000,
            billed_minutes: 24_000,
            clocked_minutes: 20_000,
            available_minutes: 28_800,
            delivered: 190,
            delivered_on_time: 171,
            appointments_kept: 90,
            no_shows: 10,
        };
        let rates = counts.rates();
        assert_eq!(rates.first_time_fix, Some(9_700));
        assert_eq!(rates.comeback, Some(300));
        assert_eq!(rates.efficiency, Some(12_000));
        assert_eq!(rates.productivity, Some(6_944));
        assert_eq!(rates.on_time_delivery, Some(9_000));
        assert_eq!(rates.show_rate, Some(9_000));
        assert_eq!(rates.revenue_per_order_fen, Some(105_000));
        assert_eq!(rates.effective_labour_rate_fen, Some(12_000));
        assert_eq!(WorkshopCounts::default().rates(), WorkshopRates::default());
    }

    #[test]
    fn deliveries_by_the_promised_time_are_on_time() {
        let promised = visit(1, ConcernCategory::Other)
            .on
            .and_hms_opt(17, 0, 0)
            .unwrap();
        let mut counts = WorkshopCounts::default();
        counts.record_delivery(promised, promised);
        counts.record_delivery(promised, promised + chrono::Duration::minutes(1));
        assert_eq!((counts.delivered, counts.delivered_on_time), (2, 1));
    }

    #[test]
    fn show_rate_counts_only_appointments_that_fell_due() {
        let mut counts = WorkshopCounts::default();
        for status in AppointmentStatus::ALL {
            counts.record_appointment(*status);
        }
        counts.record_appointment(AppointmentStatus::Arrived);
        assert_eq!((counts.appointments_kept, counts.no_shows), (2, 1));
        assert_eq!(counts.rates().show_rate, Some(6_667));
    }

    #[test]
    fn counts_add_up_across_technicians() {
        let mut team = WorkshopCounts {
            billed_minutes: 300,
            clocked_minutes: 400,
            ..WorkshopCounts::default()
        };
        team.add(&WorkshopCounts {
            billed_minutes: 500,
            clocked_minutes: 400,
            ..WorkshopCounts::default()
        });
        assert_eq!(team.rates().efficiency, Some(10_000));
    }
}
