//! The integration-test binary: the CLI end to end, the reference server, and wiremock
//! servers that misbehave in specific ways.

mod alternative;
mod causes;
mod cli;
mod cli_runner;
mod concurrency;
mod config;
mod coverage;
mod discover;
mod entra;
mod extensions;
mod false_calls;
mod flawed;
mod foreign;
mod har;
mod hostile;
mod okta_defects;
mod order;
mod output;
mod record;
mod reports;
mod rfc;
mod runscope;
mod runscope_crud;
mod safety;
mod scale;
mod secrets;
mod server;
mod snapshot_pages;
mod snapshots;
mod support;
mod terminal;
mod tls;
mod truthful;
mod verdicts;
