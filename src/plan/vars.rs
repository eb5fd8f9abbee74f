//! Variables a scenario's templates can use: the run's identity, generated test people and
//! groups, and values captured from earlier responses.

use rand::Rng;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// The run's id: short, lowercase, safe inside userNames, filters and URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RunId(String);

impl RunId {
    const ALPHABET: &'static [u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

    /// A fresh random run id.
    pub fn random() -> RunId {
        let mut rng = rand::rng();
        RunId(
            (0..8)
                .map(|_| Self::ALPHABET[rng.random_range(0..Self::ALPHABET.len())] as char)
                .collect(),
        )
    }

    /// Accepts a run id given by the user (`scimcheck cleanup --run-id`): the same alphabet,
    /// so that it can never widen a prefix filter.
    pub fn parse(s: &str) -> Result<RunId, String> {
        if (4..=32).contains(&s.len()) && s.bytes().all(|b| Self::ALPHABET.contains(&b)) {
            Ok(RunId(s.to_string()))
        } else {
            Err(format!(
                "invalid run id `{s}`: expected 4 to 32 lowercase letters or digits"
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Every name the run creates starts with this, so its resources can be told apart.
    pub fn prefix(&self) -> String {
        format!("scimcheck-{}-", self.0)
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A flat map from variable name (`user1.userName`, `user_id`) to JSON value.
///
/// The scenario's variables are shared, not copied, by the variables of each request of a
/// fan-out (`{{item}}`, `{{index}}`): a list of 10,000 captured ids is held once, however
/// many requests read it.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: Arc<BTreeMap<String, Value>>,
    /// Variables of one request of a fan-out or walk, looked up first.
    local: BTreeMap<String, Value>,
    /// Names whose values are generated anew on every run, beyond the built-in ones.
    volatile: BTreeSet<String>,
}

impl Vars {
    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.local.get(name).or_else(|| self.values.get(name))
    }

    /// Sets a variable.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        Arc::make_mut(&mut self.values).insert(name.into(), value);
    }

    /// Whether a variable has a value.
    pub fn contains(&self, name: &str) -> bool {
        self.local.contains_key(name) || self.values.contains_key(name)
    }

    /// These variables plus `locals` (one request's `{{item}}`, `{{index}}`), sharing the
    /// rest.
    pub fn with_locals(&self, locals: impl IntoIterator<Item = (&'static str, Value)>) -> Vars {
        Vars {
            values: Arc::clone(&self.values),
            local: locals
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            volatile: self.volatile.clone(),
        }
    }

    /// A copy with every string value (inside objects and arrays too) passed through `f`.
    pub fn map_strings(&self, f: &impl Fn(&str) -> String) -> Vars {
        fn walk(v: &Value, f: &impl Fn(&str) -> String) -> Value {
            match v {
                Value::String(s) => Value::String(f(s)),
                Value::Array(items) => Value::Array(items.iter().map(|i| walk(i, f)).collect()),
                Value::Object(map) => {
                    Value::Object(map.iter().map(|(k, v)| (f(k), walk(v, f))).collect())
                }
                other => other.clone(),
            }
        }
        let walked = |m: &BTreeMap<String, Value>| -> BTreeMap<String, Value> {
            m.iter().map(|(k, v)| (k.clone(), walk(v, f))).collect()
        };
        Vars {
            values: Arc::new(walked(&self.values)),
            local: walked(&self.local),
            volatile: self.volatile.clone(),
        }
    }

    /// Marks `name` as generated anew on every run: snapshots write `[name]` for its value.
    pub fn mark_volatile(&mut self, name: impl Into<String>) {
        self.volatile.insert(name.into());
    }
}

/// Realistic people: non-ASCII given and family names, as real directories hold them.
const PEOPLE: [(&str, &str, &str); 5] = [
    ("Zoë", "Ångström", "zoe.angstrom"),
    ("Björn", "Ødegård", "bjorn.odegard"),
    ("José", "Núñez", "jose.nunez"),
    ("Siobhán", "Ó Briain", "siobhan.obriain"),
    ("Łukasz", "Żółkiewski", "lukasz.zolkiewski"),
];

/// How many generated users and groups a scenario can address (`user1`..`user5`).
pub const GENERATED: usize = PEOPLE.len();

const GROUPS: [&str; GENERATED] = ["Engineering", "Sales", "Support", "Finance", "Legal"];

/// A short, stable tag per scenario so parallel scenarios never collide on names.
pub fn scenario_tag(scenario_id: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for b in scenario_id.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{:05x}", hash & 0xf_ffff)
}

/// The built-in variables of one scenario in one run.
pub fn builtins(run: &RunId, scenario_id: &str) -> Vars {
    let mut vars = Vars::default();
    let prefix = run.prefix();
    let tag = format!("{prefix}{}-", scenario_tag(scenario_id));
    vars.insert("run.id", json!(run.as_str()));
    vars.insert("run.prefix", json!(prefix));
    vars.insert("scenario.prefix", json!(tag));
    let mut rng = rand::rng();
    for (i, (given, family, local)) in PEOPLE.iter().enumerate() {
        let n = i + 1;
        let user_name = format!("{tag}{local}@example.com");
        let user = |field: &str| format!("user{n}.{field}");
        vars.insert(user("userName"), json!(user_name));
        vars.insert(user("email"), json!(user_name));
        vars.insert(user("altEmail"), json!(format!("{tag}{local}@example.org")));
        vars.insert(user("givenName"), json!(given));
        vars.insert(user("familyName"), json!(family));
        vars.insert(user("altFamilyName"), json!(format!("{family}-Lindqvist")));
        vars.insert(user("formatted"), json!(format!("{given} {family}")));
        vars.insert(user("displayName"), json!(format!("{given} {family}")));
        vars.insert(
            user("externalId"),
            json!(format!("{tag}00u{:014x}", rng.random::<u64>() >> 8)),
        );
        vars.insert(user("locale"), json!("en-US"));
        // Okta sends a random placeholder password; it must never come back.
        let password: String = (0..16)
            .map(|_| RunId::ALPHABET[rng.random_range(0..RunId::ALPHABET.len())] as char)
            .collect();
        vars.insert(user("password"), json!(format!("Pw-{password}")));

        let group = GROUPS[i];
        vars.insert(
            format!("group{n}.displayName"),
            json!(format!("{tag}{group}")),
        );
        vars.insert(
            format!("group{n}.altDisplayName"),
            json!(format!("{tag}{group} (renamed)")),
        );
        vars.insert(
            format!("group{n}.externalId"),
            json!(format!("{tag}00g{:014x}", rng.random::<u64>() >> 8)),
        );
        vars.insert(format!("guid{n}"), json!(random_guid(&mut rng)));
    }
    super::LoadSettings::default().insert_into(&mut vars);
    vars
}

fn random_guid(rng: &mut impl Rng) -> String {
    let b: [u8; 16] = rng.random();
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-4{:x}{:02x}-{:x}{:x}{:02x}-{}",
        b[0],
        b[1],
        b[2],
        b[3],
        b[4],
        b[5],
        b[6] & 0x0f,
        b[7],
        8 | (b[8] & 0x3),
        b[8] >> 4,
        b[9],
        b[10..16]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

/// Generated values that change on every run, each with a stable placeholder
/// (`[user1.externalId]`), for snapshots.
pub fn volatile(vars: &Vars) -> Vec<(String, String)> {
    vars.values
        .iter()
        .filter(|(k, _)| {
            k.ends_with(".externalId")
                || k.ends_with(".password")
                || k.starts_with("guid")
                || vars.volatile.contains(k.as_str())
        })
        .filter_map(|(k, v)| v.as_str().map(|s| (s.to_string(), format!("[{k}]"))))
        .collect()
}

/// Whether `name` is a built-in variable (so load-time validation can tell typos apart).
pub fn is_builtin(name: &str) -> bool {
    // A throwaway run id is enough: only the names matter.
    thread_local! {
        static NAMES: Vars = builtins(&RunId("check".into()), "check");
    }
    name == crate::scenario::runscope::TARGET_BASE_URL || NAMES.with(|v| v.contains(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_name_carries_the_run_prefix() {
        let run = RunId::parse("abc123").unwrap();
        let vars = builtins(&run, "okta.users.create");
        for n in 1..=GENERATED {
            for field in ["userName", "email", "altEmail", "externalId"] {
                let v = vars.get(&format!("user{n}.{field}")).unwrap();
                assert!(v.as_str().unwrap().starts_with("scimcheck-abc123-"), "{v}");
            }
            for field in ["displayName", "altDisplayName", "externalId"] {
                let v = vars.get(&format!("group{n}.{field}")).unwrap();
                assert!(v.as_str().unwrap().starts_with("scimcheck-abc123-"), "{v}");
            }
        }
    }

    #[test]
    fn scenarios_get_distinct_names() {
        let run = RunId::random();
        let a = builtins(&run, "okta.users.create");
        let b = builtins(&run, "okta.users.update");
        assert_ne!(a.get("user1.userName"), b.get("user1.userName"));
    }

    #[test]
    fn run_id_parse_rejects_wildcards() {
        assert!(RunId::parse("ab*").is_err());
        assert!(RunId::parse("AB12").is_err());
        assert!(RunId::parse("").is_err());
        assert!(RunId::parse("ab12cd").is_ok());
    }

    #[test]
    fn guid_has_canonical_shape() {
        let g = random_guid(&mut rand::rng());
        assert_eq!(g.len(), 36);
        assert_eq!(g.matches('-').count(), 4);
        assert!(is_builtin("guid3"));
        assert!(is_builtin("user5.altFamilyName"));
        assert!(!is_builtin("user6.userName"));
    }
}
