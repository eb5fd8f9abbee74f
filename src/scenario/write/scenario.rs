//! Writing a scenario back as a file: what `record` and `import har` produce. The file is an
//! ordinary one, keys in the order the built-in files use and defaults left out, and it loads
//! back equal to the scenario it was written from. What a file cannot say (a Runscope pause,
//! comparison or root URL, variables defined by an export) is an error, never dropped.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::super::assert::{Assert, Op, Subject};
use super::super::model::{
    Burst, Expect, FanOut, NamedCall, Pages, Repeat, Request, Scenario, SnapshotMode, Step,
};
use super::super::named_set::LoadCall;
use super::super::version::FormatVersion;
use super::yaml::{self, Key, Node};

/// A part of a scenario that a scenario file cannot express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {reason}; scenario files cannot express it")]
pub struct WriteError {
    /// Where: the scenario, or a step and what in it.
    pub part: String,
    /// What it is.
    pub reason: String,
}

/// The scenario as a scenario file (YAML) that loads back equal to it.
pub fn to_yaml(scenario: &Scenario) -> Result<String, WriteError> {
    let (top, steps) = scenario_entries(scenario)?;
    let mut out = String::new();
    yaml::map(&mut out, &top.0, 0, false);
    out.push_str(if steps.is_empty() {
        "steps: []\n"
    } else {
        "steps:\n"
    });
    for (i, step) in steps.iter().enumerate() {
        // A blank line between steps, as the built-in files have.
        if i > 0 {
            out.push('\n');
        }
        yaml::seq(&mut out, std::slice::from_ref(step), 2);
    }
    Ok(out)
}

/// Map entries, leaving out what is absent.
#[derive(Default)]
struct Entries(Vec<(Key, Node)>);

impl Entries {
    fn put(&mut self, key: &str, node: Node) -> &mut Self {
        self.0.push((Key::Text(key.to_string()), node));
        self
    }
    fn text(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.put(key, Node::text(v));
        }
        self
    }
    fn json(&mut self, key: &str, value: Option<Value>) -> &mut Self {
        if let Some(v) = value {
            self.put(key, Node::json(&v));
        }
        self
    }
    fn flag(&mut self, key: &str, on: bool) -> &mut Self {
        if on {
            self.put(key, Node::json(&Value::Bool(true)));
        }
        self
    }
    fn list<T>(&mut self, key: &str, items: &[T], f: impl Fn(&T) -> Node) -> &mut Self {
        if !items.is_empty() {
            self.put(key, Node::Seq(items.iter().map(f).collect()));
        }
        self
    }
    fn map<'a, V: 'a>(
        &mut self,
        key: &str,
        items: impl IntoIterator<Item = (&'a String, V)>,
        f: impl Fn(V) -> Node,
    ) -> &mut Self {
        let entries: Vec<(Key, Node)> = items
            .into_iter()
            .map(|(k, v)| (Key::Text(k.clone()), f(v)))
            .collect();
        if !entries.is_empty() {
            self.put(key, Node::Map(entries));
        }
        self
    }
    fn statuses(
        &mut self,
        key: &str,
        items: &std::collections::BTreeMap<u16, String>,
    ) -> &mut Self {
        if !items.is_empty() {
            let entries = items
                .iter()
                .map(|(k, v)| (Key::Number(u64::from(*k)), Node::text(v)))
                .collect();
            self.put(key, Node::Map(entries));
        }
        self
    }
    fn done(&mut self) -> Node {
        Node::Map(std::mem::take(&mut self.0))
    }
}

fn json_of<T: Serialize>(value: &T) -> Value {
    // The model's enums and ids serialise to strings; nothing here can fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn optional_headers(v: &Option<String>) -> Node {
    v.as_deref().map_or(Node::json(&Value::Null), Node::text)
}

