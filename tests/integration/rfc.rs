//! The rfc profile: clean against the reference server, and one misbehaving server per defect,
//! each making its own checks fail and no unrelated one.

use serde_json::{json, Value};

use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{assert_findings, failing, run_json};

mod attributes;
mod bad_input;
mod bulk;
mod filters;
mod writes;

/// Runs the rfc profile against a proxy with `defect` and asserts the failing checks are
/// exactly `must` (plus those in `allowed`, which follow from the same defect).
pub(crate) async fn defect(
    f: impl Fn(Req, &Upstream) -> Resp + Send + Sync + 'static,
    must: &[&str],
    allowed: &[&str],
) -> Value {
    let server = Faulty::start(f).await;
    let (_, report) = run_json(&server.base_url(), &["--profile", "rfc"]).await;
    assert_findings(&report, must, allowed);
    report
}

pub(crate) fn map_json(mut resp: Resp, f: impl FnOnce(&mut Value)) -> Resp {
    if let Some(mut body) = resp.json() {
        f(&mut body);
        resp.set_json(&body);
    }
    resp
}

pub(crate) fn is(req: &Req, method: &str, suffix: &str) -> bool {
    req.method == method && req.path().ends_with(suffix)
}

pub(crate) fn users_list(req: &Req) -> bool {
    is(req, "GET", "/Users")
}

