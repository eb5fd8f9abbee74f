//! Text from the server is shown, never obeyed: control characters (a terminal escape that
//! rewrites the verdict line, a bidi override that reorders it) become visible escapes.

use std::borrow::Cow;

use crate::result::{RunResult, ScenarioResult, StepResult};

fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// `s` with every control or bidi-override character written as `\u{…}`.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if hidden(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

fn clean(s: &mut String) {
    if let Cow::Owned(o) = printable(s) {
        *s = o;
    }
}

/// JSON escapes only what JSON must; the rest is cleaned in place.
fn clean_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => clean(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(clean_json),
        serde_json::Value::Object(map) => map.values_mut().for_each(clean_json),
        _ => {}
    }
}

/// A run's or step's duration as people read it: `12 ms`, `1.2 s`.
pub fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// `sc` made printable in place, as [`display_copy`] makes every scenario: a streamed report
/// cleans each scenario once, as it ends, instead of the whole run again.
pub(crate) fn clean_scenario(sc: &mut ScenarioResult) {
    clean(&mut sc.title);
    if let Some(s) = sc.skipped.as_mut() {
        clean(s);
    }
    if let Some(diff) = sc.snapshot.as_mut().and_then(|s| s.diff.as_mut()) {
        clean(diff);
    }
    for st in &mut sc.steps {
        clean(&mut st.title);
        if let Some(s) = st.skipped.as_mut() {
            clean(s);
        }
        for c in &mut st.checks {
            clean(&mut c.message);
            if let Some(h) = c.hint.as_mut() {
                clean(h);
            }
        }
        if let Some(x) = st.exchange.as_mut() {
            if let Some(body) = x.request.body.as_mut() {
                clean_json(body);
            }
            if let Some(raw) = x.request.raw_body.as_mut() {
                clean(raw);
            }
            if let Some(r) = x.response.as_mut() {
                clean(&mut r.body);
                if let Some(j) = r.json.as_mut() {
                    clean_json(j);
                }
                for v in r.headers.values_mut() {
                    clean(v);
                }
            }
            if let Some(e) = x.error.as_mut() {
                clean(&mut e.message);
            }
        }
    }
}

/// Whether `sc` is already as [`clean_scenario`] would make it: no string it cleans holds a
/// control or bidi-override character. A streamed block then renders the scenario as it is,
/// without a copy; the fields are those `clean_scenario` cleans.
pub(crate) fn is_printable(sc: &ScenarioResult) -> bool {
    let fine = |s: &str| !s.chars().any(hidden);
    let fine_opt = |s: &Option<String>| s.as_deref().is_none_or(fine);
    fine(&sc.title)
        && fine_opt(&sc.skipped)
        && sc
            .snapshot
            .as_ref()
            .is_none_or(|snapshot| fine_opt(&snapshot.diff))
        && sc.steps.iter().all(|st| {
            fine(&st.title)
                && fine_opt(&st.skipped)
                && st
                    .checks
                    .iter()
                    .all(|c| fine(&c.message) && fine_opt(&c.hint))
                && st.exchange.as_ref().is_none_or(|x| {
                    x.request.body.as_ref().is_none_or(json_printable)
                        && fine_opt(&x.request.raw_body)
                        && x.response.as_ref().is_none_or(|r| {
                            fine(&r.body)
                                && r.json.as_ref().is_none_or(json_printable)
                                && r.headers.values().all(|v| fine(v))
                        })
                        && x.error.as_ref().is_none_or(|e| fine(&e.message))
                })
        })
}

fn json_printable(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => !s.chars().any(hidden),
        serde_json::Value::Array(items) => items.iter().all(json_printable),
        serde_json::Value::Object(map) => map.values().all(json_printable),
        _ => true,
    }
}

/// A copy of `run` fit for a terminal, Markdown, HTML or XML: every string that can hold
/// server text made printable. (The JSON report escapes such characters itself.)
pub fn display_copy(run: &RunResult) -> RunResult {
    display_outline(run, |_| true)
}

/// [`display_copy`] for a reader of the checks only (counts, findings, places): the steps of
/// the scenarios `whole` does not name keep their checks but not their exchanges, captures
/// or burst counts, which are never copied. The end of a streamed report reads the checks of
/// every scenario, but renders whole only those it held back.
pub(crate) fn display_outline(
    run: &RunResult,
    whole: impl Fn(&ScenarioResult) -> bool,
) -> RunResult {
    let mut run = RunResult {
        report_version: run.report_version,
        tool_version: run.tool_version.clone(),
        run_id: run.run_id.clone(),
        target: run.target.clone(),
        profiles: run.profiles.clone(),
        started_at: run.started_at.clone(),
        duration_ms: run.duration_ms,
        summary: run.summary,
        preflight_throttled: run.preflight_throttled.clone(),
        scenarios: run
            .scenarios
            .iter()
            .map(|sc| if whole(sc) { sc.clone() } else { outline(sc) })
            .collect(),
        cleanup: run.cleanup.clone(),
        interrupted: run.interrupted.clone(),
        labels: run.labels.clone(),
        load: None,
    };
    for label in [
        &mut run.labels.title,
        &mut run.labels.product,
        &mut run.labels.vendor,
    ] {
        if let Some(s) = label.as_mut() {
            clean(s);
        }
    }
    run.scenarios.iter_mut().for_each(clean_scenario);
    for f in &mut run.cleanup.failed {
        clean(&mut f.reason);
        clean(&mut f.entry.name);
    }
    if let Some(u) = run.cleanup.unverified.as_mut() {
        clean(u);
    }
    run
}