/// The scenario's keys before `steps`, and its steps.
fn scenario_entries(s: &Scenario) -> Result<(Entries, Vec<Node>), WriteError> {
    if !s.variables.is_empty() {
        return Err(WriteError {
            part: format!("scenario `{}`", s.id),
            reason: "variables defined by where it came from (a Runscope export, --variable)"
                .into(),
        });
    }
    let steps = s
        .steps
        .iter()
        .map(step_node)
        .collect::<Result<Vec<_>, _>>()?;
    let mut top = Entries::default();
    top.put(
        "version",
        Node::json(&Value::from(FormatVersion::V1.number())),
    )
    .put("id", Node::text(&s.id))
    .put("title", Node::text(&s.title))
    .put("profile", Node::text(s.profile.as_str()))
    .json(
        "dialect",
        s.dialect
            .map(|d| Value::from(d.as_str().parse::<u64>().unwrap_or_default())),
    )
    .put("reference", Node::text(&s.reference))
    .list("requires", &s.requires, |c| Node::json(&json_of(c)))
    .list("extensions", &s.extensions, |e| Node::text(e))
    .text("description", s.description.as_deref())
    .map("headers", &s.headers, optional_headers);
    Ok((top, steps))
}

fn step_node(step: &Step) -> Result<Node, WriteError> {
    let at = |what: &str| format!("step `{}`: {what}", step.id);
    if step.pause.is_some() {
        return Err(WriteError {
            part: at("the step"),
            reason: "a pause (a Runscope wait, whose request is never sent)".into(),
        });
    }
    if let Some(why) = &step.not_run {
        return Err(WriteError {
            part: at("the step"),
            reason: format!("a step that is not run ({why})"),
        });
    }
    if step.okta_api {
        return Err(WriteError {
            part: at("the step"),
            reason: "a call to the embedded Okta org's API, not to the SCIM server".into(),
        });
    }
    let fan_out = step
        .fan_out
        .as_ref()
        .map(|f| fan_out_node(f, &at))
        .transpose()?;
    let burst = step
        .burst
        .as_ref()
        .map(|b| burst_node(b, &at))
        .transpose()?;
    let mut e = Entries::default();
    e.put("id", Node::text(&step.id))
        .put("title", Node::text(&step.title))
        .text("reference", step.reference.as_deref())
        .list("needs", &step.needs, |n| Node::text(n))
        .text("when_failed", step.when_failed.as_deref());
    if step.snapshot != SnapshotMode::default() {
        e.put("snapshot", Node::json(&json_of(&step.snapshot)));
    }
    if let Some(f) = fan_out {
        e.put("fan_out", f);
    }
    if let Some(Pages { count }) = &step.pages {
        e.put(
            "pages",
            Entries::default()
                .put("count", Node::json(&(*count).into()))
                .done(),
        );
    }
    if let Some(b) = burst {
        e.put("burst", b);
    }
    e.put("request", request_node(&step.request, &at("the request"))?);
    let expect = expect_node(&step.expect, &at)?;
    if !matches!(&expect, Node::Map(entries) if entries.is_empty()) {
        e.put("expect", expect);
    }
    Ok(e.map("capture", &step.capture, |v| Node::text(v)).done())
}

fn fan_out_node(f: &FanOut, at: &dyn Fn(&str) -> String) -> Result<Node, WriteError> {
    let not_null = |key: &str, v: &Option<Value>| match v {
        Some(Value::Null) => Err(WriteError {
            part: at(&format!("fan_out.{key}")),
            reason: "`null`, which a file reads as no value".into(),
        }),
        other => Ok(other.clone()),
    };
    let mix = requests(&f.mix, &at("fan_out.mix"))?;
    let then = f
        .then
        .as_ref()
        .map(|r| request_node(r, &at("fan_out.then")))
        .transpose()?;
    let mut e = Entries::default();
    e.put("each", Node::json(&f.each.clone()))
        .json("batch", not_null("batch", &f.batch)?)
        .json("in_flight", not_null("in_flight", &f.in_flight)?)
        .json("rate", f.rate.map(Value::from));
    if !mix.is_empty() {
        e.put("mix", Node::Seq(mix));
    }
    if let Some(then) = then {
        e.put("then", then);
    }
    Ok(e.flag("until_success", f.until_success).done())
}

