//! Stock analysis (库存分析): turns, first-time fill rate, dead and slow stock, ABC classes.
//! Rates are basis points (10,000 = 100%) so that reports stay in integers.

use chrono::NaiveDate;

/// Issues at cost ÷ average stock value, in hundredths of a turn (250 = 2.5 turns).
pub fn turns_hundredths(issued_cost_fen: i64, average_stock_fen: i64) -> Option<i64> {
    (average_stock_fen > 0).then(|| issued_cost_fen.max(0) * 100 / average_stock_fen)
}

/// Lines filled from the shelf at the first request ÷ lines requested, basis points.
pub fn fill_rate_bp(filled_first_time: i64, requested: i64) -> Option<i64> {
    (requested > 0).then(|| filled_first_time.clamp(0, requested) * 10_000 / requested)
}

/// How long a part has sat on the shelf without moving (呆滞).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ageing {
    Moving,
    /// No movement for the early-warning months: sell or return it before it dies.
    Warning,
    Dead,
}

/// Months without movement that make a part dead (default 12) and that warn (default 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeingPolicy {
    pub dead_months: u32,
    pub warning_months: u32,
}

impl Default for AgeingPolicy {
    fn default() -> Self {
        AgeingPolicy {
            dead_months: 12,
            warning_months: 7,
        }
    }
}

impl AgeingPolicy {
    /// The last day a movement must be on or before for the part to count as dead / warned.
    pub fn dead_if_unmoved_since(&self, today: NaiveDate) -> NaiveDate {
        months_before(today, self.dead_months)
    }

    pub fn warn_if_unmoved_since(&self, today: NaiveDate) -> NaiveDate {
        months_before(today, self.warning_months)
    }

    pub fn classify(&self, last_moved: NaiveDate, today: NaiveDate) -> Ageing {
        if last_moved <= self.dead_if_unmoved_since(today) {
            Ageing::Dead
        } else if last_moved <= self.warn_if_unmoved_since(today) {
            Ageing::Warning
        } else {
            Ageing::Moving
        }
    }
}

fn months_before(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// ABC class by share of the year's issue value (A: the parts that make the first 80%, B: the
/// next 15%, C: the rest and parts never issued).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbcClass {
    A,
    B,
    C,
}

impl AbcClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AbcClass::A => "A",
            AbcClass::B => "B",
            AbcClass::C => "C",
        }
    }
}

/// Classes for parts given their issue value, in the order given. A part is A while the value
/// before it is under 80% of the total, B under 95%.
pub fn abc_classes(issue_values_fen: &[i64]) -> Vec<AbcClass> {
    let total: i128 = issue_values_fen
        .iter()
        .map(|v| i128::from((*v).max(0)))
        .sum();
    let mut order: Vec<usize> = (0..issue_values_fen.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(issue_values_fen[i]));
    let mut classes = vec![AbcClass::C; issue_values_fen.len()];
    let mut before: i128 = 0;
    for i in order {
        let value = i128::from(issue_values_fen[i].max(0));
        if value == 0 || total == 0 {
            break;
        }
        classes[i] = if before * 100 < total * 80 {
            AbcClass::A
        } else if before * 100 < total * 95 {
            AbcClass::B
        } else {
            AbcClass::C
        };
        before += value;
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn turns_and_fill_rate_are_integer_ratios() {
        assert_eq!(turns_hundredths(500_000, 200_000), Some(250));
        assert_eq!(turns_hundredths(1, 0), None);
        assert_eq!(fill_rate_bp(92, 100), Some(9_200));
        assert_eq!(fill_rate_bp(0, 0), None);
        assert_eq!(fill_rate_bp(120, 100), Some(10_000));
    }

    #[test]
    fn parts_unmoved_for_seven_months_warn_and_for_twelve_are_dead() {
        let policy = AgeingPolicy::default();
        let today = day(2026, 12, 1);
        assert_eq!(policy.classify(day(2026, 11, 1), today), Ageing::Moving);
        assert_eq!(policy.classify(day(2026, 5, 2), today), Ageing::Moving);
        assert_eq!(policy.classify(day(2026, 5, 1), today), Ageing::Warning);
        assert_eq!(policy.classify(day(2025, 12, 2), today), Ageing::Warning);
        assert_eq!(policy.classify(day(2025, 12, 1), today), Ageing::Dead);
    }

    #[test]
    fn abc_splits_the_issue_value_80_15_5() {
        // Total 1,000: 700 (A, starts at 0%), 150 (A, starts at 70%), 100 (B, starts at 85%),
        // 40 (C, starts at 95%), 10 (C), 0 (never issued: C).
        let classes = abc_classes(&[100, 700, 0, 40, 150, 10]);
        use AbcClass::*;
        assert_eq!(classes, vec![B, A, C, C, A, C]);
        assert_eq!(abc_classes(&[]), Vec::<AbcClass>::new());
        assert_eq!(abc_classes(&[0, 0]), vec![C, C]);
    }
}
