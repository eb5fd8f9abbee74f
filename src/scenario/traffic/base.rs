//! Where the SCIM root ends in a URL path. A SCIM service's endpoints are named by RFC 7644
//! §3.2; whatever comes before the first of them is the base URL's path.

/// The endpoints RFC 7644 §3.2 defines below a SCIM root (`/.search` is §3.4.3's root search).
pub const SCIM_ENDPOINTS: [&str; 8] = [
    "Users",
    "Groups",
    "Me",
    "ServiceProviderConfig",
    "ResourceTypes",
    "Schemas",
    "Bulk",
    ".search",
];

/// A URL path split into the SCIM base path and the path below it, at the first segment
/// that names a SCIM endpoint (matched case-insensitively, as servers route them):
/// `/scim/v2/Users/7` → `("/scim/v2", "/Users/7")`. `None` when no segment does.
pub fn split_scim_path(path: &str) -> Option<(&str, &str)> {
    let mut at: usize = 0;
    for segment in path.split('/') {
        if SCIM_ENDPOINTS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(segment))
        {
            // The rest keeps its leading slash.
            let cut = at.saturating_sub(1);
            return Some((&path[..cut], &path[cut..]));
        }
        at += segment.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::split_scim_path;

    #[test]
    fn the_base_ends_before_the_first_scim_endpoint() {
        assert_eq!(
            split_scim_path("/scim/v2/Users/7"),
            Some(("/scim/v2", "/Users/7"))
        );
        assert_eq!(split_scim_path("/Groups"), Some(("", "/Groups")));
        assert_eq!(
            split_scim_path("/api/scim/serviceproviderconfig"),
            Some(("/api/scim", "/serviceproviderconfig"))
        );
        assert_eq!(split_scim_path("/v2/.search"), Some(("/v2", "/.search")));
        assert_eq!(split_scim_path("/api/v1/apps"), None);
        assert_eq!(split_scim_path(""), None);
    }
}
