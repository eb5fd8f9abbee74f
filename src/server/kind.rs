//! The two resource types the reference server keeps.

use super::schema::ResourceSchema;
use crate::scim::urn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }

    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    pub fn schema(self) -> &'static ResourceSchema {
        match self {
            Kind::User => ResourceSchema::user(),
            Kind::Group => ResourceSchema::group(),
        }
    }

    pub fn core_urn(self) -> &'static str {
        match self {
            Kind::User => urn::USER,
            Kind::Group => urn::GROUP,
        }
    }
}
