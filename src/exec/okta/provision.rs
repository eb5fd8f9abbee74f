//! The SCIM requests Okta's provisioning sends, in the okta profile's shapes, each written
//! as a step with what its answer must show (so the check stage judges it like any other),
//! sent through the run's client and recorded in its ledger.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::org::{OktaUser, OrgState, Provisioned};
use crate::exec::{read_back, Observed};
use crate::plan::{prepare_step, Vars};
use crate::scenario::{Assert, Expect, Op, Request, SnapshotMode, Step, Subject};
use crate::scim::urn::{PATCH_OP, USER};
use crate::scim::Method;

const CREATE: &str = "Okta Create Users (existence check, then POST /Users)";
const UPDATE: &str = "Okta Update User Attributes (GET then PUT of the whole user)";
const DEACTIVATE: &str = "Okta Deactivate Users (PATCH active=false; never DELETE)";
const REACTIVATE: &str = "Okta Reactivate Users (PATCH active=true on re-assignment)";

/// The SCIM requests of one API call, in order.
pub(super) struct Provisioner<'a> {
    org: &'a OrgState,
    out: Vec<Provisioned>,
}

impl<'a> Provisioner<'a> {
    pub fn new(org: &'a OrgState) -> Self {
        Provisioner {
            org,
            out: Vec::new(),
        }
    }

    /// What was sent.
    pub fn done(self) -> Vec<Provisioned> {
        self.out
    }

    /// Assignment: the existence check by userName, then a create, or a reactivation of a
    /// deactivated user, or a link to an active one. The SCIM id linked, if any.
    pub async fn assign(&mut self, user: &OktaUser) -> Option<String> {
        let login = text(user, "login");
        let mut query = Map::new();
        query.insert("filter".into(), json!(format!("userName eq \"{login}\"")));
        query.insert("startIndex".into(), json!("1"));
        query.insert("count".into(), json!("100"));
        let lookup = step(
            "Okta's existence check: the userName filter",
            CREATE,
            Method::Get,
            "/Users",
            query,
            None,
            &[200],
            Some("ListResponse"),
            vec![],
        );
        let found = self.send(lookup).await?;
        let found = found.json().filter(|_| found.status() == Some(200));
        let existing = found
            .and_then(|b| b.get("Resources"))
            .and_then(Value::as_array)
            .and_then(|r| r.first())
            .cloned();
        if let Some(existing) = existing {
            let id = existing.get("id").and_then(Value::as_str)?.to_string();
            if existing.get("active") == Some(&Value::Bool(false)) {
                return self.set_active(&id, true).await.then_some(id);
            }
            return Some(id);
        }
        let create = step(
            "Okta's create: POST /Users with the user's app profile",
            CREATE,
            Method::Post,
            "/Users",
            Map::new(),
            Some(create_body(user)),
            &[201],
            Some("User"),
            vec![assert(
                "okta.user.create.id-assigned",
                "/id",
                Op::Present(true),
                "Answer the create with the new user and its server-assigned id: Okta links the user by it.",
            )],
        );
        let created = self.send(create).await?;
        if created.status() != Some(201) {
            return None;
        }
        let id = created.json()?.get("id")?.as_str()?.to_string();
        let entry = self.out.last().and_then(|p| p.created.clone())?;
        match read_back(&self.org.scim, &self.org.ledger, &entry).await {
            Observed::Disowned { .. } => None,
            _ => Some(id),
        }
    }

    /// A profile change: Okta reads the user and PUTs it back whole with the new profile.
    /// Whether the change was accepted.
    pub async fn update(&mut self, scim_id: &str, user: &OktaUser) -> bool {
        let path = format!("/Users/{}", crate::scim::path::encode_segment(scim_id));
        let read = step(
            "Okta's read before an update",
            UPDATE,
            Method::Get,
            &path,
            Map::new(),
            None,
            &[200],
            Some("User"),
            vec![],
        );
        let Some(read) = self.send(read).await else {
            return false;
        };
        let Some(mut whole) = read
            .json()
            .filter(|_| read.status() == Some(200))
            .and_then(Value::as_object)
            .cloned()
        else {
            return false;
        };
        let first = text(user, "firstName");
        let last = text(user, "lastName");
        let email = text(user, "email");
        whole.insert(
            "name".into(),
            json!({"givenName": first, "familyName": last}),
        );
        whole.insert("displayName".into(), json!(format!("{first} {last}")));
        whole.insert(
            "emails".into(),
            json!([{"primary": true, "value": email, "type": "work"}]),
        );
        let put = step(
            "Okta's update: PUT of the whole user with the changed profile",
            UPDATE,
            Method::Put,
            &path,
            Map::new(),
            Some(Value::Object(whole)),
            &[200],
            Some("User"),
            vec![
                assert(
                    "okta.user.update.id-unchanged",
                    "/id",
                    Op::Equals(json!(scim_id)),
                    "PUT never changes the id (RFC 7643 §3.1, id is readOnly).",
                ),
                assert(
                    "okta.user.update.given-name",
                    "/name/givenName",
                    Op::Equals(json!(first)),
                    "Apply the attributes of the PUT body and return the updated user.",
                ),
            ],
        );
        self.send(put).await.and_then(|x| x.status()) == Some(200)
    }

