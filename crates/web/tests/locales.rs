//! Every error code and field name the rules and the store can return has a Chinese and an
//! English message: the codes are read from the sources, so a new one without words fails here.

use std::path::{Path, PathBuf};

use fours_web::locale::Locale;

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The string literals right after each `marker` in `text`: `Invalid("code")` gives `code`.
fn literals_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            let end = rest.find('"')?;
            Some(&rest[..end])
        })
        .filter(|code| {
            !code.is_empty()
                && code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        })
        .collect()
}

/// `invalid("field", "code")` and `fail("field", line, "code")`: both literals.
fn field_and_code(text: &str, marker: &str) -> Vec<(String, String)> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let call = text[at + marker.len()..].strip_prefix('"')?;
            let call = &call[..call.find(')')?];
            match call.split('"').collect::<Vec<_>>()[..] {
                [field, _, code, ..] => Some((field.to_owned(), code.to_owned())),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn every_error_code_and_field_has_chinese_and_english_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for crate_dir in ["domain/src", "store/src"] {
        sources(&root.join(crate_dir), &mut files);
    }
    let mut keys = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        for code in literals_after(&text, "Invalid(\"") {
            keys.push(format!("error.{code}"));
        }
        for marker in ["invalid(", "fail("] {
            for (field, code) in field_and_code(&text, marker) {
                keys.push(format!("field.{field}"));
                keys.push(format!("error.{code}"));
            }
        }
    }
    keys.sort();
    keys.dedup();
    assert!(keys.len() > 100, "the scan found too little: {keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|key| [Locale::Zh, Locale::En].iter().any(|l| l.t(key) == **key))
        .collect();
    assert!(missing.is_empty(), "no words for: {missing:?}");
}
