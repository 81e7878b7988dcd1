//! API errors in one shape: `{"error": {"code", "message", "fields": [{"field", "code", "message"}]}}`,
//! with messages in the request's language.

use axum::Json;
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
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::Csrf => StatusCode::FORBIDDEN,
            ApiError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
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

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
