//! Money is integer fen (分). Parsing and display of yuan amounts typed by staff.

use crate::validation::Invalid;

/// "123456.78", "¥123,456.7", "123456" → fen. At most two decimals; no negatives.
pub fn parse_yuan(input: &str) -> Result<i64, Invalid> {
    let cleaned: String = input
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    if cleaned.is_empty() {
        return Err(Invalid("required"));
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || !digits_only(whole)
        || !digits_only(fraction)
        || fraction.len() > 2
        || whole.len() > 13
    {
        return Err(Invalid("money.format"));
    }
    let yuan: i64 = whole.parse().map_err(|_| Invalid("money.format"))?;
    let fen: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| Invalid("money.format"))?;
    Ok(yuan * 100 + fen)
}

/// 12345678 → "123,456.78".
pub fn format_fen(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_amounts_exactly() {
        assert_eq!(parse_yuan("123456.78"), Ok(12_345_678));
        assert_eq!(parse_yuan("¥123,456.7"), Ok(12_345_670));
        assert_eq!(parse_yuan("0.01"), Ok(1));
        assert_eq!(parse_yuan("199800"), Ok(19_980_000));
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in ["1.234", "-5", "abc", "1.2.3", ".5"] {
            assert_eq!(parse_yuan(bad), Err(Invalid("money.format")), "{bad}");
        }
        assert_eq!(parse_yuan("  "), Err(Invalid("required")));
    }

    #[test]
    fn formats_with_thousands_separators() {
        assert_eq!(format_fen(12_345_678), "123,456.78");
        assert_eq!(format_fen(5), "0.05");
        assert_eq!(format_fen(-100_000), "-1,000.00");
    }
}
