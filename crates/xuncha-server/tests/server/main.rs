//! The server's integration tests: one binary (see the style guide).

mod common;
mod http;
mod inspections;
mod protocol;
mod sim;
