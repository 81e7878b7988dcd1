//! Complaints (投诉): record, acknowledge fast, analyse the cause with the five gaps, fix, feed
//! back and close on the customer's confirmation, reopen when it was not right. Each severity
//! has a service level (first response, resolution); a complaint past either deadline is
//! escalated. The store's KPI is the two-week close rate: closed ÷ (closed + open longer than
//! two weeks).

use chrono::{DateTime, Duration, Utc};

use super::vocabulary;
use crate::validation::Invalid;

vocabulary!(
    /// How bad it is, which sets the service level.
    Severity {
        Low => "low",
        Medium => "medium",
        High => "high",
        /// Safety, legal or press risk.
        Critical => "critical",
    }
);

/// How fast a complaint must be answered and settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sla {
    pub first_response: Duration,
    pub resolution: Duration,
}

impl Severity {
    /// The default service levels (a store's own may differ): critical 2 h / 24 h, high
    /// 4 h / 48 h, medium 24 h / 72 h, low 48 h / 7 days.
    pub fn sla(self) -> Sla {
        let (respond, resolve) = match self {
            Severity::Critical => (2, 24),
            Severity::High => (4, 48),
            Severity::Medium => (24, 72),
            Severity::Low => (48, 7 * 24),
        };
        Sla {
            first_response: Duration::hours(respond),
            resolution: Duration::hours(resolve),
        }
    }
}

/// The two deadlines of a complaint taken (or reopened) at `at`.
pub fn deadlines(severity: Severity, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let sla = severity.sla();
    (at + sla.first_response, at + sla.resolution)
}

vocabulary!(
    /// Where a complaint came from.
    Channel {
        Call => "call",
        Visit => "visit",
        Survey => "survey",
        Online => "online",
        /// The maker's customer hotline (厂家 400 热线).
        OemHotline => "oem_hotline",
    }
);

vocabulary!(
    /// What the complaint is about.
    Category {
        Sales => "sales",
        Delivery => "delivery",
        RepairQuality => "repair_quality",
        WaitingTime => "waiting_time",
        Price => "price",
        Parts => "parts",
        StaffAttitude => "staff_attitude",
        Facilities => "facilities",
        Product => "product",
        Other => "other",
    }
);

vocabulary!(
    /// The five gaps of service quality a cause analysis looks for.
    Gap {
        /// 认知差距: we did not know what the customer expects.
        Knowledge => "knowledge",
        /// 标准差距: we knew, but our standards do not say it.
        Standards => "standards",
        /// 执行差距: the standard exists, the work did not meet it.
        Delivery => "delivery",
        /// 沟通差距: we promised more than we did, or did not explain.
        Communication => "communication",
        /// 感知差距: the customer perceived the service worse than it was.
        Perception => "perception",
    }
);

vocabulary!(
    /// Where a complaint stands.
    Status {
        Open => "open",
        Responded => "responded",
        Analysed => "analysed",
        Resolved => "resolved",
        Closed => "closed",
    }
);

vocabulary!(
    /// What the owner does next.
    Step {
        /// Acknowledge to the customer (the first response).
        Respond => "respond",
        /// Find the cause: gaps, cause, actions.
        Analyse => "analyse",
        /// Fix it and tell the customer.
        Resolve => "resolve",
        /// The customer confirms it is settled.
        Close => "close",
        /// Not settled after all: back to open, counted.
        Reopen => "reopen",
    }
);

impl Status {
    /// The status `step` leads to, or why not. The path is open → responded → analysed →
    /// resolved → closed; reopen goes from resolved or closed back to open.
    pub fn after(self, step: Step) -> Result<Status, Invalid> {
        use Status::*;
        let next = match (self, step) {
            (Open, Step::Respond) => Responded,
            (Responded, Step::Analyse) => Analysed,
            (Analysed, Step::Resolve) => Resolved,
            (Resolved, Step::Close) => Closed,
            (Resolved | Closed, Step::Reopen) => Open,
            (Closed, _) => return Err(Invalid("complaint.closed")),
            (_, Step::Reopen) => return Err(Invalid("complaint.not_resolved")),
            _ => return Err(Invalid("complaint.transition")),
        };
        Ok(next)
    }

    /// Still owed to the customer (not yet resolved).
    pub fn is_unresolved(self) -> bool {
        matches!(self, Status::Open | Status::Responded | Status::Analysed)
    }

    /// The step that moves it on, for the owner's form.
    pub fn next_step(self) -> Option<Step> {
        match self {
            Status::Open => Some(Step::Respond),
            Status::Responded => Some(Step::Analyse),
            Status::Analysed => Some(Step::Resolve),
            Status::Resolved => Some(Step::Close),
            Status::Closed => None,
        }
    }
}

/// What the analyse step must bring: at least one gap and the cause.
pub fn check_analysis(gaps: &[Gap], cause: Option<&str>) -> Result<(), (&'static str, Invalid)> {
    if gaps.is_empty() {
        return Err(("gaps", Invalid("complaint.gaps_required")));
    }
    if cause.is_none_or(|c| c.trim().is_empty()) {
        return Err(("cause", Invalid("required")));
    }
    Ok(())
}

/// Which deadlines a complaint has missed at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Breach {
    /// No first response and its deadline passed.
    pub response: bool,
    /// Not resolved and its deadline passed.
    pub resolution: bool,
}

impl Breach {
    pub fn any(self) -> bool {
        self.response || self.resolution
    }
}

