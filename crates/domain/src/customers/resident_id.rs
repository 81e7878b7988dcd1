//! Mainland resident identity card numbers (GB 11643-1999, 18 characters).
//!
//! The number encodes birth date and gender, so validating it also prefills those fields.
//! Old 15-digit numbers are rejected: those cards expired in 2013.

use super::{Gender, halfwidth, mask};
use crate::validation::Invalid;
use chrono::{Datelike, NaiveDate};

const ID_LEN: usize = 18;
/// Weights of the ISO 7064 MOD 11-2 checksum over the first 17 digits.
const WEIGHTS: [u32; ID_LEN - 1] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by the weighted sum modulo 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";
/// Earliest plausible birth year; anything before is a typo.
const MIN_BIRTH_YEAR: i32 = 1900;

/// A resident ID that passed every check, with what it tells us about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentId {
    pub number: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
}

/// Validates an 18-character resident ID: shape, then birth date, then check digit.
///
/// Whitespace is removed and a lowercase `x` accepted. Whether the birth date lies in the
/// future is left to the caller, who knows today's date.
///
/// # Errors
/// `required`, `id_number.format`, `id_number.birth_date` (not a real date, or before
/// 1900) or `id_number.check_digit`, in that order of precedence.
pub fn validate_resident_id(input: &str) -> Result<ResidentId, Invalid> {
    let number: String = input
        .chars()
        .map(halfwidth)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if number.is_empty() {
        return Err(Invalid("required"));
    }
    let bytes = parse_shape(&number).ok_or(Invalid("id_number.format"))?;
    let birth_date = birth_date(&bytes).ok_or(Invalid("id_number.birth_date"))?;
    if check_char(&bytes[..ID_LEN - 1]) != Some(bytes[ID_LEN - 1]) {
        return Err(Invalid("id_number.check_digit"));
    }
    let gender = if (bytes[16] - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Ok(ResidentId {
        number,
        birth_date,
        gender,
    })
}

/// The check character (`0`–`9` or `X`) that completes 17 digits, for generating test
/// data. `None` unless the input is exactly 17 ASCII digits.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    check_char(first17.as_bytes()).map(char::from)
}

/// `3604**********0071`: region prefix and last 4 stay visible so staff can tell records
/// apart without the full number appearing on screens and exports.
pub fn mask_resident_id(number: &str) -> String {
    mask(number, 4, 4)
}

/// 17 digits followed by a digit or `X`, as a fixed-size array so later indexing is total.
fn parse_shape(number: &str) -> Option<[u8; ID_LEN]> {
    let bytes: [u8; ID_LEN] = number.as_bytes().try_into().ok()?;
    let (body, last) = bytes.split_at(ID_LEN - 1);
    let well_formed = body.iter().all(u8::is_ascii_digit)
        && last.iter().all(|&b| b.is_ascii_digit() || b == b'X');
    well_formed.then_some(bytes)
}

/// Birth date from positions 7–14 (`YYYYMMDD`), if it is a real date from 1900 on.
fn birth_date(bytes: &[u8; ID_LEN]) -> Option<NaiveDate> {
    let year = i32::try_from(decimal(&bytes[6..10])).ok()?;
    let date = NaiveDate::from_ymd_opt(year, decimal(&bytes[10..12]), decimal(&bytes[12..14]))?;
    (date.year() >= MIN_BIRTH_YEAR).then_some(date)
}

