//! Organisation: dealer groups (tenants), stores, users, credentials and login throttling.

pub mod entities;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use fours_domain::access::{DataScope, Permission, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use entities::{api_token, login_failure, store, tenant, user};

/// The signed-in user on whose behalf an operation runs: tenant, role and data scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub store_id: Option<Uuid>,
    pub role: Role,
    pub scope: DataScope,
    pub locale: String,
    pub username: String,
    pub display_name: String,
}

impl Actor {
    pub fn from_user(user: &user::Model) -> StoreResult<Actor> {
        Ok(Actor {
            tenant_id: user.tenant_id,
            user_id: user.id,
            store_id: user.store_id,
            role: Role::parse(&user.role).ok_or(StoreError::Conflict("unknown role"))?,
            scope: DataScope::parse(&user.scope).ok_or(StoreError::Conflict("unknown scope"))?,
            locale: user.locale.clone(),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
        })
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }
}

pub async fn create_tenant(
    db: &impl ConnectionTrait,
    code: &str,
    name: &str,
) -> StoreResult<tenant::Model> {
    let model = tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
    };
    Ok(model.insert(db).await?)
}

pub async fn tenant_count(db: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(tenant::Entity::find().count(db).await?)
}

pub async fn first_tenant(db: &impl ConnectionTrait) -> StoreResult<Option<tenant::Model>> {
    Ok(tenant::Entity::find()
        .order_by_asc(tenant::Column::Id)
        .one(db)
        .await?)
}

pub struct NewStore<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub address: &'a str,
}

pub async fn create_store(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    new: NewStore<'_>,
) -> StoreResult<store::Model> {
    let model = store::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        code: Set(new.code.to_owned()),
        name: Set(new.name.to_owned()),
        time_zone: Set(new.time_zone.to_owned()),
        address: Set(new.address.to_owned()),
        created_at: Set(Utc::now()),
    };
    Ok(model.insert(db).await?)
}

