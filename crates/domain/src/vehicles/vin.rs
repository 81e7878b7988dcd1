//! Vehicle identification numbers (ISO 3779).
//!
//! The check digit at position 9 is only mandatory in some markets (North America, China),
//! so a wrong one is a warning, never a rejection: genuine European VINs such as
//! `WAUAV94L78D029364` fail it, and imported cars are sold and serviced here.

use crate::customers::halfwidth;
use crate::validation::{Invalid, Warning};

/// Every VIN has exactly this many characters.
const VIN_LEN: usize = 17;
/// Index (0-based) of the check digit.
const CHECK_POS: usize = 8;
/// Position weights of the North-American check digit; the check digit itself weighs 0.
const WEIGHTS: [u32; VIN_LEN] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// A VIN that passed the hard checks, normalised, with any soft problems found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedVin {
    pub vin: String,
    pub warnings: Vec<Warning>,
}

/// Normalises and checks a VIN typed or scanned by a user.
///
/// Spaces anywhere are dropped (VINs are often printed in groups) and letters are uppercased.
///
/// # Errors
/// `required`, `vin.length` (not 17 characters) or `vin.characters` (anything but digits
/// and letters other than I, O, Q).
pub fn validate_vin(input: &str) -> Result<CheckedVin, Invalid> {
    let vin = normalize(input);
    if vin.is_empty() {
        return Err(Invalid("required"));
    }
    if vin.chars().count() != VIN_LEN {
        return Err(Invalid("vin.length"));
    }
    if !vin.chars().all(is_vin_char) {
        return Err(Invalid("vin.characters"));
    }
    let mut warnings = Vec::new();
    if vin_check_digit(&vin) != vin.chars().nth(CHECK_POS) {
        warnings.push("vin_check_digit");
    }
    Ok(CheckedVin { vin, warnings })
}

/// The check digit a 17-character VIN should carry at position 9 (`0`–`9` or `X`).
///
/// Ignores whatever is currently at position 9, so a generator can fill it with anything and
/// then substitute the result. `None` unless the input is exactly 17 valid, uppercase VIN
/// characters.
pub fn vin_check_digit(vin17: &str) -> Option<char> {
    if vin17.chars().count() != VIN_LEN {
        return None;
    }
    let sum = vin17
        .chars()
        .zip(WEIGHTS)
        .try_fold(0, |acc, (c, w)| Some(acc + transliterate(c)? * w))?;
    match sum % 11 {
        10 => Some('X'),
        r => char::from_digit(r, 10),
    }
}

