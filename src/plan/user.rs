//! Values the user gives a run for its scenario files: `{{vars.NAME}}` (`--variable`,
//! `--variables-file`, `[variables]` in scimcheck.toml) and `{{secrets.NAME}}` (`--secret`),
//! whose values the execute stage redacts wherever they would be shown.

use std::collections::BTreeMap;

use serde_json::Value;

use super::vars::Vars;

/// The namespace of user variables in templates: `{{vars.tenant}}`.
pub const VARS: &str = "vars.";
/// The namespace of secrets in templates: `{{secrets.api_key}}`.
pub const SECRETS: &str = "secrets.";

/// The variables and secrets of one run, by name (without their namespace).
#[derive(Clone, Default)]
pub struct UserVars {
    vars: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
}

// A secret's value must not reach a log or a panic message through `{:?}`.
impl std::fmt::Debug for UserVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserVars")
            .field("vars", &self.vars)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl UserVars {
    /// Sets `{{vars.NAME}}`; a later value replaces an earlier one.
    pub fn set_var(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    /// Sets `{{secrets.NAME}}`; a later value replaces an earlier one.
    pub fn set_secret(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.secrets.insert(name.into(), value.into());
    }

    /// The variables, by name, for the Runscope exports' own variables (`{{name}}`).
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The secrets' values, for the client to redact.
    pub fn secret_values(&self) -> Vec<String> {
        self.secrets.values().cloned().collect()
    }

    /// Adds every variable and secret to a scenario's variables, under its namespace.
    pub fn insert_into(&self, vars: &mut Vars) {
        for (name, value) in &self.vars {
            vars.insert(format!("{VARS}{name}"), Value::String(value.clone()));
        }
        for (name, value) in &self.secrets {
            vars.insert(format!("{SECRETS}{name}"), Value::String(value.clone()));
        }
    }

    /// For a placeholder in a user namespace: `Ok` when this run defines it, else what to
    /// pass. `None` for any other placeholder.
    pub fn check(&self, placeholder: &str, filter: Option<&str>) -> Option<Result<(), String>> {
        if let Some(name) = placeholder.strip_prefix(VARS) {
            return Some(if self.vars.contains_key(name) {
                Ok(())
            } else {
                Err(format!(
                    "`{{{{{placeholder}}}}}` is not defined: pass --variable {name}=VALUE (or set it in --variables-file, or under [variables] in scimcheck.toml)"
                ))
            });
        }
        let name = placeholder.strip_prefix(SECRETS)?;
        Some(if filter.is_some() {
            // An upper-cased secret would be sent, but not recognised to be redacted.
            Err(format!(
                "`{{{{{placeholder} | …}}}}`: a secret takes no filter; pass the value you need with --secret"
            ))
        } else if self.secrets.contains_key(name) {
            Ok(())
        } else {
            Err(format!(
                "`{{{{{placeholder}}}}}` is not defined: pass --secret {name}=VALUE"
            ))
        })
    }
}

/// `vars` with every occurrence of `secrets` in their strings replaced by `mask`: the step a
/// report may show, rendered from these, matches the request as it was recorded.
pub fn masked(vars: &Vars, secrets: &[String], mask: &str) -> Vars {
    vars.map_strings(&|s: &str| mask_text(s, secrets, mask))
}

/// `text` with every occurrence of `secrets` replaced by `mask`, in their order (longest
/// first, as their callers sort them, so no part of one is left behind).
pub fn mask_text(text: &str, secrets: &[String], mask: &str) -> String {
    secrets.iter().fold(text.to_string(), |acc, secret| {
        acc.replace(secret.as_str(), mask)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaced_placeholders_are_checked_against_what_the_run_defines() {
        let mut user = UserVars::default();
        user.set_var("tenant", "acme");
        user.set_secret("key", "s3cr3t-value");
        assert_eq!(user.check("vars.tenant", None), Some(Ok(())));
        assert_eq!(user.check("secrets.key", None), Some(Ok(())));
        assert_eq!(user.check("user1.userName", None), None);
        let err = user.check("vars.region", None).unwrap().unwrap_err();
        assert!(err.contains("--variable region=VALUE"), "{err}");
        let err = user.check("secrets.other", None).unwrap().unwrap_err();
        assert!(err.contains("--secret other=VALUE"), "{err}");
        assert!(user.check("secrets.key", Some("upper")).unwrap().is_err());
        // A secret used where a variable is expected is not silently taken.
        assert!(user.check("vars.key", None).unwrap().is_err());
    }

    #[test]
    fn secrets_never_debug_print_and_mask_in_vars() {
        let mut user = UserVars::default();
        user.set_secret("key", "s3cr3t-value");
        user.set_var("tenant", "acme");
        assert!(!format!("{user:?}").contains("s3cr3t-value"));
        let mut vars = Vars::default();
        user.insert_into(&mut vars);
        assert_eq!(vars.get("secrets.key"), Some(&Value::from("s3cr3t-value")));
        assert_eq!(vars.get("vars.tenant"), Some(&Value::from("acme")));
        let shown = masked(&vars, &user.secret_values(), "[redacted]");
        assert_eq!(shown.get("secrets.key"), Some(&Value::from("[redacted]")));
        assert_eq!(shown.get("vars.tenant"), Some(&Value::from("acme")));
    }
}
