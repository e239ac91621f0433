//! The admin API's OpenAPI document: the served one is the committed `docs/admin-openapi.json`,
//! and every admin operation's real answers (a success and errors of each documented 4xx kind)
//! validate against the document's schema for that route and status.

use crate::engine_tests;
use crate::harness::{Engine, TestApp, split};
use crate::tenants::{fill, tenant};
use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

engine_tests!(every_answer_matches_the_document);

const COPY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/admin-openapi.json");

#[tokio::test]
async fn served_document_is_the_committed_copy() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let res = app.http.get(app.url("/admin/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let served: Value = res.json().await.unwrap();
    let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COPY, &text).unwrap();
    }
    let committed = std::fs::read_to_string(COPY).unwrap_or_default();
    assert!(
        committed == text,
        "docs/admin-openapi.json differs from the served document; regenerate it with \
         UPDATE_OPENAPI=1 scripts/test -E 'test(served_document_is_the_committed_copy)'"
    );
}

/// Requests in order (deletions last), `{a.NAME}` filled from one seller's objects (see
/// `tenants::tenant`). Each is sent with the seller's token; its answer must be documented.
const SUCCESSES: &[(&str, &str, &str)] = &[
    ("GET", "/admin/v1/openapi.json", ""),
    ("GET", "/admin/v1/sellers", ""),
    ("GET", "/admin/v1/sellers/{a.seller}", ""),
    ("GET", "/admin/v1/tokens", ""),
    ("POST", "/admin/v1/tokens", r#"{"kind":"store","name":"t2"}"#),
    ("GET", "/admin/v1/apps", ""),
    ("POST", "/admin/v1/apps", r#"{"name":"second"}"#),
    ("GET", "/admin/v1/apps/{a.app}", ""),
    ("POST", "/admin/v1/licenses/{a.inst_license}/offline", "{}"),
    ("PATCH", "/admin/v1/apps/{a.app}", r#"{"paused":true,"messages":{"invalid_key":"no"}}"#),
    ("POST", "/admin/v1/apps/{a.app}/rotate-secret", ""),
    ("GET", "/admin/v1/apps/{a.app}/plans", ""),
    ("POST", "/admin/v1/apps/{a.app}/plans", r#"{"name":"p2","level":9,"duration_secs":null}"#),
    ("GET", "/admin/v1/apps/{a.app}/plans/{a.plan}", ""),
    ("PATCH", "/admin/v1/apps/{a.app}/plans/{a.plan}", r#"{"duration_secs":3600}"#),
    ("GET", "/admin/v1/apps/{a.app}/users", ""),
    ("GET", "/admin/v1/apps/{a.app}/users/{a.user}", ""),
    ("POST", "/admin/v1/apps/{a.app}/users/{a.user}/reset-hwid", ""),
    ("POST", "/admin/v1/apps/{a.app}/users/{a.user}/web-token", ""),
    ("POST", "/admin/v1/apps/{a.app}/users/{a.user}/extend", r#"{"duration":"1d"}"#),
    ("POST", "/admin/v1/apps/{a.app}/users/{a.banned_user}/unban", ""),
    ("POST", "/admin/v1/apps/{a.app}/users/{a.banned_user}/ban", r#"{"reason":"r"}"#),
    ("GET", "/admin/v1/licenses", ""),
    ("POST", "/admin/v1/licenses", r#"{"app_id":{a.app},"plan_id":{a.plan},"count":2}"#),
    ("GET", "/admin/v1/licenses/export", ""),
    ("GET", "/admin/v1/licenses/export?format=csv", ""),
    ("POST", "/admin/v1/licenses/import?app_id={a.app}&plan_id={a.plan}", r#"{"licenses":[{"key":"IMPORTED-1"}]}"#),
    ("POST", "/admin/v1/apps/{a.app}/import/keyauth/keys", r#"[{"key":"KA-OPENAPI"}]"#),
    ("POST", "/admin/v1/apps/{a.app}/import/keyauth/tokens", r#"[{"token":"ka-openapi-token"}]"#),
    ("POST", "/admin/v1/apps/{a.app}/import/keyauth/users", r#"{"users":[]}"#),
    ("GET", "/admin/v1/imports", ""),
    ("GET", "/admin/v1/imports/{a.import}", ""),
    ("GET", "/admin/v1/licenses/{a.license}", ""),
    ("POST", "/admin/v1/licenses/{a.banned_license}/unban", ""),
    ("POST", "/admin/v1/licenses/{a.banned_license}/ban", r#"{"reason":"r"}"#),
    ("POST", "/admin/v1/licenses/{a.license}/extend", r#"{"duration":"1d"}"#),
    ("GET", "/admin/v1/resellers", ""),
    ("POST", "/admin/v1/resellers", r#"{"name":"r3"}"#),
    ("GET", "/admin/v1/resellers/{a.reseller}", ""),
    ("PATCH", "/admin/v1/resellers/{a.reseller}", r#"{"rate_limit_per_min":20}"#),
    ("GET", "/admin/v1/resellers/{a.reseller}/keys", ""),
    ("POST", "/admin/v1/resellers/{a.reseller}/keys", r#"{"label":"l"}"#),
    ("GET", "/admin/v1/resellers/{a.reseller}/stock", ""),
    ("POST", "/admin/v1/resellers/{a.reseller}/stock", r#"{"license_ids":[{a.free_license}]}"#),
    (
        "PUT",
        "/admin/v1/resellers/{a.reseller}/login",
        r#"{"email":"openapi-login@example.com","password":"a long passphrase"}"#,
    ),
    ("GET", "/admin/v1/webhooks", ""),
    ("POST", "/admin/v1/webhooks", r#"{"url":"https://example.com/e","events":["license.*"]}"#),
    ("GET", "/admin/v1/webhooks/{a.endpoint}", ""),
    ("PATCH", "/admin/v1/webhooks/{a.endpoint}", r#"{"events":["*"]}"#),
    ("GET", "/admin/v1/webhooks/{a.endpoint}/deliveries", ""),
    ("POST", "/admin/v1/webhooks/{a.endpoint}/deliveries/{a.delivery}/redeliver", ""),
    ("POST", "/admin/v1/webhooks/{a.endpoint}/redeliver-failed", ""),
    // The fixture's connection goes first: a seller has one per store.
    ("DELETE", "/admin/v1/store-connections/{a.connection}", ""),
    (
        "POST",
        "/admin/v1/store-connections",
        r#"{"store":"lemonsqueezy","products":[{"variant":"1","app_id":{a.app},"plan_id":{a.plan}}]}"#,
    ),
    ("GET", "/admin/v1/store-connections", ""),
    (
        "POST",
        "/admin/v1/resellers/{a.reseller}/stock",
        r#"{"generate":{"app_id":{a.app},"plan_id":{a.plan},"count":1}}"#,
    ),
    ("GET", "/admin/v1/audit", ""),
    ("GET", "/admin/v1/customers", ""),
    ("GET", "/admin/v1/overview", ""),
    ("GET", "/admin/v1/apps/{a.app}/vars", ""),
    ("POST", "/admin/v1/apps/{a.app}/vars", r#"{"name":"v","value":"1"}"#),
    ("GET", "/admin/v1/apps/{a.app}/users/{a.user}/vars", ""),
    ("POST", "/admin/v1/apps/{a.app}/users/{a.user}/vars", r#"{"name":"n","value":"v","readonly":true}"#),
    ("GET", "/admin/v1/apps/{a.app}/blacklist", ""),
    ("POST", "/admin/v1/apps/{a.app}/blacklist", r#"{"kind":"ip","value":"10.0.0.1"}"#),
    ("GET", "/admin/v1/apps/{a.app}/client-tokens", ""),
    ("POST", "/admin/v1/apps/{a.app}/client-tokens", r#"{"kind":"license","assigned":"KEY"}"#),
    ("POST", "/admin/v1/apps/{a.app}/client-tokens/{a.client_token}/ban", r#"{"reason":"r"}"#),
    ("POST", "/admin/v1/apps/{a.app}/client-tokens/{a.client_token}/unban", ""),
    ("POST", "/admin/v1/apps/{a.app}/client-tokens/{a.client_token}/reset-hash", ""),
    ("GET", "/admin/v1/apps/{a.app}/sessions", ""),
    ("GET", "/admin/v1/apps/{a.app}/logs", ""),
    ("GET", "/admin/v1/apps/{a.app}/webhooks", ""),
    ("POST", "/admin/v1/apps/{a.app}/webhooks", r#"{"webid":"w2","url":"https://example.com/2"}"#),
    ("GET", "/admin/v1/apps/{a.app}/files", ""),
    ("POST", "/admin/v1/apps/{a.app}/files", r#"{"fileid":"f2","name":"f.bin","data":"AAEC","authed":false}"#),
    ("PUT", "/admin/v1/apps/{a.app}/files/f3?name=raw.bin", "raw bytes"),
    ("GET", "/admin/v1/apps/{a.app}/chat/channels", ""),
    ("POST", "/admin/v1/apps/{a.app}/chat/channels", r#"{"name":"c2","delay_secs":5}"#),
    ("GET", "/admin/v1/apps/{a.app}/chat/channels/{a.channel}/messages", ""),
    ("GET", "/admin/v1/apps/{a.app}/chat/mutes", ""),
    ("POST", "/admin/v1/apps/{a.app}/chat/mutes", r#"{"username":"m2","until":4102444800000}"#),
    ("DELETE", "/admin/v1/apps/{a.app}/chat/mutes/{a.mute}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/chat/messages/{a.message}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/chat/channels/{a.channel}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/files/{a.file}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/webhooks/{a.webhook}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/sessions/{a.session}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/users/{a.user}/sessions", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/blacklist/{a.blacklist}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/client-tokens/{a.client_token}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/users/{a.user}/vars/{a.uvar}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/vars/{a.var}", ""),
    ("DELETE", "/admin/v1/resellers/{a.reseller}/login", ""),
    ("DELETE", "/admin/v1/resellers/{a.reseller}/keys/{a.rkey}", ""),
    ("DELETE", "/admin/v1/licenses/{a.free_key_id}", ""),
    ("DELETE", "/admin/v1/tokens/{a.token}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/users/{a.user}", ""),
    ("DELETE", "/admin/v1/resellers/{a.reseller}", ""),
    ("DELETE", "/admin/v1/apps/{a.app}/plans/{a.spare_plan}", ""),
    ("DELETE", "/admin/v1/apps/{a.spare_app}", ""),
    ("DELETE", "/admin/v1/webhooks/{a.endpoint}", ""),
];

/// The id of the first delivery the webhook worker makes for the tenant's endpoint once it is
/// switched on (the fixture's client sign-ins come after the endpoint, so it has events to
/// deliver), waiting for it up to 10 s.
async fn first_delivery(app: &TestApp, token: &str, endpoint: &str) -> i64 {
    let path = format!("/admin/v1/webhooks/{endpoint}");
    let (status, _) = crate::adminkit::call(app, "PATCH", &path, token, Some(json!({"enabled": true}))).await;
    assert_eq!(status, 200);
    let path = format!("/admin/v1/webhooks/{endpoint}/deliveries");
    for _ in 0..100 {
        let (_, log) = crate::adminkit::call(app, "GET", &path, token, None).await;
        if let Some(id) = log["data"].as_array().and_then(|d| d.last()).and_then(|d| d["id"].as_i64()) {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no delivery for the endpoint after 10 s");
}

/// Error answers: unknown ids, bad bodies and queries, conflicts, operator-only routes.
const ERRORS: &[(&str, &str, &str)] = &[
    ("POST", "/admin/v1/licenses/{a.license}/extend", r#"{"duration":"soon"}"#),
    ("GET", "/admin/v1/apps/987654321", ""),
    ("GET", "/admin/v1/imports/987654321", ""),
    ("POST", "/admin/v1/apps/{a.app}/import/keyauth/keys", r#"{"keys": 5"#),
    ("POST", "/admin/v1/apps/{a.app}/import/keyauth/tokens", r#"{"tokens": 5}"#),
    ("POST", "/admin/v1/apps/{a.app}/import/keyauth/keys?plan=x", r#"[]"#),
    ("GET", "/admin/v1/apps/{a.app}/plans/987654321", ""),
    ("PATCH", "/admin/v1/apps/{a.app}/plans/{a.plan}", r#"{"level":9}"#),
    ("GET", "/admin/v1/apps?limit=0", ""),
    ("GET", "/admin/v1/apps?nonsense=1", ""),
    ("POST", "/admin/v1/apps", r#"{"name":"{a.app_name}"}"#),
    ("POST", "/admin/v1/apps", r#"{"name":""}"#),
    ("POST", "/admin/v1/apps", r#"{"name":"#),
    ("POST", "/admin/v1/sellers", r#"{"name":"new-seller"}"#),
    ("DELETE", "/admin/v1/sellers/{a.seller}", ""),
    ("POST", "/admin/v1/tokens", r#"{"kind":"operator"}"#),
    ("POST", "/admin/v1/resellers", r#"{"name":"r3"}"#),
    ("POST", "/admin/v1/apps/{a.app}/client-tokens", r#"{"kind":"seller"}"#),
    ("POST", "/admin/v1/apps/{a.app}/client-tokens/987654321/ban", r#"{}"#),
];

/// One operation of the document: its responses by status.
struct Operation {
    responses: BTreeMap<String, Value>,
}

struct Checker {
    doc: Value,
    /// `(method, template)` to the status classes answered (`2`, `4`, `5`).
    seen: BTreeMap<(String, String), BTreeSet<char>>,
}

impl Checker {
    fn template(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap();
        let segs: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, &String)> = None;
        for t in self.doc["paths"].as_object().unwrap().keys() {
            let ts: Vec<&str> = t.split('/').collect();
            if ts.len() != segs.len() {
                continue;
            }
            let fits = ts.iter().zip(&segs).all(|(t, s)| t.starts_with('{') || t == s);
            let literal = ts.iter().filter(|t| !t.starts_with('{')).count();
            if fits && best.is_none_or(|(n, _)| literal > n) {
                best = Some((literal, t));
            }
        }
        best.unwrap_or_else(|| panic!("{path} is in no documented path")).1.clone()
    }

    fn operation(&self, method: &str, template: &str) -> Operation {
        let op = &self.doc["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not documented");
        let responses = op["responses"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Operation { responses }
    }

    /// Resolves a `$ref` to `#/components/...` of the document.
    fn resolve<'v>(&'v self, v: &'v Value) -> &'v Value {
        match v["$ref"].as_str() {
            Some(r) => self.doc.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("dangling {r}")),
            None => v,
        }
    }

    /// Validates one answer against the document; records its status class.
    fn check(&mut self, method: &str, path: &str, status: u16, content_type: &str, body: &Value) {
        let template = self.template(path);
        let op = self.operation(method, &template);
        let response = op
            .responses
            .get(&status.to_string())
            .unwrap_or_else(|| panic!("{method} {path} answered {status}, which is not documented: {body}"));
        let response = self.resolve(response);
        let media = content_type.split(';').next().unwrap_or("").trim();
        match response.get("content") {
            None => assert!(body.is_null(), "{method} {path} {status}: documented without a body, got {body}"),
            Some(content) => {
                let entry =
                    content.get(media).unwrap_or_else(|| panic!("{method} {path} {status}: {media} is not documented"));
                if media == "application/json" {
                    let mut schema = entry["schema"].clone();
                    // Refs are `#/components/schemas/...`: give the schema the document's components.
                    schema["components"] = self.doc["components"].clone();
                    let validator: Validator = jsonschema::validator_for(&schema).unwrap();
                    let errors: Vec<String> =
                        validator.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).collect();
                    assert!(
                        errors.is_empty(),
                        "{method} {path} {status} disagrees with the document: {errors:?}\n{body}"
                    );
                }
            }
        }
        let class = status.to_string().chars().next().unwrap();
        self.seen.entry((method.to_lowercase(), template)).or_default().insert(class);
    }
}

async fn send(app: &TestApp, token: Option<&str>, method: &str, path: &str, body: &str) -> (u16, String, Value) {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.http.request(m, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if body.starts_with('{') {
        req = req.header("content-type", "application/json").body(body.to_owned());
    } else if !body.is_empty() {
        req = req.header("content-type", "application/octet-stream").body(body.to_owned());
    }
    let res = req.send().await.unwrap();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (status, value) = split(res).await;
    (status, content_type, value)
}

async fn every_answer_matches_the_document(app: TestApp) {
    let (_, doc) = app.get_json("/admin/v1/openapi.json", "").await;
    let a = tenant(&app, "a").await;
    let t = a.fixture.admin_token.clone();
    let mut refs = a.refs.clone();
    // Objects to delete at the end, apart from those the other requests use.
    let (_, spare) = crate::adminkit::call(&app, "POST", "/admin/v1/apps", &t, Some(json!({"name": "spare"}))).await;
    let spare_app = spare["data"]["id"].as_i64().unwrap();
    refs.insert("spare_app", spare_app.to_string());
    let (_, plan) = crate::adminkit::call(
        &app,
        "POST",
        &format!("/admin/v1/apps/{}/plans", refs["app"]),
        &t,
        Some(json!({"name": "spare", "level": 3})),
    )
    .await;
    refs.insert("spare_plan", plan["data"]["id"].as_i64().unwrap().to_string());
    let free = app.store().license_by_key(a.fixture.seller.id, &refs["free_key"]).await.unwrap();
    refs.insert("free_key_id", free.id.to_string());
    // Activated through the Licenses API, so its time has started: it can be checked out.
    let activated = app.store().license_by_key(a.fixture.seller.id, &refs["inst_key"]).await.unwrap();
    refs.insert("inst_license", activated.id.to_string());
    refs.insert("delivery", first_delivery(&app, &t, &refs["endpoint"]).await.to_string());
    let mut checker = Checker { doc, seen: BTreeMap::new() };

    for (method, template, body) in SUCCESSES {
        let (path, body) = (fill(template, &refs, &refs, &refs), fill(body, &refs, &refs, &refs));
        let (status, content_type, answer) = send(&app, Some(&t), method, &path, &body).await;
        assert!(status < 300, "{method} {path} {body}: {status} {answer}");
        checker.check(method, &path, status, &content_type, &answer);
    }
    for (method, template, body) in ERRORS {
        let (path, body) = (fill(template, &refs, &refs, &refs), fill(body, &refs, &refs, &refs));
        let (status, content_type, answer) = send(&app, Some(&t), method, &path, &body).await;
        assert!((400..500).contains(&status), "{method} {path} {body}: {status} {answer}");
        checker.check(method, &path, status, &content_type, &answer);
    }
    // The operator's own routes.
    let op = app.operator_token().await;
    let (status, content_type, made) =
        send(&app, Some(&op), "POST", "/admin/v1/sellers", r#"{"name":"op-made"}"#).await;
    checker.check("POST", "/admin/v1/sellers", status, &content_type, &made);
    let gone = format!("/admin/v1/sellers/{}", made["data"]["id"]);
    let (status, content_type, answer) = send(&app, Some(&op), "DELETE", &gone, "").await;
    assert_eq!(status, 204, "{answer}");
    checker.check("DELETE", &gone, status, &content_type, &answer);

    // Without a token: every route but the document itself answers 401.
    for (method, template, body) in SUCCESSES {
        let (path, body) = (fill(template, &refs, &refs, &refs), fill(body, &refs, &refs, &refs));
        let (status, content_type, answer) = send(&app, None, method, &path, &body).await;
        if !path.ends_with("/openapi.json") {
            assert_eq!(status, 401, "{method} {path}: {answer}");
        }
        checker.check(method, &path, status, &content_type, &answer);
    }

    // Every route answered a success, and an error of each documented 4xx kind. (503, the only
    // documented 5xx, needs a full disk: tests/api/full_disk.rs drives it.)
    for (method, path) in licensd::api::admin::route_table() {
        let seen = checker.seen.get(&(method.to_owned(), path.clone())).cloned().unwrap_or_default();
        let op = checker.operation(method, &path);
        for class in op.responses.keys().filter_map(|s| s.chars().next()).filter(|c| *c != '5') {
            assert!(seen.contains(&class), "{method} {path}: no {class}xx answer was checked");
        }
    }
}
