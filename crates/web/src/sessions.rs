//! Browser sessions: tower-sessions with its records in our own database (so they survive a
//! restart and work on SQLite and PostgreSQL alike). Cookies are HttpOnly, SameSite=Lax, Secure
//! when configured, and expire after the idle timeout.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fours_store::org::sessions;
use sea_orm::DatabaseConnection;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::{Duration as CookieDuration, OffsetDateTime};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::AppState;

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    conn: DatabaseConnection,
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn to_chrono(at: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(at.unix_timestamp(), 0).unwrap_or_default()
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(backend)?;
        while !sessions::create(
            &self.conn,
            &record.id.to_string(),
            data.clone(),
            to_chrono(record.expiry_date),
        )
        .await
        .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(backend)?;
        sessions::save(
            &self.conn,
            &record.id.to_string(),
            data,
            to_chrono(record.expiry_date),
        )
        .await
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expires_at)) = sessions::load(&self.conn, &id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let expiry_date =
            OffsetDateTime::from_unix_timestamp(expires_at.timestamp()).map_err(backend)?;
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(backend)?,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sessions::delete(&self.conn, &id.to_string())
            .await
            .map_err(backend)
    }
}

pub fn layer(state: &AppState) -> SessionManagerLayer<DbSessionStore> {
    let idle =
        CookieDuration::seconds(i64::try_from(state.config.session_idle.as_secs()).unwrap_or(1800));
    SessionManagerLayer::new(DbSessionStore {
        conn: state.db.conn.clone(),
    })
    .with_name("fours_session")
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_secure(state.config.secure_cookies)
    .with_expiry(Expiry::OnInactivity(idle))
}