/// Every Resource of a ListResponse, or the body itself.
fn each_resource(body: &mut Value, mut f: impl FnMut(&mut Value)) {
    match body.get_mut("Resources").and_then(Value::as_array_mut) {
        Some(items) => items.iter_mut().for_each(&mut f),
        None => f(body),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_the_rfc_profile() {
    let server = crate::support::reference_server().await;
    let (code, report) = run_json(server.base_url(), &["--profile", "rfc"]).await;
    assert!(failing(&report).is_empty(), "{:#?}", failing(&report));
    assert_eq!(code, 0);
    let summary = &report["summary"];
    assert!(summary["passed"].as_u64().unwrap() > 900, "{summary}");
    assert_eq!(summary["skipped"], 0, "{summary}");
}

// 1. Discovery

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_scheme_without_description() {
    defect(
        |req, up| {
            let spc = is(&req, "GET", "/ServiceProviderConfig");
            let resp = up.send(&req);
            if !spc {
                return resp;
            }
            map_json(resp, |b| {
                b["authenticationSchemes"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("description");
            })
        },
        &["rfc7643.spc.auth-schemes"],
        &["schema.ServiceProviderConfig.authenticationSchemes"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_resource_type_endpoint() {
    defect(
        |req, up| {
            let rt = req.method == "GET" && req.path().contains("/ResourceTypes");
            let resp = up.send(&req);
            if !rt || resp.status != 200 {
                return resp;
            }
            map_json(resp, |b| {
                each_resource(b, |r| {
                    r["endpoint"] = json!("https://example.com/scim/v2/Users")
                })
            })
        },
        &["rfc7643.resource-type.endpoint-relative"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_attribute_with_an_invalid_mutability() {
    defect(
        |req, up| {
            let schemas = req.method == "GET" && req.path().contains("/Schemas");
            let resp = up.send(&req);
            if !schemas || resp.status != 200 {
                return resp;
            }
            map_json(resp, |b| {
                each_resource(b, |s| {
                    for a in s["attributes"].as_array_mut().into_iter().flatten() {
                        if a["name"] == "userName" {
                            a["mutability"] = json!("writable");
                        }
                    }
                })
            })
        },
        &["rfc7643.schema.attribute-values"],
        &["schema.Schema.attributes", "schema.Schema"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_on_schemas_ignored_is_a_warning() {
    let report = defect(
        |mut req, up| {
            if is(&req, "GET", "/Schemas") {
                req.target = req.path().to_string();
            }
            up.send(&req)
        },
        &["rfc.discovery.schemas-filter.status"],
        &[],
    )
    .await;
    assert_eq!(report["summary"]["failed"], 0, "a SHOULD is a warning");
}

// 2. Filters

pub(crate) fn rewrite_filter(
    mut req: Req,
    up: &Upstream,
    f: impl Fn(&str) -> Option<String>,
) -> Resp {
    if users_list(&req) {
        if let Some(new) = req.query("filter").and_then(|q| f(&q)) {
            req.set_query("filter", &new);
        }
    }
    up.send(&req)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn co_treated_as_eq() {
    defect(
        |req, up| {
            rewrite_filter(req, up, |f| {
                f.contains(" co ").then(|| f.replace(" co ", " eq "))
            })
        },
        &[
            "rfc.filter.co.total",
            "rfc.filter.co-case-insensitive.total",
            "rfc.filter.value-path.total",
            "rfc.filter.sub-attribute-co.total",
            "rfc7644.result.ids",
        ],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_filter_answered_with_500() {
    defect(
        |req, up| {
            let list = users_list(&req) && req.query("filter").is_some();
            let resp = up.send(&req);
            if list && resp.status == 400 {
                return Resp::scim_error(500, None, "internal error");
            }
            resp
        },
        &[
            "rfc.filters.malformed-missing-value.status",
            "rfc.filters.malformed-unbalanced.status",
            "rfc.filters.malformed-unquoted.status",
            "rfc.filters.unknown-operator.status",
            "rfc.filters.unknown-attribute.status",
        ],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribute_names_matched_case_sensitively() {
    defect(
        |req, up| {
            if users_list(&req) && req.query("filter").is_some_and(|f| f.contains("USERNAME")) {
                return Resp::scim_error(400, Some("invalidFilter"), "no attribute USERNAME");
            }
            up.send(&req)
        },
        &["rfc.filters.case-insensitive-names.status"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_exact_external_id_compared_ignoring_case() {
    defect(
        |req, up| {
            rewrite_filter(req, up, |f| {
                f.contains("externalId eq \"SCIMCHECK").then(|| {
                    let (head, tail) = f.split_once("externalId eq ").unwrap();
                    format!("{head}externalId eq {}", tail.to_lowercase())
                })
            })
        },
        &["rfc.filter.eq-case-exact.total", "rfc7644.result.ids"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_path_filter_ignored() {
    defect(
        |req, up| {
            rewrite_filter(req, up, |f| {
                let (head, rest) = f.split_once("emails[")?;
                let (_, tail) = rest.split_once(']')?;
                Some(format!("{head}emails pr{tail}"))
            })
        },
        &[
            "rfc.filter.value-path.total",
            "rfc.filter.value-path-or.total",
            "rfc7644.result.ids",
        ],
        &[],
    )
    .await;
}

// 3. Paging and sorting

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_based_start_index() {
    defect(
        |mut req, up| {
            let asked = req.query("startIndex").and_then(|s| s.parse::<i64>().ok());
            let Some(asked) = asked.filter(|_| users_list(&req)) else {
                return up.send(&req);
            };
            req.set_query("startIndex", &(asked.max(1) + 1).to_string());
            map_json(up.send(&req), |b| b["startIndex"] = json!(asked))
        },
        &[
            "rfc.paging.count-above-total.all",
            "rfc.paging.page-3.one",
            "rfc7644.paging.complete",
        ],
        &[
            "rfc.paging.count-above-total.per-page",
            "rfc.paging.start-below-one.all",
            "rfc.paging.start-below-one.echo",
            "rfc7644.list.start-index",
            "rfc7644.list.first-page",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_per_page_is_the_total() {
    defect(
        |req, up| {
            let list = users_list(&req);
            let resp = up.send(&req);
            if !list {
                return resp;
            }
            map_json(resp, |b| b["itemsPerPage"] = b["totalResults"].clone())
        },
        &["rfc7644.list.items-per-page"],
        &["rfc.paging.count-above-total.per-page"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_zero_ignored() {
    defect(
        |mut req, up| {
            if users_list(&req) && req.query("count").as_deref() == Some("0") {
                req.set_query("count", "100");
            }
            up.send(&req)
        },
        &["rfc.paging.count-zero.empty", "rfc7644.list.count-honoured"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sort_by_ignored() {
    defect(
        |mut req, up| {
            if users_list(&req) && req.query("sortBy").is_some() {
                req.set_query("sortBy", "id");
                req.set_query("sortOrder", "ascending");
            }
            up.send(&req)
        },
        &["rfc7644.sort.order"],
        &[
            "rfc.sort.user-name-default.first",
            "rfc.sort.user-name-default.last",
            "rfc.sort.user-name-descending.first",
            "rfc.sort.user-name-descending.last",
        ],
    )
    .await;
}
