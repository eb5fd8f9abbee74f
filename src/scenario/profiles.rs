//! The built-in profiles, one row each: the `--profile` parser, `scimcheck list`, the shell
//! completions, the coverage section and the help text all read this table, so a profile
//! added here is known everywhere at once.

use super::model::Profile;

/// One built-in profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileInfo {
    /// The profile.
    pub profile: Profile,
    /// Its name on the command line and in scenario files.
    pub name: &'static str,
    /// One line for `scimcheck list`, the completions and `--help`.
    pub description: &'static str,
    /// Where its scenario files live in the source tree (compiled in by `load.rs`).
    pub dir: &'static str,
    /// Whether `--profile all` runs it. The profiles that send many requests at once run
    /// only when named, so `all` never turns a conformance run into a load test.
    pub in_all: bool,
}

impl ProfileInfo {
    /// The description as listings show it: an opt-in profile says so.
    pub fn described(&self) -> String {
        if self.in_all {
            self.description.to_string()
        } else {
            format!("{} (opt-in, not in all)", self.description)
        }
    }
}

/// Every built-in profile, in the order listings show them.
pub const PROFILES: &[ProfileInfo] = &[
    ProfileInfo {
        profile: Profile::Okta,
        name: "okta",
        description: "Okta's provisioning traffic, replayed",
        dir: "scenarios/okta",
        in_all: true,
    },
    ProfileInfo {
        profile: Profile::Entra,
        name: "entra",
        description: "Microsoft Entra ID's provisioning traffic, in both PATCH dialects",
        dir: "scenarios/entra",
        in_all: true,
    },
    ProfileInfo {
        profile: Profile::Rfc,
        name: "rfc",
        description: "the wider rules of RFC 7643 and RFC 7644, beyond the IdP flows",
        dir: "scenarios/rfc",
        in_all: true,
    },
    ProfileInfo {
        profile: Profile::Concurrency,
        name: "concurrency",
        description: "IdP traffic in parallel, judged by the end state",
        dir: "scenarios/concurrency",
        in_all: false,
    },
    ProfileInfo {
        profile: Profile::Scale,
        name: "scale",
        description: "large groups and large directories the way Okta and Entra push them",
        dir: "scenarios/scale",
        in_all: false,
    },
];

/// The row of a built-in profile; `None` for a user's own.
pub fn info(profile: Profile) -> Option<&'static ProfileInfo> {
    PROFILES.iter().find(|p| p.profile == profile)
}

/// The built-in profiles `--profile all` runs.
pub fn in_all() -> impl Iterator<Item = Profile> {
    PROFILES.iter().filter(|p| p.in_all).map(|p| p.profile)
}

/// The names `--profile` takes, for messages: `okta, entra, rfc, all, concurrency, scale`
/// (`all` after the profiles it stands for).
pub fn names_for_messages() -> Vec<&'static str> {
    let mut names: Vec<&str> = PROFILES
        .iter()
        .filter(|p| p.in_all)
        .map(|p| p.name)
        .collect();
    names.push("all");
    names.extend(PROFILES.iter().filter(|p| !p.in_all).map(|p| p.name));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_its_profile_and_names_it() {
        for row in PROFILES {
            assert_eq!(row.profile.as_str(), row.name);
            assert_eq!(Profile::named(row.name), Ok(row.profile));
            assert_eq!(info(row.profile), Some(row));
            assert_eq!(row.dir, format!("scenarios/{}", row.name));
        }
        let mut names: Vec<_> = PROFILES.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PROFILES.len(), "a profile is listed twice");
    }

    #[test]
    fn every_built_in_scenario_lives_in_its_profile_directory() {
        for l in crate::scenario::builtin().unwrap() {
            let row = info(l.scenario.profile).expect("a built-in scenario of a built-in profile");
            assert!(
                l.file.starts_with(&format!("{}/", row.dir)),
                "{} is of profile {} but lives at {}",
                l.scenario.id,
                row.name,
                l.file
            );
        }
    }

    #[test]
    fn all_leaves_out_the_profiles_that_send_many_requests() {
        let all: Vec<_> = in_all().collect();
        assert_eq!(all, [Profile::Okta, Profile::Entra, Profile::Rfc]);
        assert!(info(Profile::Scale)
            .unwrap()
            .described()
            .ends_with("(opt-in, not in all)"));
        assert!(!info(Profile::Okta).unwrap().described().contains("opt-in"));
        assert_eq!(
            names_for_messages().join(", "),
            "okta, entra, rfc, all, concurrency, scale"
        );
    }

    #[test]
    fn the_scenario_schema_offers_every_built_in_profile() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/scenario.schema.json")).unwrap();
        let offered: Vec<&str> = schema["properties"]["profile"]["anyOf"][0]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let rows: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
        assert_eq!(offered, rows);
    }

    #[test]
    fn a_custom_profile_has_no_row() {
        assert_eq!(info(Profile::named("acme").unwrap()), None);
    }
}
