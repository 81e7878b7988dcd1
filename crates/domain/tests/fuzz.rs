//! Property tests ("fuzz"): the validators and legacy-value parsers never panic, whatever the
//! input, and what they accept reparses to itself. Cases per property: `PROPTEST_CASES`
//! (proptest's default 256); the long form is
//! `PROPTEST_CASES=100000 cargo nextest run --workspace -E 'test(fuzz)'`.

use std::collections::HashMap;

use fours_domain::customers::mobile::{mask_mobile, mobile_tail, normalize_mobile};
use fours_domain::customers::resident_id::{
    mask_resident_id, resident_id_check_char, validate_resident_id,
};
use fours_domain::customers::search_keys::{looks_like_pinyin_query, name_keys};
use fours_domain::money::{format_fen, parse_yuan};
use fours_domain::onboarding::{
    header_key, map_columns, normalize_choice, normalize_date, normalize_gender, parse_km,
    parse_price, parse_yes_no, recognise,
};
use fours_domain::parts::{format_quantity, parse_bin_code, parse_part_number, parse_quantity};
use fours_domain::validation::Invalid;
use fours_domain::vehicles::plate::{plate_search_key, validate_plate};
use fours_domain::vehicles::vin::{validate_vin, vin_check_digit};
use proptest::prelude::*;

/// Strings of `alphabet`'s characters: inputs close enough to valid to reach the deep checks.
fn near(alphabet: &'static str, max_len: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(chars), 0..=max_len)
        .prop_map(|chars| chars.into_iter().collect())
}

/// Digits, separators, country codes and full-width forms as mobiles are typed.
const MOBILE_CHARS: &str = "0123456789+-() .０１３８（）　";
const ID_CHARS: &str = "0123456789Xx １９";
const VIN_CHARS: &str = "0123456789ABCDEFGHJKLMNPRSTUVWXYZIOQaz ｗ";
const PLATE_CHARS: &str = "京沪粤使领临挂学警港澳ABCDEFGHJKLMNPQRSTUVWXYZ0123456789·-. ";
const MONEY_CHARS: &str = "0123456789.,¥￥ 万元-";
const DATE_CHARS: &str = "0123456789/-.年月日 T:";
const PART_CHARS: &str = "ABCZaz0189-.  _";

