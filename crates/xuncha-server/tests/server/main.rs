//! The server's integration tests: one binary (see the style guide).

mod cases;
mod common;
mod http;
mod inspections;
mod matrix;
mod notices;
mod protocol;
mod security;
mod sim;