/// The SLA state of a complaint at `now`.
pub fn breach(
    status: Status,
    respond_by: DateTime<Utc>,
    resolve_by: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Breach {
    Breach {
        response: status == Status::Open && responded_at.is_none() && now > respond_by,
        resolution: status.is_unresolved() && now > resolve_by,
    }
}

/// How long a complaint may stay open before it counts against the close rate.
pub const CLOSE_WITHIN_DAYS: i64 = 14;

/// Open (not closed) for longer than two weeks at `now`.
pub fn open_over_two_weeks(status: Status, opened_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status != Status::Closed && now - opened_at > Duration::days(CLOSE_WITHIN_DAYS)
}

/// The two-week close rate in percent (one decimal): closed ÷ (closed + open longer than two
/// weeks). Complaints younger than two weeks and still open do not count either way.
pub fn two_week_close_rate(closed: i64, open_over_two_weeks: i64) -> Option<f64> {
    let total = closed + open_over_two_weeks;
    (total > 0).then(|| (closed as f64 * 1000.0 / total as f64).round() / 10.0)
}

/// Hours from `from` to `to`, one decimal (a response or resolution time).
pub fn hours_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    ((to - from).num_seconds() as f64 / 360.0).round() / 10.0
}

/// The mean of some durations in hours, one decimal.
pub fn mean_hours(hours: &[f64]) -> Option<f64> {
    if hours.is_empty() {
        return None;
    }
    Some((hours.iter().sum::<f64>() / hours.len() as f64 * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn severities_set_the_default_service_levels() {
        let hours = |s: Severity| {
            let sla = s.sla();
            (sla.first_response.num_hours(), sla.resolution.num_hours())
        };
        assert_eq!(hours(Severity::Critical), (2, 24));
        assert_eq!(hours(Severity::High), (4, 48));
        assert_eq!(hours(Severity::Medium), (24, 72));
        assert_eq!(hours(Severity::Low), (48, 168));
        assert_eq!(deadlines(Severity::High, at(1, 8)), (at(1, 12), at(3, 8)));
    }

    #[test]
    fn a_complaint_walks_to_its_close_and_may_reopen() {
        let path = [
            (Open, Step::Respond, Responded),
            (Responded, Step::Analyse, Analysed),
            (Analysed, Step::Resolve, Resolved),
            (Resolved, Step::Close, Closed),
            (Closed, Step::Reopen, Open),
            (Resolved, Step::Reopen, Open),
        ];
        for (from, step, to) in path {
            assert_eq!(from.after(step), Ok(to), "{from:?} {step:?}");
        }
        for status in Status::ALL {
            if let Some(step) = status.next_step() {
                assert!(status.after(step).is_ok());
            }
        }
    }

    #[test]
    fn steps_out_of_order_are_refused_with_codes() {
        assert_eq!(
            Open.after(Step::Resolve),
            Err(Invalid("complaint.transition"))
        );
        assert_eq!(
            Responded.after(Step::Close),
            Err(Invalid("complaint.transition"))
        );
        assert_eq!(
            Closed.after(Step::Respond),
            Err(Invalid("complaint.closed"))
        );
        assert_eq!(
            Analysed.after(Step::Reopen),
            Err(Invalid("complaint.not_resolved"))
        );
    }

    #[test]
    fn analysis_needs_a_gap_and_a_cause() {
        assert_eq!(
            check_analysis(&[], Some("x")),
            Err(("gaps", Invalid("complaint.gaps_required")))
        );
        assert_eq!(
            check_analysis(&[Gap::Delivery], Some(" ")),
            Err(("cause", Invalid("required")))
        );
        assert_eq!(check_analysis(&[Gap::Delivery], Some("未按标准")), Ok(()));
        assert_eq!(Gap::ALL.len(), 5);
    }

    #[test]
    fn missed_deadlines_are_breaches() {
        let (respond_by, resolve_by) = deadlines(Severity::Critical, at(1, 8));
        assert_eq!(
            breach(Open, respond_by, resolve_by, None, at(1, 9)),
            Breach::default()
        );
        let late = breach(Open, respond_by, resolve_by, None, at(1, 11));
        assert!(late.response && !late.resolution && late.any());
        // Answered, but not resolved within a day.
        let late = breach(Responded, respond_by, resolve_by, Some(at(1, 9)), at(2, 9));
        assert!(!late.response && late.resolution);
        assert!(!breach(Resolved, respond_by, resolve_by, Some(at(1, 9)), at(9, 9)).any());
        assert!(!breach(Closed, respond_by, resolve_by, Some(at(1, 9)), at(9, 9)).any());
    }

    #[test]
    fn the_two_week_close_rate() {
        assert!(open_over_two_weeks(Open, at(1, 8), at(15, 9)));
        assert!(!open_over_two_weeks(Open, at(1, 8), at(14, 9)));
        assert!(!open_over_two_weeks(Closed, at(1, 8), at(30, 9)));
        assert_eq!(two_week_close_rate(3, 1), Some(75.0));
        assert_eq!(two_week_close_rate(2, 1), Some(66.7));
        assert_eq!(two_week_close_rate(0, 0), None);
    }

    #[test]
    fn durations_in_hours() {
        assert_eq!(hours_between(at(1, 8), at(1, 11)), 3.0);
        assert_eq!(
            hours_between(at(1, 8), at(1, 8) + Duration::minutes(90)),
            1.5
        );
        assert_eq!(mean_hours(&[1.0, 2.0, 4.0]), Some(2.3));
        assert_eq!(mean_hours(&[]), None);
    }

    #[test]
    fn vocabularies_round_trip() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for g in Gap::ALL {
            assert_eq!(Gap::parse(g.as_str()), Some(g));
        }
        assert_eq!(Step::parse("reopen"), Some(Step::Reopen));
        assert_eq!(Status::parse("escalated"), None);
    }
}