proptest! {
    #[test]
    fn fuzz_mobile_never_panics_and_accepted_numbers_reparse(input in any::<String>(), typed in near(MOBILE_CHARS, 20)) {
        for text in [&input, &typed] {
            if let Ok(number) = normalize_mobile(text) {
                prop_assert_eq!(normalize_mobile(&number), Ok(number.clone()));
                prop_assert_eq!(mask_mobile(&number).chars().count(), 11);
            }
            mask_mobile(text);
            mobile_tail(text);
        }
    }

    #[test]
    fn fuzz_mobile_formatting_is_forgiven(second in 3u8..=9, rest in "[0-9]{9}", prefix in prop::sample::select(vec!["", "+86", "0086", "86", "(+86) "])) {
        let number = format!("1{second}{rest}");
        let typed = format!("{prefix}{}-{}-{}", &number[..3], &number[3..7], &number[7..]);
        prop_assert_eq!(normalize_mobile(&typed), Ok(number));
    }

    #[test]
    fn fuzz_resident_id_never_panics_and_accepted_numbers_reparse(input in any::<String>(), typed in near(ID_CHARS, 22)) {
        for text in [&input, &typed] {
            if let Ok(id) = validate_resident_id(text) {
                prop_assert_eq!(validate_resident_id(&id.number), Ok(id.clone()));
            }
            mask_resident_id(text);
        }
    }

    #[test]
    fn fuzz_resident_id_with_its_check_char_is_accepted(region in 110000u32..660000, day in 0u32..40000, serial in 0u32..1000) {
        let birth = chrono::NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(day.into());
        let first17 = format!("{region}{}{serial:03}", birth.format("%Y%m%d"));
        let check = resident_id_check_char(&first17).unwrap();
        let id = validate_resident_id(&format!("{first17}{check}")).unwrap();
        prop_assert_eq!(id.birth_date, birth);
    }

    #[test]
    fn fuzz_vin_never_panics_and_accepted_vins_reparse(input in any::<String>(), typed in near(VIN_CHARS, 20)) {
        for text in [&input, &typed] {
            if let Ok(checked) = validate_vin(text) {
                prop_assert_eq!(validate_vin(&checked.vin), Ok(checked.clone()));
            }
            vin_check_digit(text);
        }
    }

    #[test]
    fn fuzz_vin_with_its_check_digit_has_no_warning(body in "[0-9A-HJ-NPR-Z]{17}") {
        let check = vin_check_digit(&body).unwrap();
        let vin = format!("{}{check}{}", &body[..8], &body[9..]);
        prop_assert_eq!(validate_vin(&vin).unwrap().warnings, Vec::<&str>::new());
    }

    #[test]
    fn fuzz_plate_never_panics_and_accepted_plates_reparse(input in any::<String>(), typed in near(PLATE_CHARS, 12)) {
        for text in [&input, &typed] {
            if let Ok(checked) = validate_plate(text) {
                prop_assert_eq!(validate_plate(&checked.plate), Ok(checked.clone()));
            }
            plate_search_key(text);
        }
    }

    #[test]
    fn fuzz_yuan_never_panics(input in any::<String>(), typed in near(MONEY_CHARS, 24)) {
        for text in [&input, &typed] {
            if let Ok(fen) = parse_yuan(text) {
                prop_assert!(fen >= 0);
            }
            let _ = parse_price(text);
        }
    }

    #[test]
    fn fuzz_fen_round_trips_through_yuan_text(fen in 0i64..=999_999_999_999_999) {
        prop_assert_eq!(parse_yuan(&format_fen(fen)), Ok(fen));
        prop_assert_eq!(parse_yuan(&format!("¥{}", format_fen(fen))), Ok(fen));
    }

    #[test]
    fn fuzz_wan_prices_never_overflow(wan in "[0-9]{1,13}(\\.[0-9]{1,2})?万元?") {
        match parse_price(&wan) {
            Ok(fen) => prop_assert!(fen >= 0),
            Err(invalid) => prop_assert_eq!(invalid, Invalid("money.too_large")),
        }
    }

    #[test]
    fn fuzz_any_fen_formats(fen in any::<i64>()) {
        prop_assert!(format_fen(fen).contains('.'));
    }

    #[test]
    fn fuzz_legacy_values_never_panic(input in any::<String>(), typed in near(DATE_CHARS, 24)) {
        for text in [&input, &typed] {
            let day = normalize_date(text);
            prop_assert_eq!(normalize_date(&day), day);
            normalize_gender(text);
            let _ = parse_yes_no(text);
            let _ = parse_km(text);
            normalize_choice("source", text);
            normalize_choice("preferred_channel", text);
        }
    }

    #[test]
    fn fuzz_headers_never_panic(headers in prop::collection::vec(any::<String>(), 0..8), choice in any::<String>()) {
        for header in &headers {
            header_key(header);
            recognise(header);
        }
        let choices: HashMap<String, String> =
            headers.iter().map(|h| (h.trim().to_owned(), choice.clone())).collect();
        if let Ok(fields) = map_columns(&headers, &HashMap::new()) {
            prop_assert_eq!(fields.len(), headers.len());
        }
        let _ = map_columns(&headers, &choices);
    }

    #[test]
    fn fuzz_names_never_panic(name in any::<String>()) {
        name_keys(&name);
        looks_like_pinyin_query(&name);
    }

    #[test]
    fn fuzz_part_codes_never_panic_and_reparse(input in any::<String>(), typed in near(PART_CHARS, 44)) {
        for text in [&input, &typed] {
            if let Ok(bin) = parse_bin_code(text) {
                prop_assert_eq!(parse_bin_code(&bin), Ok(bin.clone()));
            }
            if let Ok(number) = parse_part_number(text) {
                prop_assert_eq!(parse_part_number(&number), Ok(number.clone()));
            }
            let _ = parse_quantity(text);
        }
    }

    #[test]
    fn fuzz_quantity_round_trips(hundredths in 1i64..=i64::MAX) {
        prop_assert_eq!(parse_quantity(&format_quantity(hundredths)), Ok(hundredths));
    }
}
