//! Reorder point and min–max from demand history (日常补货): the parts manager's daily order is
//! what brings each part that fell to its minimum back up to its maximum.

/// How a store turns demand into stock levels. Defaults: demand over the last 90 days, the
/// maker delivers in 7 days, 7 days of safety stock, an order every 14 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReorderPolicy {
    pub demand_window_days: u32,
    pub lead_time_days: u32,
    pub safety_days: u32,
    pub cycle_days: u32,
}

impl Default for ReorderPolicy {
    fn default() -> Self {
        ReorderPolicy {
            demand_window_days: 90,
            lead_time_days: 7,
            safety_days: 7,
            cycle_days: 14,
        }
    }
}

/// A part's minimum (reorder point) and maximum, in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    pub min: i64,
    pub max: i64,
}

impl ReorderPolicy {
    /// Levels from what was issued in the demand window: the minimum covers the lead time and
    /// the safety days, the maximum adds one ordering cycle. Both are rounded up to whole units
    /// so that a part in demand is never set to zero.
    pub fn levels(&self, issued_in_window: i64) -> Levels {
        let window = i64::from(self.demand_window_days.max(1));
        let cover = |days: u32| whole_units_up(issued_in_window.max(0) * i64::from(days), window);
        let min = cover(self.lead_time_days + self.safety_days);
        let max = min.max(cover(
            self.lead_time_days + self.safety_days + self.cycle_days,
        ));
        Levels { min, max }
    }
}

/// `numerator / denominator` hundredths rounded up to a whole unit (a multiple of 100).
fn whole_units_up(numerator: i64, denominator: i64) -> i64 {
    let hundredths = (numerator + denominator - 1) / denominator;
    (hundredths + 99) / 100 * 100
}

/// What to order for a part: nothing while stock plus what is already on order stays above the
/// minimum; otherwise enough to bring it back to the maximum.
pub fn suggested_quantity(levels: Levels, on_hand: i64, on_order: i64) -> i64 {
    let position = on_hand + on_order;
    if levels.max <= 0 || position > levels.min {
        0
    } else {
        levels.max - position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_cover_lead_time_safety_and_a_cycle() {
        // 90 filters in 90 days: 1 a day → min 14, max 28.
        let levels = ReorderPolicy::default().levels(9_000);
        assert_eq!(
            levels,
            Levels {
                min: 1_400,
                max: 2_800
            }
        );
    }

    #[test]
    fn slow_parts_keep_at_least_one_unit() {
        // One bulb in 90 days.
        let levels = ReorderPolicy::default().levels(100);
        assert_eq!(levels, Levels { min: 100, max: 100 });
        assert_eq!(
            ReorderPolicy::default().levels(0),
            Levels { min: 0, max: 0 }
        );
    }

    #[test]
    fn orders_bring_stock_back_to_the_maximum_only_at_the_minimum() {
        let levels = Levels {
            min: 1_400,
            max: 2_800,
        };
        assert_eq!(suggested_quantity(levels, 1_500, 0), 0);
        assert_eq!(suggested_quantity(levels, 1_400, 0), 1_400);
        assert_eq!(suggested_quantity(levels, 300, 500), 2_000);
        assert_eq!(suggested_quantity(levels, 300, 1_200), 0);
        assert_eq!(suggested_quantity(levels, -200, 0), 3_000);
        assert_eq!(suggested_quantity(Levels { min: 0, max: 0 }, 0, 0), 0);
    }
}
