//! The variables Okta's SPEC and CRUD tests expect their "initial script" and environment to
//! set, provided natively (no JavaScript runs) with the same shapes, every generated name
//! under the run prefix.

use rand::Rng;

use crate::scenario::Variable;

/// The name a Runscope file uses for the SCIM root.
pub(crate) const BASE_URL: &str = "SCIMBaseURL";
/// The name a Runscope file uses for the whole Authorization header value.
pub(crate) const AUTH: &str = "auth";
/// The CRUD test's names for the SCIM root and the whole Authorization header value.
pub(crate) const CRUD_BASE_URL: &str = "SCIMUrl";
pub(crate) const CRUD_AUTH: &str = "SCIMAuth";
/// The CRUD test's name for the Okta org's URL: a request under it goes to the embedded org.
pub(crate) const ORG_URL: &str = "oktaOrgUrl";
/// The built-in variable holding the embedded Okta org's URL (set by the plan stage).
pub const OKTA_ORG_URL: &str = "okta.org_url";
/// The API token the embedded Okta org accepts (`Authorization: SSWS …`): made up, it opens
/// nothing but that loopback org, for the length of one run.
pub const OKTA_ORG_TOKEN: &str = "00scimcheck-embedded-okta-org-token";

/// Whether `name` stands for the run's own credentials as a whole Authorization value.
pub(crate) fn is_auth(name: &str) -> bool {
    name == AUTH || name == CRUD_AUTH
}
/// The built-in variable holding the target's base URL (set by the plan stage).
pub(crate) const TARGET_BASE_URL: &str = "target.base_url";

/// Okta's variables in order (later ones are templates over earlier ones), then the user's
/// `--variable` values, which replace a default of the same name.
/// With `org`, the CRUD test's variables too: the embedded org's URL, app id and token, and
/// the Okta user its initial script makes up.
pub(crate) fn defaults(overrides: &[(String, String)], org: bool) -> Vec<Variable> {
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
    // Both of Okta's initial scripts (SPEC and CRUD) make names so: `Runscope` and 3 digits;
    // a capital, 8 small letters and 3 digits.
    let given_name = |rng: &mut rand::rngs::ThreadRng| format!("Runscope{}", digits(rng, 3));
    let family_name = |rng: &mut rand::rngs::ThreadRng| {
        format!(
            "{}{}{}",
            char::from(b'A' + rng.random_range(0..26u8)),
            lower(rng, 8),
            digits(rng, 3)
        )
    };
    let given = given_name(&mut rng);
    let family = family_name(&mut rng);
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
        var(CRUD_BASE_URL, format!("{{{{{TARGET_BASE_URL}}}}}"), false),
    ];
    if org {
        // Okta's initial script: a random first and last name, the email (also the login)
        // made of them, an updated first name, a title and a phone number.
        let first = given_name(&mut rng);
        let last = family_name(&mut rng);
        let app: String = (0..17)
            .map(|_| {
                let c = rng.random_range(0..36u32);
                char::from_digit(c, 36).unwrap_or('0')
            })
            .collect();
        out.extend([
            var(ORG_URL, format!("{{{{{OKTA_ORG_URL}}}}}"), false),
            var("oktaAppId", format!("0oa{app}"), true),
            var("oktaToken", OKTA_ORG_TOKEN.to_string(), false),
            var("okta_user_firstname", first.clone(), true),
            var(
                "okta_user_firstname_update",
                format!("{first}Updated"),
                true,
            ),
            var("okta_user_lastname", last.clone(), true),
            var(
                "okta_user_email",
                format!(
                    "{{{{run.prefix}}}}{}.{}@atko.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                true,
            ),
            var("okta_user_title", "Runscope Tester".into(), false),
            var(
                "okta_user_primaryphone",
                format!("555-{}-{}", digits(&mut rng, 3), digits(&mut rng, 4)),
                true,
            ),
        ]);
    }
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
    let mut names: Vec<String> = defaults(&[], true).into_iter().map(|v| v.name).collect();
    names.insert(1, AUTH.to_string());
    names.push(CRUD_AUTH.to_string());
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_follow_okta_and_names_carry_the_prefix() {
        let vars = defaults(&[], false);
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
        let vars = defaults(
            &[
                ("randomGivenName".into(), "Ada".into()),
                ("tenant".into(), "t1".into()),
            ],
            false,
        );
        let given = vars.iter().find(|v| v.name == "randomGivenName").unwrap();
        assert_eq!((given.value.as_str(), given.volatile), ("Ada", false));
        assert_eq!(vars.last().unwrap().name, "tenant");
    }

    #[test]
    fn the_crud_test_gets_the_org_and_an_okta_user_under_the_prefix() {
        let vars = defaults(&[("okta_user_title".into(), "CTO".into())], true);
        let get = |n: &str| vars.iter().find(|v| v.name == n).unwrap().value.clone();
        assert_eq!(get(ORG_URL), "{{okta.org_url}}");
        assert_eq!(get("oktaToken"), OKTA_ORG_TOKEN);
        assert!(get("oktaAppId").starts_with("0oa") && get("oktaAppId").len() == 20);
        let first = get("okta_user_firstname");
        assert!(first.starts_with("Runscope"), "{first}");
        assert_eq!(get("okta_user_firstname_update"), format!("{first}Updated"));
        let email = get("okta_user_email");
        assert!(email.starts_with("{{run.prefix}}runscope") && email.ends_with("@atko.com"));
        assert_eq!(get("okta_user_title"), "CTO");
        assert_eq!(get(CRUD_BASE_URL), "{{target.base_url}}");
        assert!(!defaults(&[], false).iter().any(|v| v.name == ORG_URL));
    }
}
