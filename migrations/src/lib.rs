//! Schema migrations for Kring. Written with sea-query's schema builders
//! only, so the same migrations run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261123_000001_accounts;
mod m20261123_000002_networks;
mod m20261123_000003_directory;
mod m20261124_000004_sessions;
mod m20261201_000005_cases;
mod m20261206_000006_library;
mod m20261206_000007_audit;
mod m20261206_000008_two_factor;
mod m20261207_000009_sso;
pub mod methods;
pub mod municipalities;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts::Migration),
            Box::new(m20261123_000002_networks::Migration),
            Box::new(m20261123_000003_directory::Migration),
            Box::new(m20261124_000004_sessions::Migration),
            Box::new(m20261201_000005_cases::Migration),
            Box::new(m20261206_000006_library::Migration),
            Box::new(m20261206_000007_audit::Migration),
            Box::new(m20261206_000008_two_factor::Migration),
            Box::new(m20261207_000009_sso::Migration),
        ]
    }
}
