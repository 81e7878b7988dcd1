//! Delivery of messages to customers: SMS, e-mail and WeChat.
//!
//! Why a crate of its own: the care plans and service events of `fours-store` queue their
//! messages in the notification outbox (a table, written in the same transaction as the change
//! that caused them). The outbox worker in `fours serve` takes each due row, resolves the
//! recipient's address and renders the body with [`templates`], and hands the resulting
//! [`Outgoing`] to [`Channels::send`]. The answer decides the row's fate: a [`Receipt`] marks it
//! sent, [`SendError::Temporary`] schedules another try after [`retry_delay`],
//! [`SendError::Permanent`] and [`SendError::NotConfigured`] fail it for good.
//!
//! This crate knows nothing of the database, of tenants or of consent: the store decides
//! *whether* a message may go (see [`templates::is_marketing`]), this crate only *how*.
//!
//! Channels:
//! - SMS and WeChat go as signed JSON POSTs to an HTTP gateway ([`gateway`]), so that a small
//!   adapter can forward them to the provider the dealer has a contract with.
//! - E-mail goes over SMTP ([`email`]).
//!
//! With the `fake-servers` feature, [`fake`] has a local fake gateway and SMTP sink for tests.

use std::fmt;
use std::time::Duration;

pub mod email;
pub mod gateway;
pub mod templates;

#[cfg(feature = "fake-servers")]
pub mod fake;

/// One message ready to go: the recipient's address is resolved, the body rendered.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Outgoing {
    /// The outbox row's id; gateways get it as `id` (use it to drop duplicates), e-mails carry
    /// it in their `Message-ID`.
    pub id: uuid::Uuid,
    pub channel: ChannelKind,
    /// Mobile number, e-mail address or WeChat openid, by channel.
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    /// WeChat template id or SMS template code, when the provider needs one.
    pub template: Option<String>,
}

/// The kinds of channel a message can go through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Sms,
    Email,
    Wechat,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [ChannelKind::Sms, ChannelKind::Email, ChannelKind::Wechat];

    /// The stored name: `sms`, `email` or `wechat`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Sms => "sms",
            ChannelKind::Email => "email",
            ChannelKind::Wechat => "wechat",
        }
    }

    /// The kind for a stored name, if it is one.
    pub fn parse(name: &str) -> Option<ChannelKind> {
        ChannelKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the provider said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's id for the message (gateway: the response's `id`; SMTP: the server's
    /// reply to the message, e.g. `2.0.0 Ok: queued as 4F2A1`), when it gave one.
    pub provider_id: Option<String>,
}

/// Why a message did not go.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying (timeouts, 5xx, connection refused, 429).
    #[error("temporary: {0}")]
    Temporary(String),
    /// Never retry (4xx, bad address, rejected by the provider).
    #[error("permanent: {0}")]
    Permanent(String),
    /// No channel configured for this kind.
    #[error("channel {0} is not configured")]
    NotConfigured(&'static str),
}

impl SendError {
    /// Whether the message should be tried again later.
    pub fn is_temporary(&self) -> bool {
        matches!(self, SendError::Temporary(_))
    }
}

/// A configuration the channels cannot be built from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("notify.{channel}.url: {reason}")]
    Url {
        channel: &'static str,
        reason: String,
    },
    #[error("notify.{channel}.secret must not be empty")]
    EmptySecret { channel: &'static str },
    #[error("notify.email.from: {0}")]
    From(String),
    #[error("notify.email: {0}")]
    Smtp(String),
    #[error("notify: cannot build the HTTP client: {0}")]
    Http(String),
}

/// The configured channels (from the server's configuration file / environment).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NotifyConfig {
    pub sms: Option<GatewayConfig>,
    pub email: Option<SmtpConfig>,
    pub wechat: Option<GatewayConfig>,
}

