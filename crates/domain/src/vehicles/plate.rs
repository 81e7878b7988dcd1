//! Mainland China licence plates (GA 36).
//!
//! Plates are free text on paper forms, so the rules are lenient: only input that cannot be a
//! plate at all is rejected. Real but rare formats (embassy `使`/`领`, temporary `临`, armed
//! police `WJ`, Hong Kong/Macau cross-border and anything we have not thought of) are accepted
//! with the `plate_unusual` warning so the user can double-check.

use crate::customers::halfwidth;
use crate::validation::{Invalid, Warning};

/// One-character abbreviations of the 31 provincial-level divisions that issue plates.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
/// Characters that may replace the last serial character on a standard plate: trailer,
/// driving-school, police, Hong Kong and Macau plates.
const SUFFIXES: &str = "挂学警港澳";
/// Anything shorter or longer than this is not a plate, whatever it contains.
const MIN_LEN: usize = 5;
const MAX_LEN: usize = 10;

/// A plate that might be real, normalised, with any soft problems found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPlate {
    pub plate: String,
    pub warnings: Vec<Warning>,
}

/// Normalises and checks a plate; standard and new-energy plates pass without warnings.
///
/// # Errors
/// `required` when empty after normalisation; `plate.format` when shorter than 5 or longer
/// than 10 characters, or containing anything but ASCII letters, digits and CJK characters.
pub fn validate_plate(input: &str) -> Result<CheckedPlate, Invalid> {
    let plate = plate_search_key(input);
    if plate.is_empty() {
        return Err(Invalid("required"));
    }
    let chars: Vec<char> = plate.chars().collect();
    if !(MIN_LEN..=MAX_LEN).contains(&chars.len()) || !chars.iter().all(|&c| is_plate_char(c)) {
        return Err(Invalid("plate.format"));
    }
    let warnings = if is_standard(&chars) || is_new_energy(&chars) {
        Vec::new()
    } else {
        vec!["plate_unusual"]
    };
    Ok(CheckedPlate { plate, warnings })
}

/// The plate as stored and searched: uppercase, no spaces, dots or dashes (people write
/// `京A·12345`, `京A-12345` and `京a 12345` for the same car). Works on fragments too, so a
/// search for `a12` can match `京A12345`.
pub fn plate_search_key(input: &str) -> String {
    input
        .chars()
        .map(halfwidth)
        .filter(|&c| !is_separator(c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whitespace, dots (including the middle dot printed on plates) and dashes.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | '·' | '•' | '・' | '‧' | '-' | '‐' | '‑' | '–' | '—'
        )
}

fn is_plate_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || is_cjk(c)
}

/// CJK Unified Ideographs and Extension A: enough for every character seen on plates.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Province + issuing-authority letter + 5 serial characters, the last of which may be a
/// suffix character (`粤Z1234港`).
fn is_standard(chars: &[char]) -> bool {
    match chars {
        [province, letter, serial @ .., last] if serial.len() == 4 => {
            has_prefix(*province, *letter)
                && serial.iter().all(|&c| is_serial_char(c))
                && (is_serial_char(*last) || SUFFIXES.contains(*last))
        }
        _ => false,
    }
}

/// Green new-energy plates: province + letter + 6 serial characters, `D` (electric) or `F`
/// (hybrid) first for small cars or last for large vehicles.
fn is_new_energy(chars: &[char]) -> bool {
    match chars {
        [province, letter, serial @ ..] if serial.len() == 6 => {
            has_prefix(*province, *letter)
                && serial.iter().all(|&c| is_serial_char(c))
                && [serial.first(), serial.last()]
                    .into_iter()
                    .any(|c| matches!(c, Some('D' | 'F')))
        }
        _ => false,
    }
}

fn has_prefix(province: char, letter: char) -> bool {
    PROVINCES.contains(province) && is_plate_letter(letter)
}

/// I and O are never issued: they look like 1 and 0.
fn is_plate_letter(c: char) -> bool {
    c.is_ascii_uppercase() && !matches!(c, 'I' | 'O')
}

