//! Forward-only, versioned migrations; `fours serve` and `fours migrate` apply them on start.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_imports;
mod m0003_sales;
mod m0004_sales_report_indexes;
mod m0005_service;
mod m0006_parts;
mod m0007_care;
mod m0008_feedback;
mod m0009_privacy;
mod m0010_sales_first_model;
mod m0011_sales_funnel_days;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_imports::Migration),
            Box::new(m0003_sales::Migration),
            Box::new(m0004_sales_report_indexes::Migration),
            Box::new(m0005_service::Migration),
            Box::new(m0006_parts::Migration),
            Box::new(m0007_care::Migration),
            Box::new(m0008_feedback::Migration),
            Box::new(m0009_privacy::Migration),
            Box::new(m0010_sales_first_model::Migration),
            Box::new(m0011_sales_funnel_days::Migration),
        ]
    }
}
