//! Which scenarios run: the profiles of `--profile`, narrowed by `--scenario GLOB` and
//! `--skip GLOB` on scenario ids (the way `cargo nextest run -E` and `newman --folder` narrow
//! a suite).

use crate::error::Error;
use crate::scenario::{Loaded, Profile};

/// The scenarios of `profiles` whose ids match one of `include` (all when it is empty) and
/// none of `skip`. A pattern that selects nothing is a usage error, not an empty pass.
pub(crate) fn select(
    loaded: Vec<Loaded>,
    profiles: &[Profile],
    include: &[String],
    skip: &[String],
) -> Result<Vec<Loaded>, Error> {
    for pattern in include {
        if loaded
            .iter()
            .any(|l| profiles.contains(&l.scenario.profile) && glob(pattern, &l.scenario.id))
        {
            continue;
        }
        let elsewhere: Vec<String> = loaded
            .iter()
            .filter(|l| glob(pattern, &l.scenario.id))
            .map(|l| l.scenario.profile.to_string())
            .collect();
        let hint = match elsewhere.first() {
            Some(p) => format!(" (it matches scenarios of profile {p}: add --profile {p})"),
            None => " (`scimcheck list` shows the ids)".into(),
        };
        return Err(Error::Usage(format!(
            "--scenario `{pattern}` matches no scenario of the chosen profiles{hint}"
        )));
    }
    let selected: Vec<Loaded> = loaded
        .into_iter()
        .filter(|l| profiles.contains(&l.scenario.profile))
        .filter(|l| include.is_empty() || include.iter().any(|p| glob(p, &l.scenario.id)))
        .filter(|l| !skip.iter().any(|p| glob(p, &l.scenario.id)))
        .collect();
    if selected.is_empty() {
        return Err(Error::Usage(
            "--scenario and --skip leave no scenario to run".into(),
        ));
    }
    Ok(selected)
}

/// Shell-style matching of a whole id: `*` any run of characters, `?` one character.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it has been stretched to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_whole_ids() {
        assert!(glob("okta.users.*", "okta.users.create"));
        assert!(glob("*.2017", "entra.users.update.2017"));
        assert!(glob("okta.*.create", "okta.users.create"));
        assert!(glob("okta.user?.create", "okta.users.create"));
        assert!(glob("okta.users.create", "okta.users.create"));
        assert!(!glob("okta.users", "okta.users.create"));
        assert!(!glob("entra.*", "okta.users.create"));
        assert!(glob("*", ""));
    }
}
