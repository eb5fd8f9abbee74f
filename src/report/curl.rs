//! A `curl` command that replays one recorded request. The token is never in it: the
//! redacted Authorization header becomes `"Bearer $SCIM_TOKEN"`.

use crate::exec::{RecordedRequest, REDACTED};

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn command(req: &RecordedRequest) -> String {
    let mut parts = vec!["curl -sS -i".to_string()];
    if req.method.as_str() != "GET" || req.body.is_some() {
        parts.push(format!("-X {}", req.method.as_str()));
    }
    parts.push(quote(&req.url));
    for (name, value) in &req.headers {
        if value.contains(REDACTED) {
            let shown = value.replace(REDACTED, "$SCIM_TOKEN");
            let shown = if shown == "$SCIM_TOKEN" {
                "Bearer $SCIM_TOKEN".to_string()
            } else {
                shown
            };
            parts.push(format!("-H \"{name}: {shown}\""));
        } else {
            parts.push(format!("-H {}", quote(&format!("{name}: {value}"))));
        }
    }
    if let Some(body) = &req.body {
        parts.push(format!("--data-raw {}", quote(&body.to_string())));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Method;
    use serde_json::json;

    #[test]
    fn token_becomes_environment_variable_and_quotes_are_escaped() {
        let mut headers = crate::exec::Headers::new();
        headers.insert("authorization".into(), REDACTED.into());
        headers.insert("accept".into(), "application/scim+json".into());
        let req = RecordedRequest {
            method: Method::Post,
            url: "http://h/scim/v2/Users".into(),
            headers,
            body: Some(json!({"name": "O'Brien"})),
        };
        let cmd = command(&req);
        assert_eq!(
            cmd,
            r#"curl -sS -i -X POST 'http://h/scim/v2/Users' -H 'accept: application/scim+json' -H "authorization: Bearer $SCIM_TOKEN" --data-raw '{"name":"O'\''Brien"}'"#
        );
    }
}
