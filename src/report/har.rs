//! The HAR report (`--report har=FILE`): the run's exchanges as HAR 1.2, which browser
//! devtools and HAR viewers open, and Grafana's `har-to-k6` turns into a k6 script for load
//! from many machines. Each scenario is a page, each step's exchange an entry, in the order
//! the run lists them. Credentials are already redacted when an exchange is recorded.

use std::io::{self, Write};

use super::Reporter;
use crate::exec::Exchange;
use crate::result::{RunResult, ScenarioResult, StepResult};
use crate::scenario::har::{
    Cache, Content, Creator, Entry, Har, Log, NameValue, Page, PageTimings, PostData, Request,
    Response, Timings,
};

pub struct HarReporter;

impl Reporter for HarReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &har_of(run))?;
        writeln!(out)
    }
}

/// The run as a HAR log.
pub fn har_of(run: &RunResult) -> Har {
    let mut pages = Vec::new();
    let mut entries = Vec::new();
    for scenario in &run.scenarios {
        let first = entries.len();
        for step in &scenario.steps {
            match step.set_exchanges.as_slice() {
                [] => {
                    if let Some(exchange) = &step.exchange {
                        entries.push(entry(run, scenario, step, exchange));
                    }
                }
                all => {
                    for (k, exchange) in all.iter().enumerate() {
                        let mut e = entry(run, scenario, step, exchange);
                        e.comment = Some(format!(
                            "{} / {}: {} (request {} of the set)",
                            scenario.id,
                            step.id,
                            step.title,
                            k + 1
                        ));
                        entries.push(e);
                    }
                }
            }
            // The SCIM requests the embedded Okta org sent for this call, in order.
            for (k, exchange) in step.provisioned.iter().enumerate() {
                let mut e = entry(run, scenario, step, exchange);
                e.comment = Some(format!(
                    "{} / {}: SCIM request {} the embedded Okta org sent for this call",
                    scenario.id,
                    step.id,
                    k + 1
                ));
                entries.push(e);
            }
        }
        if let Some(started) = entries.get(first).map(|e| e.started_date_time.clone()) {
            pages.push(Page {
                started_date_time: started,
                id: scenario.id.to_string(),
                // har-to-k6 names its groups `id - title`: the title alone says the rest.
                title: scenario.title.clone(),
                page_timings: PageTimings::default(),
            });
        }
    }
    Har {
        log: Log {
            version: "1.2".into(),
            creator: Creator {
                name: "scimcheck".into(),
                version: run.tool_version.clone(),
            },
            pages,
            entries,
            comment: Some(format!(
                "scimcheck run {} against {}: one page per scenario, one entry per request; of a burst, its first request",
                run.run_id, run.target.base_url
            )),
        },
    }
}

fn entry(run: &RunResult, scenario: &ScenarioResult, step: &StepResult, x: &Exchange) -> Entry {
    let time = x.duration_ms as f64;
    let mut comment = format!("{} / {}: {}", scenario.id, step.id, step.title);
    if let Some(set) = step.set.as_ref().filter(|_| step.set_exchanges.is_empty()) {
        comment.push_str(&format!(
            " (the first of {} requests sent as a set)",
            set.sent
        ));
    }
    Entry {
        pageref: Some(scenario.id.to_string()),
        // An exchange recorded before start times were kept falls back on the run's start.
        started_date_time: x.started.clone().unwrap_or_else(|| run.started_at.clone()),
        time,
        request: request(x),
        response: response(x),
        cache: Cache::default(),
        timings: Timings {
            send: 0.0,
            wait: time,
            receive: 0.0,
            ..Timings::default()
        },
        comment: Some(comment),
    }
}

