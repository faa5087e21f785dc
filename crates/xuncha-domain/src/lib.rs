//! Xuncha's domain: the park and enterprise files (一园一档, 一企一档),
//! identifier checks, checklists, the inspection record and what its digest
//! covers, notices and their numbers, clue transfers, the rectification
//! case's transition table and fold, the patrol cadence and the morning
//! brief. Plain data and rules: no storage, no network, no clock or
//! randomness but the [`Env`] passed in. The laptop store (`xuncha-core`),
//! the printer and the bureau server all stand on this crate.

pub mod brief;
pub mod checklist;
pub mod clue_transfer;
pub mod enterprise;
pub mod env;
pub mod id;
pub mod ident;
pub mod inspection;
pub mod notice;
pub mod park;
pub mod patrol;
pub mod rectification;
pub mod sample;

pub use enterprise::Enterprise;
pub use env::Env;
pub use id::*;
pub use park::Park;
