use super::*;
use crate::scim::Method;

fn exchange(method: Method, path: &str, status: u16) -> Recorded {
    Recorded {
        method,
        path: path.to_string(),
        query: Vec::new(),
        request_headers: Vec::new(),
        request_body: None,
        status,
        response_headers: Vec::new(),
        response_body: None,
        started: None,
        duration_ms: 1,
    }
}

fn source() -> Source {
    Source {
        id: "recorded.test".into(),
        title: "A test recording".into(),
        profile: "recorded".into(),
        secrets: Vec::new(),
        header: vec!["Recorded by a test".into()],
    }
}

#[test]
fn an_empty_recording_is_refused() {
    assert!(matches!(
        to_scenario(&[], &source()),
        Err(TrafficError::NoScimRequests)
    ));
}

#[test]
fn each_exchange_is_a_step_that_loads_back() {
    let converted = to_scenario(&[exchange(Method::Get, "/Users", 200)], &source()).unwrap();
    assert!(converted.yaml.starts_with("# Recorded by a test\n"));
    let back = crate::scenario::parse("recorded.yaml", &converted.yaml).unwrap();
    assert_eq!(back.steps.len(), 1);
}
