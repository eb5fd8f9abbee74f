//! Defects of areas 4 to 8: projection, versioning, writes, bad requests and optional
//! endpoints.

use serde_json::json;

use super::{defect, is, map_json};
use crate::support::check_of;
use crate::support::proxy::{Req, Resp};

// 4. Projection

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_attributes_ignored() {
    defect(
        |mut req, up| {
            if req.method == "GET" && req.query("excludedAttributes").is_some() {
                req.set_query("excludedAttributes", "nickName");
            }
            up.send(&req)
        },
        &[
            "rfc.projection.get-excluded.no-emails",
            "rfc.projection.get-excluded.no-title",
            "rfc.projection.list-excluded.no-emails",
        ],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attributes_ignored_on_a_read_by_id() {
    defect(
        |mut req, up| {
            if req.method == "GET"
                && req.path().contains("/Users/")
                && req.query("attributes").is_some()
            {
                req.set_query("attributes", "");
            }
            up.send(&req)
        },
        &[
            "rfc.projection.get-attributes.no-emails",
            "rfc.projection.get-attributes.no-name",
            "rfc.projection.get-attributes.no-title",
            "rfc.projection.get-sub-attribute.no-family-name",
            "rfc.projection.get-sub-attribute.no-user-name",
            "rfc.projection.get-urn-attribute.no-emails",
            "rfc.enterprise.urn-attributes.no-emails",
        ],
        &[],
    )
    .await;
}

// 5. Versioning

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etag_never_changes() {
    defect(
        |req, up| {
            let mut resp = up.send(&req);
            if resp
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("etag"))
            {
                resp.set_header("etag", "W/\"1\"");
                resp = map_json(resp, |b| {
                    if b.get("meta").is_some() {
                        b["meta"]["version"] = json!("W/\"1\"");
                    }
                });
            }
            resp
        },
        &["rfc.etag.modify.changed"],
        // The current version the client sends is the constant, which the real one no longer
        // matches: the change is refused, and 304 never comes.
        &[
            "rfc.etag.if-none-match.status",
            "rfc.etag.current-if-match.status",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn if_match_ignored() {
    defect(
        |mut req, up| {
            req.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("if-match"));
            up.send(&req)
        },
        &["rfc.etag.stale-if-match.status"],
        &[],
    )
    .await;
}

// 6. Writes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_merges_multi_valued_attributes() {
    defect(
        |mut req, up| {
            if is(&req, "PUT", "") && req.path().contains("/Users/") {
                let old = up.send(&Req {
                    method: "GET".into(),
                    body: None,
                    ..req.clone()
                });
                if let (Some(old), Some(body)) = (old.json(), req.body.as_mut()) {
                    if let (Some(old), Some(new)) =
                        (old["emails"].as_array(), body["emails"].as_array_mut())
                    {
                        new.extend(
                            old.iter()
                                .map(|e| json!({"value": e["value"], "type": "other"})),
                        );
                    }
                }
            }
            up.send(&req)
        },
        &["rfc.writes.put.emails-replaced"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_applied_up_to_the_failing_operation() {
    defect(
        |req, up| {
            if req.method == "PATCH" {
                if let Some(ops) = req.body.as_ref().and_then(|b| b["Operations"].as_array()) {
                    if ops.len() > 1 {
                        let mut first = req.clone();
                        first.body.as_mut().unwrap()["Operations"] = json!([ops[0]]);
                        up.send(&first);
                    }
                }
            }
            up.send(&req)
        },
        &["rfc.writes.patch-atomic.unchanged"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_delete_answers_204() {
    defect(
        |req, up| {
            let resp = up.send(&req);
            if req.method == "DELETE" && resp.status == 404 {
                return Resp {
                    status: 204,
                    headers: vec![],
                    body: vec![],
                };
            }
            resp
        },
        &["rfc.writes.delete-again.status"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_values_mangled() {
    defect(
        |req, up| {
            let read = req.method == "GET" && req.path().contains("/Users/");
            let mut resp = up.send(&req);
            if read {
                let text = String::from_utf8_lossy(&resp.body).replace('🚀', "?");
                resp.body = text.into_bytes();
            }
            resp
        },
        // The value the create sent is not what came back (one warning), and the "?" where a
        // character stood is the Unicode defect itself.
        &[
            "rfc.writes.non-ascii.display-name-question-marks",
            "rfc7644.create.ignored-content",
        ],
        &[],
    )
    .await;
}

// 7. Bad requests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_status_as_a_number() {
    defect(
        |req, up| {
            let resp = up.send(&req);
            if resp.status < 400 {
                return resp;
            }
            map_json(resp, |b| {
                b["status"] = json!(b["status"].as_str().unwrap().parse::<u16>().unwrap())
            })
        },
        &["rfc7644.error.status-is-string"],
        &["schema.Error", "rfc7644.error.status-matches"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_404_for_an_unknown_endpoint() {
    defect(
        |req, up| {
            if req.path().ends_with("/NoSuchEndpoint") {
                return Resp {
                    status: 404,
                    headers: vec![("content-type".into(), "text/html".into())],
                    body: b"<html><body>Not Found</body></html>".to_vec(),
                };
            }
            up.send(&req)
        },
        &["rfc7644.error.json"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_plain_body_accepted_is_a_note() {
    let report = defect(
        |mut req, up| {
            if req
                .headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "text/plain")
            {
                req.set_header("content-type", "application/scim+json");
            }
            up.send(&req)
        },
        &[],
        &[],
    )
    .await;
    // No RFC sentence requires refusing it.
    assert_note(&report, "rfc.errors", "rfc.errors.media-type.status");
}

/// Asserts that check `id` of `scenario` passed as a note (severity info).
fn assert_note(report: &serde_json::Value, scenario: &str, id: &str) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id && c["scenario"] == scenario)
        .unwrap_or_else(|| panic!("no {id} in {scenario}"));
    assert_eq!(
        (c["status"].as_str(), c["severity"].as_str()),
        (Some("passed"), Some("info")),
        "{c}"
    );
}

// 8. Optional endpoints

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_search_ignores_its_filter() {
    defect(
        |mut req, up| {
            if is(&req, "POST", "/.search") && !req.path().contains("/Users/") {
                if let Some(body) = req.body.as_mut().and_then(|b| b.as_object_mut()) {
                    body.remove("filter");
                }
            }
            up.send(&req)
        },
        &["rfc7644.result.ids"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_answered_with_a_scim_404_is_a_note() {
    // A server that offers /Me, whose credential's subject has no resource.
    let report = defect(
        |req, up| {
            if req.path().ends_with("/Me") {
                return Resp::scim_error(404, None, "the token's subject has no User");
            }
            up.send(&req)
        },
        &[],
        &[],
    )
    .await;
    assert_note(&report, "rfc.optional", "rfc.optional.me.status");
}

/// A server that computes displayName from the name parts stores non-ASCII correctly: the
/// displayName it did not keep is the create's warning, never a Unicode finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_name_computed_from_the_name_parts_is_not_a_unicode_defect() {
    let report = defect(
        |mut req, up| {
            if req.method == "POST" && req.path().ends_with("/Users") {
                if let Some(body) = req.body.as_mut().filter(|b| b.get("name").is_some()) {
                    let given = body["name"]["givenName"].as_str().unwrap_or("").to_string();
                    let family = body["name"]["familyName"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    body["displayName"] = json!(format!("{given} {family}"));
                }
            }
            up.send(&req)
        },
        &["rfc7644.create.ignored-content"],
        &[],
    )
    .await;
    let writes = check_of(&report, "rfc.writes", "rfc7644.create.ignored-content");
    assert_eq!(writes["status"], "warning");
    let utf8 = check_of(
        &report,
        "rfc.writes",
        "rfc.writes.non-ascii.display-name-mojibake",
    );
    assert_eq!(utf8["status"], "passed", "{utf8}");
}

/// A server that reads UTF-8 as Latin-1 stores mojibake: an error, whatever else it keeps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf8_read_as_latin1_is_an_error() {
    defect(
        |req, up| {
            let resp = up.send(&req);
            if !(req.method == "GET" && req.path().contains("/Users/")) {
                return resp;
            }
            map_json(resp, |b| {
                if let Some(d) = b["displayName"].as_str().map(String::from) {
                    let mangled: String = d.bytes().map(char::from).collect();
                    b["displayName"] = json!(mangled);
                }
            })
        },
        &[
            "rfc.writes.non-ascii.display-name-mojibake",
            "rfc7644.create.ignored-content",
        ],
        &[],
    )
    .await;
}
