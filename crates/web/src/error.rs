//! API errors in one shape: `{"error": {"code", "message", "fields": [{"field", "code", "message"}]}}`,
//! with messages in the request's language.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fours_store::StoreError;
use fours_store::error::FieldError;
use serde::Serialize;
use uuid::Uuid;

use crate::locale::{self, Locale};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("too many failed logins")]
    Throttled,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// A value of the wrong type or form at `field`: a JSON path (`jobs[0].minutes`) or a query
    /// or path parameter.
    #[error("malformed request: {field}: {detail}")]
    BadField { field: String, detail: String },
    /// The body is over the route's limit ([`crate::BODY_LIMIT`] unless the route says more).
    #[error("request body too large")]
    TooLarge,
    #[error("internal: {0}")]
    Internal(String),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code: `validation`, `not_found`, `duplicate`, `forbidden`, …
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldMessage>,
    /// For `duplicate`: the record that already exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldMessage {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// "手机号码：格式不正确…" — the field's label and what is wrong with it.
pub fn field_message(locale: Locale, error: &FieldError) -> FieldMessage {
    let label = locale.t(&format!("field.{}", error.field));
    let problem = locale.t(&format!("error.{}", error.code));
    let separator = if locale == Locale::Zh { "：" } else { ": " };
    FieldMessage {
        field: error.field.to_owned(),
        code: error.code.to_owned(),
        message: format!("{label}{separator}{problem}"),
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Store(StoreError::NotFound) => StatusCode::NOT_FOUND,
            ApiError::Store(StoreError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Store(StoreError::Duplicate { .. } | StoreError::Conflict(_)) => {
                StatusCode::CONFLICT
            }
            ApiError::Store(error) if refers_to_nothing(error) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Store(error) if has_nul_text(error) => StatusCode::BAD_REQUEST,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::Csrf => StatusCode::FORBIDDEN,
            ApiError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BadRequest(_) | ApiError::BadField { .. } => StatusCode::BAD_REQUEST,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    pub fn body(&self, locale: Locale) -> ErrorBody {
        let (code, message, fields, existing_id) = match self {
            ApiError::Store(StoreError::NotFound) => {
                ("not_found", locale.t("error.not_found"), vec![], None)
            }
            ApiError::Store(StoreError::Invalid(errors)) => (
                "validation",
                locale.t("error.validation"),
                errors.iter().map(|e| field_message(locale, e)).collect(),
                None,
            ),
            ApiError::Store(StoreError::Duplicate {
                field, existing_id, ..
            }) => {
                let label = locale.t(&format!("field.{field}"));
                let message =
                    rust_i18n::t!("error.duplicate", locale = locale.code(), field = label)
                        .into_owned();
                let fields = vec![FieldMessage {
                    field: (*field).to_owned(),
                    code: "duplicate".into(),
                    message: message.clone(),
                }];
                ("duplicate", message, fields, Some(*existing_id))
            }
            ApiError::Store(StoreError::Conflict(_)) => {
                ("conflict", locale.t("error.conflict"), vec![], None)
            }
            ApiError::Store(error) if refers_to_nothing(error) => (
                "reference",
                locale.t("error.dangling_reference"),
                vec![],
                None,
            ),
            ApiError::Store(error) if has_nul_text(error) => {
                ("bad_request", locale.t("error.nul_text"), vec![], None)
            }
            ApiError::Store(_) | ApiError::Internal(_) => {
                ("internal", locale.t("error.internal"), vec![], None)
            }
            ApiError::Unauthorized => {
                ("unauthorized", locale.t("error.unauthorized"), vec![], None)
            }
            ApiError::Forbidden => ("forbidden", locale.t("error.forbidden"), vec![], None),
            ApiError::Throttled => ("throttled", locale.t("error.throttled"), vec![], None),
            ApiError::Csrf => ("csrf", locale.t("error.csrf"), vec![], None),
            ApiError::BadRequest(detail) => (
                "bad_request",
                format!("{}: {detail}", locale.t("error.bad_request")),
                vec![],
                None,
            ),
            ApiError::BadField { field, detail } => (
                "bad_request",
                format!("{}: {detail}", locale.t("error.bad_request")),
                vec![wrong_type(locale, field)],
                None,
            ),
            ApiError::TooLarge => ("too_large", locale.t("error.too_large"), vec![], None),
        };
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message,
                fields,
                existing_id,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (status, Json(self.body(locale::current()))).into_response()
    }
}

impl ApiError {
    /// An extractor's refusal: too large (413), or malformed at `field` when serde could tell.
    pub fn rejection(status: StatusCode, detail: String, field: Option<String>) -> ApiError {
        match field {
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            Some(field) => ApiError::BadField { field, detail },
            None => ApiError::BadRequest(detail),
        }
    }
}

/// A foreign key refused the write: an id the request named (a store, a customer…) is not a
/// record of the caller's dealer group. Keys include `tenant_id`, so it cannot be another's.
fn refers_to_nothing(error: &StoreError) -> bool {
    matches!(error, StoreError::Db(db)
        if matches!(db.sql_err(), Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))))
}

/// PostgreSQL refused text holding a NUL character (SQLSTATE 22021), which JSON can carry as
/// `\u0000` and SQLite would have stored.
fn has_nul_text(error: &StoreError) -> bool {
    use sea_orm::{DbErr, RuntimeErr, SqlxError};
    let StoreError::Db(
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)),
    ) = error
    else {
        return false;
    };
    matches!(error.as_ref(), SqlxError::Database(db) if db.code().as_deref() == Some("22021"))
}

/// "limit：类型或格式不正确", with the field's label when it has one.
fn wrong_type(locale: Locale, field: &str) -> FieldMessage {
    let leaf = field.rsplit('.').next().unwrap_or(field);
    let leaf = leaf.split('[').next().unwrap_or(leaf);
    let key = format!("field.{leaf}");
    let label = Some(locale.t(&key))
        .filter(|label| *label != key)
        .unwrap_or_else(|| field.to_owned());
    let separator = if locale == Locale::Zh { "：" } else { ": " };
    FieldMessage {
        field: field.to_owned(),
        code: "type".into(),
        message: format!("{label}{separator}{}", locale.t("error.wrong_type")),
    }
}

/// Where in the input serde refused a value (`jobs[0].minutes`), from an extractor's error chain.
fn refused_at<E: std::error::Error + 'static>(
    error: &(dyn std::error::Error + 'static),
) -> Option<String> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<serde_path_to_error::Error<E>>() {
            let path = found.path().to_string();
            return (path != ".").then_some(path);
        }
        current = error.source();
    }
    None
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let field = refused_at::<serde_json::Error>(&rejection);
        ApiError::rejection(rejection.status(), rejection.body_text(), field)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        let field = refused_at::<serde_urlencoded::de::Error>(&rejection);
        ApiError::rejection(rejection.status(), rejection.body_text(), field)
    }
}

impl From<MultipartRejection> for ApiError {
    fn from(rejection: MultipartRejection) -> Self {
        ApiError::rejection(rejection.status(), rejection.body_text(), None)
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        use axum::extract::path::ErrorKind;
        let field = match &rejection {
            PathRejection::FailedToDeserializePathParams(failed) => match failed.kind() {
                ErrorKind::ParseErrorAtKey { key, .. }
                | ErrorKind::InvalidUtf8InPathParam { key } => Some(key.clone()),
                _ => None,
            },
            _ => None,
        };
        ApiError::rejection(rejection.status(), rejection.body_text(), field)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
