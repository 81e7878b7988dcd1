//! What a quote adds up to, exactly in fen, and when its discount needs the manager.

use crate::validation::Invalid;

/// Loan terms the finance partners offer, in months.
pub const FINANCE_TERMS: [u32; 5] = [12, 24, 36, 48, 60];

/// Discounts up to this much (5,000 yuan) are the consultant's to give unless the store sets
/// its own threshold.
pub const DEFAULT_DISCOUNT_LIMIT_FEN: i64 = 500_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Finance {
    pub down_payment_fen: i64,
    pub term_months: u32,
}

/// The lines of a quote as the consultant enters them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuoteLines {
    pub vehicle_price_fen: i64,
    pub discount_fen: i64,
    pub accessories_fen: i64,
    pub insurance_fen: i64,
    /// Registration and service fees (上牌费 and the like).
    pub fees_fen: i64,
    /// What the dealer pays for the customer's current car.
    pub trade_in_credit_fen: i64,
    pub finance: Option<Finance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteTotals {
    /// Vehicle after discount, plus accessories, insurance and fees.
    pub deal_fen: i64,
    /// The deal less the trade-in credit.
    pub customer_pays_fen: i64,
    /// Lent by the finance partner (0 for a cash deal).
    pub financed_fen: i64,
}

/// A rule a quote line breaks, with the field it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineError {
    pub field: &'static str,
    pub invalid: Invalid,
}

fn fail(field: &'static str, code: &'static str) -> LineError {
    LineError {
        field,
        invalid: Invalid(code),
    }
}

impl QuoteLines {
    pub fn totals(&self) -> Result<QuoteTotals, LineError> {
        let amounts = [
            ("vehicle_price_fen", self.vehicle_price_fen),
            ("discount_fen", self.discount_fen),
            ("accessories_fen", self.accessories_fen),
            ("insurance_fen", self.insurance_fen),
            ("fees_fen", self.fees_fen),
            ("trade_in_credit_fen", self.trade_in_credit_fen),
        ];
        if let Some((field, _)) = amounts.iter().find(|(_, fen)| *fen < 0) {
            return Err(fail(field, "money.negative"));
        }
        if self.vehicle_price_fen == 0 {
            return Err(fail("vehicle_price_fen", "required"));
        }
        if self.discount_fen > self.vehicle_price_fen {
            return Err(fail("discount_fen", "quote.discount_above_price"));
        }
        // Amounts are bounded by the 13-digit yuan parser; checked sums guard API input.
        let deal_fen = [
            self.vehicle_price_fen - self.discount_fen,
            self.accessories_fen,
            self.insurance_fen,
            self.fees_fen,
        ]
        .iter()
        .try_fold(0i64, |sum, fen| sum.checked_add(*fen))
        .ok_or_else(|| fail("vehicle_price_fen", "money.too_large"))?;
        if self.trade_in_credit_fen > deal_fen {
            return Err(fail("trade_in_credit_fen", "quote.trade_in_above_deal"));
        }
        let customer_pays_fen = deal_fen - self.trade_in_credit_fen;
        let financed_fen = match self.finance {
            None => 0,
            Some(finance) => {
                if !FINANCE_TERMS.contains(&finance.term_months) {
                    return Err(fail("finance_term_months", "choice.invalid"));
                }
                if finance.down_payment_fen < 0 || finance.down_payment_fen > customer_pays_fen {
                    return Err(fail("down_payment_fen", "quote.down_payment_range"));
                }
                customer_pays_fen - finance.down_payment_fen
            }
        };
        Ok(QuoteTotals {
            deal_fen,
            customer_pays_fen,
            financed_fen,
        })
    }

    /// A discount above the store's limit waits for the sales manager's approval.
    pub fn needs_approval(&self, discount_limit_fen: i64) -> bool {
        self.discount_fen > discount_limit_fen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> QuoteLines {
        QuoteLines {
            vehicle_price_fen: 15_980_000,
            discount_fen: 300_000,
            accessories_fen: 250_050,
            insurance_fen: 512_345,
            fees_fen: 100_000,
            trade_in_credit_fen: 4_000_000,
            finance: None,
        }
    }

    #[test]
    fn totals_add_up_exactly_in_fen() {
        let totals = lines().totals().unwrap();
        assert_eq!(
            totals.deal_fen,
            15_980_000 - 300_000 + 250_050 + 512_345 + 100_000
        );
        assert_eq!(totals.customer_pays_fen, totals.deal_fen - 4_000_000);
        assert_eq!(totals.financed_fen, 0);
    }

    #[test]
    fn finance_lends_what_the_down_payment_leaves() {
        let quote = QuoteLines {
            finance: Some(Finance {
                down_payment_fen: 3_000_000,
                term_months: 36,
            }),
            ..lines()
        };
        let totals = quote.totals().unwrap();
        assert_eq!(totals.financed_fen, totals.customer_pays_fen - 3_000_000);
        let odd_term = QuoteLines {
            finance: Some(Finance {
                down_payment_fen: 0,
                term_months: 18,
            }),
            ..lines()
        };
        assert_eq!(odd_term.totals().unwrap_err().field, "finance_term_months");
        let too_much_down = QuoteLines {
            finance: Some(Finance {
                down_payment_fen: 99_999_999,
                term_months: 12,
            }),
            ..lines()
        };
        assert_eq!(
            too_much_down.totals().unwrap_err().field,
            "down_payment_fen"
        );
    }

    #[test]
    fn impossible_lines_name_their_field() {
        let field = |quote: QuoteLines| quote.totals().unwrap_err().field;
        assert_eq!(
            field(QuoteLines {
                discount_fen: 20_000_000,
                ..lines()
            }),
            "discount_fen"
        );
        assert_eq!(
            field(QuoteLines {
                insurance_fen: -1,
                ..lines()
            }),
            "insurance_fen"
        );
        assert_eq!(
            field(QuoteLines {
                trade_in_credit_fen: 90_000_000,
                ..lines()
            }),
            "trade_in_credit_fen"
        );
        assert_eq!(
            field(QuoteLines {
                vehicle_price_fen: 0,
                discount_fen: 0,
                ..lines()
            }),
            "vehicle_price_fen"
        );
    }

    #[test]
    fn discounts_above_the_store_limit_need_approval() {
        assert!(!lines().needs_approval(DEFAULT_DISCOUNT_LIMIT_FEN));
        let generous = QuoteLines {
            discount_fen: 800_000,
            ..lines()
        };
        assert!(generous.needs_approval(DEFAULT_DISCOUNT_LIMIT_FEN));
        assert!(!generous.needs_approval(1_000_000));
    }
}
