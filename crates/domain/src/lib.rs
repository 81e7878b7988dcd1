//! Pure business rules of Fours. Nothing here touches a database, the network or the clock;
//! callers pass in what a rule needs ("today", the role, the raw input) and get a decision back.

pub mod access;
pub mod care;
pub mod customers;
pub mod money;
pub mod onboarding;
pub mod parts;
pub mod sales;
pub mod service;
pub mod validation;
pub mod vehicles;
