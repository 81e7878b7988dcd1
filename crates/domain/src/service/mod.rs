//! After-sales service (售后服务): the repair order's life cycle, warranty and 三包 flags,
//! settlement in fen, reception and booking capacity, quality KPIs, maintenance reminders and
//! warranty-claim commissions. Vocabulary shared by storage, API and screens.

pub mod capacity;
pub mod claims;
pub mod maintenance;
pub mod order;
pub mod quality;
pub mod settlement;
pub mod warranty;

use crate::sales::vocabulary;
use crate::validation::Invalid;

vocabulary!(
    /// Who pays for a line: the customer, the maker (索赔), an insurer (事故车) or the store.
    PayType {
        Customer => "customer",
        Warranty => "warranty",
        Insurance => "insurance",
        Internal => "internal",
    }
);

vocabulary!(
    /// Where an appointment (预约) stands.
    AppointmentStatus {
        Booked => "booked",
        Confirmed => "confirmed",
        Arrived => "arrived",
        NoShow => "no_show",
        Cancelled => "cancelled",
        Rescheduled => "rescheduled",
    }
);

impl AppointmentStatus {
    /// Whether the appointment still holds its advisor slot and workshop hours.
    pub fn holds_capacity(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Booked | AppointmentStatus::Confirmed | AppointmentStatus::Arrived
        )
    }

    /// Booked → confirmed (the call the day before) → arrived; booked or confirmed may also end
    /// as no-show, cancelled or rescheduled (the new booking replaces it). Nothing comes back.
    pub fn change_to(self, next: AppointmentStatus) -> Result<AppointmentStatus, Invalid> {
        use AppointmentStatus::*;
        match (self, next) {
            (Booked, Confirmed)
            | (Booked | Confirmed, Arrived | NoShow | Cancelled | Rescheduled) => Ok(next),
            (Arrived | NoShow | Cancelled | Rescheduled, _) => Err(Invalid("appointment.closed")),
            _ => Err(Invalid("appointment.transition")),
        }
    }
}

/// `value × numerator / denominator`, rounded half up; for the non-negative amounts and rates
/// used here. `None` when the denominator is not positive or the result does not fit an `i64`.
pub(crate) fn scale_half_up(value: i64, numerator: i64, denominator: i64) -> Option<i64> {
    if denominator <= 0 {
        return None;
    }
    let doubled = i128::from(value) * i128::from(numerator) * 2 + i128::from(denominator);
    i64::try_from(doubled / (i128::from(denominator) * 2)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_through_their_stored_text() {
        for pay_type in PayType::ALL {
            assert_eq!(PayType::parse(pay_type.as_str()), Some(*pay_type));
        }
        for status in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(PayType::parse("cash"), None);
    }

    #[test]
    fn appointments_move_forward_and_end_once() {
        use AppointmentStatus::*;
        assert_eq!(Booked.change_to(Confirmed), Ok(Confirmed));
        assert_eq!(Confirmed.change_to(Arrived), Ok(Arrived));
        assert_eq!(Booked.change_to(NoShow), Ok(NoShow));
        assert_eq!(Confirmed.change_to(Rescheduled), Ok(Rescheduled));
        assert_eq!(
            Confirmed.change_to(Confirmed),
            Err(Invalid("appointment.transition"))
        );
        assert_eq!(
            Booked.change_to(Booked),
            Err(Invalid("appointment.transition"))
        );
        for closed in [Arrived, NoShow, Cancelled, Rescheduled] {
            assert_eq!(
                closed.change_to(Confirmed),
                Err(Invalid("appointment.closed"))
            );
            assert!(!closed.holds_capacity() || closed == Arrived);
        }
        assert!(Booked.holds_capacity() && Confirmed.holds_capacity());
    }

    #[test]
    fn scaling_rounds_half_up() {
        assert_eq!(scale_half_up(45, 13_200, 60), Some(9_900));
        assert_eq!(scale_half_up(1, 1, 2), Some(1));
        assert_eq!(scale_half_up(1, 1, 3), Some(0));
        assert_eq!(scale_half_up(2, 1, 3), Some(1));
        assert_eq!(scale_half_up(1, 1, 0), None);
        assert_eq!(scale_half_up(i64::MAX, 10, 1), None);
    }
}
