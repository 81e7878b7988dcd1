//! The settlement sheet (结算单), exact in fen: what each line costs, who pays it, what the
//! customer owes after discounts, the VAT that amount includes, and what is left to pay.
//!
//! - Labour is standard minutes × the hourly rate, rounded half up to the fen per line.
//!   Minutes, not decimal hours, because the workshop's standard times are minutes (routine
//!   maintenance 45 min, brake service 40 min: 0.67 h has no exact decimal).
//! - Part quantities are hundredths of the part's unit (4.5 L of oil is 450), rounded half up
//!   to the fen per line, so oil sold by the litre stays exact.
//! - Discounts are basis points off the customer's labour and parts separately (八折 on
//!   labour is 2000). Only customer lines are discounted: maker, insurer and store pay list.
//! - Prices are tax-inclusive, as Chinese retail prices are; the sheet shows the VAT contained
//!   in the customer's total: total × rate ÷ (1 + rate), rounded half up.

use super::{PayType, scale_half_up};
use crate::validation::Invalid;

/// VAT on repair services and parts: 13%, in basis points.
pub const DEFAULT_VAT_BP: u32 = 1_300;

const WHOLE_BP: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabourLine {
    pub minutes: u32,
    pub rate_fen_per_hour: i64,
    pub pay_type: PayType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartLine {
    pub quantity_hundredths: u32,
    pub unit_price_fen: i64,
    pub pay_type: PayType,
}

/// Discounts off the customer's labour and parts, in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Discounts {
    pub labour_bp: u32,
    pub parts_bp: u32,
}

/// Everything the sheet is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub labour: Vec<LabourLine>,
    pub parts: Vec<PartLine>,
    pub discounts: Discounts,
    pub vat_bp: u32,
    pub payments_fen: Vec<i64>,
}

/// Labour and parts billed to one payer, at list price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Billed {
    pub labour_fen: i64,
    pub parts_fen: i64,
}

impl Billed {
    pub fn total_fen(&self) -> i64 {
        self.labour_fen + self.parts_fen
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settlement {
    pub customer: Billed,
    pub warranty: Billed,
    pub insurance: Billed,
    pub internal: Billed,
    pub labour_discount_fen: i64,
    pub parts_discount_fen: i64,
    /// What the customer pays: their lines less the discounts, VAT included.
    pub customer_total_fen: i64,
    pub vat_included_fen: i64,
    pub paid_fen: i64,
    pub balance_due_fen: i64,
}

/// A rule the sheet breaks, with the field and, for lines and payments, the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetError {
    pub field: &'static str,
    pub line: Option<usize>,
    pub invalid: Invalid,
}

fn fail(field: &'static str, line: Option<usize>, code: &'static str) -> SheetError {
    SheetError {
        field,
        line,
        invalid: Invalid(code),
    }
}

impl LabourLine {
    fn amount_fen(&self, line: usize) -> Result<i64, SheetError> {
        if self.rate_fen_per_hour < 0 {
            return Err(fail("rate_fen_per_hour", Some(line), "money.negative"));
        }
        labour_fen(self.minutes, self.rate_fen_per_hour)
            .ok_or_else(|| fail("rate_fen_per_hour", Some(line), "money.too_large"))
    }
}

impl PartLine {
    fn amount_fen(&self, line: usize) -> Result<i64, SheetError> {
        if self.quantity_hundredths == 0 {
            return Err(fail("quantity_hundredths", Some(line), "required"));
        }
        if self.unit_price_fen < 0 {
            return Err(fail("unit_price_fen", Some(line), "money.negative"));
        }
        part_fen(self.quantity_hundredths, self.unit_price_fen)
            .ok_or_else(|| fail("unit_price_fen", Some(line), "money.too_large"))
    }
}

impl Settlement {
    fn payer(&mut self, pay_type: PayType) -> &mut Billed {
        match pay_type {
            PayType::Customer => &mut self.customer,
            PayType::Warranty => &mut self.warranty,
            PayType::Insurance => &mut self.insurance,
            PayType::Internal => &mut self.internal,
        }
    }
}

/// Adds a line's amount to a running sum; an overflow names the line that tipped it over.
fn add(sum: i64, amount: i64, field: &'static str, line: usize) -> Result<i64, SheetError> {
    sum.checked_add(amount)
        .ok_or_else(|| fail(field, Some(line), "money.too_large"))
}

fn discount_fen(amount_fen: i64, bp: u32, field: &'static str) -> Result<i64, SheetError> {
    if i64::from(bp) > WHOLE_BP {
        return Err(fail(field, None, "settlement.discount_range"));
    }
    scale_half_up(amount_fen, i64::from(bp), WHOLE_BP)
        .ok_or_else(|| fail(field, None, "money.too_large"))
}

/// A labour line's price: standard minutes at an hourly rate, rounded half up to the fen.
pub fn labour_fen(minutes: u32, rate_fen_per_hour: i64) -> Option<i64> {
    scale_half_up(i64::from(minutes), rate_fen_per_hour, 60)
}

/// A part line's price: hundredths of the unit at the unit price, rounded half up to the fen.
pub fn part_fen(quantity_hundredths: u32, unit_price_fen: i64) -> Option<i64> {
    scale_half_up(i64::from(quantity_hundredths), unit_price_fen, 100)
}

/// The VAT contained in a tax-inclusive amount.
pub fn vat_included_fen(gross_fen: i64, vat_bp: u32) -> Option<i64> {
    scale_half_up(gross_fen, i64::from(vat_bp), WHOLE_BP + i64::from(vat_bp))
}

impl Sheet {
    pub fn settle(&self) -> Result<Settlement, SheetError> {
        let mut sheet = self.billed()?;
        sheet.labour_discount_fen = discount_fen(
            sheet.customer.labour_fen,
            self.discounts.labour_bp,
            "labour_discount_bp",
        )?;
        sheet.parts_discount_fen = discount_fen(
            sheet.customer.parts_fen,
            self.discounts.parts_bp,
            "parts_discount_bp",
        )?;
        sheet.customer_total_fen =
            sheet.customer.total_fen() - sheet.labour_discount_fen - sheet.parts_discount_fen;
        if i64::from(self.vat_bp) > WHOLE_BP {
            return Err(fail("vat_bp", None, "settlement.vat_range"));
        }
        sheet.vat_included_fen = vat_included_fen(sheet.customer_total_fen, self.vat_bp)
            .ok_or_else(|| fail("vat_bp", None, "money.too_large"))?;
        sheet.paid_fen = self.paid_fen(sheet.customer_total_fen)?;
        sheet.balance_due_fen = sheet.customer_total_fen - sheet.paid_fen;
        Ok(sheet)
    }

