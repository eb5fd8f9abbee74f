//! A `curl` command that replays one recorded request. The token is never in it: the
//! redacted Authorization header becomes `"Bearer $SCIM_TOKEN"`.

use crate::exec::{RecordedRequest, REDACTED};

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn command(req: &RecordedRequest) -> String {
    let mut parts = vec!["curl -sS -i".to_string()];
    let body = req.body_text();
    if req.method.as_str() != "GET" || body.is_some() {
        parts.push(format!("-X {}", req.method.as_str()));
    }
    parts.push(quote(&req.url));
    for (name, value) in &req.headers {
        if value == &format!("Basic {REDACTED}") {
            parts.push("-u \"$SCIM_BASIC_USER:$SCIM_BASIC_PASSWORD\"".into());
        } else if value.contains(REDACTED) {
            let variable = if value == &format!("Bearer {REDACTED}") {
                "Bearer $SCIM_TOKEN".to_string()
            } else {
                // An extra header's value: one variable per header, named after it.
                format!(
                    "$SCIM_HEADER_{}",
                    name.to_ascii_uppercase().replace('-', "_")
                )
            };
            parts.push(format!("-H \"{name}: {variable}\""));
        } else {
            parts.push(format!("-H {}", quote(&format!("{name}: {value}"))));
        }
    }
    if let Some(body) = body {
        parts.push(format!("--data-raw {}", quote(&body)));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::Method;
    use serde_json::json;

    #[test]
    fn token_becomes_environment_variable_and_quotes_are_escaped() {
        let mut headers = crate::exec::Headers::new();
        headers.insert("authorization".into(), format!("Bearer {REDACTED}"));
        headers.insert("accept".into(), "application/scim+json".into());
        headers.insert("x-api-key".into(), REDACTED.into());
        let req = RecordedRequest {
            method: Method::Post,
            url: "http://h/scim/v2/Users".into(),
            headers,
            body: Some(json!({"name": "O'Brien"})),
            raw_body: None,
        };
        let cmd = command(&req);
        assert_eq!(
            cmd,
            r#"curl -sS -i -X POST 'http://h/scim/v2/Users' -H 'accept: application/scim+json' -H "authorization: Bearer $SCIM_TOKEN" -H "x-api-key: $SCIM_HEADER_X_API_KEY" --data-raw '{"name":"O'\''Brien"}'"#
        );
    }

    #[test]
    fn basic_credentials_become_a_user_option() {
        let mut headers = crate::exec::Headers::new();
        headers.insert("authorization".into(), format!("Basic {REDACTED}"));
        let req = RecordedRequest {
            method: Method::Get,
            url: "http://h/scim/v2/Users".into(),
            headers,
            body: None,
            raw_body: None,
        };
        assert_eq!(
            command(&req),
            r#"curl -sS -i 'http://h/scim/v2/Users' -u "$SCIM_BASIC_USER:$SCIM_BASIC_PASSWORD""#
        );
    }

    #[test]
    fn a_raw_body_is_replayed_verbatim() {
        let req = RecordedRequest {
            method: Method::Post,
            url: "http://h/scim/v2/Users".into(),
            headers: crate::exec::Headers::new(),
            body: None,
            raw_body: Some(r#"{"userName": "O'Brien", "#.into()),
        };
        assert_eq!(
            command(&req),
            r#"curl -sS -i -X POST 'http://h/scim/v2/Users' --data-raw '{"userName": "O'\''Brien", '"#
        );
    }
}
