//! Runscope's addresses in scimcheck's terms: JavaScript-style property paths as JSON
//! pointers, and request URLs as a root, a path and a query.

use serde_json::{Map, Value};

/// `Resources[0].name.givenName` → `/Resources/0/name/givenName`; `['a.b'].c` and `["x"]`
/// name keys holding dots; an empty path is the whole body (`""`).
pub(crate) fn pointer_of(property: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = property.trim().chars().peekable();
    let mut token = String::new();
    let push = |out: &mut String, token: &mut String| {
        out.push('/');
        out.push_str(&token.replace('~', "~0").replace('/', "~1"));
        token.clear();
    };
    let bad = || format!("`{property}` is not a property path like `Resources[0].name.givenName`");
    let mut after_bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if token.is_empty() && !after_bracket {
                    return Err(bad());
                }
                if !token.is_empty() {
                    push(&mut out, &mut token);
                }
                after_bracket = false;
            }
            '[' => {
                if !token.is_empty() {
                    push(&mut out, &mut token);
                }
                match chars.peek() {
                    Some(&q @ ('"' | '\'')) => {
                        chars.next();
                        loop {
                            match chars.next() {
                                Some(c) if c == q => break,
                                Some(c) => token.push(c),
                                None => return Err(bad()),
                            }
                        }
                        if chars.next() != Some(']') {
                            return Err(bad());
                        }
                    }
                    _ => {
                        loop {
                            match chars.next() {
                                Some(']') => break,
                                Some(c) if c.is_ascii_digit() => token.push(c),
                                _ => return Err(bad()),
                            }
                        }
                        if token.is_empty() {
                            return Err(bad());
                        }
                    }
                }
                push(&mut out, &mut token);
                after_bracket = true;
            }
            c => {
                if after_bracket {
                    return Err(bad());
                }
                token.push(c);
            }
        }
    }
    if !token.is_empty() {
        push(&mut out, &mut token);
    } else if property.trim().ends_with('.') {
        return Err(bad());
    }
    Ok(out)
}

/// Where a request goes: `root` is a template for the absolute URL the path is appended
/// to (`{{SCIMBaseURL}}`, or a literal `https://host`), `path` starts with `/`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SplitUrl {
    pub root: String,
    pub path: String,
    pub query: Map<String, Value>,
}

/// Splits a step's URL template; the query is percent-decoded here and encoded again when
/// sent, so a rendered value cannot add parameters of its own.
pub(crate) fn split_url(url: &str) -> Result<SplitUrl, String> {
    let url = url.trim();
    let root_end = if url.starts_with("{{") {
        url.find("}}")
            .map(|e| e + 2)
            .ok_or_else(|| format!("`{url}`: unclosed `{{{{`"))?
    } else if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        let scheme = url.len() - rest.len();
        scheme + rest.find(['/', '?']).unwrap_or(rest.len())
    } else {
        return Err(format!(
            "`{url}` is neither an absolute URL nor one starting with a variable such as {{{{SCIMBaseURL}}}}"
        ));
    };
    let (root, rest) = url.split_at(root_end);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() {
        "/".to_string()
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        return Err(format!("`{url}`: expected `/` after `{root}`"));
    };
    let mut params = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| format!("`{url}`: the query is not UTF-8 once decoded"))
        };
        params.insert(decode(name)?, Value::String(decode(value)?));
    }
    Ok(SplitUrl {
        root: root.to_string(),
        path,
        query: params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_paths_become_pointers() {
        for (path, pointer) in [
            ("", ""),
            ("id", "/id"),
            ("Resources[0].name.givenName", "/Resources/0/name/givenName"),
            ("schemas[1]", "/schemas/1"),
            (
                "['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].department",
                "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/department",
            ),
            ("a[\"b/c~d\"][2]", "/a/b~1c~0d/2"),
        ] {
            assert_eq!(pointer_of(path).unwrap(), pointer, "{path}");
        }
        for bad in ["a..b", ".a", "a.", "a[x]", "a[0]b", "a['x"] {
            assert!(pointer_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_split_into_root_path_and_decoded_query() {
        let s = split_url(
            "{{SCIMBaseURL}}/Users?filter=userName%20eq%20%22{{randomUsername}}%22&count=1",
        )
        .unwrap();
        assert_eq!(s.root, "{{SCIMBaseURL}}");
        assert_eq!(s.path, "/Users");
        assert_eq!(
            s.query,
            serde_json::from_str::<Map<String, Value>>(
                r#"{"filter":"userName eq \"{{randomUsername}}\"","count":"1"}"#
            )
            .unwrap()
        );
        let s = split_url("https://elsewhere.example:8443/scim/v2/Users/{{id}}").unwrap();
        assert_eq!(s.root, "https://elsewhere.example:8443");
        assert_eq!(s.path, "/scim/v2/Users/{{id}}");
        assert_eq!(split_url("{{SCIMBaseURL}}").unwrap().path, "/");
        assert!(split_url("/Users").is_err());
        assert!(split_url("{{SCIMBaseURL}}Users").is_err());
    }
}