/// Full-width characters folded, whitespace removed, ASCII letters uppercased. Non-ASCII
/// letters are left alone (not `to_uppercase`, which turns `ß` into a valid-looking `SS`).
fn normalize(input: &str) -> String {
    input
        .chars()
        .map(halfwidth)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// I, O and Q are banned from VINs because they are easily confused with 1 and 0.
fn is_vin_char(c: char) -> bool {
    transliterate(c).is_some()
}

/// Numeric value of a VIN character in the check-digit sum; `None` for characters not
/// allowed in a VIN.
fn transliterate(c: char) -> Option<u32> {
    let value = match c {
        '0'..='9' => c.to_digit(10)?,
        'A' | 'J' => 1,
        'B' | 'K' | 'S' => 2,
        'C' | 'L' | 'T' => 3,
        'D' | 'M' | 'U' => 4,
        'E' | 'N' | 'V' => 5,
        'F' | 'W' => 6,
        'G' | 'P' | 'X' => 7,
        'H' | 'Y' => 8,
        'R' | 'Z' => 9,
        _ => return None,
    };
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> CheckedVin {
        validate_vin(input).expect("should be accepted")
    }

    #[test]
    fn accepts_valid_north_american_vin_with_x_check_digit() {
        let checked = ok("1M8GDM9AXKP042788");
        assert_eq!(checked.vin, "1M8GDM9AXKP042788");
        assert!(checked.warnings.is_empty());
    }

    #[test]
    fn accepts_valid_numeric_check_digit() {
        assert!(ok("1HGCM82633A004352").warnings.is_empty());
    }

    #[test]
    fn accepts_valid_chinese_vin() {
        assert!(ok("LSVAU218XN2183294").warnings.is_empty());
    }

    #[test]
    fn european_vin_with_wrong_check_digit_is_accepted_with_warning() {
        let checked = ok("WAUAV94L78D029364");
        assert_eq!(checked.vin, "WAUAV94L78D029364");
        assert_eq!(checked.warnings, vec!["vin_check_digit"]);
    }

    #[test]
    fn wrong_check_digit_is_a_warning() {
        assert_eq!(ok("LSVAU2180N2183294").warnings, vec!["vin_check_digit"]);
    }

    #[test]
    fn normalises_case_and_spaces() {
        let checked = ok("  1m8gdm9a xkp 042788 ");
        assert_eq!(checked.vin, "1M8GDM9AXKP042788");
        assert!(checked.warnings.is_empty());
    }

    #[test]
    fn folds_full_width_characters() {
        assert_eq!(
            ok("１Ｍ８ＧＤＭ９ＡＸＫＰ０４２７８８").vin,
            "1M8GDM9AXKP042788"
        );
    }

    #[test]
    fn empty_or_blank_is_required() {
        assert_eq!(validate_vin(""), Err(Invalid("required")));
        assert_eq!(validate_vin("   "), Err(Invalid("required")));
    }

    #[test]
    fn wrong_length_is_rejected() {
        assert_eq!(validate_vin("1M8GDM9AXKP04278"), Err(Invalid("vin.length")));
        assert_eq!(
            validate_vin("1M8GDM9AXKP0427888"),
            Err(Invalid("vin.length"))
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(
            validate_vin("1M8GDM9AXKP04278中"),
            Err(Invalid("vin.characters"))
        );
    }

    #[test]
    fn forbidden_letters_are_rejected() {
        for bad in [
            "1M8GDM9AXKP04278I",
            "1M8GDM9AXKP04278O",
            "1M8GDM9AXKP04278Q",
        ] {
            assert_eq!(validate_vin(bad), Err(Invalid("vin.characters")), "{bad}");
        }
        assert_eq!(
            validate_vin("1M8GDM9AXKP04278o"),
            Err(Invalid("vin.characters"))
        );
    }

    #[test]
    fn punctuation_and_non_ascii_letters_are_rejected() {
        assert_eq!(
            validate_vin("1M8GDM9AXKP04278-"),
            Err(Invalid("vin.characters"))
        );
        assert_eq!(
            validate_vin("1M8GDM9AXKP04278ß"),
            Err(Invalid("vin.characters"))
        );
    }

    #[test]
    fn check_digit_computes_expected_values() {
        assert_eq!(vin_check_digit("1M8GDM9AXKP042788"), Some('X'));
        assert_eq!(vin_check_digit("1HGCM82633A004352"), Some('3'));
        assert_eq!(vin_check_digit("WAUAV94L78D029364"), Some('5'));
    }

    #[test]
    fn check_digit_ignores_current_position_nine() {
        assert_eq!(vin_check_digit("LSVAU2180N2183294"), Some('X'));
        assert_eq!(vin_check_digit("LSVAU2187N2183294"), Some('X'));
    }

    #[test]
    fn check_digit_rejects_invalid_input() {
        assert_eq!(vin_check_digit(""), None);
        assert_eq!(vin_check_digit("1M8GDM9AXKP04278"), None);
        assert_eq!(vin_check_digit("1m8gdm9axkp042788"), None);
        assert_eq!(vin_check_digit("1M8GDM9AXKP04278I"), None);
        assert_eq!(vin_check_digit("1M8GDM9AXKP04278中"), None);
    }

    #[test]
    fn generated_vins_validate_cleanly() {
        for template in [
            "LFV2A21K0X3000000",
            "5YJ3E1EA0KF317000",
            "LGBH52E00KY000001",
        ] {
            let digit = vin_check_digit(template).expect("valid template");
            let vin: String = template
                .chars()
                .enumerate()
                .map(|(i, c)| if i == CHECK_POS { digit } else { c })
                .collect();
            assert!(ok(&vin).warnings.is_empty(), "{vin}");
        }
    }

    #[test]
    fn transliteration_covers_every_allowed_letter() {
        let allowed = ('A'..='Z').filter(|c| !matches!(c, 'I' | 'O' | 'Q'));
        assert!(allowed.clone().all(|c| transliterate(c).is_some()));
        assert_eq!(allowed.count(), 23);
        assert_eq!(transliterate('I'), None);
        assert_eq!(transliterate('O'), None);
        assert_eq!(transliterate('Q'), None);
    }
}