/// Value of a run of ASCII digits (already checked by `parse_shape`).
fn decimal(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// Check character for exactly 17 ASCII digits.
fn check_char(body: &[u8]) -> Option<u8> {
    if body.len() != WEIGHTS.len() || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS.get(usize::try_from(sum % 11).ok()?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    /// Completes 17 digits with their check character.
    fn complete(first17: &str) -> String {
        let check = resident_id_check_char(first17).expect("17 digits");
        format!("{first17}{check}")
    }

    #[test]
    fn accepts_valid_id_with_x_check() {
        let id = validate_resident_id("11010519491231002X").expect("valid");
        assert_eq!(id.number, "11010519491231002X");
        assert_eq!(id.birth_date, date(1949, 12, 31));
        assert_eq!(id.gender, Gender::Female);
    }

    #[test]
    fn accepts_valid_male_id() {
        let id = validate_resident_id("360102199003070073").expect("valid");
        assert_eq!(id.birth_date, date(1990, 3, 7));
        assert_eq!(id.gender, Gender::Male);
    }

    #[test]
    fn normalises_lowercase_x_and_whitespace() {
        let id = validate_resident_id(" 110105 19491231 002x ").expect("valid");
        assert_eq!(id.number, "11010519491231002X");
    }

    #[test]
    fn empty_is_required() {
        assert_eq!(validate_resident_id(""), Err(Invalid("required")));
        assert_eq!(validate_resident_id("  "), Err(Invalid("required")));
    }

    #[test]
    fn rejects_wrong_shapes() {
        for bad in [
            "11010519491231002",
            "11010519491231002X1",
            "110105194912310",
            "1101051949123100X2",
            "11010519491231002Y",
            "11010519491231002-",
            "11010519491231002中",
            "１１０１０５１９４９１２３１００２Ｘ中",
        ] {
            assert_eq!(
                validate_resident_id(bad),
                Err(Invalid("id_number.format")),
                "{bad}"
            );
        }
    }

    #[test]
    fn accepts_full_width_input() {
        let id = validate_resident_id("１１０１０５１９４９１２３１００２ｘ").expect("valid");
        assert_eq!(id.number, "11010519491231002X");
    }

    #[test]
    fn rejects_impossible_birth_dates() {
        for first17 in [
            "11010519491331002",
            "11010519490230002",
            "11010519490000002",
            "11010519491232002",
            "11010519000229001",
        ] {
            let id = complete(first17);
            assert_eq!(
                validate_resident_id(&id),
                Err(Invalid("id_number.birth_date")),
                "{id}"
            );
        }
    }

    #[test]
    fn rejects_birth_before_1900() {
        let id = complete("11010518991231001");
        assert_eq!(
            validate_resident_id(&id),
            Err(Invalid("id_number.birth_date"))
        );
        assert!(validate_resident_id(&complete("11010519000101001")).is_ok());
    }

    #[test]
    fn accepts_leap_day() {
        let id = validate_resident_id(&complete("11010120000229001")).expect("valid");
        assert_eq!(id.birth_date, date(2000, 2, 29));
    }

    #[test]
    fn rejects_wrong_check_digit() {
        for bad in [
            "110105194912310021",
            "360102199003070071",
            "36010219900307007X",
        ] {
            assert_eq!(
                validate_resident_id(bad),
                Err(Invalid("id_number.check_digit")),
                "{bad}"
            );
        }
    }

    #[test]
    fn birth_date_error_wins_over_check_digit_error() {
        assert_eq!(
            validate_resident_id("110105194913310020"),
            Err(Invalid("id_number.birth_date"))
        );
    }

    #[test]
    fn check_char_computes_known_values() {
        assert_eq!(resident_id_check_char("11010519491231002"), Some('X'));
        assert_eq!(resident_id_check_char("36010219900307007"), Some('3'));
        assert_eq!(resident_id_check_char("44030819990101001"), Some('2'));
    }

    #[test]
    fn check_char_rejects_bad_input() {
        assert_eq!(resident_id_check_char(""), None);
        assert_eq!(resident_id_check_char("1101051949123100"), None);
        assert_eq!(resident_id_check_char("11010519491231002X"), None);
        assert_eq!(resident_id_check_char("1101051949123100X"), None);
        assert_eq!(
            resident_id_check_char("１１０１０５１９４９１２３１００２"),
            None
        );
    }

    #[test]
    fn every_remainder_yields_a_valid_id() {
        let mut seen = std::collections::HashSet::new();
        for serial in 0..200 {
            let id = complete(&format!("44030819990101{serial:03}"));
            seen.insert(id.as_bytes()[17]);
            assert!(validate_resident_id(&id).is_ok(), "{id}");
        }
        assert_eq!(seen.len(), 11);
    }

    #[test]
    fn gender_follows_seventeenth_digit() {
        for (digit, gender) in [
            (0, Gender::Female),
            (1, Gender::Male),
            (8, Gender::Female),
            (9, Gender::Male),
        ] {
            let id = complete(&format!("4403081999010100{digit}"));
            assert_eq!(
                validate_resident_id(&id).map(|id| id.gender),
                Ok(gender),
                "{id}"
            );
        }
    }

    #[test]
    fn masks_middle_ten_characters() {
        assert_eq!(mask_resident_id("360402199001010071"), "3604**********0071");
        assert_eq!(mask_resident_id("11010519491231002X"), "1101**********002X");
    }

    #[test]
    fn masking_odd_input_never_panics() {
        assert_eq!(mask_resident_id("123456789"), "1234*6789");
        assert_eq!(mask_resident_id("12345678"), "********");
        assert_eq!(mask_resident_id(""), "");
        assert_eq!(
            mask_resident_id("护照号码ＥＡ１２３４５６"),
            "护照号码****３４５６"
        );
    }
}