fn burst_node(b: &Burst, at: &dyn Fn(&str) -> String) -> Result<Node, WriteError> {
    let mix = requests(&b.mix, &at("burst.mix"))?;
    let mut e = Entries::default();
    e.put("rate", Node::json(&b.rate.into()))
        .put("seconds", Node::json(&b.seconds.into()));
    if !mix.is_empty() {
        e.put("mix", Node::Seq(mix));
    }
    Ok(e.done())
}

fn requests(list: &[Request], at: &str) -> Result<Vec<Node>, WriteError> {
    list.iter().map(|r| request_node(r, at)).collect()
}

fn request_node(r: &Request, at: &str) -> Result<Node, WriteError> {
    let refuse = |reason: &str| WriteError {
        part: at.to_string(),
        reason: reason.into(),
    };
    if r.root.is_some() {
        return Err(refuse("an absolute root URL (a Runscope step's)"));
    }
    if r.body == Some(Value::Null) {
        return Err(refuse("a `null` body, which a file reads as no body"));
    }
    let mut e = Entries::default();
    e.put("method", Node::text(r.method.as_str()))
        .put("path", Node::text(&r.path))
        .map("query", &r.query, |v| Node::json(&v.clone()))
        .map("headers", &r.headers, optional_headers)
        .json("body", r.body.clone())
        .text("raw_body", r.raw_body.as_deref())
        .map("set", &r.set, |v| Node::json(&v.clone()))
        .list("remove", &r.remove, |p| Node::text(p));
    if let Some(Repeat {
        into,
        times,
        plus,
        item,
    }) = &r.repeat
    {
        let mut rep = Entries::default();
        rep.put("into", Node::text(into))
            .put("times", Node::text(times));
        if *plus != 0 {
            rep.put("plus", Node::json(&(*plus).into()));
        }
        e.put("repeat", rep.put("item", Node::json(&item.clone())).done());
    }
    Ok(e.done())
}

