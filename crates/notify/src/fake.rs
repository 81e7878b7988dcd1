//! Local stand-ins for the providers, for tests (feature `fake-servers`): a fake HTTP gateway
//! and an SMTP sink, both on 127.0.0.1 with a port of their own, recording what they get.
//! Each stops when dropped. They panic if they cannot bind a local port: they are test tools.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::gateway::{SIGNATURE_HEADER, TIMESTAMP_HEADER, verify};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("a fake server cannot bind 127.0.0.1:0: {e}"))
}

/// How the fake gateway answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// 200 with `{"id":"fake-<n>"}`.
    AlwaysOk,
    /// 503 to the first N requests, then as [`Behaviour::AlwaysOk`].
    FailFirst(u32),
    /// 400 to every request.
    AlwaysBadRequest,
}

/// One request the fake gateway got.
#[derive(Clone, Debug)]
pub struct ReceivedRequest {
    /// The body as JSON (`null` when it was not JSON).
    pub body: serde_json::Value,
    /// The body exactly as received.
    pub raw_body: Vec<u8>,
    /// `X-Fours-Timestamp` (0 when missing).
    pub timestamp: i64,
    /// `X-Fours-Signature` (empty when missing).
    pub signature: String,
    /// Whether the signature is right for the body, timestamp and the gateway's secret.
    pub signature_valid: bool,
}

struct GatewayState {
    secret: String,
    behaviour: Behaviour,
    received: Mutex<Vec<ReceivedRequest>>,
}

/// A fake SMS/WeChat gateway: answers every POST (any path) as its [`Behaviour`] says.
pub struct FakeGateway {
    url: String,
    state: Arc<GatewayState>,
    task: JoinHandle<()>,
}

impl FakeGateway {
    pub async fn start(secret: &str, behaviour: Behaviour) -> FakeGateway {
        let listener = bind().await;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let state = Arc::new(GatewayState {
            secret: secret.to_owned(),
            behaviour,
            received: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "fake gateway stopped");
            }
        });
        FakeGateway {
            url: format!("http://127.0.0.1:{port}/send"),
            state,
            task,
        }
    }

    /// Where to POST, for [`crate::GatewayConfig::url`].
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The requests so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.received).clone()
    }
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    State(state): State<Arc<GatewayState>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let timestamp = header(TIMESTAMP_HEADER).parse().unwrap_or(0);
    let signature = header(SIGNATURE_HEADER).to_owned();
    let request = ReceivedRequest {
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        signature_valid: verify(&state.secret, timestamp, &body, &signature),
        raw_body: body.to_vec(),
        timestamp,
        signature,
    };
    let number = {
        let mut received = lock(&state.received);
        received.push(request);
        received.len()
    };
    match state.behaviour {
        Behaviour::AlwaysBadRequest => (
            StatusCode::BAD_REQUEST,
            r#"{"error":"invalid mobile"}"#.to_owned(),
        ),
        Behaviour::FailFirst(n) if number <= n as usize => (
            StatusCode::SERVICE_UNAVAILABLE,
            "try again later".to_owned(),
        ),
        _ => (StatusCode::OK, format!(r#"{{"id":"fake-{number}"}}"#)),
    }
}

/// One message the SMTP sink took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkMessage {
    /// The envelope's sender (`MAIL FROM`).
    pub from: String,
    /// The envelope's recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message as sent after `DATA` (headers and encoded body, CRLF line ends, without
    /// the final "."; dots unstuffed).
    pub data: String,
}

/// A minimal SMTP server that accepts everything (or refuses recipients, see
/// [`SmtpSink::start_refusing`]) and keeps the messages. No TLS, no AUTH: configure the channel
/// with `security = "none"` and no credentials.
pub struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<SinkMessage>>>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::start_with("250 2.1.5 OK").await
    }

    /// A sink that answers every `RCPT TO` with `reply`, e.g. "550 5.1.1 no such user" or
    /// "451 4.3.0 try again later".
    pub async fn start_refusing(reply: &'static str) -> SmtpSink {
        SmtpSink::start_with(reply).await
    }

    async fn start_with(rcpt_reply: &'static str) -> SmtpSink {
        let listener = bind().await;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&messages);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let kept = Arc::clone(&kept);
                tokio::spawn(async move {
                    if let Err(error) = session(stream, &kept, rcpt_reply).await {
                        tracing::debug!(%error, "SMTP sink session ended");
                    }
                });
            }
        });
        SmtpSink {
            port,
            messages,
            task,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The messages so far, oldest first.
    pub fn messages(&self) -> Vec<SinkMessage> {
        lock(&self.messages).clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The address between `<` and `>` of a `MAIL FROM:<…>` or `RCPT TO:<…>`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(command.len(), |i| i + 1);
    let end = command.rfind('>').unwrap_or(command.len()).max(start);
    command[start..end].to_owned()
}

async fn session(
    stream: TcpStream,
    messages: &Mutex<Vec<SinkMessage>>,
    rcpt_reply: &str,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut line = Vec::new();
    let (mut from, mut to) = (String::new(), Vec::new());
    write.write_all(b"220 fours-sink ESMTP\r\n").await?;
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => "250-fours-sink\r\n250-8BITMIME\r\n250 SMTPUTF8".to_owned(),
            "HELO" => "250 fours-sink".to_owned(),
            "MAIL" => {
                from = address(&command);
                to.clear();
                "250 2.1.0 OK".to_owned()
            }
            "RCPT" => {
                if rcpt_reply.starts_with('2') {
                    to.push(address(&command));
                }
                rcpt_reply.to_owned()
            }
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if read.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    let text = String::from_utf8_lossy(&line);
                    if text.trim_end_matches(['\r', '\n']) == "." {
                        break;
                    }
                    data.push_str(text.strip_prefix('.').unwrap_or(&text));
                }
                let mut kept = lock(messages);
                kept.push(SinkMessage {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                format!("250 2.0.0 OK: queued as sink-{}", kept.len())
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 2.0.0 OK".to_owned()
            }
            "NOOP" => "250 2.0.0 OK".to_owned(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 command not implemented".to_owned(),
        };
        write.write_all(reply.as_bytes()).await?;
        write.write_all(b"\r\n").await?;
    }
}
