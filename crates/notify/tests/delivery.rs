//! Delivery through the fake gateway and the SMTP sink (feature `fake-servers`).

use std::time::Duration;

use base64::Engine as _;
use fours_notify::fake::{Behaviour, FakeGateway, SmtpSink};
use fours_notify::gateway::verify;
use fours_notify::{
    ChannelKind, Channels, GatewayConfig, NotifyConfig, Outgoing, SendError, SmtpConfig,
    SmtpSecurity, retry_delay,
};

const SECRET: &str = "gateway-secret";

fn gateway(url: String) -> GatewayConfig {
    GatewayConfig {
        url,
        secret: SECRET.into(),
        sender: Some("星辰汽车".into()),
    }
}

fn sms_channels(url: String) -> Channels {
    let config = NotifyConfig {
        sms: Some(gateway(url)),
        ..NotifyConfig::default()
    };
    Channels::new(&config).unwrap()
}

fn message(channel: ChannelKind, to: &str) -> Outgoing {
    Outgoing {
        id: uuid::Uuid::now_v7(),
        channel,
        to: to.into(),
        subject: None,
        body: "【星辰汽车】张伟，您的爱车沪A12345已完工，欢迎到星辰汽车取车。".into(),
        template: Some("SMS_001".into()),
    }
}

#[tokio::test]
async fn sms_arrives_signed_with_the_body() {
    let fake = FakeGateway::start(SECRET, Behaviour::AlwaysOk).await;
    let channels = sms_channels(fake.url());
    let sms = message(ChannelKind::Sms, "13800138000");

    let receipt = channels.send(&sms).await.unwrap();

    assert_eq!(receipt.provider_id.as_deref(), Some("fake-1"));
    let received = fake.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert!(request.signature_valid);
    assert_eq!(
        request.body,
        serde_json::json!({
            "id": sms.id.to_string(),
            "to": "13800138000",
            "body": sms.body,
            "template": "SMS_001",
            "sender": "星辰汽车",
        })
    );
    let now = unix_now();
    assert!(
        (now - request.timestamp).abs() < 60,
        "timestamp {}",
        request.timestamp
    );
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::test]
async fn a_tampered_body_fails_verification() {
    let fake = FakeGateway::start(SECRET, Behaviour::AlwaysOk).await;
    sms_channels(fake.url())
        .send(&message(ChannelKind::Sms, "13800138000"))
        .await
        .unwrap();
    let request = &fake.received()[0];
    assert!(verify(
        SECRET,
        request.timestamp,
        &request.raw_body,
        &request.signature
    ));

    let tampered = String::from_utf8(request.raw_body.clone())
        .unwrap()
        .replace("13800138000", "13900139000");
    assert!(!verify(
        SECRET,
        request.timestamp,
        tampered.as_bytes(),
        &request.signature
    ));
    assert!(!verify(
        SECRET,
        request.timestamp + 1,
        &request.raw_body,
        &request.signature
    ));
    assert!(!verify(
        "another-secret",
        request.timestamp,
        &request.raw_body,
        &request.signature
    ));
}

#[tokio::test]
async fn a_gateway_with_the_wrong_secret_is_seen_by_the_receiver() {
    let fake = FakeGateway::start("the-adapters-secret", Behaviour::AlwaysOk).await;
    sms_channels(fake.url())
        .send(&message(ChannelKind::Sms, "13800138000"))
        .await
        .unwrap();
    assert!(!fake.received()[0].signature_valid);
}

#[tokio::test]
async fn wechat_goes_through_its_own_gateway() {
    let sms = FakeGateway::start(SECRET, Behaviour::AlwaysOk).await;
    let wechat = FakeGateway::start(SECRET, Behaviour::AlwaysOk).await;
    let config = NotifyConfig {
        sms: Some(gateway(sms.url())),
        wechat: Some(GatewayConfig {
            sender: None,
            ..gateway(wechat.url())
        }),
        email: None,
    };
    let channels = Channels::new(&config).unwrap();
    let mut note = message(ChannelKind::Wechat, "oVx3t5-openid");
    note.template = Some("TM00015".into());

    channels.send(&note).await.unwrap();

    assert!(sms.received().is_empty());
    let received = wechat.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid);
    assert_eq!(received[0].body["to"], "oVx3t5-openid");
    assert_eq!(received[0].body["template"], "TM00015");
    assert_eq!(received[0].body["sender"], serde_json::Value::Null);
}

