//! The embedded reference SCIM 2.0 server (in memory): the default target of `scimcheck run`,
//! `scimcheck serve`, and the project's own tests. Faithful to RFC 7643/7644 and tolerant of
//! everything Okta and Entra send.
//!
//! - [`store`]: the writes, each under one lock; [`data`]: the records and their indexes;
//!   [`render`]: resources as clients see them.
//! - [`filter`]: filter evaluation with the schema's case rules.
//! - [`patch`]: PATCH, with the IdPs' shapes.
//! - [`query`]: paging, attribute projection; [`sort`]: sort keys by attribute type.
//! - [`schema`], [`discovery`]: RFC 7643 §8.7 definitions and the discovery endpoints.
//! - [`http`]: routing, authentication, errors; [`etag`]: ETags and preconditions.

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
mod render;
mod resource;
pub mod schema;
mod serve;
mod sort;
mod store;

pub use error::ScimError;
pub use serve::{serve, RunningServer, ServeError, ServeOptions, ServerConfig};
pub use store::Store;
