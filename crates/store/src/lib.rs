//! Storage of Fours: one data layer (SeaORM over sqlx) for SQLite and PostgreSQL.
//!
//! Each capability has its own module with its tables (`entities`) and the operations the
//! layers above call. Every operation takes the tenant explicitly; nothing here reads another
//! tenant's rows.

pub mod audit;
pub mod care;
pub mod customers;
pub mod db;
pub mod error;
pub mod migration;
pub mod onboarding;
pub mod org;
pub mod paging;
pub mod parts;
pub mod pii;
pub mod sales;
pub mod service;
pub mod vehicles;

pub use db::Database;
pub use error::StoreError;