pub async fn list_stores(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> StoreResult<Vec<store::Model>> {
    Ok(store::Entity::find()
        .filter(store::Column::TenantId.eq(tenant_id))
        .order_by_asc(store::Column::Code)
        .all(db)
        .await?)
}

pub async fn find_store(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<store::Model> {
    store::Entity::find_by_id((tenant_id, store_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The store's time zone (Asia/Shanghai when the store is unknown or its zone unreadable):
/// times are stored in UTC and shown, and days counted, in this zone.
pub async fn store_zone(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Option<Uuid>,
) -> chrono_tz::Tz {
    let zone = match store_id {
        Some(store_id) => find_store(db, tenant_id, store_id)
            .await
            .ok()
            .and_then(|s| s.time_zone.parse().ok()),
        None => None,
    };
    zone.unwrap_or(chrono_tz::Asia::Shanghai)
}

pub async fn find_store_by_code(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    code: &str,
) -> StoreResult<Option<store::Model>> {
    Ok(store::Entity::find()
        .filter(store::Column::TenantId.eq(tenant_id))
        .filter(store::Column::Code.eq(code))
        .one(db)
        .await?)
}

pub struct NewUser<'a> {
    pub store_id: Option<Uuid>,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub locale: &'a str,
}

pub async fn create_user(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    new: NewUser<'_>,
) -> StoreResult<user::Model> {
    if new.username.trim().is_empty() {
        return Err(StoreError::invalid("username", "required"));
    }
    if new.password.chars().count() < 8 {
        return Err(StoreError::invalid("password", "password.too_short"));
    }
    let existing = user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Username.eq(new.username))
        .one(db)
        .await?;
    if let Some(existing) = existing {
        return Err(StoreError::Duplicate {
            entity: "user",
            field: "username",
            existing_id: existing.id,
        });
    }
    let now = Utc::now();
    let model = user::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(new.store_id),
        username: Set(new.username.trim().to_owned()),
        display_name: Set(new.display_name.to_owned()),
        password_hash: Set(hash_password(new.password)?),
        role: Set(new.role.as_str().to_owned()),
        scope: Set(new.role.default_scope().as_str().to_owned()),
        locale: Set(new.locale.to_owned()),
        active: Set(true),
        sessions_valid_after: Set(now),
        created_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

pub async fn find_user(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> StoreResult<user::Model> {
    user::Entity::find_by_id((tenant_id, user_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list_users(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> StoreResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?)
}

/// Users a login name may mean. `name@group-code` picks the dealer group; a bare name matches
/// in every group and the caller rejects an ambiguous one.
pub async fn find_login_candidates(
    db: &impl ConnectionTrait,
    login: &str,
) -> StoreResult<Vec<user::Model>> {
    let (username, tenant_code) = match login.rsplit_once('@') {
        Some((name, code)) => (name, Some(code)),
        None => (login, None),
    };
    let mut users = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?;
    if let Some(code) = tenant_code {
        let tenant = tenant::Entity::find()
            .filter(tenant::Column::Code.eq(code))
            .one(db)
            .await?;
        users.retain(|user| tenant.as_ref().is_some_and(|t| t.id == user.tenant_id));
    }
    Ok(users)
}

/// Checks `password` against the user's stored hash. Returns the user when it matches.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    login: &str,
    password: &str,
) -> StoreResult<Option<user::Model>> {
    let candidates = find_login_candidates(db, login).await?;
    let [user] = candidates.as_slice() else {
        // Still spend the hashing time so unknown names are not faster to reject.
        if let Some(dummy) = DUMMY_HASH.as_deref() {
            verify_password(dummy, password);
        }
        return Ok(None);
    };
    Ok(verify_password(&user.password_hash, password).then(|| user.clone()))
}

static DUMMY_HASH: std::sync::LazyLock<Option<String>> =
    std::sync::LazyLock::new(|| hash_password("fours-timing-equaliser").ok());

pub fn hash_password(password: &str) -> StoreResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| StoreError::PasswordHash)
}

fn verify_password(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).ok().is_some_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Sets a new password and ends every session and API token the user had.
pub async fn change_password(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    password: &str,
) -> StoreResult<()> {
    if password.chars().count() < 8 {
        return Err(StoreError::invalid("password", "password.too_short"));
    }
    let user = find_user(db, tenant_id, user_id).await?;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash_password(password)?);
    active.sessions_valid_after = Set(Utc::now());
    active.update(db).await?;
    revoke_tokens(db, tenant_id, user_id).await
}

/// Ends all of a user's browser sessions and API tokens ("log out everywhere").
pub async fn end_all_sessions(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> StoreResult<()> {
    let user = find_user(db, tenant_id, user_id).await?;
    let mut active: user::ActiveModel = user.into();
    active.sessions_valid_after = Set(Utc::now());
    active.update(db).await?;
    revoke_tokens(db, tenant_id, user_id).await
}

async fn revoke_tokens(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> StoreResult<()> {
    api_token::Entity::delete_many()
        .filter(api_token::Column::TenantId.eq(tenant_id))
        .filter(api_token::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Issues an API bearer token `<tenant>.<secret>`; only its SHA-256 is stored.
pub async fn issue_token(
    db: &impl ConnectionTrait,
    user: &user::Model,
    label: &str,
    lifetime: chrono::Duration,
) -> StoreResult<String> {
    let secret: [u8; 32] = rand::random();
    let token = format!(
        "{}.{}",
        user.tenant_id.simple(),
        URL_SAFE_NO_PAD.encode(secret)
    );
    let now = Utc::now();
    let model = api_token::ActiveModel {
        tenant_id: Set(user.tenant_id),
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        token_hash: Set(token_hash(&token)),
        label: Set(label.to_owned()),
        created_at: Set(now),
        expires_at: Set(Some(now + lifetime)),
    };
    model.insert(db).await?;
    Ok(token)
}

/// The active user a bearer token belongs to, if the token is known and unexpired.
pub async fn user_for_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> StoreResult<Option<user::Model>> {
    let Some(tenant_id) = token
        .split_once('.')
        .and_then(|(tenant, _)| Uuid::parse_str(tenant).ok())
    else {
        return Ok(None);
    };
    let found = api_token::Entity::find()
        .filter(api_token::Column::TenantId.eq(tenant_id))
        .filter(api_token::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?;
    let Some(found) = found else { return Ok(None) };
    if found.expires_at.is_some_and(|expiry| expiry < Utc::now()) {
        return Ok(None);
    }
    let user = find_user(db, tenant_id, found.user_id).await?;
    Ok(user.active.then_some(user))
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Failed logins counted over the last hour, per account and per client address.
pub struct RecentFailures {
    pub by_account: u64,
    pub by_address: u64,
}

pub async fn record_login_failure(
    db: &impl ConnectionTrait,
    account: &str,
    address: &str,
) -> StoreResult<()> {
    let model = login_failure::ActiveModel {
        id: Set(Uuid::now_v7()),
        account: Set(account.to_lowercase()),
        address: Set(address.to_owned()),
        at: Set(Utc::now()),
    };
    model.insert(db).await?;
    Ok(())
}

pub async fn recent_login_failures(
    db: &impl ConnectionTrait,
    account: &str,
    address: &str,
    since: DateTime<Utc>,
) -> StoreResult<RecentFailures> {
    let by_account = login_failure::Entity::find()
        .filter(login_failure::Column::Account.eq(account.to_lowercase()))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    let by_address = login_failure::Entity::find()
        .filter(login_failure::Column::Address.eq(address))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    Ok(RecentFailures {
        by_account,
        by_address,
    })
}

/// Forgets failed logins older than `before` (only the last hour counts).
pub async fn purge_login_failures(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> StoreResult<u64> {
    let result = login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

pub async fn set_locale(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    locale: &str,
) -> StoreResult<()> {
    let user = find_user(db, tenant_id, user_id).await?;
    let mut active: user::ActiveModel = user.into();
    active.locale = Set(locale.to_owned());
    active.update(db).await?;
    Ok(())
}

/// Browser-session records, kept for the session middleware of the web layer.
pub mod sessions {
    use chrono::{DateTime, Utc};
    use sea_orm::sea_query::OnConflict;
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

    use super::entities::web_session;
    use crate::error::StoreResult;

    pub async fn save(
        db: &impl ConnectionTrait,
        id: &str,
        data: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let model = web_session::ActiveModel {
            id: Set(id.to_owned()),
            data: Set(data),
            expires_at: Set(expires_at),
        };
        web_session::Entity::insert(model)
            .on_conflict(
                OnConflict::column(web_session::Column::Id)
                    .update_columns([web_session::Column::Data, web_session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(db)
            .await?;
        Ok(())
    }

    /// Inserts a new record; `false` when the id is taken (the caller picks another).
    pub async fn create(
        db: &impl ConnectionTrait,
        id: &str,
        data: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let model = web_session::ActiveModel {
            id: Set(id.to_owned()),
            data: Set(data),
            expires_at: Set(expires_at),
        };
        let inserted = web_session::Entity::insert(model)
            .on_conflict(
                OnConflict::column(web_session::Column::Id)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        Ok(inserted == 1)
    }

    /// The record's data, if it exists and has not expired.
    pub async fn load(
        db: &impl ConnectionTrait,
        id: &str,
    ) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        Ok(web_session::Entity::find_by_id(id.to_owned())
            .filter(web_session::Column::ExpiresAt.gt(Utc::now()))
            .one(db)
            .await?
            .map(|row| (row.data, row.expires_at)))
    }

    pub async fn delete(db: &impl ConnectionTrait, id: &str) -> StoreResult<()> {
        web_session::Entity::delete_by_id(id.to_owned())
            .exec(db)
            .await?;
        Ok(())
    }

    /// Removes expired records; called now and then so the table does not grow forever.
    pub async fn purge_expired(db: &impl ConnectionTrait) -> StoreResult<u64> {
        let result = web_session::Entity::delete_many()
            .filter(web_session::Column::ExpiresAt.lte(Utc::now()))
            .exec(db)
            .await?;
        Ok(result.rows_affected)
    }
}
