//! The special order for a customer (客户订件): requested by an advisor or appointment
//! specialist → reviewed by the parts manager → ordered from the maker → arrived → the advisor
//! team takes it → the customer is told → an appointment is booked → fitted. Nothing depends on
//! the requester being at work: once the part arrives every advisor of the store sees it.

use chrono::NaiveDate;

use crate::sales::vocabulary;
use crate::validation::Invalid;

vocabulary!(
    /// Where a special order stands.
    Status {
        Requested => "requested",
        Approved => "approved",
        Rejected => "rejected",
        Ordered => "ordered",
        Arrived => "arrived",
        AdvisorNotified => "advisor_notified",
        CustomerNotified => "customer_notified",
        Booked => "booked",
        Fitted => "fitted",
        Cancelled => "cancelled",
        Returned => "returned",
    }
);

impl Status {
    /// The one forward path, with the two reviews' outcomes and the two ways out: cancelled
    /// before the part is bought, returned to the maker once it sits unclaimed.
    pub fn change_to(self, next: Status) -> Result<Status, Invalid> {
        use Status::*;
        let allowed = matches!(
            (self, next),
            (Requested, Approved | Rejected | Cancelled)
                | (Approved, Ordered | Cancelled)
                | (Ordered, Arrived)
                | (Arrived, AdvisorNotified)
                | (AdvisorNotified, CustomerNotified)
                | (CustomerNotified, Booked)
                | (Booked, Fitted)
                | (
                    Arrived | AdvisorNotified | CustomerNotified | Booked,
                    Returned
                )
        );
        match self {
            _ if allowed => Ok(next),
            Rejected | Fitted | Cancelled | Returned => Err(Invalid("special_order.closed")),
            _ => Err(Invalid("special_order.transition")),
        }
    }

    /// The part is in the store and waiting for its customer.
    pub fn on_the_shelf(self) -> bool {
        matches!(
            self,
            Status::Arrived | Status::AdvisorNotified | Status::CustomerNotified | Status::Booked
        )
    }

    /// Steps the advisor team works on (the team's task list).
    pub fn awaits_advisor(self) -> bool {
        matches!(
            self,
            Status::Arrived | Status::AdvisorNotified | Status::CustomerNotified
        )
    }
}

/// What is late about a part waiting for its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Alerts {
    /// Arrived three or more days ago and the customer still has not been told.
    pub customer_not_contacted: bool,
    /// Arrived thirty or more days ago and not fitted: send it back to the maker.
    pub return_due: bool,
}

pub const CONTACT_WITHIN_DAYS: i64 = 3;
pub const RETURN_AFTER_DAYS: i64 = 30;

pub fn alerts(status: Status, arrived_on: Option<NaiveDate>, today: NaiveDate) -> Alerts {
    let Some(arrived_on) = arrived_on.filter(|_| status.on_the_shelf()) else {
        return Alerts::default();
    };
    let waited = (today - arrived_on).num_days();
    Alerts {
        customer_not_contacted: waited >= CONTACT_WITHIN_DAYS
            && matches!(status, Status::Arrived | Status::AdvisorNotified),
        return_due: waited >= RETURN_AFTER_DAYS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn the_order_walks_the_seeds_workflow() {
        let path = [
            Requested,
            Approved,
            Ordered,
            Arrived,
            AdvisorNotified,
            CustomerNotified,
            Booked,
            Fitted,
        ];
        for step in path.windows(2) {
            assert_eq!(step[0].change_to(step[1]), Ok(step[1]));
        }
    }

    #[test]
    fn steps_cannot_be_skipped_or_undone() {
        assert_eq!(
            Requested.change_to(Ordered),
            Err(Invalid("special_order.transition"))
        );
        assert_eq!(
            Arrived.change_to(CustomerNotified),
            Err(Invalid("special_order.transition"))
        );
        assert_eq!(
            Ordered.change_to(Cancelled),
            Err(Invalid("special_order.transition"))
        );
        assert_eq!(
            Fitted.change_to(Returned),
            Err(Invalid("special_order.closed"))
        );
        assert_eq!(
            Rejected.change_to(Approved),
            Err(Invalid("special_order.closed"))
        );
        assert_eq!(Booked.change_to(Returned), Ok(Returned));
    }

    #[test]
    fn waiting_parts_raise_contact_and_return_alerts() {
        let arrived = Some(day(1));
        assert_eq!(alerts(Arrived, arrived, day(3)), Alerts::default());
        let late = alerts(AdvisorNotified, arrived, day(4));
        assert!(late.customer_not_contacted && !late.return_due);
        // Once the customer is told, only the 30-day return flag remains.
        assert!(!alerts(CustomerNotified, arrived, day(4)).customer_not_contacted);
        let stale = alerts(Booked, arrived, day(31));
        assert!(stale.return_due && !stale.customer_not_contacted);
        assert_eq!(alerts(Fitted, arrived, day(31)), Alerts::default());
        assert_eq!(alerts(Ordered, None, day(31)), Alerts::default());
    }
}