/// An HTTP gateway (see [`gateway`] for the contract).
#[derive(Clone, serde::Deserialize)]
pub struct GatewayConfig {
    /// Where messages are POSTed, `http://` or `https://`.
    pub url: String,
    /// The HMAC key the requests are signed with.
    pub secret: String,
    /// Passed on as `sender`: the SMS signature (签名) or the WeChat official account.
    #[serde(default)]
    pub sender: Option<String>,
}

/// An SMTP server.
#[derive(Clone, serde::Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The `From` of every message, e.g. `"星辰汽车 <care@example.com>"`.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// "none" | "starttls" | "tls"
    #[serde(default)]
    pub security: SmtpSecurity,
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain text (a relay on the same host or network only).
    None,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

// Debug by hand so that secrets never reach a log line.
impl fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .field("sender", &self.sender)
            .finish()
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("security", &self.security)
            .finish()
    }
}

/// All channels, built once from the configuration.
pub struct Channels {
    sms: Option<gateway::Gateway>,
    email: Option<email::Email>,
    wechat: Option<gateway::Gateway>,
}

impl Channels {
    /// Builds the configured channels; a channel left out of the configuration is not
    /// configured, and messages for it fail with [`SendError::NotConfigured`].
    pub fn new(config: &NotifyConfig) -> Result<Channels, ConfigError> {
        Ok(Channels {
            sms: config
                .sms
                .as_ref()
                .map(|c| gateway::Gateway::new(ChannelKind::Sms, c))
                .transpose()?,
            email: config.email.as_ref().map(email::Email::new).transpose()?,
            wechat: config
                .wechat
                .as_ref()
                .map(|c| gateway::Gateway::new(ChannelKind::Wechat, c))
                .transpose()?,
        })
    }

    pub fn is_configured(&self, kind: ChannelKind) -> bool {
        match kind {
            ChannelKind::Sms => self.sms.is_some(),
            ChannelKind::Email => self.email.is_some(),
            ChannelKind::Wechat => self.wechat.is_some(),
        }
    }

    /// Sends `message` through the channel of its kind.
    pub async fn send(&self, message: &Outgoing) -> Result<Receipt, SendError> {
        let result = if message.to.trim().is_empty() {
            Err(SendError::Permanent("no recipient address".into()))
        } else {
            match message.channel {
                ChannelKind::Sms => match &self.sms {
                    Some(gateway) => gateway.send(message).await,
                    None => Err(SendError::NotConfigured(ChannelKind::Sms.as_str())),
                },
                ChannelKind::Wechat => match &self.wechat {
                    Some(gateway) => gateway.send(message).await,
                    None => Err(SendError::NotConfigured(ChannelKind::Wechat.as_str())),
                },
                ChannelKind::Email => match &self.email {
                    Some(email) => email.send(message).await,
                    None => Err(SendError::NotConfigured(ChannelKind::Email.as_str())),
                },
            }
        };
        // The recipient's address is personal information: logs name the message only.
        match &result {
            Ok(receipt) => tracing::info!(
                id = %message.id,
                channel = message.channel.as_str(),
                provider_id = receipt.provider_id.as_deref(),
                "message sent"
            ),
            Err(error) => tracing::warn!(
                id = %message.id,
                channel = message.channel.as_str(),
                %error,
                "message not sent"
            ),
        }
        result
    }
}

/// When to try again after `attempts` failed tries (1 → 1 min, 2 → 5 min, 3 → 30 min,
/// 4 → 2 h, 5 → 12 h), and None when the message has used up its tries (after 6): then it is
/// failed for good. No failed try yet (0) means now.
pub fn retry_delay(attempts: u32) -> Option<Duration> {
    const MINUTE: u64 = 60;
    let seconds = match attempts {
        0 => 0,
        1 => MINUTE,
        2 => 5 * MINUTE,
        3 => 30 * MINUTE,
        4 => 2 * 60 * MINUTE,
        5 => 12 * 60 * MINUTE,
        _ => return None,
    };
    Some(Duration::from_secs(seconds))
}
