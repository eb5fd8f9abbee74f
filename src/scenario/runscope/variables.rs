//! The variables Okta's SPEC test expects its "initial script" to set, provided natively
//! (no JavaScript runs) with the same shapes, every generated name under the run prefix.

use rand::Rng;

use crate::scenario::Variable;

/// The name a Runscope file uses for the SCIM root.
pub(crate) const BASE_URL: &str = "SCIMBaseURL";
/// The name a Runscope file uses for the whole Authorization header value.
pub(crate) const AUTH: &str = "auth";
/// The built-in variable holding the target's base URL (set by the plan stage).
pub(crate) const TARGET_BASE_URL: &str = "target.base_url";

/// Okta's variables in order (later ones are templates over earlier ones), then the user's
/// `--variable` values, which replace a default of the same name.
pub(crate) fn defaults(overrides: &[(String, String)]) -> Vec<Variable> {
    let mut rng = rand::rng();
    let digits = |rng: &mut rand::rngs::ThreadRng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect()
    };
    let lower = |rng: &mut rand::rngs::ThreadRng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
            .collect()
    };
    let given = format!("Runscope{}", digits(&mut rng, 3));
    let family = format!(
        "{}{}{}",
        char::from(b'A' + rng.random_range(0..26u8)),
        lower(&mut rng, 8),
        digits(&mut rng, 3)
    );
    let missing_id: String = (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16u32), 16).unwrap_or('0'))
        .collect();
    let var = |name: &str, value: String, volatile: bool| Variable {
        name: name.to_string(),
        value,
        volatile,
    };
    let mut out = vec![
        var(BASE_URL, format!("{{{{{TARGET_BASE_URL}}}}}"), false),
        var("randomGivenName", given, true),
        var("randomFamilyName", family, true),
        var(
            "randomUsername",
            "{{run.prefix}}{{randomGivenName}}{{randomFamilyName}}@atko.com".into(),
            true,
        ),
        var("randomEmail", "{{randomUsername}}".into(), true),
        var(
            "randomUsernameCaps",
            "{{randomUsername | upper}}".into(),
            true,
        ),
        var(
            "InvalidUserEmail",
            format!("{{{{run.prefix}}}}invalid-{}@atko.com", lower(&mut rng, 8)),
            true,
        ),
        var("UserIdThatDoesNotExist", missing_id, true),
    ];
    for (name, value) in overrides {
        let given = var(name, value.clone(), false);
        match out.iter_mut().find(|v| v.name == *name) {
            Some(slot) => *slot = given,
            None => out.push(given),
        }
    }
    out
}

/// The names Okta's test can use without defining them, for messages.
pub(crate) fn provided_names() -> String {
    let mut names: Vec<String> = defaults(&[]).into_iter().map(|v| v.name).collect();
    names.insert(1, AUTH.to_string());
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_follow_okta_and_names_carry_the_prefix() {
        let vars = defaults(&[]);
        let get = |n: &str| vars.iter().find(|v| v.name == n).unwrap().value.clone();
        let given = get("randomGivenName");
        assert!(
            given.starts_with("Runscope") && given.len() == 11,
            "{given}"
        );
        assert!(given[8..].bytes().all(|b| b.is_ascii_digit()));
        let family = get("randomFamilyName");
        assert_eq!(family.len(), 12);
        assert!(family.as_bytes()[0].is_ascii_uppercase());
        assert!(family[1..9].bytes().all(|b| b.is_ascii_lowercase()));
        assert!(family[9..].bytes().all(|b| b.is_ascii_digit()));
        assert!(get("randomUsername").starts_with("{{run.prefix}}"));
        assert!(get("InvalidUserEmail").starts_with("{{run.prefix}}"));
        assert_eq!(get(BASE_URL), "{{target.base_url}}");
    }

    #[test]
    fn a_given_variable_replaces_a_default_or_adds_one() {
        let vars = defaults(&[
            ("randomGivenName".into(), "Ada".into()),
            ("tenant".into(), "t1".into()),
        ]);
        let given = vars.iter().find(|v| v.name == "randomGivenName").unwrap();
        assert_eq!((given.value.as_str(), given.volatile), ("Ada", false));
        assert_eq!(vars.last().unwrap().name, "tenant");
    }
}
