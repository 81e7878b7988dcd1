//! Stock on hand and its moving-average cost (移动加权平均). Receipts re-average the cost;
//! everything that leaves the shelf leaves at the current average, so the stock value is always
//! on hand × average.

use crate::service::scale_half_up;
use crate::validation::Invalid;

/// One part's stock in one store: hundredths of a unit, and the average cost in fen per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub on_hand: i64,
    pub average_cost_fen: i64,
}

impl Position {
    /// Goods in at `unit_cost_fen` per unit. The average moves to the weighted mean of what was
    /// on the shelf and what came in (rounded half up to the fen); an empty or overdrawn shelf
    /// takes the new cost as it is.
    pub fn receive(self, quantity: i64, unit_cost_fen: i64) -> Result<Position, Invalid> {
        if quantity <= 0 {
            return Err(Invalid("quantity.positive"));
        }
        if unit_cost_fen < 0 {
            return Err(Invalid("money.negative"));
        }
        let on_hand = self
            .on_hand
            .checked_add(quantity)
            .ok_or(Invalid("quantity.format"))?;
        let average_cost_fen = if self.on_hand <= 0 {
            unit_cost_fen
        } else {
            let held = i128::from(self.on_hand) * i128::from(self.average_cost_fen);
            let added = i128::from(quantity) * i128::from(unit_cost_fen);
            let total = i64::try_from(held + added).map_err(|_| Invalid("money.range"))?;
            scale_half_up(total, 1, on_hand).ok_or(Invalid("money.range"))?
        };
        Ok(Position {
            on_hand,
            average_cost_fen,
        })
    }

    /// Goods out (issue, transfer, adjustment down). Refused with `stock.insufficient` when the
    /// shelf holds less, unless the store allows negative stock.
    pub fn take(self, quantity: i64, allow_negative: bool) -> Result<Position, Invalid> {
        if quantity <= 0 {
            return Err(Invalid("quantity.positive"));
        }
        if self.on_hand < quantity && !allow_negative {
            return Err(Invalid("stock.insufficient"));
        }
        Ok(Position {
            on_hand: self.on_hand - quantity,
            ..self
        })
    }

    /// The shelf's value in fen (never negative: an overdrawn shelf is worth nothing).
    pub fn value_fen(self) -> i64 {
        line_cost_fen(self.on_hand.max(0), self.average_cost_fen)
    }
}

/// What `quantity` hundredths cost at `unit_fen` per unit, rounded half up to the fen.
pub fn line_cost_fen(quantity: i64, unit_fen: i64) -> i64 {
    scale_half_up(quantity, unit_fen, 100).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_re_average_the_cost() {
        let start = Position::default().receive(1000, 5_000).unwrap();
        assert_eq!(start.average_cost_fen, 5_000);
        // 10 at 50 yuan + 5 at 62 yuan = 15 at 54 yuan.
        let after = start.receive(500, 6_200).unwrap();
        assert_eq!(after.on_hand, 1500);
        assert_eq!(after.average_cost_fen, 5_400);
        assert_eq!(after.value_fen(), 81_000);
    }

    #[test]
    fn averages_round_half_up_to_the_fen() {
        // 1 at 0.01 + 2 at 0.02 = 3 at 0.01667 → 0.02.
        let after = Position::default()
            .receive(100, 1)
            .unwrap()
            .receive(200, 2)
            .unwrap();
        assert_eq!(after.average_cost_fen, 2);
    }

    #[test]
    fn issues_keep_the_average_and_never_overdraw_unless_allowed() {
        let shelf = Position {
            on_hand: 100,
            average_cost_fen: 8_000,
        };
        let after = shelf.take(100, false).unwrap();
        assert_eq!(after.on_hand, 0);
        assert_eq!(after.average_cost_fen, 8_000);
        assert_eq!(after.take(1, false), Err(Invalid("stock.insufficient")));
        let overdrawn = after.take(200, true).unwrap();
        assert_eq!(overdrawn.on_hand, -200);
        assert_eq!(overdrawn.value_fen(), 0);
        // Goods arriving on an overdrawn shelf take their own cost.
        let refilled = overdrawn.receive(500, 9_000).unwrap();
        assert_eq!(refilled.on_hand, 300);
        assert_eq!(refilled.average_cost_fen, 9_000);
    }

    #[test]
    fn zero_or_negative_quantities_are_refused() {
        let shelf = Position::default();
        assert_eq!(shelf.receive(0, 100), Err(Invalid("quantity.positive")));
        assert_eq!(shelf.take(-5, true), Err(Invalid("quantity.positive")));
        assert_eq!(shelf.receive(100, -1), Err(Invalid("money.negative")));
    }

    #[test]
    fn line_costs_are_exact_in_fen() {
        assert_eq!(line_cost_fen(450, 3_999), 17_996); // 4.5 × 39.99 = 179.955 → 179.96
        assert_eq!(line_cost_fen(100, 12_345), 12_345);
    }
}
