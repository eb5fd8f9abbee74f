//! What a recording's text becomes in the replay: server-assigned ids the variables an earlier
//! step captured, names the run prefix, secrets nothing at all.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// What a value written into a scenario file is rewritten with.
#[derive(Debug, Default)]
pub(super) struct Rewriter {
    /// A name an IdP wrote (userName, externalId, displayName, an email) → its replacement,
    /// `{{scenario.prefix}}` and the name.
    pub names: HashMap<String, String>,
    /// Each name by its ASCII-lowercased form, for a lookup sent in another case.
    pub names_by_case: HashMap<String, String>,
    /// A server-assigned id → the variable that holds it in the replay.
    pub ids: HashMap<String, String>,
    /// Texts that must never reach the file.
    pub secrets: Vec<String>,
    /// The run prefixes of the recorded names scimcheck wrote (`scimcheck-<run>-`): wherever
    /// they appear (a `sw` filter) the replay's own prefix stands in.
    pub run_prefixes: Vec<String>,
    /// Variables the last rewrite used, so the step can need the steps that capture them.
    pub used: Vec<String>,
    /// Names the last rewrite replaced, so the step can need the create that wrote them.
    pub used_names: Vec<String>,
    /// Quoted literals the last rewrite put under the replay's run prefix (`userName sw
    /// "scimcheck-<run>-1f2e3-"`), so the step can need the creates of the names they match.
    pub used_prefixes: Vec<String>,
    /// What had to change for the file to load (a literal `{{`), once each.
    pub altered: Vec<String>,
}

/// What replaces a secret.
pub(super) const REDACTED: &str = "[redacted]";

/// A name as the replay writes it: under the replay's own prefix. A name scimcheck itself
/// wrote as the IdP (`scimcheck-<run>-<tag>-…`) keeps its scenario tag, so names that two
/// recorded scenarios kept apart stay apart.
fn prefixed(name: &str) -> String {
    match recorded_run_prefix(name) {
        Some(prefix) => format!("{{{{run.prefix}}}}{}", &name[prefix.len()..]),
        None => format!("{{{{scenario.prefix}}}}{name}"),
    }
}

/// The `scimcheck-<run id>-` that starts `name`, when scimcheck wrote it.
fn recorded_run_prefix(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("scimcheck-")?;
    let run = rest.split('-').next()?;
    let run_ok = (4..=32).contains(&run.len())
        && run
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let end = "scimcheck-".len() + run.len() + 1;
    (run_ok && name.len() > end && name.as_bytes()[end - 1] == b'-').then(|| &name[..end])
}

/// A replacement (`{{var}}tail`) upper- or lower-cased: the filter on the variable, the tail
/// cased as sent.
fn cased(replacement: &str, upper: bool) -> Option<String> {
    let (var, tail) = replacement.strip_prefix("{{")?.split_once("}}")?;
    let (filter, tail) = match upper {
        true => ("upper", tail.to_uppercase()),
        false => ("lower", tail.to_lowercase()),
    };
    Some(format!("{{{{{var} | {filter}}}}}{tail}"))
}