    /// Every line's amount, summed per payer. Amounts are never negative, so the checked sum
    /// of all lines bounds every partial sum.
    fn billed(&self) -> Result<Settlement, SheetError> {
        let mut sheet = Settlement::default();
        let mut all_lines_fen: i64 = 0;
        for (line, labour) in self.labour.iter().enumerate() {
            let amount = labour.amount_fen(line)?;
            all_lines_fen = add(all_lines_fen, amount, "rate_fen_per_hour", line)?;
            sheet.payer(labour.pay_type).labour_fen += amount;
        }
        for (line, part) in self.parts.iter().enumerate() {
            let amount = part.amount_fen(line)?;
            all_lines_fen = add(all_lines_fen, amount, "unit_price_fen", line)?;
            sheet.payer(part.pay_type).parts_fen += amount;
        }
        Ok(sheet)
    }

    fn paid_fen(&self, customer_total_fen: i64) -> Result<i64, SheetError> {
        let mut paid: i64 = 0;
        for (line, &payment) in self.payments_fen.iter().enumerate() {
            if payment <= 0 {
                return Err(fail("payments_fen", Some(line), "money.not_positive"));
            }
            paid = add(paid, payment, "payments_fen", line)?;
        }
        if paid > customer_total_fen {
            return Err(fail("payments_fen", None, "settlement.overpaid"));
        }
        Ok(paid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labour(minutes: u32, rate_fen_per_hour: i64, pay_type: PayType) -> LabourLine {
        LabourLine {
            minutes,
            rate_fen_per_hour,
            pay_type,
        }
    }

    fn part(quantity_hundredths: u32, unit_price_fen: i64, pay_type: PayType) -> PartLine {
        PartLine {
            quantity_hundredths,
            unit_price_fen,
            pay_type,
        }
    }

    /// Routine maintenance for 99 yuan of labour, 4.5 L of oil and a filter; a warranty repair
    /// alongside.
    fn sheet() -> Sheet {
        Sheet {
            labour: vec![
                labour(45, 13_200, PayType::Customer),
                labour(90, 15_000, PayType::Warranty),
            ],
            parts: vec![
                part(450, 8_800, PayType::Customer),
                part(100, 6_500, PayType::Customer),
                part(100, 120_000, PayType::Warranty),
            ],
            discounts: Discounts::default(),
            vat_bp: DEFAULT_VAT_BP,
            payments_fen: vec![],
        }
    }

    #[test]
    fn lines_are_priced_exactly_and_split_by_payer() {
        let settled = sheet().settle().unwrap();
        assert_eq!(
            settled.customer,
            Billed {
                labour_fen: 9_900,
                parts_fen: 39_600 + 6_500
            }
        );
        assert_eq!(
            settled.warranty,
            Billed {
                labour_fen: 22_500,
                parts_fen: 120_000
            }
        );
        assert_eq!(
            settled.insurance.total_fen() + settled.internal.total_fen(),
            0
        );
        assert_eq!(settled.customer_total_fen, 56_000);
        assert_eq!(settled.balance_due_fen, 56_000);
    }

    #[test]
    fn each_line_rounds_half_up_to_the_fen() {
        let odd = Sheet {
            labour: vec![labour(20, 10_001, PayType::Customer)],
            parts: vec![
                part(150, 1, PayType::Customer),
                part(333, 1, PayType::Internal),
            ],
            ..sheet()
        };
        let settled = odd.settle().unwrap();
        assert_eq!(settled.customer.labour_fen, 3_334);
        assert_eq!(settled.customer.parts_fen, 2);
        assert_eq!(settled.internal.parts_fen, 3);
    }

    #[test]
    fn discounts_apply_to_customer_labour_and_parts_separately() {
        let discounted = Sheet {
            discounts: Discounts {
                labour_bp: 2_000,
                parts_bp: 500,
            },
            ..sheet()
        };
        let settled = discounted.settle().unwrap();
        assert_eq!(settled.labour_discount_fen, 1_980);
        assert_eq!(settled.parts_discount_fen, 2_305);
        assert_eq!(settled.customer_total_fen, 56_000 - 1_980 - 2_305);
        assert_eq!(settled.warranty.total_fen(), 142_500);
    }

    #[test]
    fn the_vat_shown_is_the_share_of_a_tax_inclusive_total() {
        assert_eq!(vat_included_fen(11_300, DEFAULT_VAT_BP), Some(1_300));
        assert_eq!(vat_included_fen(100, DEFAULT_VAT_BP), Some(12));
        assert_eq!(vat_included_fen(5_000, 0), Some(0));
        assert_eq!(sheet().settle().unwrap().vat_included_fen, 6_442);
    }

    #[test]
    fn payments_reduce_the_balance_and_may_not_exceed_it() {
        let paying = |payments_fen: Vec<i64>| Sheet {
            payments_fen,
            ..sheet()
        };
        let part_paid = paying(vec![20_000, 30_000]).settle().unwrap();
        assert_eq!(
            (part_paid.paid_fen, part_paid.balance_due_fen),
            (50_000, 6_000)
        );
        assert_eq!(paying(vec![56_000]).settle().unwrap().balance_due_fen, 0);
        let over = paying(vec![50_000, 6_001]).settle().unwrap_err();
        assert_eq!(over, fail("payments_fen", None, "settlement.overpaid"));
        let negative = paying(vec![100, -1]).settle().unwrap_err();
        assert_eq!(
            negative,
            fail("payments_fen", Some(1), "money.not_positive")
        );
    }

    #[test]
    fn impossible_lines_name_their_field_and_position() {
        let error = |sheet: Sheet| sheet.settle().unwrap_err();
        let mut bad_rate = sheet();
        bad_rate.labour[1].rate_fen_per_hour = -1;
        assert_eq!(
            error(bad_rate),
            fail("rate_fen_per_hour", Some(1), "money.negative")
        );
        let mut bad_price = sheet();
        bad_price.parts[2].unit_price_fen = -5;
        assert_eq!(
            error(bad_price),
            fail("unit_price_fen", Some(2), "money.negative")
        );
        let mut no_quantity = sheet();
        no_quantity.parts[0].quantity_hundredths = 0;
        assert_eq!(
            error(no_quantity),
            fail("quantity_hundredths", Some(0), "required")
        );
        let mut huge_line = sheet();
        huge_line.labour[1].rate_fen_per_hour = i64::MAX;
        assert_eq!(
            error(huge_line),
            fail("rate_fen_per_hour", Some(1), "money.too_large")
        );
        let mut huge_sum = sheet();
        huge_sum.labour[0].rate_fen_per_hour = i64::MAX;
        huge_sum.parts[1].unit_price_fen = i64::MAX / 4;
        assert_eq!(
            error(huge_sum),
            fail("unit_price_fen", Some(1), "money.too_large")
        );
    }

    #[test]
    fn discounts_and_vat_stay_within_a_whole() {
        let error = |sheet: Sheet| sheet.settle().unwrap_err();
        let free_labour = Sheet {
            discounts: Discounts {
                labour_bp: 10_000,
                parts_bp: 0,
            },
            ..sheet()
        };
        assert_eq!(free_labour.settle().unwrap().customer_total_fen, 46_100);
        let too_much = Sheet {
            discounts: Discounts {
                labour_bp: 0,
                parts_bp: 10_001,
            },
            ..sheet()
        };
        assert_eq!(
            error(too_much),
            fail("parts_discount_bp", None, "settlement.discount_range")
        );
        let odd_vat = Sheet {
            vat_bp: 10_001,
            ..sheet()
        };
        assert_eq!(error(odd_vat), fail("vat_bp", None, "settlement.vat_range"));
    }
}
