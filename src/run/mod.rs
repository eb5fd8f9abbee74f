//! The run layer: the orchestration, and the only module that calls several stages. The
//! stages never call it.
//!
//! - [`pipeline`]: the per-run loop: preflight, plan, scenarios, final cleanup.
//! - `scenario`: scenarios concurrently, steps in order (prepare → send → ledger → check →
//!   capture), each scenario's resources deleted as soon as it ends.
//! - `okta_step`: a call to the embedded Okta org, judged with the SCIM requests it caused.
//! - `step`: the pieces of the per-step loop; `rootcause`: one refused create, one failure.
//! - `generated`: the scenarios generated from `/Schemas`, read once when a run selects one.
//! - [`events`]: what the run tells a progress display while it goes on.

pub mod events;
mod fanout;
mod generated;
mod okta_step;
pub mod pipeline;
mod preflight;
mod rootcause;
mod scenario;
mod set_step;
mod step;

pub use events::{Events, Silent};
pub use pipeline::{run, RunOptions, Shared};
// A streamed report groups refused creates as the finished run will.
pub(crate) use rootcause::{refuses_a_create, root_of};
