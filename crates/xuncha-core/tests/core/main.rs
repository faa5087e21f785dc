//! Behaviour of the core crate, one test binary: identifier checks, the
//! store and its outbox, migrations, search, rosters and the sample data.

mod bindings;
mod common;
mod ident;
mod migrations;
mod roster;
mod sample;
mod search;
mod store;