fn pairs<'a>(headers: impl Iterator<Item = (&'a String, &'a String)>) -> Vec<NameValue> {
    headers
        .map(|(name, value)| NameValue {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn request(x: &Exchange) -> Request {
    let r = &x.request;
    let query_string = url::Url::parse(&r.url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| NameValue {
                    name: name.into_owned(),
                    value: value.into_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let body = r.body_text();
    let post_data = body.as_ref().map(|text| PostData {
        mime_type: r
            .headers
            .get("content-type")
            .cloned()
            .unwrap_or_else(|| crate::scim::urn::MEDIA_TYPE.into()),
        text: text.clone(),
    });
    Request {
        method: r.method.as_str().into(),
        url: r.url.clone(),
        http_version: "HTTP/1.1".into(),
        cookies: vec![],
        headers: pairs(r.headers.iter()),
        query_string,
        post_data,
        headers_size: -1,
        body_size: body.map_or(0, |b| b.len() as i64),
    }
}

fn response(x: &Exchange) -> Response {
    let Some(r) = &x.response else {
        // No answer: status 0 and `_error`, as browsers write a request that failed.
        return Response {
            status: 0,
            status_text: String::new(),
            http_version: String::new(),
            cookies: vec![],
            headers: vec![],
            content: Content {
                size: 0,
                mime_type: "x-unknown".into(),
                text: None,
                encoding: None,
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
            error: Some(x.error.as_ref().map_or_else(
                || "no response".to_string(),
                |e| format!("{}: {}", kind(e.kind), e.message),
            )),
        };
    };
    let redirect_url = if (300..400).contains(&r.status) {
        r.header("location").unwrap_or_default().to_string()
    } else {
        String::new()
    };
    Response {
        status: r.status,
        status_text: reqwest::StatusCode::from_u16(r.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or_default()
            .into(),
        http_version: "HTTP/1.1".into(),
        cookies: vec![],
        headers: pairs(r.headers.iter()),
        content: Content {
            size: r.body.len() as i64,
            mime_type: r.header("content-type").unwrap_or_default().into(),
            text: (!r.body.is_empty()).then(|| r.body.clone()),
            encoding: None,
        },
        redirect_url,
        headers_size: -1,
        body_size: r.body.len() as i64,
        error: None,
    }
}

fn kind(k: crate::exec::TransportErrorKind) -> &'static str {
    use crate::exec::TransportErrorKind as K;
    match k {
        K::Timeout => "timeout",
        K::Connect => "connect",
        K::Broken => "broken",
        K::BodyTooLarge => "body-too-large",
        K::Refused => "refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed run, its exchanges given start times.
    fn run() -> RunResult {
        let mut run = super::super::fixture::run();
        let mut second = 0;
        for sc in &mut run.scenarios {
            for st in &mut sc.steps {
                if let Some(x) = &mut st.exchange {
                    second += 1;
                    x.started = Some(format!("2026-01-02T03:04:{second:02}.500Z"));
                }
            }
        }
        run
    }

    #[test]
    fn har_of_a_fixed_run() {
        let mut out = Vec::new();
        HarReporter.render(&run(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["log"]["version"], "1.2");
        let text = String::from_utf8(out).unwrap();
        let back = crate::scenario::har::parse("report.har", &text).unwrap();
        assert_eq!(back, har_of(&run()), "the report reads back as HAR");
        insta::assert_json_snapshot!(value);
    }

    #[test]
    fn every_exchange_is_an_entry_with_its_start_and_no_credential() {
        let har = har_of(&run());
        let steps_with_exchanges = run()
            .scenarios
            .iter()
            .flat_map(|s| s.steps.iter())
            .filter(|s| s.exchange.is_some())
            .count();
        assert_eq!(har.log.entries.len(), steps_with_exchanges);
        for e in &har.log.entries {
            assert!(
                time::OffsetDateTime::parse(
                    &e.started_date_time,
                    &time::format_description::well_known::Rfc3339
                )
                .is_ok(),
                "{}",
                e.started_date_time
            );
            for h in &e.request.headers {
                if h.name.eq_ignore_ascii_case("authorization") {
                    assert_eq!(h.value, "Bearer [redacted]");
                }
            }
            assert!(e.pageref.is_some());
        }
    }

    #[test]
    fn the_scim_requests_the_embedded_okta_org_sent_follow_its_call() {
        let mut run = run();
        let step = run
            .scenarios
            .iter_mut()
            .flat_map(|s| s.steps.iter_mut())
            .find(|s| s.exchange.is_some())
            .unwrap();
        let mut scim = step.exchange.clone().unwrap();
        scim.request.url = "http://127.0.0.1:1/scim/v2/Users?filter=x".into();
        step.provisioned = vec![scim.clone(), scim];
        let har = har_of(&run);
        let at = har
            .log
            .entries
            .iter()
            .position(|e| e.request.url.ends_with("/Users?filter=x"))
            .unwrap();
        assert!(at > 0);
        assert!(har.log.entries[at + 1]
            .comment
            .as_deref()
            .unwrap()
            .ends_with("SCIM request 2 the embedded Okta org sent for this call"));
    }

    #[test]
    fn an_exchange_without_answer_is_status_0_with_its_error() {
        let mut run = run();
        let x = run
            .scenarios
            .iter_mut()
            .flat_map(|s| s.steps.iter_mut())
            .find_map(|s| s.exchange.as_mut())
            .unwrap();
        x.response = None;
        x.error = Some(crate::exec::TransportError {
            kind: crate::exec::TransportErrorKind::Timeout,
            message: "no answer within 30 s".into(),
        });
        let har = har_of(&run);
        let r = &har.log.entries[0].response;
        assert_eq!(r.status, 0);
        assert_eq!(r.error.as_deref(), Some("timeout: no answer within 30 s"));
    }
}
