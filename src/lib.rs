//! scimcheck: a SCIM 2.0 conformance harness.

pub mod scim;
