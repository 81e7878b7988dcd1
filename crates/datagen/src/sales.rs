//! A dealer group's showroom and sales history, for the sales reports' benchmark: prospects
//! with the visit that brought them, their follow-ups at their grade's rhythm, test drives,
//! orders, deliveries and defeats, spread over the days before "today".
//!
//! The shape follows what Chinese 4S showrooms report: about three in four visitors leave
//! their contact (留档率), two in five prospects test drive, one in five orders, and most
//! prospects not won within a month or two are lost (战败). Times are UTC during the store's
//! opening hours in China (09:00–20:00 UTC+8).

use std::ops::Range;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use fours_domain::sales::grading::{Grade, GradingPolicy};
use fours_domain::sales::pipeline::{Standing, Step};
use fours_domain::sales::{Channel, ContactMethod, DefeatReason};
use rand::{Rng as _, SeedableRng};

use crate::Rng;
use crate::vehicles::catalogue;
use crate::weighted::pick;

/// The size of the group and of its history.
#[derive(Debug, Clone, Copy)]
pub struct SalesShape {
    pub stores: usize,
    pub consultants_per_store: usize,
    /// Prospects arrive evenly over this many days before today.
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedLead {
    pub store: usize,
    /// Index of the consultant within the store.
    pub consultant: usize,
    pub source: Channel,
    /// Series names (迈腾, 汉…), first the one they care most about.
    pub models_of_interest: Vec<&'static str>,
    pub buys_within_days: Option<u32>,
    pub grade: Grade,
    pub created_at: NaiveDateTime,
    /// The showroom visit that brought them in, if they came in person.
    pub visit: Option<GeneratedVisit>,
    /// Visitors around the same time who left without leaving a contact.
    pub anonymous_visits: Vec<GeneratedVisit>,
    pub follow_ups: Vec<GeneratedFollowUp>,
    pub test_drive_at: Option<NaiveDateTime>,
    pub ordered_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub defeat: Option<GeneratedDefeat>,
    pub step: Step,
    pub standing: Standing,
    /// Set while the lead is worked.
    pub next_follow_up_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedVisit {
    pub arrived_at: NaiveDateTime,
    pub minutes: u32,
    pub party_size: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedFollowUp {
    pub done_at: NaiveDateTime,
    pub due_on: NaiveDate,
    pub on_time: bool,
    pub method: ContactMethod,
    /// The follow-up it set: the grade's cadence from this one.
    pub next_due_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedDefeat {
    pub reason: DefeatReason,
    /// The competitor brand bought, when they bought elsewhere.
    pub brand: Option<&'static str>,
    pub closed_at: NaiveDateTime,
}

/// A stream of prospects; an infinite [`Iterator`].
pub struct SalesGenerator {
    rng: Rng,
    today: NaiveDate,
    shape: SalesShape,
    policy: GradingPolicy,
}

const COMPETITOR_BRANDS: &[(&str, u32)] = &[
    ("比亚迪", 30),
    ("丰田", 20),
    ("本田", 15),
    ("特斯拉", 12),
    ("理想", 10),
    ("吉利", 13),
];

impl SalesGenerator {
    pub fn new(seed: u64, today: NaiveDate, shape: SalesShape) -> Self {
        Self {
            rng: Rng::seed_from_u64(seed),
            today,
            shape,
            policy: GradingPolicy::default(),
        }
    }

    /// The end of today's opening hours: nothing happens after it.
    fn now(&self) -> NaiveDateTime {
        self.today.and_time(NaiveTime::MIN) + TimeDelta::hours(12)
    }

    /// A moment during opening hours, some days (drawn from `after_days`) after `day`.
    fn during_hours(&mut self, day: NaiveDate, after_days: Range<u64>) -> NaiveDateTime {
        let days = self.rng.random_range(after_days);
        let minute = self.rng.random_range(60..12 * 60);
        (day + Days::new(days)).and_time(NaiveTime::MIN) + TimeDelta::minutes(minute)
    }

    fn visit(&mut self, arrived_at: NaiveDateTime) -> GeneratedVisit {
        GeneratedVisit {
            arrived_at,
            minutes: self.rng.random_range(10..150),
            party_size: pick(&mut self.rng, &[(1, 40), (2, 40), (3, 15), (4, 5)]),
        }
    }

    /// The next prospect.
    pub fn lead(&mut self) -> GeneratedLead {
        let now = self.now();
        let store = self.rng.random_range(0..self.shape.stores.max(1));
        let consultant = self
            .rng
            .random_range(0..self.shape.consultants_per_store.max(1));
        let source = pick(
            &mut self.rng,
            &[
                (Channel::WalkIn, 45),
                (Channel::Phone, 12),
                (Channel::Online, 28),
                (Channel::Event, 8),
                (Channel::Referral, 7),
            ],
        );
        let models = catalogue();
        let wanted = self.rng.random_range(1..=3);
        let mut models_of_interest: Vec<&'static str> = Vec::with_capacity(wanted);
        for _ in 0..wanted {
            let series = models[self.rng.random_range(0..models.len())].series;
            if !models_of_interest.contains(&series) {
                models_of_interest.push(series);
            }
        }
        let buys_within_days = pick(
            &mut self.rng,
            &[
                (Some(5), 10),
                (Some(12), 15),
                (Some(25), 25),
                (Some(60), 30),
                (Some(120), 10),
                (None, 10),
            ],
        );
        let grade = self.policy.grade(buys_within_days, None);

        let first_day = self.today - Days::new(u64::from(self.shape.days.max(1)));
        let day =
            first_day + Days::new(self.rng.random_range(0..u64::from(self.shape.days.max(1))));
        let created_at = self.during_hours(day, 0..1);
        let in_person = matches!(source, Channel::WalkIn | Channel::Event | Channel::Referral);
        let visit = if in_person {
            Some(self.visit(created_at))
        } else if self.rng.random_ratio(1, 2) {
            let later = self.during_hours(day, 1..10);
            (later <= now).then(|| self.visit(later))
        } else {
            None
        };
        let anonymous_visits = (0..pick(&mut self.rng, &[(0, 65), (1, 30), (2, 5)]))
            .map(|_| self.visit(created_at))
            .collect();

        let test_drive_at = self
            .rng
            .random_ratio(2, 5)
            .then(|| self.during_hours(day, 0..10))
            .filter(|at| *at <= now);
        let order_chance = if test_drive_at.is_some() { 40 } else { 6 };
        let ordered_at = self
            .rng
            .random_ratio(order_chance, 100)
            .then(|| self.during_hours(day, 3..30))
            .filter(|at| *at <= now);
        let delivered_at = ordered_at
            .map(|at| self.during_hours(at.date(), 5..40))
            .filter(|at| *at <= now);
        let defeat = if ordered_at.is_none() && self.rng.random_ratio(3, 5) {
            let closed_at = self.during_hours(day, 20..120);
            (closed_at <= now).then(|| self.defeat(closed_at))
        } else {
            None
        };
        let closed_at = delivered_at.or(defeat.map(|d| d.closed_at));

        let (follow_ups, next_due) = self.follow_ups(grade, day, closed_at.unwrap_or(now));
        let (step, standing) = match (delivered_at, ordered_at, defeat, test_drive_at) {
            (Some(_), ..) => (Step::Delivered, Standing::Won),
            (None, Some(_), ..) => (Step::Ordered, Standing::Active),
            (None, None, defeat, test_drive) => {
                let step = match test_drive {
                    Some(_) => pick(
                        &mut self.rng,
                        &[(Step::TestDrive, 1), (Step::Negotiation, 1)],
                    ),
                    None => pick(
                        &mut self.rng,
                        &[
                            (Step::FirstContact, 2),
                            (Step::NeedsAnalysis, 2),
                            (Step::Presentation, 1),
                        ],
                    ),
                };
                let standing = if defeat.is_some() {
                    Standing::Defeated
                } else {
                    Standing::Active
                };
                (step, standing)
            }
        };
        GeneratedLead {
            store,
            consultant,
            source,
            models_of_interest,
            buys_within_days,
            grade,
            created_at,
            visit,
            anonymous_visits,
            follow_ups,
            test_drive_at,
            ordered_at,
            delivered_at,
            defeat,
            step,
            standing,
            next_follow_up_on: (standing == Standing::Active).then_some(next_due),
        }
    }

    fn defeat(&mut self, closed_at: NaiveDateTime) -> GeneratedDefeat {
        let reason = pick(
            &mut self.rng,
            &[
                (DefeatReason::Price, 30),
                (DefeatReason::Competitor, 25),
                (DefeatReason::Product, 15),
                (DefeatReason::Timing, 12),
                (DefeatReason::Finance, 8),
                (DefeatReason::Service, 4),
                (DefeatReason::Other, 6),
            ],
        );
        let bought_elsewhere = matches!(reason, DefeatReason::Competitor | DefeatReason::Price);
        GeneratedDefeat {
            reason,
            brand: bought_elsewhere.then(|| pick(&mut self.rng, COMPETITOR_BRANDS)),
            closed_at,
        }
    }

    /// Two to twelve follow-ups at the grade's cadence from the first contact, most on time,
    /// none after `until`; and the day the next one is due.
    fn follow_ups(
        &mut self,
        grade: Grade,
        first_day: NaiveDate,
        until: NaiveDateTime,
    ) -> (Vec<GeneratedFollowUp>, NaiveDate) {
        let wanted = self.rng.random_range(2..=12);
        let mut done = Vec::with_capacity(wanted);
        let mut due_on = self.policy.next_follow_up(grade, first_day);
        for _ in 0..wanted {
            let late = if self.rng.random_ratio(17, 20) {
                0..1
            } else {
                1..6
            };
            let done_at = self.during_hours(due_on, late);
            if done_at > until {
                break;
            }
            let method = pick(
                &mut self.rng,
                &[
                    (ContactMethod::Call, 45),
                    (ContactMethod::WeChat, 40),
                    (ContactMethod::Visit, 10),
                    (ContactMethod::Sms, 5),
                ],
            );
            let next_due_on = self.policy.next_follow_up(grade, done_at.date());
            done.push(GeneratedFollowUp {
                done_at,
                due_on,
                on_time: done_at.date() <= due_on,
                method,
                next_due_on,
            });
            due_on = next_due_on;
        }
        (done, due_on)
    }
}

impl Iterator for SalesGenerator {
    type Item = GeneratedLead;

    fn next(&mut self) -> Option<GeneratedLead> {
        Some(self.lead())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(count: usize) -> Vec<GeneratedLead> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let shape = SalesShape {
            stores: 4,
            consultants_per_store: 5,
            days: 365,
        };
        SalesGenerator::new(7, today, shape).take(count).collect()
    }

    fn share(leads: &[GeneratedLead], test: impl Fn(&GeneratedLead) -> bool) -> f64 {
        leads.iter().filter(|l| test(l)).count() as f64 / leads.len() as f64
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        assert_eq!(sample(50), sample(50));
    }

    #[test]
    fn the_funnel_has_a_showrooms_shape() {
        let leads = sample(20_000);
        let visits: usize = leads
            .iter()
            .map(|l| usize::from(l.visit.is_some()) + l.anonymous_visits.len())
            .sum();
        let kept = leads.iter().filter(|l| l.visit.is_some()).count();
        let contact_rate = kept as f64 / visits as f64;
        assert!((0.6..0.85).contains(&contact_rate), "{contact_rate}");
        let test_drives = share(&leads, |l| l.test_drive_at.is_some());
        assert!((0.3..0.5).contains(&test_drives), "{test_drives}");
        let orders = share(&leads, |l| l.ordered_at.is_some());
        assert!((0.1..0.25).contains(&orders), "{orders}");
        let follow_ups: usize = leads.iter().map(|l| l.follow_ups.len()).sum();
        let per_lead = follow_ups as f64 / leads.len() as f64;
        assert!((4.0..6.0).contains(&per_lead), "{per_lead}");
    }

    #[test]
    fn every_history_is_consistent() {
        let now = NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_time(NaiveTime::MIN);
        for lead in sample(5_000) {
            let closed = lead.delivered_at.or(lead.defeat.map(|d| d.closed_at));
            for follow_up in &lead.follow_ups {
                assert!(follow_up.done_at < now);
                assert!(closed.is_none_or(|c| follow_up.done_at <= c));
                assert_eq!(
                    follow_up.on_time,
                    follow_up.done_at.date() <= follow_up.due_on
                );
            }
            if let Some(delivered) = lead.delivered_at {
                assert!(lead.ordered_at.is_some_and(|o| o < delivered));
                assert_eq!(lead.standing, Standing::Won);
            }
            assert_eq!(lead.defeat.is_some(), lead.standing == Standing::Defeated);
            assert!(lead.defeat.is_none() || lead.ordered_at.is_none());
            assert_eq!(
                lead.next_follow_up_on.is_some(),
                lead.standing == Standing::Active
            );
            assert!(!lead.models_of_interest.is_empty());
        }
    }
}
