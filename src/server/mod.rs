//! The embedded reference SCIM 2.0 server (in memory): the default target of `scimcheck run`,
//! `scimcheck serve`, and the project's own tests. Faithful to RFC 7643/7644 and tolerant of
//! everything Okta and Entra send.
//!
//! - [`store`]: the writes, each under one lock; [`data`]: the records and their indexes;
//!   [`record`]: one resource, stored compactly;
//!   [`render`]: resources as clients see them.
//! - [`filter`]: filter evaluation with the schema's case rules.
//! - [`patch`]: PATCH, with the IdPs' shapes.
//! - [`query`]: paging, attribute projection; [`sort`]: sort keys by attribute type;
//!   [`search`]: `POST /.search`.
//! - [`schema`], [`discovery`]: RFC 7643 §8.7 definitions and the discovery endpoints.
//! - [`bulk`]: POST /Bulk (RFC 7644 §3.7), each operation routed like its own request.
//! - [`http`]: routing, authentication, errors; [`etag`]: ETags and preconditions.
//! - [`behaviour`]: the choices the RFC leaves open, and the alternative server that takes
//!   the other one everywhere.

pub mod behaviour;
mod bulk;
mod data;
pub(crate) mod discovery;
mod error;
mod etag;
pub mod filter;
mod http;
mod kind;
mod members;
mod patch;
mod query;
mod record;
mod render;
mod resource;
pub mod schema;
mod search;
mod serve;
mod sort;
mod store;

pub use behaviour::{Behaviour, PatchResponse};
pub use error::ScimError;
pub use serve::{serve, RunningServer, ServeError, ServeOptions, ServerConfig};
pub use store::Store;
