//! A fan-out or a walk made concrete for this run: its items rendered, batched and bounded,
//! and each request's own variables. The run's load settings (`--parallel`, `--scale`,
//! `--okta-batch`) are variables the scenarios read.

use serde_json::{json, Value};

use super::template;
use super::vars::Vars;
use crate::scenario::{FanOut, Step};

/// The variables of one request of a fan-out: its item (or batch), its position from 0 and
/// from 1.
pub const FAN_OUT_VARS: [&str; 3] = ["item", "index", "number"];

/// The variable of a walk's request: the page's startIndex (from 1).
pub const START_INDEX: &str = "start_index";

/// How much load the concurrency and scale scenarios put on the target, as the user set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSettings {
    /// Requests in flight at once, and K of the concurrency scenarios (`--parallel`).
    pub parallel: usize,
    /// Users and group members of the scale scenarios (`--scale`).
    pub scale: usize,
    /// Members per PATCH when a group is pushed Okta's way (`--okta-batch`).
    pub okta_batch: usize,
    /// How long traffic at an IdP's rate lasts, in seconds (`--burst-seconds`).
    pub rate_seconds: u32,
}

impl Default for LoadSettings {
    fn default() -> Self {
        LoadSettings {
            parallel: 20,
            scale: 1000,
            okta_batch: 100,
            rate_seconds: 4,
        }
    }
}

impl LoadSettings {
    /// The bounds `--parallel` must stay within.
    pub const PARALLEL: std::ops::RangeInclusive<usize> = 1..=200;
    /// The bounds of `--scale`.
    pub const SCALE: std::ops::RangeInclusive<usize> = 1..=100_000;
    /// Okta's own bounds for membership changes per PATCH: "between 100 and 1000".
    pub const OKTA_BATCH: std::ops::RangeInclusive<usize> = 100..=1000;

    /// The settings as variables: `{{parallel}}`, `{{scale}}`, `{{okta_batch}}`,
    /// `{{idp_rate_writes}}` (13 a second for `rate_seconds`), and
    /// `{{patch_sizes}}`, the member counts a batch-limit probe tries, largest first: Okta's
    /// largest setting (1,000, or `scale` when smaller), then down to its smallest, 100; and
    /// `{{patch_max}}`, the first of them (the users such a probe needs).
    pub fn insert_into(&self, vars: &mut Vars) {
        vars.insert("parallel", json!(self.parallel));
        vars.insert("scale", json!(self.scale));
        vars.insert("okta_batch", json!(self.okta_batch));
        // Entra ID's ~25 requests per second as 13 writes a second, each read back.
        // Never fewer than the K users it writes, so that every one of them is written.
        vars.insert(
            "idp_rate_writes",
            json!((13 * self.rate_seconds as usize).max(self.parallel)),
        );
        let largest = self.scale.min(1000);
        let mut sizes: Vec<usize> = [largest, 500, 250, 100]
            .into_iter()
            .filter(|n| *n <= largest)
            .collect();
        sizes.dedup();
        vars.insert("patch_sizes", json!(sizes));
        vars.insert("patch_max", json!(largest));
    }
}

/// A fan-out ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct FanOutPlan {
    /// One per request: the item, or with `batch` the list of a batch's items.
    pub items: Vec<Value>,
    /// Requests in flight at once at most.
    pub in_flight: usize,
    /// Requests started per second at most.
    pub rate: Option<u32>,
    /// One at a time, stopping at the first 2xx.
    pub until_success: bool,
}

impl FanOutPlan {
    /// The variables request `index` of the fan-out renders with.
    pub fn member_vars(&self, vars: &Vars, index: usize) -> Vars {
        vars.with_locals([
            ("item", self.items[index].clone()),
            ("index", json!(index)),
            ("number", json!(index + 1)),
        ])
    }
}