    /// Okta's path-less PATCH of `active`. Whether the server accepted it.
    pub async fn set_active(&mut self, scim_id: &str, active: bool) -> bool {
        let path = format!("/Users/{}", crate::scim::path::encode_segment(scim_id));
        let (title, reference, check, same) = if active {
            (
                "Okta's reactivation: PATCH active=true",
                REACTIVATE,
                "okta.user.reactivate.patch-result",
                "okta.user.reactivate.patch-same-id",
            )
        } else {
            (
                "Okta's deactivation: PATCH active=false",
                DEACTIVATE,
                "okta.user.deactivate.patch-result",
                "okta.user.deactivate.patch-same-id",
            )
        };
        let patch = step(
            title,
            reference,
            Method::Patch,
            &path,
            Map::new(),
            Some(json!({
                "schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "value": {"active": active}}]
            })),
            &[200, 204],
            Some("User"),
            vec![
                assert(
                    check,
                    "/active",
                    Op::Equals(json!(active)),
                    &format!("Apply {{\"op\":\"replace\",\"value\":{{\"active\":{active}}}}} (no path) to the user."),
                ),
                assert(
                    same,
                    "/id",
                    Op::Equals(json!(scim_id)),
                    "The PATCH answers with the user it was sent to.",
                ),
            ],
        );
        matches!(
            self.send(patch).await.and_then(|x| x.status()),
            Some(200 | 204)
        )
    }

    /// Renders, sends (unless the ledger refuses) and records one request; the exchange.
    async fn send(&mut self, step: Step) -> Option<crate::exec::Exchange> {
        let headers = BTreeMap::from([(
            "User-Agent".to_string(),
            Some("Okta SCIM Client 1.0.0".to_string()),
        )]);
        let prepared = prepare_step(&step, &headers, &Vars::default()).ok()?;
        let req = &prepared.request;
        let (scim, ledger) = (&self.org.scim, &self.org.ledger);
        let exchange = match ledger.refusal(req) {
            Some(why) => scim.refused(req, why),
            None => {
                let in_flight = ledger.sending(req);
                let exchange = scim.send(req).await;
                drop(in_flight);
                exchange
            }
        };
        let created = match ledger.observe(req, &exchange) {
            Observed::Created(entry) => Some(entry),
            _ => None,
        };
        self.out.push(Provisioned {
            step,
            prepared,
            exchange: exchange.clone(),
            created,
        });
        Some(exchange)
    }
}

fn text(user: &OktaUser, key: &str) -> String {
    user.profile
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Okta's create body (the okta profile's create-users scenario): the login as userName,
/// the work email, the Okta user id as externalId, no groups, a placeholder password.
fn create_body(user: &OktaUser) -> Value {
    use rand::Rng;
    let first = text(user, "firstName");
    let last = text(user, "lastName");
    let password: String = {
        let mut rng = rand::rng();
        (0..16)
            .map(|_| char::from_digit(rng.random_range(0..36u32), 36).unwrap_or('x'))
            .collect()
    };
    json!({
        "schemas": [USER],
        "userName": text(user, "login"),
        "name": {"givenName": first, "familyName": last},
        "emails": [{"primary": true, "value": text(user, "email"), "type": "work"}],
        "displayName": format!("{first} {last}"),
        "locale": "en-US",
        "externalId": user.id,
        "groups": [],
        "password": format!("{password}A1!"),
        "active": true
    })
}

fn assert(id: &str, pointer: &str, op: Op, hint: &str) -> Assert {
    Assert {
        id: id.to_string(),
        subject: Subject::Pointer(pointer.to_string()),
        op,
        ignore_case: false,
        severity: None,
        reference: None,
        needs: vec![],
        hint: Some(hint.to_string()),
        may_ignore: false,
    }
}

#[allow(clippy::too_many_arguments)]
fn step(
    title: &str,
    reference: &str,
    method: Method,
    path: &str,
    query: Map<String, Value>,
    body: Option<Value>,
    status: &[u16],
    schema: Option<&str>,
    asserts: Vec<Assert>,
) -> Step {
    Step {
        id: "scim".into(),
        title: title.to_string(),
        reference: Some(reference.to_string()),
        needs: vec![],
        when_failed: None,
        request: Request {
            method,
            path: path.to_string(),
            root: None,
            query,
            headers: BTreeMap::new(),
            body,
            raw_body: None,
            set: Map::new(),
            remove: vec![],
            repeat: None,
        },
        expect: Expect {
            status: status.to_vec(),
            schema: schema.map(str::to_string),
            resources_schema: (schema == Some("ListResponse")).then(|| "User".to_string()),
            asserts,
            ..Expect::default()
        },
        capture: BTreeMap::new(),
        snapshot: SnapshotMode::Full,
        pause: None,
        not_run: None,
        okta_api: false,
        burst: None,
        fan_out: None,
        pages: None,
    }
}
