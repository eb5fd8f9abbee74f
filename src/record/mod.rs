//! `scimcheck record`: a reverse proxy between an IdP and a SCIM server that keeps every
//! exchange, so the traffic an IdP really sent can be replayed as a scenario against any
//! server. It forwards requests and answers unchanged and adds nothing either side can see.
//!
//! - `upstream`: the SCIM root the proxy forwards to, its HTTP client and the startup probe.
//! - `forward`: one request, forwarded: hop-by-hop headers dropped, bodies bounded,
//!   redirects returned as they are, an upstream failure answered 502.
//! - `log`: the exchanges kept as [`Recorded`](crate::scenario::traffic::Recorded), the notes,
//!   the secrets seen, and the live line per exchange.
//! - `session`: binding the listen address, serving until told to stop, what was recorded.
//! - `error`: why a recording could not start.

mod error;
mod forward;
mod log;
mod session;
mod upstream;

pub use error::RecordError;
pub use log::Recording;
pub use session::{RecordOptions, Recorder};
pub use upstream::{ClientOptions, Upstream, UpstreamClient};
