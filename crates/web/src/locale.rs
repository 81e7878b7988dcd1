//! The language of a response: the signed-in user's choice, else the request's Accept-Language,
//! else Chinese. Kept in a task-local so errors can be localised wherever they are raised.

use axum::extract::Request;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    Zh,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn parse(code: &str) -> Locale {
        if code.trim().to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::Zh
        }
    }

    /// The first language of an Accept-Language header we speak; Chinese by default.
    pub fn from_accept_language(header: &str) -> Locale {
        header
            .split(',')
            .map(|part| {
                part.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .find_map(|tag| {
                if tag.starts_with("en") {
                    Some(Locale::En)
                } else if tag.starts_with("zh") {
                    Some(Locale::Zh)
                } else {
                    None
                }
            })
            .unwrap_or(Locale::Zh)
    }

    pub fn t(self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.code()).into_owned()
    }
}

tokio::task_local! {
    static REQUEST_LOCALE: Locale;
}

/// The locale of the request being handled (Chinese outside a request).
pub fn current() -> Locale {
    REQUEST_LOCALE
        .try_with(|locale| *locale)
        .unwrap_or(Locale::Zh)
}

/// Sets the request's locale from Accept-Language. API messages follow it; pages use the
/// signed-in user's own choice (see `ui::page_for`).
pub async fn scope_request_locale(request: Request, next: Next) -> Response {
    let locale = request
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or(Locale::Zh);
    REQUEST_LOCALE.scope(locale, next.run(request)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_language_we_speak() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9"), Locale::En);
        assert_eq!(
            Locale::from_accept_language("fr-FR, zh-CN;q=0.8, en;q=0.5"),
            Locale::Zh
        );
        assert_eq!(Locale::from_accept_language("de"), Locale::Zh);
    }

    #[test]
    fn messages_exist_in_both_languages() {
        assert_eq!(Locale::Zh.t("field.mobile"), "手机号码");
        assert_eq!(Locale::En.t("field.mobile"), "Mobile");
    }
}
