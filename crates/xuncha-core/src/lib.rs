//! Xuncha's core: the park and enterprise files, the local store, search,
//! identifier checks and roster import/export. No Tauri, no network: the
//! desktop shell, the CLI and the server all stand on this crate.

pub mod api;
pub mod blob;
pub mod brief;
pub mod checklist;
pub mod clue_transfer;
pub mod dashboard;
pub mod enterprise;
pub mod env;
pub mod ident;
pub mod inspection;
pub mod ledger;
pub mod notice;
pub mod overview;
pub mod park;
pub mod patrol;
pub mod rectification;
pub mod roster;
pub mod sample;
pub mod search;
pub mod store;
pub mod synth;

pub use enterprise::Enterprise;
pub use env::Env;
pub use park::Park;
pub use store::{sync, Store, StoreError};