fn expect_node(x: &Expect, at: &dyn Fn(&str) -> String) -> Result<Node, WriteError> {
    let status = |s: &u16| Node::json(&(*s).into());
    let asserts = x
        .asserts
        .iter()
        .map(|a| assert_node(a, &at(&format!("assert `{}`", a.id))))
        .collect::<Result<Vec<_>, _>>()?;
    let checks = x
        .checks
        .iter()
        .map(|c| call_node(c, &at(&format!("check `{}`", c.id()))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut e = Entries::default();
    e.list("status", &x.status, status)
        .list("status_warning", &x.status_warning, status)
        .text("status_hint", x.status_hint.as_deref())
        .statuses("status_note", &x.status_note)
        .statuses("skip_if_status", &x.skip_if_status)
        .statuses("unsupported_if_status", &x.unsupported_if_status)
        .text("schema", x.schema.as_deref())
        .text("resources_schema", x.resources_schema.as_deref());
    if !checks.is_empty() {
        e.put("checks", Node::Seq(checks));
    }
    if !asserts.is_empty() {
        e.put("asserts", Node::Seq(asserts));
    }
    Ok(e.done())
}

fn assert_node(a: &Assert, at: &str) -> Result<Node, WriteError> {
    let refuse = |reason: &str| WriteError {
        part: at.to_string(),
        reason: reason.into(),
    };
    let operand = |key: &str, v: &Value| {
        if v.is_null() {
            Err(refuse(&format!(
                "`{key}: null`, which a file reads as no operand (`exists` or `absent` says it)"
            )))
        } else {
            Ok((key.to_string(), Node::json(&v.clone())))
        }
    };
    let (op_key, op_value) = match &a.op {
        Op::Equals(v) => operand("equals", v)?,
        Op::NotEquals(v) => operand("not_equals", v)?,
        Op::Contains(v) => operand("contains", v)?,
        Op::NotContains(v) => operand("not_contains", v)?,
        Op::Present(true) => ("exists".into(), Node::json(&Value::Bool(true))),
        Op::Present(false) => ("absent".into(), Node::json(&Value::Bool(true))),
        Op::Type(t) => ("type".into(), Node::text(t.as_str())),
        Op::OneOf(vs) => ("one_of".into(), Node::json(&Value::Array(vs.clone()))),
        Op::Length(n) => ("length".into(), Node::json(&(*n).into())),
        Op::Compare(c, _) => return Err(refuse(&format!("a Runscope comparison (`{c}`)"))),
        Op::Script(_) => return Err(refuse("a Runscope script")),
    };
    let (subject_key, subject) = match &a.subject {
        Subject::Pointer(p) => ("pointer", p.as_str()),
        Subject::Header(h) => ("header", h.as_str()),
        Subject::Status => return Err(refuse("an assert on the status (`expect.status` says it)")),
        Subject::ResponseTime => return Err(refuse("an assert on the response time")),
    };
    let mut e = Entries::default();
    e.put("id", Node::text(&a.id))
        .list("needs", &a.needs, |n| Node::text(n))
        .put(subject_key, Node::text(subject))
        .put(&op_key, op_value)
        .flag("ignore_case", a.ignore_case)
        .flag("may_ignore", a.may_ignore)
        .json("severity", a.severity.map(|s| json_of(&s)))
        .text("reference", a.reference.as_deref())
        .text("hint", a.hint.as_deref());
    Ok(e.done())
}

/// A named check: its id alone, or `{ id, args }` with the arguments that differ from what
/// the id alone gives.
fn call_node(call: &NamedCall, at: &str) -> Result<Node, WriteError> {
    let args = match call {
        NamedCall::ListResponse
        | NamedCall::Echo
        | NamedCall::ServiceProviderConfig
        | NamedCall::SchemaDefinitions => Map::new(),
        NamedCall::ErrorResponse(a) => minimal(a, at)?,
        NamedCall::CreatedResource(a) => minimal(a, at)?,
        NamedCall::PagingConsistent(a) => minimal(a, at)?,
        NamedCall::SchemaDiscoverable(a) => minimal(a, at)?,
        NamedCall::ResourceTypes(a) => minimal(a, at)?,
        NamedCall::ResultSet(a) => minimal(a, at)?,
        NamedCall::Sorted(a) => minimal(a, at)?,
        NamedCall::MetaTimes(a) => minimal(a, at)?,
        NamedCall::BulkResponse(a) => minimal(a, at)?,
        NamedCall::Load(load) => match load {
            LoadCall::RaceOneWins | LoadCall::BatchLimit => Map::new(),
            LoadCall::MembersExactly(a) | LoadCall::UserGroups(a) => minimal(a, at)?,
            LoadCall::RaceOneCreated(a) => minimal(a, at)?,
            LoadCall::BatchTime(a) => minimal(a, at)?,
            LoadCall::PagingWalk(a) => minimal(a, at)?,
        },
    };
    if args.is_empty() {
        return Ok(Node::text(call.id()));
    }
    Ok(Entries::default()
        .put("id", Node::text(call.id()))
        .put("args", Node::json(&Value::Object(args)))
        .done())
}

/// The arguments as a map without the members whose absence reads the same, checked by
/// reading them back as the loader does.
fn minimal<T: Serialize + DeserializeOwned + PartialEq>(
    args: &T,
    at: &str,
) -> Result<Map<String, Value>, WriteError> {
    let reads = |map: &Map<String, Value>| {
        serde_json::from_value::<T>(Value::Object(map.clone()))
            .ok()
            .as_ref()
            == Some(args)
    };
    let Value::Object(mut map) = json_of(args) else {
        return Err(WriteError {
            part: at.to_string(),
            reason: "arguments that are not a map".into(),
        });
    };
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        let without: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| **k != key)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if reads(&without) {
            map = without;
        }
    }
    if !reads(&map) {
        return Err(WriteError {
            part: at.to_string(),
            reason: "an argument whose value a file cannot hold (a `null` read as no value)".into(),
        });
    }
    Ok(map)
}
