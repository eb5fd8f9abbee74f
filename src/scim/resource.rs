//! The resources a run creates: their kinds and server-assigned ids.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A server-assigned resource id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceId(String);

impl ResourceId {
    /// An id from its text.
    pub fn new(id: impl Into<String>) -> ResourceId {
        ResourceId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The two resource types the harness creates, and so may modify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceKind {
    /// A group (`/Groups`).
    Group,
    /// A user (`/Users`).
    User,
}

impl ResourceKind {
    /// The collection's path below the SCIM root.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }

    /// The attribute that names a resource of this kind, and carries the run's prefix.
    pub fn name_attribute(self) -> &'static str {
        match self {
            ResourceKind::User => "userName",
            ResourceKind::Group => "displayName",
        }
    }

    pub(crate) fn from_segment(segment: &str) -> Option<ResourceKind> {
        if segment.eq_ignore_ascii_case("Users") {
            Some(ResourceKind::User)
        } else if segment.eq_ignore_ascii_case("Groups") {
            Some(ResourceKind::Group)
        } else {
            None
        }
    }
}
