//! E-mail over SMTP, with lettre's asynchronous transport on tokio.
//!
//! Every message is a plain-text UTF-8 e-mail from the configured `from`, with the message's
//! subject (or "Fours") and a `Message-ID` made of the message's id, so that a retried message
//! can be recognised in the server's logs. The connection is secured as configured
//! (`security`: "none", "starttls" — required, no downgrade — or "tls"); certificates are
//! checked against the Mozilla roots (webpki-roots).
//!
//! Errors: a 5xx reply (unknown mailbox, refused message) and an address that is not one fail
//! the message for good; a 4xx reply (greylisting, mailbox busy), a timeout, a refused
//! connection and a TLS failure are tried again later. Client-side failures such as "the server
//! offers no STARTTLS" count as temporary too: they are configuration problems an
//! administrator can fix while the message waits.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::{ConfigError, Outgoing, Receipt, SendError, SmtpConfig, SmtpSecurity};

/// How long the SMTP server may take to answer one command.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The subject of a message that has none.
pub const DEFAULT_SUBJECT: &str = "Fours";

/// The configured SMTP channel.
pub(crate) struct Email {
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Email {
    pub(crate) fn new(config: &SmtpConfig) -> Result<Email, ConfigError> {
        let from: Mailbox = config
            .from
            .trim()
            .parse()
            .map_err(|e: lettre::address::AddressError| ConfigError::From(e.to_string()))?;
        let host = config.host.trim();
        if host.is_empty() {
            return Err(ConfigError::Smtp("host must not be empty".into()));
        }
        let builder = match config.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| ConfigError::Smtp(e.to_string()))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| ConfigError::Smtp(e.to_string()))?,
        };
        let mut builder = builder.port(config.port).timeout(Some(TIMEOUT));
        if let Some(username) = config.username.as_deref().filter(|u| !u.is_empty()) {
            let password = config.password.clone().unwrap_or_default();
            builder = builder.credentials(Credentials::new(username.to_owned(), password));
        }
        Ok(Email {
            from,
            transport: builder.build(),
        })
    }

    pub(crate) async fn send(&self, message: &Outgoing) -> Result<Receipt, SendError> {
        let to: Mailbox = message
            .to
            .trim()
            .parse()
            .map_err(|e| SendError::Permanent(format!("bad e-mail address: {e}")))?;
        let subject = message
            .subject
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_SUBJECT);
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!(
                "<{}@{}>",
                message.id,
                self.from.email.domain()
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| SendError::Permanent(format!("cannot build the e-mail: {e}")))?;
        let response = self.transport.send(email).await.map_err(classify)?;
        let reply = response.message().collect::<Vec<_>>().join(" ");
        Ok(Receipt {
            provider_id: Some(reply).filter(|r| !r.trim().is_empty()),
        })
    }
}

fn classify(error: lettre::transport::smtp::Error) -> SendError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_permanent() {
        SendError::Permanent(format!("SMTP server refused: {text}"))
    } else if error.is_timeout() {
        SendError::Temporary(format!("SMTP timed out: {text}"))
    } else {
        SendError::Temporary(format!("SMTP: {text}"))
    }
}
