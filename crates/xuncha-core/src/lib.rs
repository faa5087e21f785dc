//! Xuncha's laptop core: the local store over the domain of
//! `xuncha-domain`, search, roster import/export, ledgers and the window's
//! and CLI's API types. No Tauri, no network: the desktop shell and the
//! CLI stand on this crate. The domain modules are re-exported here under
//! their own names, so `xuncha_core::inspection` is the domain's.

pub use xuncha_domain::{
    brief, checklist, clue_transfer, enterprise, env, id, ident, inspection, notice, park, patrol, rectification,
};

pub mod api;
pub mod blob;
pub mod dashboard;
pub mod ledger;
pub mod overview;
pub mod roster;
pub mod sample;
pub mod search;
pub mod store;
pub mod synth;

pub use enterprise::Enterprise;
pub use env::Env;
pub use id::*;
pub use park::Park;
pub use store::{sync, Store, StoreError};