#[tokio::test]
async fn unavailable_is_temporary_and_the_retry_goes_through() {
    let fake = FakeGateway::start(SECRET, Behaviour::FailFirst(1)).await;
    let channels = sms_channels(fake.url());
    let sms = message(ChannelKind::Sms, "13800138000");

    let first = channels.send(&sms).await;
    assert!(
        matches!(&first, Err(SendError::Temporary(reason)) if reason.contains("503")),
        "{first:?}"
    );
    assert!(first.is_err_and(|e| e.is_temporary()));

    let second = channels.send(&sms).await.unwrap();
    assert_eq!(second.provider_id.as_deref(), Some("fake-2"));
    let received = fake.received();
    assert_eq!(
        received[0].body["id"], received[1].body["id"],
        "a retry keeps its id"
    );
}

#[tokio::test]
async fn bad_request_is_permanent() {
    let fake = FakeGateway::start(SECRET, Behaviour::AlwaysBadRequest).await;
    let result = sms_channels(fake.url())
        .send(&message(ChannelKind::Sms, "138"))
        .await;
    assert!(
        matches!(&result, Err(SendError::Permanent(reason)) if reason.contains("400") && reason.contains("invalid mobile")),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_temporary() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let result = sms_channels(format!("http://127.0.0.1:{port}/send"))
        .send(&message(ChannelKind::Sms, "13800138000"))
        .await;
    assert!(matches!(result, Err(SendError::Temporary(_))), "{result:?}");
}

fn email_channels(port: u16) -> Channels {
    let config = NotifyConfig {
        email: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "星辰汽车 <care@example.com>".into(),
            username: None,
            password: None,
            security: SmtpSecurity::None,
        }),
        ..NotifyConfig::default()
    };
    Channels::new(&config).unwrap()
}

/// The headers (unfolded) and the body of a raw message.
fn split(data: &str) -> (Vec<String>, String) {
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let mut headers: Vec<String> = Vec::new();
    for line in head.split("\r\n") {
        match headers.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => headers.push(line.to_owned()),
        }
    }
    (headers, body.to_owned())
}

fn header<'a>(headers: &'a [String], name: &str) -> &'a str {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let line = headers
        .iter()
        .find(|h| h.to_ascii_lowercase().starts_with(&prefix))
        .unwrap();
    line[prefix.len()..].trim()
}

