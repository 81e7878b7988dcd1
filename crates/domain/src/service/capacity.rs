//! How many advisors reception needs, and whether a booking fits the day.
//!
//! Reception is an M/M/c queue (Erlang C): customers arrive at random at a steady hourly rate,
//! each takes on average the same time to receive, and the advisors take them first come,
//! first served. Floats are fine here: these are forecasts, not money. Once the offered load
//! (arrivals × service time) reaches the number of advisors the queue grows without end, so
//! there is no expected wait to report and no target is met.

use crate::sales::vocabulary;
use crate::validation::Invalid;

/// More advisors than this are never proposed: the search stops rather than run away.
pub const MAX_ADVISORS: u32 = 1_000;

/// Reception demand in one hour of the day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    arrivals_per_hour: f64,
    service_minutes: f64,
}

impl Demand {
    pub fn new(arrivals_per_hour: f64, service_minutes: f64) -> Result<Demand, Invalid> {
        if !(arrivals_per_hour.is_finite() && arrivals_per_hour >= 0.0) {
            return Err(Invalid("capacity.arrivals"));
        }
        if !(service_minutes.is_finite() && service_minutes > 0.0) {
            return Err(Invalid("capacity.service_minutes"));
        }
        Ok(Demand {
            arrivals_per_hour,
            service_minutes,
        })
    }

    /// Offered load in Erlangs: how many advisors the arrivals keep busy on average.
    pub fn load(&self) -> f64 {
        self.arrivals_per_hour * self.service_minutes / 60.0
    }

    /// The probability that an arriving customer has to wait, or `None` when the queue is
    /// unstable. Uses the Erlang B recursion, which stays accurate for many advisors.
    fn wait_probability(&self, advisors: u32) -> Option<f64> {
        let load = self.load();
        let servers = f64::from(advisors);
        if load >= servers {
            return None;
        }
        let blocking = (1..=advisors).fold(1.0, |b, k| load * b / (f64::from(k) + load * b));
        Some(servers * blocking / (servers - load * (1.0 - blocking)))
    }
}

/// The queue at reception with a given number of advisors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueForecast {
    /// Share of customers who wait at all.
    pub wait_probability: f64,
    /// Average wait over all customers, those served at once included.
    pub expected_wait_minutes: f64,
    /// Share of the advisors' time spent receiving customers.
    pub utilisation: f64,
}

/// The queue `advisors` advisors face, or `None` when it is unstable (waits grow without end).
pub fn forecast(demand: &Demand, advisors: u32) -> Option<QueueForecast> {
    let wait_probability = demand.wait_probability(advisors)?;
    let spare = f64::from(advisors) - demand.load();
    Some(QueueForecast {
        wait_probability,
        expected_wait_minutes: wait_probability * demand.service_minutes / spare,
        utilisation: demand.load() / f64::from(advisors),
    })
}

/// The share of customers received within `minutes`; 0 for an unstable queue.
pub fn served_within(demand: &Demand, advisors: u32, minutes: f64) -> f64 {
    let Some(wait_probability) = demand.wait_probability(advisors) else {
        return 0.0;
    };
    let spare = f64::from(advisors) - demand.load();
    1.0 - wait_probability * (-spare * minutes / demand.service_minutes).exp()
}

/// A service level: `share` of customers received within `within_minutes`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTarget {
    share: f64,
    within_minutes: f64,
}

impl Default for ServiceTarget {
    /// 80% of customers received within 5 minutes.
    fn default() -> Self {
        ServiceTarget {
            share: 0.8,
            within_minutes: 5.0,
        }
    }
}

impl ServiceTarget {
    /// A share of 1 would need infinitely many advisors, so it must be below 1.
    pub fn new(share: f64, within_minutes: f64) -> Result<ServiceTarget, Invalid> {
        if !(share > 0.0 && share < 1.0) {
            return Err(Invalid("capacity.target_share"));
        }
        if !(within_minutes.is_finite() && within_minutes >= 0.0) {
            return Err(Invalid("capacity.target_minutes"));
        }
        Ok(ServiceTarget {
            share,
            within_minutes,
        })
    }

    pub fn met(&self, demand: &Demand, advisors: u32) -> bool {
        served_within(demand, advisors, self.within_minutes) >= self.share
    }
}

/// The fewest advisors that meet `target`: 0 for an hour nobody arrives in, `None` when even
/// [`MAX_ADVISORS`] do not.
pub fn advisors_needed(demand: &Demand, target: &ServiceTarget) -> Option<u32> {
    if demand.arrivals_per_hour == 0.0 {
        return Some(0);
    }
    let fewest_stable = demand.load().floor() + 1.0;
    if fewest_stable > f64::from(MAX_ADVISORS) {
        return None;
    }
    // In range 1..=MAX_ADVISORS, so the conversion is exact.
    let fewest_stable = fewest_stable as u32;
    (fewest_stable..=MAX_ADVISORS).find(|&advisors| target.met(demand, advisors))
}

