//! The embedded Okta org: Okta's management API served on loopback for one run, so that
//! Okta's Runscope CRUD test runs offline. What the test asks of the org (assign, update,
//! deactivate, unassign) it does to the SCIM target as Okta's provisioning does, with the
//! okta profile's shapes, before it answers: every SCIM request goes through the run's own
//! client and ledger, and is handed back to the step that caused it.
//!
//! - `org`: starting and stopping it, its users, and the journal of what each call sent.
//! - `api`: the endpoints, answered in Okta's JSON shapes.
//! - `provision`: the SCIM requests Okta's provisioning sends, each with what it must show.

mod api;
mod org;
mod provision;

pub use org::{OktaOrg, OrgCall, Provisioned};
