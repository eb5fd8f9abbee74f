//! Listing (RFC 7644 §3.4.2): filter, 1-based paging, sorting and attribute projection.
//! Paging never clones the store: matches are counted while scanning, and only the page's
//! resources are rendered.

use scim_v2::filter::Filter;
use serde_json::{json, Map, Value};

use super::error::ScimError;
use super::filter;
use super::sort::{sort_key, SortKey};
use super::store::{Kind, Store};
use crate::scim::urn;

/// Most resources one page returns (advertised as `filter.maxResults`).
pub const MAX_RESULTS: usize = 1000;

/// Most matches the server sorts; past it a sorted query is refused with `tooMany`
/// (RFC 7644 §3.12) instead of materialising the whole store.
pub const MAX_SORTED: usize = 20_000;

#[derive(Debug, Default, Clone)]
pub struct ListQuery {
    pub filter: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub sort_by: Option<String>,
    pub descending: bool,
    pub projection: Projection,
}

/// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5).
#[derive(Debug, Default, Clone)]
pub struct Projection {
    pub attributes: Vec<String>,
    pub excluded: Vec<String>,
}

impl Projection {
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Projection {
        let split = |s: Option<&str>| {
            s.map(|s| {
                s.split(',')
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default()
        };
        Projection {
            attributes: split(attributes),
            excluded: split(excluded),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.excluded.is_empty()
    }

    /// Applies the projection; `id` and `schemas` are always returned.
    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(map) = resource else {
            return resource;
        };
        if !self.attributes.is_empty() {
            let mut out = Map::new();
            for (k, v) in &map {
                if ["id", "schemas"].contains(&k.as_str()) {
                    out.insert(k.clone(), v.clone());
                }
            }
            for a in &self.attributes {
                if let Some(ext) = extension_key(&map, a) {
                    out.insert(ext.clone(), map[&ext].clone());
                    continue;
                }
                let (container, name, sub) = split_path(a);
                copy(&map, &mut out, container, name, sub);
            }
            return Value::Object(out);
        }
        let mut map = map;
        for a in &self.excluded {
            if let Some(ext) = extension_key(&map, a) {
                map.remove(&ext);
                continue;
            }
            let (container, name, sub) = split_path(a);
            if name.eq_ignore_ascii_case("id") || name.eq_ignore_ascii_case("schemas") {
                continue;
            }
            let target = match container {
                Some(c) => map
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case(c))
                    .and_then(|(_, v)| v.as_object_mut()),
                None => Some(&mut map),
            };
            if let Some(t) = target {
                let key = t.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned();
                match (key, sub) {
                    (Some(k), None) => {
                        t.remove(&k);
                    }
                    (Some(k), Some(s)) => {
                        if let Some(Value::Object(o)) = t.get_mut(&k) {
                            o.retain(|sk, _| !sk.eq_ignore_ascii_case(s));
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(map)
    }
}

/// A bare extension URN names the whole extension object (RFC 7644 §3.4.2.5 takes URNs);
/// without this, split_path would cut it at its last colon, as if `User` were an attribute.
fn extension_key(map: &Map<String, Value>, path: &str) -> Option<String> {
    map.iter()
        .find(|(k, v)| k.starts_with("urn:") && v.is_object() && k.eq_ignore_ascii_case(path))
        .map(|(k, _)| k.clone())
}

/// `urn:…:User:manager.value` → (Some(urn), "manager", Some("value")).
pub(super) fn split_path(path: &str) -> (Option<&str>, &str, Option<&str>) {
    let (container, rest) = match path.rfind(':') {
        Some(i) if path.starts_with("urn:") => {
            let (uri, rest) = (&path[..i], &path[i + 1..]);
            let core = uri.eq_ignore_ascii_case(urn::USER) || uri.eq_ignore_ascii_case(urn::GROUP);
            (if core { None } else { Some(uri) }, rest)
        }
        _ => (None, path),
    };
    match rest.split_once('.') {
        Some((n, s)) => (container, n, Some(s)),
        None => (container, rest, None),
    }
}

fn copy(
    from: &Map<String, Value>,
    to: &mut Map<String, Value>,
    container: Option<&str>,
    name: &str,
    sub: Option<&str>,
) {
    let (src, dst) = match container {
        Some(c) => {
            let Some((key, Value::Object(obj))) =
                from.iter().find(|(k, _)| k.eq_ignore_ascii_case(c))
            else {
                return;
            };
            let dst = to.entry(key.clone()).or_insert_with(|| json!({}));
            let Some(dst) = dst.as_object_mut() else {
                return;
            };
            (obj, dst)
        }
        None => (from, &mut *to),
    };
    let Some((key, value)) = src.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) else {
        return;
    };
    match sub {
        None => {
            dst.insert(key.clone(), value.clone());
        }
        Some(s) => {
            let pick = |v: &Value| -> Option<Value> {
                let obj = v.as_object()?;
                let (k, sv) = obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(s))?;
                Some(json!({ k.clone(): sv.clone() }))
            };
            let picked = match value {
                Value::Array(items) => Value::Array(items.iter().filter_map(pick).collect()),
                other => pick(other).unwrap_or(Value::Null),
            };
            if !picked.is_null() {
                dst.insert(key.clone(), picked);
            }
        }
    }
}

/// Refuses a filter that names an attribute none of `kinds`' schemas define (see
/// [`filter::check_known`]); a malformed filter is left to [`list`] to report.
pub fn check_filter_attributes(q: &ListQuery, kinds: &[Kind]) -> Result<(), ScimError> {
    let Some(Ok(f)) = q
        .filter
        .as_deref()
        .filter(|f| !f.trim().is_empty())
        .map(filter::parse)
    else {
        return Ok(());
    };
    let schemas: Vec<_> = kinds.iter().map(|k| k.schema()).collect();
    filter::check_known(&f, &schemas)
}

/// Runs a list query; returns totalResults and the page, already projected.
pub fn list(
    store: &Store,
    kind: Kind,
    q: &ListQuery,
) -> Result<(usize, usize, Vec<Value>), ScimError> {
    let parsed: Option<Filter> = q
        .filter
        .as_deref()
        .filter(|f| !f.trim().is_empty())
        .map(filter::parse)
        .transpose()?;
    if let Some(f) = &parsed {
        filter::check_comparable(f, kind.schema())?;
    }
    let start = q.start_index.unwrap_or(1).max(1) as usize;
    let count = q
        .count
        .unwrap_or(MAX_RESULTS as i64)
        .clamp(0, MAX_RESULTS as i64) as usize;
    let data = store.read();
    let schema = kind.schema();
    let records = data.records(kind);

    let decided: Option<Vec<String>> = parsed.as_ref().and_then(|f| data.decided(kind, f));
    let indexed: Option<Vec<String>> = match &decided {
        Some(ids) => Some(ids.clone()),
        None => parsed.as_ref().and_then(|f| data.candidates(kind, f)),
    };
    let ids: Box<dyn Iterator<Item = &String>> = match &indexed {
        Some(list) => Box::new(list.iter()),
        None => Box::new(data.order(kind).values()),
    };
    let matching = |id: &String| -> Result<bool, ScimError> {
        let Some(rec) = records.get(id) else {
            return Ok(false);
        };
        match &parsed {
            None => Ok(true),
            // The index answered the whole filter.
            Some(_) if decided.is_some() => Ok(true),
            Some(f) => {
                let body = rec.body(kind, id, store.location(kind, id));
                filter::matches(f, &body, schema, &store.related(&data, kind, id))
            }
        }
    };

    let mut page_ids: Vec<String> = Vec::new();
    let total;
    if let Some(sort_by) = q.sort_by.as_deref().filter(|s| !s.is_empty()) {
        let mut all: Vec<(SortKey, String)> = Vec::new();
        for id in ids {
            if matching(id)? {
                if all.len() == MAX_SORTED {
                    return Err(ScimError::new(400, Some("tooMany"), format!("more than {MAX_SORTED} resources match; narrow the filter to sort them")));
                }
                let key = records.get(id).map_or(SortKey::Missing, |r| {
                    sort_key(&r.body(kind, id, store.location(kind, id)), sort_by, schema)
                });
                all.push((key, id.clone()));
            }
        }
        // Stable: equal keys stay in creation order either way.
        if q.descending {
            all.sort_by(|a, b| b.0.cmp(&a.0));
        } else {
            all.sort_by(|a, b| a.0.cmp(&b.0));
        }
        total = all.len();
        page_ids = all
            .into_iter()
            .skip(start - 1)
            .take(count)
            .map(|(_, id)| id)
            .collect();
    } else if parsed.is_none() {
        // No filter: the order index alone gives the count and the page.
        total = data.order(kind).len();
        page_ids = data
            .order(kind)
            .values()
            .skip(start - 1)
            .take(count)
            .cloned()
            .collect();
    } else {
        let mut n = 0usize;
        for id in ids {
            if matching(id)? {
                n += 1;
                if n >= start && page_ids.len() < count {
                    page_ids.push(id.clone());
                }
            }
        }
        total = n;
    }
    let page: Vec<Value> = page_ids
        .iter()
        .filter_map(|id| store.render(&data, kind, id))
        .map(|r| q.projection.apply(r))
        .collect();
    Ok((total, start, page))
}

/// The ListResponse envelope with integer counts (RFC 7644 §3.4.2).
pub fn list_response(total: usize, start: usize, resources: Vec<Value>) -> Value {
    json!({"schemas": [urn::LIST_RESPONSE], "totalResults": total, "startIndex": start, "itemsPerPage": resources.len(), "Resources": resources})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_includes_and_excludes() {
        let r = json!({"schemas": ["s"], "id": "1", "userName": "a", "name": {"givenName": "G", "familyName": "F"}, "emails": [{"value": "e", "type": "work"}], "members": [1]});
        let p = Projection::parse(Some("userName,name.givenName,emails.value"), None);
        assert_eq!(
            p.apply(r.clone()),
            json!({"schemas": ["s"], "id": "1", "userName": "a", "name": {"givenName": "G"}, "emails": [{"value": "e"}]})
        );
        let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let with_ext =
            json!({"schemas": ["s"], "id": "1", "userName": "a", ext: {"department": "D"}});
        let p = Projection::parse(Some(&ext.to_uppercase()), None);
        assert_eq!(
            p.apply(with_ext.clone()),
            json!({"schemas": ["s"], "id": "1", ext: {"department": "D"}})
        );
        let p = Projection::parse(None, Some(ext));
        assert_eq!(
            p.apply(with_ext),
            json!({"schemas": ["s"], "id": "1", "userName": "a"})
        );
        let p = Projection::parse(None, Some("members,ID,name.familyName"));
        assert_eq!(
            p.apply(r),
            json!({"schemas": ["s"], "id": "1", "userName": "a", "name": {"givenName": "G"}, "emails": [{"value": "e", "type": "work"}]})
        );
    }

    fn store_with(n: usize) -> Store {
        let store = Store::new("http://h/scim/v2");
        for i in 0..n {
            store.seed_user(json!({"userName": format!("user{i:03}@x.example"), "name": {"familyName": format!("F{}", n - i)}})).unwrap();
        }
        store
    }

    #[test]
    fn paging_is_one_based_and_stable() {
        let store = store_with(5);
        let q = |start, count| ListQuery {
            start_index: Some(start),
            count: Some(count),
            ..Default::default()
        };
        let (total, start, page) = list(&store, Kind::User, &q(1, 2)).unwrap();
        assert_eq!((total, start, page.len()), (5, 1, 2));
        assert_eq!(page[0]["userName"], "user000@x.example");
        let (_, _, page) = list(&store, Kind::User, &q(5, 2)).unwrap();
        assert_eq!(page[0]["userName"], "user004@x.example");
        let (_, start, page) = list(&store, Kind::User, &q(0, 0)).unwrap();
        assert_eq!((start, page.len()), (1, 0));
    }

    #[test]
    fn sort_and_filter() {
        let store = store_with(4);
        let q = ListQuery {
            sort_by: Some("name.familyName".into()),
            filter: Some(r#"userName sw "USER00""#.into()),
            ..Default::default()
        };
        let (total, _, page) = list(&store, Kind::User, &q).unwrap();
        assert_eq!(total, 4);
        assert_eq!(page[0]["name"]["familyName"], "F1");
        let q = ListQuery {
            filter: Some(r#"userName eq "USER002@x.example""#.into()),
            ..Default::default()
        };
        assert_eq!(list(&store, Kind::User, &q).unwrap().0, 1);
    }

    #[test]
    fn a_user_name_prefix_is_answered_by_the_index_in_creation_order() {
        let store = store_with(12);
        let q = |filter: &str, start| ListQuery {
            filter: Some(filter.into()),
            start_index: Some(start),
            count: Some(3),
            ..Default::default()
        };
        let (total, _, page) = list(&store, Kind::User, &q(r#"userName sw "USER01""#, 1)).unwrap();
        assert_eq!(total, 2);
        assert_eq!(page[0]["userName"], "user010@x.example");
        assert_eq!(page[1]["userName"], "user011@x.example");
        let (total, _, page) = list(&store, Kind::User, &q(r#"userName sw "user0""#, 4)).unwrap();
        assert_eq!(total, 12);
        assert_eq!(page[0]["userName"], "user003@x.example");
        // A filter the index does not decide whole is still evaluated on every user.
        let (total, _, _) = list(
            &store,
            Kind::User,
            &q(r#"userName sw "user0" and name.familyName eq "F1""#, 1),
        )
        .unwrap();
        assert_eq!(total, 1);
    }
}
