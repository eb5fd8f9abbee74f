//! POST /Bulk (RFC 7644 §3.7) under the ledger's rules: each operation is held to what the
//! request it stands for would be, and what the BulkResponse says was created enters the
//! ledger from its `location`.

use serde_json::Value;

use super::{collection_of, name_in, target_of, Ledger, LedgerEntry, Observed};
use crate::exec::exchange::Headers;
use crate::exec::RecordedResponse;
use crate::plan::PreparedRequest;
use crate::scim::json::{member, member_str};
use crate::scim::{Method, ResourceKind};

/// Whether a POST goes to `/Bulk`.
pub(super) fn is_bulk(path: &str) -> bool {
    path.trim_matches('/').eq_ignore_ascii_case("Bulk")
}

/// The operations of a BulkRequest body.
fn operations(body: Option<&Value>) -> &[Value] {
    body.and_then(|b| member(b, "Operations"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn method_of(op: &Value) -> Option<Method> {
    serde_json::from_value(Value::String(
        member_str(op, "method")?.to_ascii_uppercase(),
    ))
    .ok()
}

impl Ledger {
    /// Why a BulkRequest must not be sent: a POST operation must create in /Users or /Groups
    /// a resource named with the run's prefix; a PUT, PATCH or DELETE must target an id the
    /// run created, or a `bulkId:` of a POST in the same request.
    pub(super) fn refuse_bulk(&self, req: &PreparedRequest) -> Option<String> {
        let ops = operations(req.body.as_ref());
        if ops.is_empty() {
            return Some(format!(
                "refused POST {}: a bulk request without Operations",
                req.path
            ));
        }
        let bulk_ids: Vec<&str> = ops
            .iter()
            .filter(|o| method_of(o) == Some(Method::Post))
            .filter_map(|o| member_str(o, "bulkId"))
            .collect();
        for (i, op) in ops.iter().enumerate() {
            let path = member_str(op, "path").unwrap_or_default();
            let refused = |why: String| {
                Some(format!(
                    "refused POST {}: operation {i} ({} {path}): {why}",
                    req.path,
                    member_str(op, "method").unwrap_or("?")
                ))
            };
            match method_of(op) {
                Some(Method::Post) => {
                    let Some(kind) = collection_of(path) else {
                        return refused("a bulk POST creates in /Users or /Groups only".into());
                    };
                    let name = member(op, "data").and_then(|d| name_in(kind, d));
                    if !name.is_some_and(|n| self.is_ours(n)) {
                        return refused(format!(
                            "the {} it creates must start with the run prefix `{}`",
                            kind.name_attribute(),
                            self.prefix()
                        ));
                    }
                }
                Some(Method::Put | Method::Patch | Method::Delete) => {
                    let Some((kind, id)) = target_of(path) else {
                        return refused(
                            "the harness only changes /Users/{id} or /Groups/{id}".into(),
                        );
                    };
                    if let Some(r) = id.strip_prefix("bulkId:") {
                        if !bulk_ids.contains(&r) {
                            return refused(format!(
                                "bulkId:{r} is no POST operation of this request"
                            ));
                        }
                        continue;
                    }
                    if let Some(why) = crate::scim::path::unaddressable(&id) {
                        return refused(why);
                    }
                    let ours = self.lock().contains(kind, &id);
                    if !ours {
                        return refused(format!("id `{id}` was not created by this run"));
                    }
                }
                _ => return refused("a bulk operation is POST, PUT, PATCH or DELETE".into()),
            }
        }
        None
    }

    /// Records what a BulkResponse says was created (from each POST result's `location`,
    /// matched to the request's operation by bulkId, else by position) or deleted.
    pub(super) fn observe_bulk(&self, req: &PreparedRequest, body: Option<&Value>) -> Observed {
        let sent = operations(req.body.as_ref());
        let results = operations(body);
        let mut created: Vec<LedgerEntry> = Vec::new();
        for (i, result) in results.iter().enumerate() {
            let status = match member(result, "status") {
                Some(Value::String(s)) => s.trim().parse::<u16>().ok(),
                Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                _ => None,
            };
            let Some(status) = status else { continue };
            let bulk_id = member_str(result, "bulkId");
            // A result names its operation by bulkId; one without is matched by position.
            let op = match bulk_id {
                Some(b) => sent.iter().find(|o| member_str(o, "bulkId") == Some(b)),
                None => sent.get(i),
            };
            let Some(op) = op else { continue };
            let path = member_str(op, "path").unwrap_or_default();
            match method_of(op) {
                Some(Method::Post) if (200..300).contains(&status) => {
                    let Some(kind) = collection_of(path) else {
                        continue;
                    };
                    let Some(location) = member_str(result, "location") else {
                        continue;
                    };
                    if !names_kind(location, kind) {
                        continue;
                    }
                    let data = member(op, "data").cloned();
                    if !data
                        .as_ref()
                        .and_then(|d| name_in(kind, d))
                        .is_some_and(|n| self.is_ours(n))
                    {
                        continue;
                    }
                    let create = PreparedRequest {
                        method: Method::Post,
                        path: format!("/{}", kind.endpoint().trim_start_matches('/')),
                        query: vec![],
                        headers: vec![],
                        body: data,
                        raw_body: None,
                    };
                    let headers: Headers = [("location".to_string(), location.to_string())].into();
                    let resp = RecordedResponse::new(status, headers, String::new(), false);
                    match self.observe_create(&create, &resp) {
                        Observed::Created(entry) => created.push(entry),
                        disowned @ Observed::Disowned { .. } => return disowned,
                        _ => {}
                    }
                }
                Some(Method::Delete) if (200..300).contains(&status) || status == 404 => {
                    if let Some((kind, id)) = target_of(path) {
                        self.mark_deleted(kind, &id);
                    }
                }
                _ => {}
            }
        }
        if created.is_empty() {
            Observed::Nothing
        } else {
            Observed::CreatedMany(created)
        }
    }
}

/// Whether `location` is `…/Users/{id}` (or `…/Groups/{id}`) for `kind`.
fn names_kind(location: &str, kind: ResourceKind) -> bool {
    let mut parts = location.trim_end_matches('/').rsplit('/');
    let id = parts.next().unwrap_or_default();
    !id.is_empty()
        && parts
            .next()
            .and_then(ResourceKind::from_segment)
            .is_some_and(|k| k == kind)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::exec::Exchange;

    fn ledger() -> Ledger {
        let l = Ledger::default();
        l.begin("scimcheck-x-");
        l
    }

    fn bulk(ops: Value) -> PreparedRequest {
        PreparedRequest {
            method: Method::Post,
            path: "/Bulk".into(),
            query: vec![],
            headers: vec![],
            body: Some(json!({"Operations": ops})),
            raw_body: None,
        }
    }

    fn user(bulk_id: &str, name: &str) -> Value {
        json!({"method": "POST", "path": "/Users", "bulkId": bulk_id, "data": {"userName": name}})
    }

    #[test]
    fn posts_need_the_prefix_and_changes_an_id_of_the_run() {
        let l = ledger();
        assert!(l
            .refusal(&bulk(json!([user("a", "scimcheck-x-a")])))
            .is_none());
        let why = l.refusal(&bulk(json!([user("a", "alice")]))).unwrap();
        assert!(why.contains("run prefix"), "{why}");
        let why = l
            .refusal(&bulk(json!([{"method": "DELETE", "path": "/Users/boss"}])))
            .unwrap();
        assert!(why.contains("not created by this run"), "{why}");
        let ok = json!([user("a", "scimcheck-x-a"), {"method": "PATCH", "path": "/Users/bulkId:a", "data": {}}]);
        assert!(l.refusal(&bulk(ok)).is_none());
        let dangling = json!([{"method": "DELETE", "path": "/Users/bulkId:zz"}]);
        assert!(l.refusal(&bulk(dangling)).unwrap().contains("bulkId:zz"));
        assert!(l.refusal(&bulk(json!([]))).is_some());
        let nested = json!([{"method": "POST", "path": "/Bulk", "bulkId": "b", "data": {}}]);
        assert!(l.refusal(&bulk(nested)).is_some());
    }

    #[test]
    fn created_resources_enter_the_ledger_from_their_location() {
        let l = ledger();
        let req = bulk(json!([
            user("a", "scimcheck-x-a"),
            {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"displayName": "scimcheck-x-g"}},
            user("b", "scimcheck-x-b"),
        ]));
        let response = json!({"Operations": [
            {"method": "POST", "bulkId": "g", "status": "201", "location": "http://h/scim/v2/Groups/g1"},
            {"method": "POST", "bulkId": "a", "status": "201", "location": "http://h/scim/v2/Users/u1"},
            {"method": "POST", "bulkId": "b", "status": "409", "response": {}},
        ]});
        let seen = l.observe(&req, &Exchange::answered(Method::Post, "", 200, &response));
        let Observed::CreatedMany(entries) = seen else {
            panic!("{seen:?}")
        };
        assert_eq!(entries.len(), 2);
        let remaining: Vec<_> = l
            .remaining()
            .into_iter()
            .map(|e| e.id.to_string())
            .collect();
        assert_eq!(remaining, ["g1", "u1"]);
        assert!(l
            .refusal(&PreparedRequest {
                method: Method::Delete,
                ..PreparedRequest::get("/Users/u1")
            })
            .is_none());
        let delete = bulk(json!([{"method": "DELETE", "path": "/Users/u1"}]));
        let gone = json!({"Operations": [{"method": "DELETE", "status": "204", "location": "http://h/scim/v2/Users/u1"}]});
        l.observe(&delete, &Exchange::answered(Method::Post, "", 200, &gone));
        assert_eq!(l.remaining().len(), 1);
    }

    #[test]
    fn a_location_of_another_kind_or_a_name_without_the_prefix_is_not_recorded() {
        let l = ledger();
        let req = bulk(json!([user("a", "scimcheck-x-a"), user("b", "alice")]));
        let response = json!({"Operations": [
            {"method": "POST", "bulkId": "a", "status": "201", "location": "http://h/scim/v2/Groups/g9"},
            {"method": "POST", "bulkId": "b", "status": "201", "location": "http://h/scim/v2/Users/boss"},
            {"method": "POST", "bulkId": "zz", "status": "201", "location": "http://h/scim/v2/Users/other"},
        ]});
        let seen = l.observe(&req, &Exchange::answered(Method::Post, "", 200, &response));
        assert_eq!(seen, Observed::Nothing);
        assert!(l.remaining().is_empty());
    }
}
