//! Kring: the Leptos application. Compiled twice: with `ssr` into the
//! server (pages, server functions and, under `ssr`, the backend of each
//! area) and with `hydrate` into the wasm bundle. Leptos runs in islands
//! mode: every page is server-rendered and works as plain HTML forms; only
//! `#[island]` components (see `ui::islands`) hydrate in the browser.
#![recursion_limit = "512"]

// `mod i18n`, generated from `app/locales/*.json` by build.rs (leptos_i18n).
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod accounts;
pub mod app;
pub mod audit;
pub mod cases;
pub mod errors;
pub mod library;
pub mod networks;
pub mod search;
pub mod sessions;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod anonymise;
#[cfg(feature = "ssr")]
pub mod authz;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod state;

pub use app::{App, shell};
pub use errors::AppError;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
