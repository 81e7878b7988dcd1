//! Pinyin search keys for customer names.
//!
//! Staff search the customer list from a Latin keyboard: `liuhan` or `lh` should find 刘汉.
//! Keys are computed once when a name is saved and stored beside it.

use super::halfwidth;
use pinyin::{Pinyin, ToPinyin};

/// Longest query still treated as pinyin; longer input is not a name search.
const MAX_PINYIN_QUERY: usize = 30;

/// Surnames whose reading differs from the character's most common one (`pinyin` gives the
/// latter). Applied to the first character of a name only.
const SURNAME_READINGS: [(char, &str); 13] = [
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('覃', "qin"),
    ('都', "du"),
    ('重', "chong"),
    ('秘', "bi"),
];

/// Pinyin forms of a name: the full spelling and the initials, both lowercase ASCII.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameKeys {
    pub full: String,
    pub initials: String,
}

/// Pinyin keys for a name that may mix Chinese characters and Latin words.
///
/// Each Chinese character contributes its toneless syllable (`ü` written `v`, as typed on
/// a keyboard) and its first letter; each run of ASCII letters contributes itself and its
/// first letter (`Zhang Wei` → `zhangwei`, `zw`). Digits, punctuation and characters
/// without a reading are skipped and end a Latin word.
pub fn name_keys(name: &str) -> NameKeys {
    let mut keys = NameKeys::default();
    let mut in_word = false;
    for c in name.chars().map(halfwidth) {
        if c.is_ascii_alphabetic() {
            push_latin(&mut keys, c.to_ascii_lowercase(), in_word);
            in_word = true;
        } else {
            in_word = false;
            if let Some(syllable) = syllable(c, keys.full.is_empty()) {
                push_syllable(&mut keys, syllable);
            }
        }
    }
    keys
}

/// Whether a search query could be matched against [`NameKeys`]: 1–30 ASCII letters.
pub fn looks_like_pinyin_query(q: &str) -> bool {
    (1..=MAX_PINYIN_QUERY).contains(&q.len()) && q.bytes().all(|b| b.is_ascii_alphabetic())
}

fn push_latin(keys: &mut NameKeys, letter: char, in_word: bool) {
    keys.full.push(letter);
    if !in_word {
        keys.initials.push(letter);
    }
}

fn push_syllable(keys: &mut NameKeys, syllable: &str) {
    let ascii = syllable.chars().map(|c| if c == 'ü' { 'v' } else { c });
    keys.full.extend(ascii.clone());
    keys.initials.extend(ascii.take(1));
}

/// Toneless reading of a character, using the surname reading when it starts the name.
fn syllable(c: char, starts_name: bool) -> Option<&'static str> {
    let surname = SURNAME_READINGS
        .iter()
        .find(|(ch, _)| starts_name && *ch == c)
        .map(|(_, reading)| *reading);
    surname.or_else(|| c.to_pinyin().map(Pinyin::plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(name: &str) -> (String, String) {
        let k = name_keys(name);
        (k.full, k.initials)
    }

    fn pair(full: &str, initials: &str) -> (String, String) {
        (full.to_owned(), initials.to_owned())
    }

    #[test]
    fn chinese_name() {
        assert_eq!(keys("刘汉"), pair("liuhan", "lh"));
        assert_eq!(keys("欧阳娜娜"), pair("ouyangnana", "oynn"));
    }

    #[test]
    fn zh_ch_sh_initials_are_first_letter() {
        assert_eq!(keys("张晨曦"), pair("zhangchenxi", "zcx"));
    }

    #[test]
    fn u_umlaut_is_written_v() {
        assert_eq!(keys("吕女士"), pair("lvnvshi", "lns"));
    }

    #[test]
    fn surname_readings_apply_to_first_character() {
        assert_eq!(keys("曾伟"), pair("zengwei", "zw"));
        assert_eq!(keys("单雄信"), pair("shanxiongxin", "sxx"));
        assert_eq!(keys("解缙"), pair("xiejin", "xj"));
    }

    #[test]
    fn surname_readings_do_not_apply_elsewhere() {
        assert_eq!(keys("王曾"), pair("wangceng", "wc"));
        assert_eq!(keys("李单"), pair("lidan", "ld"));
    }

    #[test]
    fn latin_words() {
        assert_eq!(keys("Zhang Wei"), pair("zhangwei", "zw"));
        assert_eq!(keys("  John  SMITH "), pair("johnsmith", "js"));
        assert_eq!(keys("Mary-Jane O'Neil"), pair("maryjaneoneil", "mjon"));
    }

    #[test]
    fn mixed_scripts() {
        assert_eq!(keys("刘Tom"), pair("liutom", "lt"));
        assert_eq!(keys("Tom刘"), pair("tomliu", "tl"));
    }

    #[test]
    fn digits_and_symbols_are_skipped() {
        assert_eq!(keys("刘汉2号"), pair("liuhanhao", "lhh"));
        assert_eq!(keys("王·小明"), pair("wangxiaoming", "wxm"));
        assert_eq!(keys("A1B"), pair("ab", "ab"));
    }

    #[test]
    fn full_width_latin_is_folded() {
        assert_eq!(keys("Ｔｏｍ"), pair("tom", "t"));
    }

    #[test]
    fn empty_and_unreadable_names() {
        assert_eq!(name_keys(""), NameKeys::default());
        assert_eq!(name_keys("123 !?"), NameKeys::default());
        assert_eq!(name_keys("😀"), NameKeys::default());
    }

    #[test]
    fn leading_symbol_does_not_stop_surname_reading() {
        assert_eq!(keys(" ·曾伟"), pair("zengwei", "zw"));
    }

    #[test]
    fn keys_are_ascii_lowercase() {
        for name in ["吕绿女", "Ärger Müller", "曾单解仇区朴查缪翟覃都重秘"] {
            let k = name_keys(name);
            for key in [&k.full, &k.initials] {
                assert!(key.bytes().all(|b| b.is_ascii_lowercase()), "{name}: {key}");
            }
        }
    }

    #[test]
    fn pinyin_query_detection() {
        assert!(looks_like_pinyin_query("l"));
        assert!(looks_like_pinyin_query("LiuHan"));
        assert!(looks_like_pinyin_query(&"a".repeat(30)));
        assert!(!looks_like_pinyin_query(&"a".repeat(31)));
        assert!(!looks_like_pinyin_query(""));
        assert!(!looks_like_pinyin_query("liu han"));
        assert!(!looks_like_pinyin_query("lh1"));
        assert!(!looks_like_pinyin_query("刘汉"));
        assert!(!looks_like_pinyin_query("lü"));
    }
}
