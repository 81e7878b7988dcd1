//! Bringing a dealership's data in and out: imports from CSV and XLSX with column mapping,
//! validation by the archive's rules and a duplicate policy; exports of what a user may see;
//! generated data sets for trials and benchmarks.

pub mod export;
pub mod generate;
pub mod import;
pub mod parts;
mod rows;

use std::path::Path;

pub use fours_domain::onboarding::OnDuplicate;

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    #[error(transparent)]
    Store(#[from] fours_store::StoreError),
    #[error(transparent)]
    Sheet(#[from] fours_sheets::SheetError),
    #[error(transparent)]
    Mapping(#[from] fours_domain::onboarding::UnknownField),
    #[error("no column holds the customer's name (姓名)")]
    NoNameColumn,
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("background worker: {0}")]
    Worker(String),
    #[error("generated customer {0} fails {1}: {2}")]
    Generated(i64, &'static str, &'static str),
}

impl OnboardingError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        OnboardingError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
