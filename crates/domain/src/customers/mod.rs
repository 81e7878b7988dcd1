//! Customers: contact details, identity documents and the keys used to find them again.

pub mod mobile;
pub mod relationship;
pub mod resident_id;
pub mod search_keys;

/// Gender as recorded on (or derived from) an identity document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    pub fn parse(name: &str) -> Option<Gender> {
        [Gender::Male, Gender::Female]
            .into_iter()
            .find(|g| g.as_str() == name)
    }
}

/// Folds full-width ASCII forms (`Ａ`, `１`, `－`, ideographic space) to their ASCII
/// equivalents: Chinese input methods in full-width mode produce them, and they look
/// identical to staff.
// Shared with `vehicles`; a candidate for `validation` if more modules need it.
pub(crate) fn halfwidth(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Replaces all but the first `head` and last `tail` characters with `*`, keeping the
/// length. Strings too short to hide anything that way are masked entirely, so masking
/// never reveals a whole short value.
pub(crate) fn mask(value: &str, head: usize, tail: usize) -> String {
    let len = value.chars().count();
    if len <= head + tail {
        return "*".repeat(len);
    }
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= len - tail { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halfwidth_folds_full_width_forms() {
        let folded: String = "Ａｚ０９－（）．　".chars().map(halfwidth).collect();
        assert_eq!(folded, "Az09-(). ");
    }

    #[test]
    fn halfwidth_leaves_other_chars_alone() {
        let text = "京A-1 ·中";
        assert_eq!(text.chars().map(halfwidth).collect::<String>(), text);
    }

    #[test]
    fn mask_keeps_head_and_tail() {
        assert_eq!(mask("13812341234", 3, 4), "138****1234");
        assert_eq!(mask("abcdefghij", 0, 4), "******ghij");
    }

    #[test]
    fn mask_hides_short_values_entirely() {
        assert_eq!(mask("12345678", 4, 4), "********");
        assert_eq!(mask("1234", 0, 4), "****");
        assert_eq!(mask("", 3, 4), "");
    }

    #[test]
    fn mask_counts_characters_not_bytes() {
        assert_eq!(mask("张三李四王五", 1, 1), "张****五");
    }

    #[test]
    fn gender_deserialises_from_snake_case() {
        use serde::Deserialize;
        use serde::de::{IntoDeserializer, value::Error};
        let parse = |s: &str| Gender::deserialize(IntoDeserializer::<Error>::into_deserializer(s));
        assert_eq!(parse("male"), Ok(Gender::Male));
        assert_eq!(parse("female"), Ok(Gender::Female));
        assert!(parse("Male").is_err());
    }
}
