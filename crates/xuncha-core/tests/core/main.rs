//! Behaviour of the core crate, one test binary: identifier checks, the
//! store and its outbox, migrations, search, rosters, the sample data,
//! inspections and the patrol plan, notices and clue transfers.

mod bindings;
mod clue_transfer;
mod common;
mod ident;
mod inspection;
mod migrations;
mod notice;
mod rectification;
mod roster;
mod sample;
mod search;
mod store;
mod tidy;