/// Renders a fan-out's items, batches and bound, or says why it cannot run.
pub fn plan_fan_out(f: &FanOut, vars: &Vars) -> Result<FanOutPlan, String> {
    let number = |v: &Value, what: &str| -> Result<usize, String> {
        let rendered = template::render_value(v, vars).map_err(|e| e.to_string())?;
        as_count(&rendered)
            .ok_or_else(|| format!("fan_out {what} is {rendered}, not a whole number"))
    };
    let each = template::render_value(&f.each, vars).map_err(|e| e.to_string())?;
    let mut items = match each {
        Value::Array(items) => items,
        other => match as_count(&other) {
            Some(n) if n <= FanOut::MAX_ITEMS => (0..n).map(|i| json!(i)).collect(),
            Some(n) => {
                return Err(format!(
                    "fan_out each is {n}: more than {} requests",
                    FanOut::MAX_ITEMS
                ))
            }
            None => {
                return Err(format!(
                    "fan_out each is {other}: neither a list nor a count"
                ))
            }
        },
    };
    if let Some(batch) = &f.batch {
        let size = number(batch, "batch")?.max(1);
        items = items
            .chunks(size)
            .map(|c| Value::Array(c.to_vec()))
            .collect();
    }
    if items.len() > FanOut::MAX_ITEMS {
        return Err(format!(
            "fan_out has {} requests: more than {}",
            items.len(),
            FanOut::MAX_ITEMS
        ));
    }
    let in_flight = match &f.in_flight {
        Some(v) => number(v, "in_flight")?,
        None => vars.get("parallel").and_then(as_count).unwrap_or(1),
    }
    .clamp(1, FanOut::MAX_IN_FLIGHT);
    Ok(FanOutPlan {
        items,
        in_flight: if f.until_success { 1 } else { in_flight },
        rate: f.rate,
        until_success: f.until_success,
    })
}

/// The variables the first request of `step` renders with: a fan-out's first item, a walk's
/// first page, or `vars` for a step that sends one request.
pub fn first_request_vars(step: &Step, vars: &Vars) -> Result<Vars, String> {
    match (&step.fan_out, &step.pages) {
        (Some(f), _) => {
            let plan = plan_fan_out(f, vars)?;
            if plan.items.is_empty() {
                return Err("the fan-out has no items".into());
            }
            Ok(plan.member_vars(vars, 0))
        }
        (None, Some(_)) => Ok(vars.with_locals([(START_INDEX, json!(1))])),
        (None, None) => Ok(vars.clone()),
    }
}

