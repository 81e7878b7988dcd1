//! Shared vocabulary of validation: a rejection names a stable machine code; the HTTP and UI
//! layers turn codes into localised messages and attach the field name.

/// Why an input was rejected. The code (e.g. `mobile.format`) is stable: clients and message
/// catalogues key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub &'static str);

/// A problem worth telling the user about that does not stop the record being saved
/// (e.g. `vin_check_digit`).
pub type Warning = &'static str;
