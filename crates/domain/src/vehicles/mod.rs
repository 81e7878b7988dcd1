//! Vehicles: identification (VIN) and registration (licence plate) rules.

pub mod plate;
pub mod vin;
