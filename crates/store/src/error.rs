use uuid::Uuid;

/// One rejected field of an input: the field's API name and a stable code (e.g. `mobile.format`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A record with the same identifying value (mobile, ID number, VIN) already exists.
    #[error("duplicate {entity} by {field}: {existing_id}")]
    Duplicate {
        entity: &'static str,
        field: &'static str,
        existing_id: Uuid,
    },
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("personal-information cipher: {0}")]
    Cipher(&'static str),
    #[error("password hashing failed")]
    PasswordHash,
}

impl StoreError {
    pub fn invalid(field: &'static str, code: &'static str) -> Self {
        StoreError::Invalid(vec![FieldError { field, code }])
    }
}

impl<E: Into<StoreError> + std::error::Error> From<sea_orm::TransactionError<E>> for StoreError {
    fn from(error: sea_orm::TransactionError<E>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(db) => StoreError::Db(db),
            sea_orm::TransactionError::Transaction(inner) => inner.into(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
