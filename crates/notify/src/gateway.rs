//! SMS and WeChat template messages through a signed HTTP gateway.
//!
//! Fours does not speak any SMS provider's or WeChat's API itself: each message is POSTed to a
//! configured URL, and a small adapter run by the dealer (or its integrator) forwards it to
//! 阿里云短信, 腾讯云短信, the WeChat official account's template-message API, and so on.
//!
//! # The contract
//!
//! ```text
//! POST <url>
//! Content-Type: application/json
//! X-Fours-Timestamp: 1767225600
//! X-Fours-Signature: sha256=5d0c…(64 hex digits)
//!
//! {"id":"0190…","to":"13800138000","body":"【星辰汽车】…","template":"SMS_123","sender":"星辰汽车"}
//! ```
//!
//! - `id`: the message's id (a UUID). A retried message keeps its id: drop duplicates by it.
//! - `to`: the mobile number (SMS) or openid (WeChat).
//! - `body`: the rendered text. Providers that send by template (阿里云 `TemplateCode` with
//!   `TemplateParam`, 腾讯云 `TemplateId` with `TemplateParamSet`, WeChat `template_id`) get
//!   the template code or id in `template`; the adapter maps the message onto it.
//! - `template`, `sender`: may be `null`. `sender` is the configured SMS signature (签名) or
//!   official account.
//! - The signature is `sha256=` and the lower-case hex HMAC-SHA256, keyed with the shared
//!   secret, of `<X-Fours-Timestamp>.<raw request body>` (the timestamp in decimal, a dot, then
//!   the body bytes exactly as received). An adapter should check it with a constant-time
//!   compare ([`verify`] does) and refuse timestamps more than a few minutes old.
//!
//! # The answer
//!
//! - 2xx: accepted. A JSON body with a string `"id"` is kept as the provider's message id;
//!   any other body is fine too.
//! - 408, 429, 5xx (and timeouts, refused connections): tried again later, with the same `id`.
//! - any other status (400 for a bad number, 403 for a refused signature…): failed for good.
//!   The first 200 characters of the response body are kept as the reason.
//!
//! Requests time out after 10 seconds; redirects are not followed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use sha2::Sha256;

use crate::{ChannelKind, ConfigError, GatewayConfig, Outgoing, Receipt, SendError};

/// How long one request to the gateway may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The header with the request's Unix time in seconds.
pub const TIMESTAMP_HEADER: &str = "X-Fours-Timestamp";
/// The header with the request's signature, `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-Fours-Signature";

const SIGNATURE_PREFIX: &str = "sha256=";

/// The JSON body of a gateway request.
#[derive(Debug, serde::Serialize)]
pub struct GatewayRequest<'a> {
    pub id: uuid::Uuid,
    pub to: &'a str,
    pub body: &'a str,
    pub template: Option<&'a str>,
    pub sender: Option<&'a str>,
}

