//! Mainland China mobile numbers: the main key by which a dealership finds a customer.

use super::{halfwidth, mask};
use crate::validation::Invalid;

/// Length of a mainland mobile number without country code.
const MOBILE_LEN: usize = 11;
/// Country-code spellings seen in the wild, longest first so `+86` is not read as `86`.
const COUNTRY_PREFIXES: [&str; 3] = ["+86", "0086", "86"];

/// Reduces a typed or imported mobile number to its 11 national digits.
///
/// Formatting (`138-1234-5678`, `(+86) 138 1234 5678`, full-width digits) is forgiven; the
/// result must look like a mainland mobile: `1`, then `3`–`9`, then 9 more digits.
///
/// # Errors
/// `required` when nothing but formatting was typed, `mobile.format` otherwise.
pub fn normalize_mobile(input: &str) -> Result<String, Invalid> {
    let compact: String = input
        .chars()
        .map(halfwidth)
        .filter(|&c| !is_separator(c))
        .collect();
    if compact.is_empty() {
        return Err(Invalid("required"));
    }
    let national = strip_country_code(&compact);
    if is_mainland_mobile(national) {
        Ok(national.to_owned())
    } else {
        Err(Invalid("mobile.format"))
    }
}

/// `138****1234`: enough for staff to confirm a number with the customer on the phone
/// without exposing it on screens and exports. Other lengths keep only the last 4.
pub fn mask_mobile(mobile: &str) -> String {
    if mobile.chars().count() == MOBILE_LEN {
        mask(mobile, 3, 4)
    } else {
        mask(mobile, 0, 4)
    }
}

/// Last 4 characters (or the whole string if shorter): what customers quote at reception
/// ("尾号 1234") and what search by tail matches on.
pub fn mobile_tail(mobile: &str) -> String {
    let skip = mobile.chars().count().saturating_sub(4);
    mobile.chars().skip(skip).collect()
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.' | '‐' | '–' | '—')
}

/// Drops a country code, but only when exactly 11 digits follow, so a malformed number is
/// reported as such rather than silently shortened.
fn strip_country_code(number: &str) -> &str {
    COUNTRY_PREFIXES
        .iter()
        .filter_map(|prefix| number.strip_prefix(prefix))
        .find(|rest| rest.len() == MOBILE_LEN && rest.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(number)
}

fn is_mainland_mobile(number: &str) -> bool {
    match number.as_bytes() {
        [b'1', second, rest @ ..] => {
            number.len() == MOBILE_LEN
                && (b'3'..=b'9').contains(second)
                && rest.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(input: &str) -> String {
        normalize_mobile(input).expect("should be accepted")
    }

    #[test]
    fn accepts_plain_number() {
        assert_eq!(normal("13812345678"), "13812345678");
    }

    #[test]
    fn accepts_every_second_digit_from_3_to_9() {
        for second in '3'..='9' {
            let number = format!("1{second}012345678");
            assert_eq!(normal(&number), number);
        }
    }

    #[test]
    fn strips_formatting() {
        assert_eq!(normal(" 138 1234 5678 "), "13812345678");
        assert_eq!(normal("138-1234-5678"), "13812345678");
        assert_eq!(normal("(138)1234.5678"), "13812345678");
        assert_eq!(normal("１３８－１２３４－５６７８"), "13812345678");
        assert_eq!(normal("（138）12345678"), "13812345678");
    }

    #[test]
    fn strips_country_codes() {
        assert_eq!(normal("+8613812345678"), "13812345678");
        assert_eq!(normal("+86 138 1234 5678"), "13812345678");
        assert_eq!(normal("(+86) 138-1234-5678"), "13812345678");
        assert_eq!(normal("008613812345678"), "13812345678");
        assert_eq!(normal("8613812345678"), "13812345678");
        assert_eq!(normal("＋８６13812345678"), "13812345678");
    }

    #[test]
    fn country_code_needs_eleven_digits_after_it() {
        assert_eq!(
            normalize_mobile("+861381234567"),
            Err(Invalid("mobile.format"))
        );
        assert_eq!(
            normalize_mobile("86138123456789"),
            Err(Invalid("mobile.format"))
        );
    }

    #[test]
    fn empty_is_required() {
        assert_eq!(normalize_mobile(""), Err(Invalid("required")));
        assert_eq!(normalize_mobile(" - ( ) "), Err(Invalid("required")));
    }

    #[test]
    fn rejects_wrong_shapes() {
        for bad in [
            "1381234567",
            "138123456789",
            "23812345678",
            "12812345678",
            "10812345678",
            "1381234567a",
            "010-12345678",
            "+4413812345678",
            "138１２３４５６７８x",
            "一三八12345678",
            "+",
        ] {
            assert_eq!(
                normalize_mobile(bad),
                Err(Invalid("mobile.format")),
                "{bad}"
            );
        }
    }

    #[test]
    fn masks_middle_four_digits() {
        assert_eq!(mask_mobile("13812341234"), "138****1234");
    }

    #[test]
    fn masks_odd_lengths_to_last_four() {
        assert_eq!(mask_mobile("02112345678901"), "**********8901");
        assert_eq!(mask_mobile("12345"), "*2345");
        assert_eq!(mask_mobile("1234"), "****");
        assert_eq!(mask_mobile(""), "");
    }

    #[test]
    fn masking_never_panics_on_non_ascii() {
        assert_eq!(mask_mobile("电话一三八一二三四"), "*****一二三四");
        assert_eq!(mask_mobile("一三八一二三四五六七八"), "一三八****五六七八");
    }

    #[test]
    fn tail_is_last_four_characters() {
        assert_eq!(mobile_tail("13812345678"), "5678");
        assert_eq!(mobile_tail("123"), "123");
        assert_eq!(mobile_tail(""), "");
        assert_eq!(mobile_tail("电话一二三四"), "一二三四");
    }
}