vocabulary!(
    /// Why an appointment cannot be booked.
    BookingRefusal {
        AdvisorSlotTaken => "advisor_slot_taken",
        BayHoursFull => "bay_hours_full",
        TechnicianHoursFull => "technician_hours_full",
    }
);

/// A day's workshop capacity and what is already booked, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayCapacity {
    pub bay_available_minutes: u32,
    pub bay_booked_minutes: u32,
    pub technician_available_minutes: u32,
    pub technician_booked_minutes: u32,
}

fn fits(available: u32, booked: u32, wanted: u32) -> bool {
    u64::from(booked) + u64::from(wanted) <= u64::from(available)
}

impl DayCapacity {
    /// Whether a booking of `minutes` of work fits, given whether the advisor's reception slot
    /// is free; the first reason it does not, in the order reception checks them.
    pub fn accepts(&self, advisor_slot_free: bool, minutes: u32) -> Result<(), BookingRefusal> {
        if !advisor_slot_free {
            return Err(BookingRefusal::AdvisorSlotTaken);
        }
        if !fits(self.bay_available_minutes, self.bay_booked_minutes, minutes) {
            return Err(BookingRefusal::BayHoursFull);
        }
        if !fits(
            self.technician_available_minutes,
            self.technician_booked_minutes,
            minutes,
        ) {
            return Err(BookingRefusal::TechnicianHoursFull);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-4
    }

    /// Ten customers an hour, twelve minutes each: two advisors' worth of work.
    fn two_erlangs() -> Demand {
        Demand::new(10.0, 12.0).unwrap()
    }

    #[test]
    fn one_advisor_behaves_like_a_single_queue() {
        let demand = Demand::new(3.0, 10.0).unwrap();
        let queue = forecast(&demand, 1).unwrap();
        assert!(close(queue.wait_probability, 0.5));
        assert!(close(queue.expected_wait_minutes, 10.0));
        assert!(close(queue.utilisation, 0.5));
    }

    #[test]
    fn erlang_c_matches_the_textbook_values() {
        let three = forecast(&two_erlangs(), 3).unwrap();
        assert!(close(three.wait_probability, 4.0 / 9.0));
        assert!(close(three.expected_wait_minutes, 48.0 / 9.0));
        assert!(close(served_within(&two_erlangs(), 3, 5.0), 0.70706));
        let four = forecast(&two_erlangs(), 4).unwrap();
        assert!(close(four.wait_probability, 4.0 / 23.0));
        assert!(four.expected_wait_minutes < three.expected_wait_minutes);
    }

    #[test]
    fn an_overloaded_reception_has_no_finite_wait() {
        assert_eq!(forecast(&two_erlangs(), 2), None);
        assert_eq!(forecast(&two_erlangs(), 1), None);
        assert_eq!(served_within(&two_erlangs(), 2, 60.0), 0.0);
        assert!(!ServiceTarget::default().met(&two_erlangs(), 2));
    }

    #[test]
    fn the_fewest_advisors_meeting_the_target_are_proposed() {
        let target = ServiceTarget::default();
        assert!(!target.met(&two_erlangs(), 3));
        assert_eq!(advisors_needed(&two_erlangs(), &target), Some(4));
        let strict = ServiceTarget::new(0.99, 1.0).unwrap();
        assert_eq!(advisors_needed(&two_erlangs(), &strict), Some(7));
        let quiet = Demand::new(0.0, 12.0).unwrap();
        assert_eq!(advisors_needed(&quiet, &target), Some(0));
        let flood = Demand::new(1.0e6, 60.0).unwrap();
        assert_eq!(advisors_needed(&flood, &target), None);
    }

    #[test]
    fn nonsense_demand_and_targets_are_refused() {
        assert_eq!(Demand::new(-1.0, 10.0), Err(Invalid("capacity.arrivals")));
        assert_eq!(
            Demand::new(f64::NAN, 10.0),
            Err(Invalid("capacity.arrivals"))
        );
        assert_eq!(
            Demand::new(5.0, 0.0),
            Err(Invalid("capacity.service_minutes"))
        );
        assert_eq!(
            ServiceTarget::new(1.0, 5.0),
            Err(Invalid("capacity.target_share"))
        );
        assert_eq!(
            ServiceTarget::new(0.8, -1.0),
            Err(Invalid("capacity.target_minutes"))
        );
    }

    #[test]
    fn a_booking_fits_only_with_a_free_slot_and_hours_left() {
        let day = DayCapacity {
            bay_available_minutes: 480,
            bay_booked_minutes: 420,
            technician_available_minutes: 960,
            technician_booked_minutes: 930,
        };
        assert_eq!(day.accepts(true, 30), Ok(()));
        assert_eq!(
            day.accepts(false, 30),
            Err(BookingRefusal::AdvisorSlotTaken)
        );
        assert_eq!(day.accepts(true, 61), Err(BookingRefusal::BayHoursFull));
        assert_eq!(
            day.accepts(true, 45),
            Err(BookingRefusal::TechnicianHoursFull)
        );
        assert_eq!(
            DayCapacity::default().accepts(true, u32::MAX),
            Err(BookingRefusal::BayHoursFull)
        );
    }
}
