//! The server's integration tests: one binary (see the style guide).

mod common;
mod http;
mod protocol;
mod sim;