/// `sc` without what its steps sent and received: every field is named, so a new one is
/// a decision here, not a silent copy.
pub(crate) fn outline(sc: &ScenarioResult) -> ScenarioResult {
    ScenarioResult {
        id: sc.id.clone(),
        title: sc.title.clone(),
        profile: sc.profile,
        reference: sc.reference.clone(),
        file: sc.file.clone(),
        skipped: sc.skipped.clone(),
        not_applicable: sc.not_applicable.clone(),
        steps: sc
            .steps
            .iter()
            .map(|st| StepResult {
                id: st.id.clone(),
                title: st.title.clone(),
                skipped: st.skipped.clone(),
                exchange: None,
                checks: st.checks.clone(),
                captures: Default::default(),
                snapshot: st.snapshot,
                needs: st.needs.clone(),
                set: None,
                provisioned: vec![],
                set_exchanges: vec![],
            })
            .collect(),
        duration_ms: sc.duration_ms,
        volatile: sc.volatile.clone(),
        snapshot: sc.snapshot.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_become_visible() {
        assert_eq!(printable("ok\tfine\n"), "ok\tfine\n");
        assert_eq!(printable("a\u{1b}[2Kb"), "a\\u{1b}[2Kb");
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(printable("\r"), "\\u{d}");
    }

    #[test]
    fn a_scenario_is_printable_exactly_until_a_cleaned_string_holds_a_control_character() {
        let run = crate::report::fixture::run();
        let sc = run
            .scenarios
            .iter()
            .find(|sc| sc.steps.iter().any(|st| st.exchange.is_some()))
            .unwrap()
            .clone();
        assert!(is_printable(&sc));
        let hostile = "\u{1b}[2K\u{202e}";
        let at = |sc: &ScenarioResult| {
            sc.steps
                .iter()
                .position(|st| st.exchange.is_some())
                .unwrap()
        };
        // One string at a time, in every place `clean_scenario` cleans.
        type Spoil = Box<dyn Fn(&mut ScenarioResult)>;
        let places: Vec<(&str, Spoil)> = vec![
            ("title", Box::new(|sc| sc.title.push_str(hostile))),
            ("skipped", Box::new(|sc| sc.skipped = Some(hostile.into()))),
            (
                "diff",
                Box::new(|sc| {
                    if let Some(s) = sc.snapshot.as_mut() {
                        s.diff = Some(hostile.into());
                    } else {
                        sc.title.push_str(hostile);
                    }
                }),
            ),
            (
                "step title",
                Box::new(|sc| sc.steps[0].title.push_str(hostile)),
            ),
            (
                "step skipped",
                Box::new(|sc| sc.steps[0].skipped = Some(hostile.into())),
            ),
            (
                "message",
                Box::new(|sc| sc.steps[0].checks[0].message.push_str(hostile)),
            ),
            (
                "hint",
                Box::new(|sc| sc.steps[0].checks[0].hint = Some(hostile.into())),
            ),
            (
                "request body",
                Box::new(move |sc| {
                    let i = at(sc);
                    let x = sc.steps[i].exchange.as_mut().unwrap();
                    x.request.body = Some(serde_json::json!({"a": [{"b": hostile}]}));
                }),
            ),
            (
                "raw body",
                Box::new(move |sc| {
                    let i = at(sc);
                    sc.steps[i].exchange.as_mut().unwrap().request.raw_body = Some(hostile.into());
                }),
            ),
            (
                "response body",
                Box::new(move |sc| {
                    let i = at(sc);
                    let x = sc.steps[i].exchange.as_mut().unwrap();
                    x.response.as_mut().unwrap().body.push_str(hostile);
                }),
            ),
            (
                "response json",
                Box::new(move |sc| {
                    let i = at(sc);
                    let x = sc.steps[i].exchange.as_mut().unwrap();
                    x.response.as_mut().unwrap().json = Some(serde_json::json!({"d": hostile}));
                }),
            ),
            (
                "response header",
                Box::new(move |sc| {
                    let i = at(sc);
                    let x = sc.steps[i].exchange.as_mut().unwrap();
                    let r = x.response.as_mut().unwrap();
                    r.headers.insert("x-evil".into(), hostile.into());
                }),
            ),
            (
                "transport error",
                Box::new(move |sc| {
                    let i = at(sc);
                    sc.steps[i].exchange.as_mut().unwrap().error =
                        Some(crate::exec::TransportError {
                            kind: crate::exec::TransportErrorKind::Broken,
                            message: hostile.into(),
                        });
                }),
            ),
        ];
        for (place, spoil) in places {
            let mut spoiled = sc.clone();
            spoil(&mut spoiled);
            assert!(!is_printable(&spoiled), "{place}");
            clean_scenario(&mut spoiled);
            assert!(is_printable(&spoiled), "{place}: cleaned");
        }
    }

    #[test]
    fn no_report_carries_the_server_s_control_characters() {
        use crate::report::{html, human, junit, markdown, Reporter};
        let mut run = crate::report::fixture::run();
        let hostile = "\u{1b}]0;owned\u{7}\r\u{1b}[2KPASSED";
        run.scenarios[1].steps[0].checks[1].message = format!("detail: {hostile}");
        if let Some(r) = run.scenarios[1].steps[0]
            .exchange
            .as_mut()
            .and_then(|x| x.response.as_mut())
        {
            r.body = hostile.into();
            r.json = None;
        }
        let reporters: [&dyn Reporter; 4] = [
            &human::HumanReporter::default(),
            &markdown::MarkdownReporter,
            &html::HtmlReporter,
            &junit::JunitReporter,
        ];
        for r in reporters {
            let mut out = Vec::new();
            r.render(&run, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text}");
            assert!(text.contains("\\u{1b}"), "shown, escaped");
        }
    }
}
