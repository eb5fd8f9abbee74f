//! SCIM vocabulary shared by the harness and the reference server.

pub mod urn;