/// A whole number from a JSON number or a numeric string.
fn as_count(v: &Value) -> Option<usize> {
    match v {
        Value::Number(n) => n.as_u64().map(|n| n as usize),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// About how many requests `scenario` sends under `settings` (cleanup's deletes aside): what
/// a run states before it sends anything. A fan-out over a captured list counts that list's
/// length as the step that captured it made it; a probe counts every size it may try; a
/// walk counts the pages of the largest list the scenario made.
pub fn estimate_requests(scenario: &crate::scenario::Scenario, settings: &LoadSettings) -> usize {
    step_requests(scenario, settings).iter().sum()
}

/// [`estimate_requests`] step by step, in the scenario's order.
pub fn step_requests(scenario: &crate::scenario::Scenario, settings: &LoadSettings) -> Vec<usize> {
    let mut vars = Vars::default();
    settings.insert_into(&mut vars);
    let mut lengths: std::collections::HashMap<String, usize> = Default::default();
    let mut out = Vec::with_capacity(scenario.steps.len());
    for step in &scenario.steps {
        let (sent, items) = match (&step.fan_out, &step.pages) {
            (Some(f), _) => {
                let items = length_of(&f.each, &vars, &lengths);
                let per = f
                    .batch
                    .as_ref()
                    .and_then(|b| template::render_value(b, &vars).ok())
                    .and_then(|b| as_count(&b))
                    .unwrap_or(1)
                    .max(1);
                let requests = items.div_ceil(per);
                (requests * (1 + usize::from(f.then.is_some())), items)
            }
            (None, Some(p)) => {
                let largest = lengths.values().copied().max().unwrap_or(0);
                (largest / p.count.max(1) as usize + 1, 1)
            }
            (None, None) => (1, 1),
        };
        out.push(sent);
        for name in step.capture.keys() {
            lengths.insert(name.clone(), items);
        }
    }
    out
}

/// How many items `each` names: a count, or a list variable's length through its filters.
fn length_of(
    each: &Value,
    vars: &Vars,
    lengths: &std::collections::HashMap<String, usize>,
) -> usize {
    if let Ok(v) = template::render_value(each, vars) {
        match v {
            Value::Array(items) => return items.len(),
            other => {
                if let Some(n) = as_count(&other) {
                    return n;
                }
            }
        }
    }
    let Some(text) = each.as_str() else {
        return 0;
    };
    let Some(p) = template::placeholders(text)
        .ok()
        .and_then(|p| p.into_iter().next())
    else {
        return 0;
    };
    let mut n = lengths.get(p.name).copied().unwrap_or(0);
    for filter in p.filter.unwrap_or_default().split('|').map(str::trim) {
        let mut words = filter.split_whitespace();
        let op = words.next().unwrap_or_default();
        let arg = words.next().and_then(|a| {
            a.parse::<usize>()
                .ok()
                .or_else(|| vars.get(a).and_then(as_count))
        });
        n = match (op, arg) {
            ("take", Some(k)) => n.min(k),
            ("skip", Some(k)) => n.saturating_sub(k),
            ("cycle", Some(k)) if n > 0 => k,
            ("evens", _) => n.div_ceil(2),
            ("odds", _) => n / 2,
            _ => n,
        };
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fan_out(yaml: &str) -> FanOut {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn vars() -> Vars {
        let mut v = Vars::default();
        LoadSettings::default().insert_into(&mut v);
        v.insert("users", json!(["a", "b", "c", "d", "e"]));
        v
    }

    #[test]
    fn a_count_gives_numbered_items_and_parallel_bounds_in_flight() {
        let p = plan_fan_out(&fan_out("each: '{{parallel}}'"), &vars()).unwrap();
        assert_eq!(p.items.len(), 20);
        assert_eq!(p.items[3], json!(3));
        assert_eq!(p.in_flight, 20);
        let member = p.member_vars(&vars(), 3);
        assert_eq!(member.get("number"), Some(&json!(4)));
        assert_eq!(member.get("users"), vars().get("users"));
    }

    #[test]
    fn a_list_is_batched_and_a_probe_sends_one_at_a_time() {
        let p = plan_fan_out(
            &fan_out("each: '{{users}}'\nbatch: 2\nin_flight: 50\nuntil_success: true"),
            &vars(),
        )
        .unwrap();
        assert_eq!(
            p.items,
            [json!(["a", "b"]), json!(["c", "d"]), json!(["e"])]
        );
        assert_eq!(p.in_flight, 1);
    }

    #[test]
    fn neither_list_nor_count_is_refused_with_its_value() {
        let err = plan_fan_out(&fan_out("each: '{{okta_batch}}x'"), &vars()).unwrap_err();
        assert!(err.contains("neither a list nor a count"), "{err}");
    }

    #[test]
    fn the_estimate_follows_captured_lists_batches_and_reads() {
        let text = "id: c.x\ntitle: t\nprofile: concurrency\nreference: r\nsteps:\n  - id: users\n    title: t\n    fan_out: { each: '{{scale}}' }\n    request: { method: POST, path: /Users }\n    capture: { users: /id }\n  - id: push\n    title: t\n    fan_out: { each: '{{users}}', batch: '{{okta_batch}}' }\n    request: { method: PATCH, path: /Groups/x }\n  - id: reads\n    title: t\n    fan_out: { each: '{{users | odds}}', then: { method: GET, path: /Users/x } }\n    request: { method: PATCH, path: /Users/x }\n  - id: walk\n    title: t\n    pages: { count: 100 }\n    request: { method: GET, path: /Users, query: { startIndex: '{{start_index}}' } }\n";
        let loaded = crate::scenario::Loaded::parse("x.yaml", text).unwrap();
        let settings = LoadSettings {
            scale: 1000,
            ..Default::default()
        };
        // 1000 creates, 10 batches, 500 writes each read back, 11 pages.
        assert_eq!(
            estimate_requests(&loaded.scenario, &settings),
            1000 + 10 + 1000 + 11
        );
    }

    #[test]
    fn probe_sizes_never_exceed_the_scale() {
        let mut v = Vars::default();
        LoadSettings {
            scale: 300,
            ..Default::default()
        }
        .insert_into(&mut v);
        assert_eq!(v.get("patch_sizes"), Some(&json!([300, 250, 100])));
        assert_eq!(v.get("patch_max"), Some(&json!(300)));
        LoadSettings::default().insert_into(&mut v);
        assert_eq!(v.get("patch_sizes"), Some(&json!([1000, 500, 250, 100])));
    }
}
