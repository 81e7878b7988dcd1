//! Message templates: the store's own wording of each message, per channel and language, or
//! the built-in default when the store has not changed it. Rendered with the message's facts
//! when the message is queued, so the outbox keeps exactly what was sent.

use chrono::Utc;
use fours_notify::ChannelKind;
use fours_notify::templates::{self, default_templates};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::message_template;
use crate::audit::{self, AuditEntry};
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;

/// Languages a template is kept in.
pub const LOCALES: [&str; 2] = ["zh-CN", "en"];

/// One template as a store uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    pub code: String,
    pub channel: String,
    pub locale: String,
    pub subject: Option<String>,
    pub body: String,
    /// Whether the store changed the default wording.
    pub customised: bool,
    /// Marketing and care messages need the customer's consent.
    pub marketing: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TemplateInput {
    pub code: String,
    pub channel: String,
    pub locale: String,
    pub subject: Option<String>,
    pub body: String,
}

async fn store_rows(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Vec<message_template::Model>> {
    Ok(message_template::Entity::find()
        .filter(message_template::Column::TenantId.eq(tenant_id))
        .filter(message_template::Column::StoreId.eq(store_id))
        .all(db)
        .await?)
}

/// Every template the store sends, its own wording where it has one.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Vec<TemplateView>> {
    let own = store_rows(db, tenant_id, store_id).await?;
    Ok(default_templates()
        .into_iter()
        .map(|default| {
            let customised = own.iter().find(|row| {
                row.code == default.code
                    && row.channel == default.channel.as_str()
                    && row.locale == default.locale
            });
            TemplateView {
                code: default.code.to_owned(),
                channel: default.channel.as_str().to_owned(),
                locale: default.locale.to_owned(),
                subject: customised.map_or(default.subject.map(str::to_owned), |row| {
                    row.subject.clone()
                }),
                body: customised.map_or(default.body.to_owned(), |row| row.body.clone()),
                customised: customised.is_some(),
                marketing: templates::is_marketing(default.code),
            }
        })
        .collect())
}

/// The store's wording of `code` for a channel and language (falling back to Chinese, then
/// to any channel's default), rendered with `context`.
pub async fn compose(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    code: &str,
    channel: ChannelKind,
    locale: &str,
    context: &serde_json::Value,
) -> StoreResult<(Option<String>, String)> {
    let views = list(db, tenant_id, store_id).await?;
    let wanted = |view: &&TemplateView, locale: &str| {
        view.code == code && view.channel == channel.as_str() && view.locale == locale
    };
    let chosen = views
        .iter()
        .find(|view| wanted(view, locale))
        .or_else(|| views.iter().find(|view| wanted(view, LOCALES[0])))
        .or_else(|| views.iter().find(|view| view.code == code))
        .ok_or(StoreError::invalid("template", "template.unknown"))?;
    let render = |source: &str| {
        templates::render(source, context)
            .map_err(|_| StoreError::invalid("template", "template.render"))
    };
    let subject = chosen.subject.as_deref().map(render).transpose()?;
    Ok((subject, render(&chosen.body)?))
}

/// Replaces the store's wording of one template (checked for syntax first; audited).
pub async fn set(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    input: &TemplateInput,
) -> StoreResult<TemplateView> {
    let known = default_templates()
        .into_iter()
        .any(|default| default.code == input.code && default.channel.as_str() == input.channel);
    if !known {
        return Err(StoreError::invalid("code", "template.unknown"));
    }
    if !LOCALES.contains(&input.locale.as_str()) {
        return Err(StoreError::invalid("locale", "template.locale"));
    }
    if input.body.trim().is_empty() {
        return Err(StoreError::invalid("template_body", "required"));
    }
    templates::check(&input.body)
        .map_err(|_| StoreError::invalid("template_body", "template.syntax"))?;
    let subject = input
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(subject) = subject {
        templates::check(subject)
            .map_err(|_| StoreError::invalid("template_subject", "template.syntax"))?;
    }
    let existing = store_rows(db, actor.tenant_id, store_id)
        .await?
        .into_iter()
        .find(|row| {
            row.code == input.code && row.channel == input.channel && row.locale == input.locale
        });
    let before = existing.clone();
    let mut model: message_template::ActiveModel = match existing {
        Some(found) => found.into(),
        None => message_template::ActiveModel {
            tenant_id: Set(actor.tenant_id),
            id: Set(Uuid::now_v7()),
            store_id: Set(store_id),
            code: Set(input.code.clone()),
            channel: Set(input.channel.clone()),
            locale: Set(input.locale.clone()),
            ..Default::default()
        },
    };
    model.subject = Set(subject.map(str::to_owned));
    model.body = Set(input.body.clone());
    model.updated_at = Set(Utc::now());
    model.updated_by = Set(Some(actor.user_id));
    let saved = if before.is_some() {
        model.update(db).await?
    } else {
        model.insert(db).await?
    };
    audit::record(
        db,
        actor,
        AuditEntry {
            action: "update",
            entity: "message_template",
            entity_id: Some(saved.id),
            before: before.and_then(|row| serde_json::to_value(row).ok()),
            after: serde_json::to_value(&saved).ok(),
        },
    )
    .await?;
    Ok(TemplateView {
        code: saved.code,
        channel: saved.channel,
        locale: saved.locale,
        subject: saved.subject,
        body: saved.body,
        customised: true,
        marketing: templates::is_marketing(&input.code),
    })
}