fn is_serial_char(c: char) -> bool {
    c.is_ascii_digit() || is_plate_letter(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(input: &str) -> String {
        let checked = validate_plate(input).expect("should be accepted");
        assert!(checked.warnings.is_empty(), "{input} warned");
        checked.plate
    }

    fn unusual(input: &str) -> String {
        let checked = validate_plate(input).expect("should be accepted");
        assert_eq!(checked.warnings, vec!["plate_unusual"], "{input}");
        checked.plate
    }

    #[test]
    fn accepts_standard_plates() {
        assert_eq!(clean("京A12345"), "京A12345");
        assert_eq!(clean("粤B3X7K9"), "粤B3X7K9");
        assert_eq!(clean("琼EABCDE"), "琼EABCDE");
    }

    #[test]
    fn accepts_every_province() {
        assert_eq!(PROVINCES.chars().count(), 31);
        for province in PROVINCES.chars() {
            clean(&format!("{province}A12345"));
        }
    }

    #[test]
    fn normalises_separators_and_case() {
        assert_eq!(clean(" 京a·12345 "), "京A12345");
        assert_eq!(clean("京A-12345"), "京A12345");
        assert_eq!(clean("京A.123 45"), "京A12345");
        assert_eq!(clean("京A•12345"), "京A12345");
        assert_eq!(clean("京Ａ－１２３４５"), "京A12345");
    }

    #[test]
    fn accepts_suffix_plates() {
        for plate in [
            "鲁B1234挂",
            "沪A1234学",
            "京A1234警",
            "粤Z1234港",
            "粤Z1234澳",
        ] {
            assert_eq!(clean(plate), plate);
        }
    }

    #[test]
    fn suffix_only_allowed_last() {
        unusual("京A挂1234");
    }

    #[test]
    fn accepts_new_energy_plates() {
        for plate in [
            "沪AD12345",
            "沪AF12345",
            "粤B12345D",
            "苏E12345F",
            "京ADE1234",
        ] {
            assert_eq!(clean(plate), plate);
        }
    }

    #[test]
    fn eight_chars_without_d_or_f_is_unusual() {
        unusual("沪A123456");
        unusual("沪A1D2345");
    }

    #[test]
    fn i_and_o_make_a_plate_unusual() {
        unusual("京I12345");
        unusual("京A1234O");
        unusual("沪AD1234O");
    }

    #[test]
    fn unknown_province_is_unusual() {
        unusual("港A12345");
        unusual("XA12345");
    }

    #[test]
    fn special_plates_are_accepted_with_warning() {
        assert_eq!(unusual("使014578"), "使014578");
        assert_eq!(unusual("沪A1234领"), "沪A1234领");
        assert_eq!(unusual("京A临1234"), "京A临1234");
        assert_eq!(unusual("临京A12345"), "临京A12345");
        assert_eq!(unusual("WJ京12345"), "WJ京12345");
        assert_eq!(unusual("WJ·01-1234警"), "WJ011234警");
    }

    #[test]
    fn odd_but_plausible_strings_are_unusual() {
        unusual("12345");
        unusual("ABCDEFGHJK");
        unusual("京A1234");
    }

    #[test]
    fn empty_is_required() {
        assert_eq!(validate_plate(""), Err(Invalid("required")));
        assert_eq!(validate_plate(" · - "), Err(Invalid("required")));
    }

    #[test]
    fn too_short_or_too_long_is_rejected() {
        assert_eq!(validate_plate("京A12"), Err(Invalid("plate.format")));
        assert_eq!(validate_plate("京A123456789"), Err(Invalid("plate.format")));
        assert_eq!(validate_plate("13812345678"), Err(Invalid("plate.format")));
    }

    #[test]
    fn punctuation_and_symbols_are_rejected() {
        for bad in [
            "京A1234!",
            "京A_12345",
            "京A(12345)",
            "京A12345。",
            "京A1234é",
            "京A12🚗45",
        ] {
            assert_eq!(validate_plate(bad), Err(Invalid("plate.format")), "{bad}");
        }
    }

    #[test]
    fn search_key_normalises_fragments() {
        assert_eq!(plate_search_key(" a·12 "), "A12");
        assert_eq!(plate_search_key("京a-123"), "京A123");
        assert_eq!(plate_search_key(""), "");
    }

    #[test]
    fn search_key_matches_validated_plate() {
        let input = "浙a · 8d-88 8";
        assert_eq!(plate_search_key(input), clean(input));
    }
}
