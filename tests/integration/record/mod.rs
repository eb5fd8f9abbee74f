//! `scimcheck record` end to end: the harness is its own IdP. The okta profile runs through
//! the proxy to the reference server; the file written loads, holds no credential, replays
//! cleanly against a fresh server and fails against one that drops PATCH `active`.
//!
//! - `child`: the recorder as a child process, its address read from its output.
//! - `replay`: a recorded Okta cycle replayed; the example file under `examples/`.
//! - `proxy`: what is forwarded, added (nothing) and answered by the proxy itself.
//! - `refused`: the inputs refused, each with its exit code and why.

mod child;
mod proxy;
mod refused;
mod replay;
