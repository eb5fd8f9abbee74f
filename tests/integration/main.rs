//! The integration-test binary: the CLI end to end, the reference server, and wiremock
//! servers that misbehave in specific ways.

mod cli;
mod cli_runner;
mod config;
mod entra;
mod foreign;
mod hostile;
mod okta_defects;
mod order;
mod rfc;
mod runscope;
mod safety;
mod secrets;
mod server;
mod snapshots;
mod support;
mod tls;
mod truthful;
