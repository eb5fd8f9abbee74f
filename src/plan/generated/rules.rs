//! The RFC sentences the generated steps check, one constant each, quoted where they are
//! cited; a check's severity follows the keyword of its sentence.

/// A create is answered 201 with the resource (RFC 7644 §3.3): "When the service provider
/// successfully creates the new resource, an HTTP response SHALL be returned with HTTP status
/// code 201 (Created)." An error.
pub const CREATE: &str = "RFC 7644 §3.3 (When the service provider successfully creates the new resource, an HTTP response SHALL be returned with HTTP status code 201 (Created))";

/// A value written is read back (RFC 7643 §2.2, returned "default"): "The attribute is
/// returned by default in all SCIM operation responses where attribute values are
/// returned." A writable attribute accepted but missing on read-back is an error.
pub const RETURNED: &str = "RFC 7643 §2.2 (returned \"default\": The attribute is returned by default in all SCIM operation responses where attribute values are returned)";

/// A caseExact attribute keeps its case (RFC 7643 §7): "caseExact A Boolean value that
/// specifies whether or not a string attribute is case sensitive." A value whose case changed
/// is reported with [`RETURNED`] as an error; without caseExact the comparison ignores case.
pub const CASE_EXACT: &str =
    "; RFC 7643 §7 (caseExact: whether or not a string attribute is case sensitive)";

/// No response carries a writeOnly or returned "never" attribute (RFC 7643 §2.2):
/// writeOnly "Attribute values SHALL NOT be returned"; never "The attribute is never
/// returned." An error.
pub const NEVER: &str = "RFC 7643 §2.2 (writeOnly: Attribute values SHALL NOT be returned; returned \"never\": The attribute is never returned)";

/// readOnly values a client sends are ignored (RFC 7644 §3.3): "In the request body,
/// attributes whose mutability is \"readOnly\" ... SHALL be ignored"; RFC 7643 §2.2 readOnly
/// "The attribute SHALL NOT be modified." Storing the client's value is an error; refusing
/// the request is tolerated (its checks are skipped).
pub const READ_ONLY: &str = "RFC 7644 §3.3 (attributes whose mutability is \"readOnly\" SHALL be ignored); RFC 7643 §2.2 (readOnly: The attribute SHALL NOT be modified)";

/// A duplicate of a unique value is refused (RFC 7644 §3.3): "If the service provider
/// determines that the creation of the requested resource conflicts with existing resources
/// ..., the service provider MUST return HTTP status code 409 (Conflict) with a "scimType"
/// error code of "uniqueness"." An error.
pub const UNIQUE: &str = "RFC 7644 §3.3 (a creation that conflicts with existing resources: the service provider MUST return HTTP status code 409 (Conflict) with a \"scimType\" error code of \"uniqueness\"); RFC 7643 §2.2 (uniqueness server: The value SHALL be unique by tenant)";

/// A create without a published required attribute is refused (RFC 7643 §7, "required: A
/// Boolean value that specifies whether or not the attribute is required"; RFC 7644 §3.12
/// names the error, invalidValue "A required value was missing"). No MUST says a server
/// refuses it: accepting it is a warning.
pub const REQUIRED: &str = "RFC 7643 §7 (required: whether or not the attribute is required); RFC 7644 §3.12 (invalidValue: A required value was missing)";

/// PATCH replace (RFC 7644 §3.5.2.3): "If the target location is a multi-valued attribute
/// and no filter is specified, the attribute and all values are replaced"; a single-valued
/// attribute's value is replaced. A PATCH the server answers 2xx without the new value on
/// read-back is an error ([`RETURNED`]).
pub const REPLACE: &str = "RFC 7644 §3.5.2.3 (If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are replaced)";

/// PATCH add (RFC 7644 §3.5.2.1): "If the target location specifies an attribute that does
/// not exist (has no value), the attribute is added with the new value."
pub const ADD: &str = "RFC 7644 §3.5.2.1 (If the target location specifies an attribute that does not exist (has no value), the attribute is added with the new value)";

/// PATCH remove (RFC 7644 §3.5.2.2): "If the target location is a single-value attribute,
/// the attribute and its associated value is removed, and the attribute SHALL be considered
/// unassigned." A value still there is an error.
pub const REMOVE: &str = "RFC 7644 §3.5.2.2 (If the target location is a single-value attribute, the attribute and its associated value is removed, and the attribute SHALL be considered unassigned; a multi-valued attribute without a filter: the attribute and all values are removed)";

/// A boolean read back after PATCH remove: RFC 7644 §3.5.2.2 makes it unassigned, but §3.5.1
/// lets a provider "assign default values to the final resource representation", and a
/// boolean's default is one of its two values, so a value read back cannot tell a default from
/// a remove not applied. Its absence passes; a value is a note, never a finding.
pub const REMOVE_BOOLEAN: &str = "RFC 7644 §3.5.2.2 (the attribute SHALL be considered unassigned); RFC 7644 §3.5.1 (the service provider MAY assign default values to the final resource representation)";

/// An attribute no schema defines is refused or ignored, never stored (RFC 7644 §3.5.2):
/// "Each operation against an attribute MUST be compatible with the attribute's mutability
/// and schema"; §3.12 invalidPath "The "path" attribute was invalid or malformed". Which of
/// refusing or ignoring is the server's choice, and no sentence names an unknown attribute
/// stored: a warning.
pub const UNKNOWN: &str = "RFC 7644 §3.5.2 (Each operation against an attribute MUST be compatible with the attribute's mutability and schema); §3.12 (invalidPath)";