/// Decodes RFC 2047 `=?utf-8?b?…?=` words (what lettre writes for non-ASCII headers).
fn decode_words(value: &str) -> String {
    value
        .split_whitespace()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            match lower
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
            {
                Some(_) => {
                    let encoded = &word["=?utf-8?b?".len()..word.len() - 2];
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(encoded)
                        .unwrap();
                    String::from_utf8(bytes).unwrap()
                }
                None => format!(" {word} "),
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn email_arrives_with_its_chinese_subject_and_body() {
    let sink = SmtpSink::start().await;
    let channels = email_channels(sink.port());
    let mut mail = message(ChannelKind::Email, "张伟 <zhang.wei@example.com>");
    mail.subject = Some("车辆已完工：沪A12345".into());
    mail.body = "张伟，您的爱车沪A12345已完工，欢迎到星辰汽车取车。\n\n星辰汽车".into();

    let receipt = channels.send(&mail).await.unwrap();

    assert!(
        receipt
            .provider_id
            .is_some_and(|id| id.contains("queued as sink-1"))
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let sent = &messages[0];
    assert_eq!(sent.from, "care@example.com");
    assert_eq!(sent.to, ["zhang.wei@example.com"]);

    let (headers, body) = split(&sent.data);
    assert_eq!(
        decode_words(header(&headers, "Subject")),
        "车辆已完工：沪A12345"
    );
    assert!(decode_words(header(&headers, "From")).contains("星辰汽车"));
    assert!(header(&headers, "From").contains("<care@example.com>"));
    assert!(header(&headers, "To").contains("<zhang.wei@example.com>"));
    assert_eq!(
        header(&headers, "Message-ID"),
        format!("<{}@example.com>", mail.id)
    );
    assert!(
        header(&headers, "Content-Type")
            .to_ascii_lowercase()
            .contains("charset=utf-8")
    );
    assert_eq!(header(&headers, "Content-Transfer-Encoding"), "base64");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.split_whitespace().collect::<String>())
        .unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        mail.body.replace('\n', "\r\n")
    );
}

#[tokio::test]
async fn email_without_a_subject_gets_the_default() {
    let sink = SmtpSink::start().await;
    email_channels(sink.port())
        .send(&message(ChannelKind::Email, "a@example.com"))
        .await
        .unwrap();
    let (headers, _) = split(&sink.messages()[0].data);
    assert_eq!(header(&headers, "Subject"), "Fours");
}

#[tokio::test]
async fn email_errors_are_classified() {
    let refusing = SmtpSink::start_refusing("550 5.1.1 no such user").await;
    let result = email_channels(refusing.port())
        .send(&message(ChannelKind::Email, "a@example.com"))
        .await;
    assert!(
        matches!(&result, Err(SendError::Permanent(reason)) if reason.contains("no such user")),
        "{result:?}"
    );

    let busy = SmtpSink::start_refusing("451 4.3.0 try again later").await;
    let result = email_channels(busy.port())
        .send(&message(ChannelKind::Email, "a@example.com"))
        .await;
    assert!(matches!(result, Err(SendError::Temporary(_))), "{result:?}");
    assert!(busy.messages().is_empty());

    let sink = SmtpSink::start().await;
    let result = email_channels(sink.port())
        .send(&message(ChannelKind::Email, "not an address"))
        .await;
    assert!(matches!(result, Err(SendError::Permanent(_))), "{result:?}");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let result = email_channels(closed)
        .send(&message(ChannelKind::Email, "a@example.com"))
        .await;
    assert!(matches!(result, Err(SendError::Temporary(_))), "{result:?}");
}

#[tokio::test]
async fn a_missing_channel_is_not_configured() {
    let channels = Channels::new(&NotifyConfig::default()).unwrap();
    for kind in [ChannelKind::Sms, ChannelKind::Email, ChannelKind::Wechat] {
        assert!(!channels.is_configured(kind));
        let result = channels.send(&message(kind, "13800138000")).await;
        assert!(matches!(result, Err(SendError::NotConfigured(name)) if name == kind.as_str()));
    }
    let fake = FakeGateway::start(SECRET, Behaviour::AlwaysOk).await;
    let channels = sms_channels(fake.url());
    assert!(channels.is_configured(ChannelKind::Sms));
    assert!(!channels.is_configured(ChannelKind::Email));
}

#[test]
fn bad_configurations_are_refused() {
    let bad_url = NotifyConfig {
        sms: Some(gateway("not a url".into())),
        ..NotifyConfig::default()
    };
    assert!(Channels::new(&bad_url).is_err());
    let ftp = NotifyConfig {
        sms: Some(gateway("ftp://example.com".into())),
        ..NotifyConfig::default()
    };
    assert!(Channels::new(&ftp).is_err());
    let no_secret = NotifyConfig {
        wechat: Some(GatewayConfig {
            secret: String::new(),
            ..gateway("http://127.0.0.1:1".into())
        }),
        ..NotifyConfig::default()
    };
    assert!(Channels::new(&no_secret).is_err());
    let bad_from: NotifyConfig = serde_json::from_value(serde_json::json!({
        "email": {"host": "smtp.example.com", "port": 587, "from": "nobody"}
    }))
    .unwrap();
    assert!(Channels::new(&bad_from).is_err());
}

#[test]
fn configuration_reads_from_json_and_hides_secrets() {
    let config: NotifyConfig = serde_json::from_value(serde_json::json!({
        "sms": {"url": "https://sms.example.com/send", "secret": "s3cret"},
        "email": {"host": "smtp.example.com", "port": 465, "from": "care@example.com",
                  "username": "care", "password": "hunter2", "security": "tls"}
    }))
    .unwrap();
    let email = config.email.as_ref().unwrap();
    assert_eq!(email.security, SmtpSecurity::Tls);
    assert!(config.sms.as_ref().unwrap().sender.is_none());
    assert!(config.wechat.is_none());
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("s3cret") && !shown.contains("hunter2"),
        "{shown}"
    );
    let default: SmtpConfig = serde_json::from_value(serde_json::json!({
        "host": "smtp.example.com", "port": 587, "from": "care@example.com"
    }))
    .unwrap();
    assert_eq!(default.security, SmtpSecurity::Starttls);
}

#[test]
fn retries_back_off_then_give_up() {
    let minutes = |m: u64| Some(Duration::from_secs(m * 60));
    assert_eq!(retry_delay(1), minutes(1));
    assert_eq!(retry_delay(2), minutes(5));
    assert_eq!(retry_delay(3), minutes(30));
    assert_eq!(retry_delay(4), minutes(120));
    assert_eq!(retry_delay(5), minutes(720));
    assert_eq!(retry_delay(6), None);
    assert_eq!(retry_delay(100), None);
}

#[test]
fn channel_kinds_round_trip() {
    for kind in [ChannelKind::Sms, ChannelKind::Email, ChannelKind::Wechat] {
        assert_eq!(ChannelKind::parse(kind.as_str()), Some(kind));
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
    assert_eq!(ChannelKind::parse("fax"), None);
}
