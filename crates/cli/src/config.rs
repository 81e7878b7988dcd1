//! Settings from flags, environment (`FOURS_*`) and an optional TOML file, in that order of
//! precedence, with defaults that need no set-up: SQLite under `./fours-data/`, 127.0.0.1:8080.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use fours_store::pii::PiiCipher;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    listen: Option<String>,
    secure_cookies: Option<bool>,
    session_idle_minutes: Option<u64>,
    session_absolute_hours: Option<u64>,
    /// The address customers reach the server at (links in messages).
    public_url: Option<String>,
    /// `[notify.sms]`, `[notify.email]`, `[notify.wechat]`: the message channels.
    #[serde(default)]
    notify: fours_notify::NotifyConfig,
}

pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub listen: String,
    secure_cookies: bool,
    session_idle: Duration,
    session_absolute: Duration,
    public_url: String,
    notify: fours_notify::NotifyConfig,
}

impl Settings {
    pub fn load(
        file: Option<&Path>,
        database_url: Option<String>,
        data_dir: Option<PathBuf>,
    ) -> Result<Settings> {
        let from_file: FileSettings = match file {
            Some(path) => toml::from_str(
                &std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            )
            .with_context(|| format!("invalid config file {}", path.display()))?,
            None => FileSettings::default(),
        };
        let data_dir = data_dir
            .or(from_file.data_dir)
            .unwrap_or_else(|| PathBuf::from("fours-data"));
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;
        let database_url = database_url.or(from_file.database_url).unwrap_or_else(|| {
            format!("sqlite://{}?mode=rwc", data_dir.join("fours.db").display())
        });
        let listen = std::env::var("FOURS_LISTEN")
            .ok()
            .or(from_file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        Ok(Settings {
            public_url: std::env::var("FOURS_PUBLIC_URL")
                .ok()
                .or(from_file.public_url)
                .unwrap_or_else(|| format!("http://{listen}")),
            notify: from_file.notify,
            database_url,
            data_dir,
            listen,
            secure_cookies: from_file.secure_cookies.unwrap_or(false),
            session_idle: Duration::from_secs(60 * from_file.session_idle_minutes.unwrap_or(30)),
            session_absolute: Duration::from_secs(
                3600 * from_file.session_absolute_hours.unwrap_or(12),
            ),
        })
    }

    pub fn web_config(&self) -> fours_web::WebConfig {
        fours_web::WebConfig {
            session_idle: self.session_idle,
            session_absolute: self.session_absolute,
            secure_cookies: self.secure_cookies,
            upload_dir: self.data_dir.join("uploads"),
            notify: self.notify.clone(),
            public_url: self.public_url.clone(),
            ..Default::default()
        }
    }

    /// The URL without its password, for messages.
    pub fn redacted_url(&self) -> String {
        match (self.database_url.find("://"), self.database_url.find('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let credentials = &self.database_url[scheme + 3..at];
                let user = credentials.split(':').next().unwrap_or("");
                format!(
                    "{}{user}{}",
                    &self.database_url[..scheme + 3],
                    &self.database_url[at..]
                )
            }
            _ => self.database_url.clone(),
        }
    }

    /// The key that seals ID numbers: `FOURS_PII_KEY` (base64 of 32 bytes), else the key file in
    /// the data folder, created with a fresh random key on first start.
    pub fn pii_cipher(&self) -> Result<PiiCipher> {
        if let Ok(encoded) = std::env::var("FOURS_PII_KEY") {
            return Ok(PiiCipher::new(
                &decode_key(&encoded).context("FOURS_PII_KEY")?,
            ));
        }
        let path = self.data_dir.join("pii.key");
        if !path.exists() {
            write_private(&path, &BASE64.encode(PiiCipher::generate_key()))?;
            tracing::warn!(path = %path.display(), "created a new personal-information key: back it up with the database");
        }
        let encoded = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(PiiCipher::new(
            &decode_key(&encoded).with_context(|| path.display().to_string())?,
        ))
    }
}

fn decode_key(encoded: &str) -> Result<[u8; 32]> {
    let bytes = BASE64.decode(encoded.trim()).context("key is not base64")?;
    match <[u8; 32]>::try_from(bytes.as_slice()) {
        Ok(key) => Ok(key),
        Err(_) => bail!("key must be 32 bytes"),
    }
}

fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}
