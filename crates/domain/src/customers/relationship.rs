//! The customer's relationship class (suspect → prospect → customer → at risk → lost), computed
//! from what we know rather than typed in, so it is never stale.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipClass {
    /// Known only as traffic: no way to reach them and no car.
    Suspect,
    /// Reachable and interested, has not bought a car from us.
    Prospect,
    /// Owns a car we know and has been in touch recently.
    Customer,
    /// An owner who has not been seen for longer than the at-risk threshold.
    AtRisk,
    /// An owner not seen for longer than the lost threshold.
    Lost,
}

impl RelationshipClass {
    pub const ALL: [RelationshipClass; 5] = [
        RelationshipClass::Suspect,
        RelationshipClass::Prospect,
        RelationshipClass::Customer,
        RelationshipClass::AtRisk,
        RelationshipClass::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RelationshipClass::Suspect => "suspect",
            RelationshipClass::Prospect => "prospect",
            RelationshipClass::Customer => "customer",
            RelationshipClass::AtRisk => "at_risk",
            RelationshipClass::Lost => "lost",
        }
    }

    pub fn parse(name: &str) -> Option<RelationshipClass> {
        RelationshipClass::ALL
            .into_iter()
            .find(|class| class.as_str() == name)
    }
}

/// Months without a visit after which an owner is at risk, and lost. The seeds give 6 and 12 for
/// lower-tier markets; stores may configure their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionThresholds {
    pub at_risk_after_months: u32,
    pub lost_after_months: u32,
}

impl Default for RetentionThresholds {
    fn default() -> Self {
        RetentionThresholds {
            at_risk_after_months: 6,
            lost_after_months: 12,
        }
    }
}

/// What the class is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationshipFacts {
    pub owns_vehicle: bool,
    pub reachable: bool,
    /// The latest day the customer or their car was seen (delivery, service visit, mileage reading).
    pub last_seen: Option<NaiveDate>,
}

pub fn classify(
    facts: RelationshipFacts,
    today: NaiveDate,
    thresholds: RetentionThresholds,
) -> RelationshipClass {
    if !facts.owns_vehicle {
        return if facts.reachable {
            RelationshipClass::Prospect
        } else {
            RelationshipClass::Suspect
        };
    }
    let Some(last_seen) = facts.last_seen else {
        return RelationshipClass::Customer;
    };
    let months_before = |months| today.checked_sub_months(Months::new(months));
    if months_before(thresholds.lost_after_months).is_some_and(|limit| last_seen < limit) {
        RelationshipClass::Lost
    } else if months_before(thresholds.at_risk_after_months).is_some_and(|limit| last_seen < limit)
    {
        RelationshipClass::AtRisk
    } else {
        RelationshipClass::Customer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn owner_seen(last_seen: NaiveDate) -> RelationshipClass {
        let facts = RelationshipFacts {
            owns_vehicle: true,
            reachable: true,
            last_seen: Some(last_seen),
        };
        classify(facts, day(2026, 11, 23), RetentionThresholds::default())
    }

    #[test]
    fn without_a_car_reachability_decides() {
        let today = day(2026, 11, 23);
        let facts = RelationshipFacts {
            owns_vehicle: false,
            reachable: false,
            last_seen: None,
        };
        assert_eq!(
            classify(facts, today, Default::default()),
            RelationshipClass::Suspect
        );
        let facts = RelationshipFacts {
            reachable: true,
            ..facts
        };
        assert_eq!(
            classify(facts, today, Default::default()),
            RelationshipClass::Prospect
        );
    }

    #[test]
    fn owners_age_into_at_risk_then_lost() {
        assert_eq!(owner_seen(day(2026, 6, 1)), RelationshipClass::Customer);
        assert_eq!(
            owner_seen(day(2026, 5, 23)),
            RelationshipClass::Customer,
            "exactly six months is not yet at risk"
        );
        assert_eq!(owner_seen(day(2026, 5, 22)), RelationshipClass::AtRisk);
        assert_eq!(owner_seen(day(2025, 11, 22)), RelationshipClass::Lost);
    }

    #[test]
    fn class_names_round_trip() {
        for class in RelationshipClass::ALL {
            assert_eq!(RelationshipClass::parse(class.as_str()), Some(class));
        }
    }
}