impl Rewriter {
    /// A name the requests wrote, from now on written under the replay's prefix; a run
    /// prefix it carries is replaced wherever it appears.
    pub fn add_name(&mut self, name: &str) {
        if let Some(prefix) = recorded_run_prefix(name) {
            if !self.run_prefixes.iter().any(|p| p == prefix) {
                self.run_prefixes.push(prefix.to_string());
            }
        }
        self.names_by_case
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| name.to_string());
        self.names.insert(name.to_string(), prefixed(name));
    }

    /// A whole string value: an id, a name, or text that holds a secret or a brace pair.
    pub fn text(&mut self, s: &str) -> String {
        if let Some(var) = self.ids.get(s) {
            let var = var.clone();
            self.used.push(var.clone());
            return format!("{{{{{var}}}}}");
        }
        if let Some(name) = self.names.get(s) {
            self.used_names.push(s.to_string());
            return name.clone();
        }
        // The same name upper- or lower-cased (a case-insensitive lookup): the replay's name
        // cased the same way.
        let cased = self
            .names_by_case
            .get(&s.to_ascii_lowercase())
            .cloned()
            .and_then(|n| {
                let upper = match s {
                    _ if s == n.to_uppercase() => true,
                    _ if s == n.to_lowercase() => false,
                    _ => return None,
                };
                let replaced = cased(&self.names[&n], upper)?;
                self.used_names.push(n);
                Some(replaced)
            });
        if let Some(name) = cased {
            return name;
        }
        self.plain(s)
    }

    /// Text no id or name is looked for in: secrets masked, `{{` kept from reading as a
    /// placeholder.
    pub fn plain(&mut self, s: &str) -> String {
        let out = self.shown(s);
        if out != s {
            self.note_altered(format!(
                "a value holding a secret is sent with it replaced by `{REDACTED}`: the replay cannot send what the recording sent there"
            ));
        }
        let mut out = out;
        if out.contains("{{") {
            self.note_altered(format!("`{{{{` in a recorded value was written as `{{ {{` (scenario files read `{{{{` as a variable): `{s}`"));
            out = out.replace("{{", "{ {");
        }
        for prefix in &self.run_prefixes {
            if out.contains(prefix.as_str()) {
                out = out.replace(prefix.as_str(), "{{run.prefix}}");
            }
        }
        out
    }

    /// Text for a title or a comment: only secrets masked.
    pub fn shown(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            if !secret.is_empty() && out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// A filter or PATCH path: each quoted literal rewritten as a whole string.
    pub fn expression(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for (quoted, part) in parts(s) {
            if !quoted {
                out.push_str(&self.plain(part));
                continue;
            }
            let literal = part;
            let rewritten = self.text(literal);
            if rewritten != literal
                && !self.names.contains_key(literal)
                && self
                    .run_prefixes
                    .iter()
                    .any(|p| literal.contains(p.as_str()))
            {
                self.used_prefixes.push(literal.to_string());
            }
            out.push('"');
            out.push_str(&rewritten);
            out.push('"');
        }
        out
    }

    /// A URL path: each segment rewritten as a whole string.
    pub fn path(&mut self, path: &str) -> String {
        path.split('/')
            .map(|segment| self.text(segment))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// A JSON value: every string as a whole; a PATCH operation's `path` as an expression.
    pub fn json(&mut self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let v = match (k.as_str(), v) {
                        // A bulk operation's path (`/Groups/{id}`), or a PATCH path.
                        ("path", Value::String(p)) if p.starts_with('/') => {
                            Value::String(self.path(p))
                        }
                        ("path", Value::String(p)) => Value::String(self.expression(p)),
                        _ if k.eq_ignore_ascii_case("password") => {
                            Value::String("{{user1.password}}".into())
                        }
                        _ => self.json(v),
                    };
                    // A dotted or filtered key of a path-less PATCH value
                    // (`emails[type eq "work"].value`) may quote a name.
                    out.insert(self.expression(k), v);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// The names replaced since the last call, and none after it; with them, each name
    /// written so far that a prefix literal used since the last call matches.
    pub fn take_names(&mut self) -> Vec<String> {
        let mut names = std::mem::take(&mut self.used_names);
        for literal in std::mem::take(&mut self.used_prefixes) {
            names.extend(
                self.names
                    .keys()
                    .filter(|n| n.starts_with(&literal))
                    .cloned(),
            );
        }
        names
    }

    /// The variables used since the last call, and none after it.
    pub fn take_used(&mut self) -> Vec<String> {
        std::mem::take(&mut self.used)
    }

    fn note_altered(&mut self, note: String) {
        if !self.altered.contains(&note) {
            self.altered.push(note);
        }
    }
}

/// Where a quoted literal that starts after its opening quote ends (`\"` is inside it).
/// `s` cut into its text outside quotes and its `"…"` literals (without their quotes), in
/// order; a quote never closed leaves the rest outside.
fn parts(s: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('"') {
        let body = &rest[open + 1..];
        let Some(close) = closing_quote(body) else {
            break;
        };
        out.push((false, &rest[..open]));
        out.push((true, &body[..close]));
        rest = &body[close + 1..];
    }
    out.push((false, rest));
    out
}

/// The `"…"` literals of a filter or PATCH path.
pub(super) fn quoted(s: &str) -> impl Iterator<Item = &str> {
    parts(s).into_iter().filter(|(q, _)| *q).map(|(_, p)| p)
}

fn closing_quote(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewriter() -> Rewriter {
        let mut r = Rewriter::default();
        r.add_name("alice@corp.com");
        r.ids.insert("2819c223".into(), "user1_id".into());
        r.secrets.push("s3cret".into());
        r
    }

    #[test]
    fn a_recorded_run_prefix_gives_way_to_the_replay_s() {
        assert_eq!(
            prefixed("scimcheck-ab12cd-1f2e3-alice@example.com"),
            "{{run.prefix}}1f2e3-alice@example.com"
        );
        assert_eq!(
            prefixed("alice@corp.com"),
            "{{scenario.prefix}}alice@corp.com"
        );
        assert_eq!(
            prefixed("scimcheck-x-1f2e3-a"),
            "{{scenario.prefix}}scimcheck-x-1f2e3-a"
        );
        let mut r = Rewriter {
            run_prefixes: vec!["scimcheck-ab12cd-".into()],
            ..Rewriter::default()
        };
        assert_eq!(
            r.expression(r#"userName sw "scimcheck-ab12cd-1f2e3-""#),
            r#"userName sw "{{run.prefix}}1f2e3-""#
        );
    }

    #[test]
    fn ids_names_and_secrets_are_rewritten_as_whole_strings_only() {
        let mut r = rewriter();
        assert_eq!(r.text("2819c223"), "{{user1_id}}");
        assert_eq!(r.take_used(), vec!["user1_id".to_string()]);
        assert_eq!(r.text("x2819c223"), "x2819c223");
        assert_eq!(
            r.text("alice@corp.com"),
            "{{scenario.prefix}}alice@corp.com"
        );
        assert_eq!(r.text("key s3cret here"), "key [redacted] here");
        assert_eq!(r.path("/Users/2819c223"), "/Users/{{user1_id}}");
        assert_eq!(
            r.text("ALICE@CORP.COM"),
            "{{scenario.prefix | upper}}ALICE@CORP.COM"
        );
    }

    #[test]
    fn quoted_literals_of_filters_and_patch_paths_are_rewritten() {
        let mut r = rewriter();
        assert_eq!(
            r.expression(r#"userName eq "alice@corp.com" and id ne "2819c223""#),
            r#"userName eq "{{scenario.prefix}}alice@corp.com" and id ne "{{user1_id}}""#
        );
        assert_eq!(
            r.expression(r#"members[value eq "2819c223"]"#),
            r#"members[value eq "{{user1_id}}"]"#
        );
        assert_eq!(r.expression(r#"a eq "unclosed"#), r#"a eq "unclosed"#);
    }

    #[test]
    fn a_body_keeps_its_shape_and_loses_its_password() {
        let mut r = rewriter();
        let body = serde_json::json!({
            "userName": "alice@corp.com",
            "password": "hunter2",
            "members": [{"value": "2819c223"}],
            "Operations": [{"op": "remove", "path": "members[value eq \"2819c223\"]"}],
            "note": "{{not a variable}}"
        });
        let out = r.json(&body);
        assert_eq!(out["userName"], "{{scenario.prefix}}alice@corp.com");
        assert_eq!(out["password"], "{{user1.password}}");
        assert_eq!(out["members"][0]["value"], "{{user1_id}}");
        assert_eq!(
            out["Operations"][0]["path"],
            "members[value eq \"{{user1_id}}\"]"
        );
        assert_eq!(out["note"], "{ {not a variable}}");
        assert_eq!(r.altered.len(), 1);
    }
}
