//! The `kring` server: configuration, the HTTP stack, demo data and the
//! background housekeeping. The binary (main.rs) is only the command line.

pub mod accounts;
pub mod calendar;
pub mod config;
pub mod demo;
pub mod http;
pub mod library_cli;
pub mod limits;
pub mod mail;
pub mod proxies;
pub mod tasks;

pub use config::Config;
