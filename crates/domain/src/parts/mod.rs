//! Parts (备件): bins, stock movements with moving-average cost, replenishment from demand,
//! stock analysis (turns, fill rate, dead stock, ABC) and the special order for a customer.
//! Quantities are hundredths of the part's unit (4.5 litres of oil is 450), money is fen.

pub mod analysis;
pub mod costing;
pub mod replenishment;
pub mod special_order;

use crate::sales::vocabulary;
use crate::validation::Invalid;

vocabulary!(
    /// What moved stock. Each movement is one row; its quantity is signed (+ in, − out).
    MovementKind {
        Receipt => "receipt",
        Issue => "issue",
        Return => "return",
        Adjustment => "adjustment",
        TransferOut => "transfer_out",
        TransferIn => "transfer_in",
        StockTake => "stock_take",
    }
);

vocabulary!(
    /// Why stock was adjusted by hand.
    AdjustmentReason {
        Damaged => "damaged",
        Lost => "lost",
        Found => "found",
        Expired => "expired",
        Correction => "correction",
        ReturnedToSupplier => "returned_to_supplier",
    }
);

/// A bin (库位) such as `A-1-3`: area letter(s), shelf number, level number. Returned upper-cased.
pub fn parse_bin_code(input: &str) -> Result<String, Invalid> {
    let code = input.trim().to_ascii_uppercase();
    let parts: Vec<&str> = code.split('-').collect();
    let [area, shelf, level] = parts.as_slice() else {
        return Err(Invalid("bin.format"));
    };
    let area_ok = (1..=2).contains(&area.len()) && area.chars().all(|c| c.is_ascii_uppercase());
    let number_ok = |n: &str| (1..=3).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit());
    if area_ok && number_ok(shelf) && number_ok(level) {
        Ok(code)
    } else {
        Err(Invalid("bin.format"))
    }
}

/// A part number as makers print it: letters, digits, `-` and `.`, 3–40 characters, upper-cased.
pub fn parse_part_number(input: &str) -> Result<String, Invalid> {
    let number = input.trim().to_ascii_uppercase();
    let allowed = number
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if (3..=40).contains(&number.len()) && allowed {
        Ok(number)
    } else {
        Err(Invalid("part_number.format"))
    }
}

/// A quantity typed as a decimal ("2", "4.5") into hundredths; zero and negatives are refused.
pub fn parse_quantity(input: &str) -> Result<i64, Invalid> {
    let text = input.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return Err(Invalid("quantity.format"));
    }
    let whole: i64 = whole.parse().map_err(|_| Invalid("quantity.format"))?;
    let fraction: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| Invalid("quantity.format"))?;
    let hundredths = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(fraction))
        .ok_or(Invalid("quantity.format"))?;
    if hundredths == 0 {
        return Err(Invalid("quantity.positive"));
    }
    Ok(hundredths)
}

/// Hundredths shown as the counter reads them: "2", "4.5", "0.25".
pub fn format_quantity(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    match abs % 100 {
        0 => format!("{sign}{}", abs / 100),
        rest if rest % 10 == 0 => format!("{sign}{}.{}", abs / 100, rest / 10),
        rest => format!("{sign}{}.{rest:02}", abs / 100),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_area_shelf_level() {
        assert_eq!(parse_bin_code(" a-1-3 "), Ok("A-1-3".to_owned()));
        assert_eq!(parse_bin_code("B-12-4"), Ok("B-12-4".to_owned()));
        for bad in ["A-1", "1-1-1", "A-x-1", "ABC-1-1", "A-1-1-1", ""] {
            assert_eq!(parse_bin_code(bad), Err(Invalid("bin.format")), "{bad}");
        }
    }

    #[test]
    fn part_numbers_are_upper_cased_and_plain() {
        assert_eq!(
            parse_part_number(" 06l115562b "),
            Ok("06L115562B".to_owned())
        );
        assert!(parse_part_number("G 052 195").is_err());
        assert!(parse_part_number("AB").is_err());
    }

    #[test]
    fn quantities_are_hundredths() {
        assert_eq!(parse_quantity("2"), Ok(200));
        assert_eq!(parse_quantity("4.5"), Ok(450));
        assert_eq!(parse_quantity("0.25"), Ok(25));
        assert_eq!(parse_quantity("0"), Err(Invalid("quantity.positive")));
        for bad in ["-1", "1.234", "", "a", ".5"] {
            assert_eq!(
                parse_quantity(bad),
                Err(Invalid("quantity.format")),
                "{bad}"
            );
        }
        assert_eq!(format_quantity(450), "4.5");
        assert_eq!(format_quantity(25), "0.25");
        assert_eq!(format_quantity(-200), "-2");
    }

    #[test]
    fn vocabularies_round_trip() {
        for kind in MovementKind::ALL {
            assert_eq!(MovementKind::parse(kind.as_str()), Some(*kind));
        }
        for reason in AdjustmentReason::ALL {
            assert_eq!(AdjustmentReason::parse(reason.as_str()), Some(*reason));
        }
    }
}