/// The value of the signature header for `body` sent at `timestamp`: `sha256=<hex>`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = mac(secret, timestamp, body);
    format!(
        "{SIGNATURE_PREFIX}{}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Whether `signature` (the header's value, `sha256=<hex>`) is [`sign`] of `body` at
/// `timestamp`, compared in constant time. Checking the timestamp's age is the caller's.
pub fn verify(secret: &str, timestamp: i64, body: &[u8], signature: &str) -> bool {
    let Some(digits) = signature.trim().strip_prefix(SIGNATURE_PREFIX) else {
        return false;
    };
    let Ok(expected) = hex::decode(digits) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&expected).is_ok()
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// One configured gateway (the SMS one or the WeChat one).
pub(crate) struct Gateway {
    kind: ChannelKind,
    url: reqwest::Url,
    secret: String,
    sender: Option<String>,
    client: reqwest::Client,
}

impl Gateway {
    pub(crate) fn new(kind: ChannelKind, config: &GatewayConfig) -> Result<Gateway, ConfigError> {
        let channel = kind.as_str();
        let url = reqwest::Url::parse(config.url.trim()).map_err(|e| ConfigError::Url {
            channel,
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::Url {
                channel,
                reason: "must be http:// or https://".into(),
            });
        }
        if config.secret.is_empty() {
            return Err(ConfigError::EmptySecret { channel });
        }
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("fours-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(Gateway {
            kind,
            url,
            secret: config.secret.clone(),
            sender: config.sender.clone().filter(|s| !s.trim().is_empty()),
            client,
        })
    }

    pub(crate) async fn send(&self, message: &Outgoing) -> Result<Receipt, SendError> {
        let request = GatewayRequest {
            id: message.id,
            to: &message.to,
            body: &message.body,
            template: message.template.as_deref(),
            sender: self.sender.as_deref(),
        };
        let body = serde_json::to_vec(&request)
            .map_err(|e| SendError::Permanent(format!("cannot encode the request: {e}")))?;
        let timestamp = unix_now();
        let signature = sign(&self.secret, timestamp, &body);
        let response = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        // A body that cannot be read after a success still means the gateway took the message.
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) if status.is_success() => {
                tracing::debug!(channel = self.kind.as_str(), error = %e, "unreadable gateway answer");
                String::new()
            }
            Err(e) => return Err(self.transport_error(&e)),
        };
        classify(status, &text)
    }

    fn transport_error(&self, error: &reqwest::Error) -> SendError {
        // A request that was built cannot fail for good on the way: every transport error
        // (timeout, refused or reset connection, TLS, DNS) is worth another try.
        let what = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "cannot connect"
        } else {
            "request failed"
        };
        SendError::Temporary(format!(
            "{} gateway {what}: {}",
            self.kind.as_str(),
            error_chain(error)
        ))
    }
}

/// The gateway's answer, by status.
fn classify(status: StatusCode, text: &str) -> Result<Receipt, SendError> {
    if status.is_success() {
        let provider_id = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|json| match json.get("id")? {
                serde_json::Value::String(id) => Some(id.clone()),
                serde_json::Value::Number(id) => Some(id.to_string()),
                _ => None,
            });
        return Ok(Receipt { provider_id });
    }
    let reason = format!("gateway answered {status}: {}", excerpt(text));
    if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        Err(SendError::Temporary(reason))
    } else {
        Err(SendError::Permanent(reason))
    }
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_does_not() {
        let body = br#"{"id":"x","to":"13800138000"}"#;
        let signature = sign("s3cret", 1_767_225_600, body);
        assert!(signature.starts_with("sha256="));
        assert_eq!(signature.len(), "sha256=".len() + 64);
        assert!(verify("s3cret", 1_767_225_600, body, &signature));
        assert!(!verify("s3cret", 1_767_225_601, body, &signature));
        assert!(!verify("other", 1_767_225_600, body, &signature));
        assert!(!verify(
            "s3cret",
            1_767_225_600,
            body,
            signature.trim_start_matches("sha256=")
        ));
        assert!(!verify("s3cret", 1_767_225_600, body, "sha256=zz"));
    }

    #[test]
    fn statuses_are_classified() {
        let ok = classify(StatusCode::OK, r#"{"id":"SMS-1"}"#);
        assert_eq!(
            ok.ok().and_then(|r| r.provider_id).as_deref(),
            Some("SMS-1")
        );
        assert!(matches!(
            classify(StatusCode::ACCEPTED, "ok"),
            Ok(Receipt { provider_id: None })
        ));
        for status in [408, 429, 500, 502, 503] {
            let status = StatusCode::from_u16(status).unwrap_or_default();
            assert!(
                matches!(classify(status, ""), Err(SendError::Temporary(_))),
                "{status}"
            );
        }
        for status in [301, 400, 401, 403, 404, 422] {
            let status = StatusCode::from_u16(status).unwrap_or_default();
            assert!(
                matches!(classify(status, ""), Err(SendError::Permanent(_))),
                "{status}"
            );
        }
    }

    #[test]
    fn long_answers_are_cut_on_a_character() {
        let long = "错".repeat(300);
        assert_eq!(excerpt(&long).chars().count(), 201);
    }
}
