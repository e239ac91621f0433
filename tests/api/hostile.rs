//! Hostile input against all four HTTP surfaces from one corpus (issue 6). Two tables: raw
//! bodies (truncated and oversized, wrong content types, invalid UTF-8, NUL, duplicate fields,
//! huge numbers, deep nesting, 1 MiB of distinct or repeated field names as form and as JSON,
//! which a parser doing more than linear work per name would not answer in time) sent as they are, and hostile values (SQL and JSON
//! metacharacters, path traversal, 100 KB keys, empty values, unicode oddities, numbers no field
//! takes) placed into each protocol's fields. Every answer must come within a deadline in the
//! protocol's own error shape: the client API's signed failure envelope (HTTP 200, signature
//! checked by PyNaCl), the Licenses API's 4xx `{message, errors?}`, the Reseller API's 4xx
//! `{ok:false, message}`, the admin API's 4xx `{error:{code, message, field?}}`; never a 5xx.
//! Afterwards everything stored before the corpus reads back identically.

use crate::client_support::{Answer, ClientFixture};
use crate::engine_tests;
use crate::harness::TestApp;
use base64::Engine;
use licensd::domain::ids::{LicenseId, PlanId, ResellerId};
use licensd::{api::client::form::MAX_FIELDS, store::tokens::TokenKind};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use std::time::Duration;

engine_tests!(every_surface_refuses_the_corpus_in_its_own_shape, traversal_file_names_are_only_labels);

/// Longest any answer may take: a parser stuck on an input fails the test instead of hanging it
/// (the server's own request timeout, 30 s, answers 408, which is not what is tested here).
const DEADLINE: Duration = Duration::from_secs(10);

/// A body sent as is, with its content type.
struct Raw {
    name: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn raw(name: &'static str, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Raw {
    Raw { name, content_type, body: body.into() }
}

fn raw_bodies() -> Vec<Raw> {
    let json = Some("application/json");
    let form = Some("application/x-www-form-urlencoded");
    let mut oversized = br#"{"license_key":""#.to_vec();
    oversized.resize(1024 * 1024 + 1, b'A');
    vec![
        raw("empty", json, ""),
        raw("truncated object", json, r#"{"license_key":"K-"#),
        raw("lone brace", json, "{"),
        raw("truncated array", json, "[1,2"),
        raw("a string, not an object", json, r#""license_key""#),
        raw("null", json, "null"),
        raw("deep nesting", json, "[".repeat(100_000)),
        raw("invalid UTF-8", json, b"{\"license_key\":\"\xff\xfe\xc0\xaf\"}".to_vec()),
        raw("raw NUL bytes", json, b"{\"license_key\":\"a\0b\"}\0\0".to_vec()),
        raw("escaped NUL", json, r#"{"license_key":"a\u0000b","instance_name":"\u0000","api_token":"\u0000"}"#),
        raw("lone surrogate", json, r#"{"license_key":"\ud800","instance_name":"x"}"#),
        raw("duplicate fields", json, r#"{"license_key":"a","license_key":"b","app_id":1,"app_id":"2"}"#),
        raw("huge numbers", json, r#"{"license_key":1e400,"app_id":18446744073709551616,"plan_id":-0,"count":1.5}"#),
        raw("byte order mark", json, "\u{feff}{}"),
        raw("JSON as text/plain", Some("text/plain"), r#"{"license_key":"x","app_id":1}"#),
        raw("no content type", None, r#"{"license_key":"x"}"#),
        raw("form to a JSON API", Some("application/x-www-form-urlencoded"), "license_key=x&instance_name=y"),
        raw(
            "multipart",
            Some("multipart/form-data; boundary=XX"),
            "--XX\r\nContent-Disposition: form-data; name=\"license_key\"\r\n\r\nx\r\n--XX--\r\n",
        ),
        raw("XML", Some("application/xml"), "<license_key>x</license_key>"),
        raw("odd charset", Some("application/json; charset=utf-7"), "+AHsAfQ-"),
        raw("over max_body_bytes", json, oversized),
        raw("deep nesting in a known member", json, format!(r#"{{"license_key":{}"#, "[".repeat(100_000))),
        raw(
            "deep nesting in an unknown member",
            json,
            format!(r#"{{"x":{}1{}}}"#, "{\"a\":".repeat(50_000), "}".repeat(50_000)),
        ),
        raw("1 MiB of distinct form names", form, many_fields(|i| format!("f{i:x}=v&"))),
        raw("1 MiB of one repeated form name", form, many_fields(|_| "license=v&".to_owned())),
        raw("1 MiB of distinct JSON names", json, json_object(many_fields(|i| format!(r#""f{i:x}":1,"#)))),
        raw("1 MiB of one repeated JSON name", json, json_object(many_fields(|_| r#""license":"v","#.to_owned()))),
    ]
}

/// Just under `max_body_bytes` (1 MiB) of `field(0)`, `field(1)`, ... (each a pair and its
/// separator), room left for the braces of a JSON object.
fn many_fields(field: impl Fn(usize) -> String) -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0.. {
        let next = field(i);
        if body.len() + next.len() > 1024 * 1024 - 16 {
            break;
        }
        body.extend_from_slice(next.as_bytes());
    }
    body
}

/// `{` + members + `"end":0}` (the members end with a comma).
fn json_object(members: Vec<u8>) -> Vec<u8> {
    [&b"{"[..], &members, br#""end":0}"#].concat()
}

/// A hostile value: its JSON text (spliced into a JSON body as is, so it may make the body
/// invalid on purpose) and its bytes for forms, query strings and paths (percent-encoded).
struct Val {
    name: &'static str,
    json: Vec<u8>,
    text: Vec<u8>,
}

fn string(name: &'static str, s: &str) -> Val {
    Val { name, json: serde_json::to_vec(s).unwrap(), text: s.as_bytes().to_vec() }
}

fn bytes(name: &'static str, b: &[u8]) -> Val {
    Val { name, json: [b"\"", b, b"\""].concat(), text: b.to_vec() }
}

fn number(name: &'static str, n: &str) -> Val {
    Val { name, json: n.as_bytes().to_vec(), text: n.as_bytes().to_vec() }
}

/// None of these is a valid value of the fields it goes into (`limit`, `active`, `expires_at`,
/// `count`, `mask`, ...), so every request fails and nothing stored changes.
fn values() -> Vec<Val> {
    vec![
        string("SQL quote", "' OR 1=1 --"),
        string("SQL statement", "'; DROP TABLE licenses; --"),
        string("SQL wildcards", "%_\\"),
        string("JSON metacharacters as text", "\"}],{\"license_key\":\"x\"}"),
        bytes("JSON metacharacters breaking the body", b"x\"]}"),
        string("path traversal", "../../../../etc/passwd"),
        string("Windows path traversal", "..\\..\\..\\windows\\win.ini"),
        string("encoded path traversal", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
        string("100 KB key", &"K".repeat(100 * 1024)),
        string("empty", ""),
        string("whitespace", " \t "),
        string("NUL", "a\0b"),
        string("RTL override", "\u{202e}gpj.exe"),
        string("combining marks", "Z\u{336}\u{31b}a\u{335}l\u{327}g\u{337}o"),
        string("emoji", "\u{1f511}\u{1f600}\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}"),
        bytes("overlong UTF-8", b"\xc0\xaf\xe0\x80\xaf"),
        bytes("invalid UTF-8", b"\xff\xfe"),
        bytes("UTF-8 encoded surrogate", b"\xed\xa0\x80"),
        number("1e400", "1e400"),
        number("2^64", "18446744073709551616"),
        number("below i64", "-9223372036854775809"),
        number("-0", "-0"),
        number("float", "1.5"),
        number("negative", "-1"),
    ]
}

/// Percent-encoding of any bytes for forms, query strings and path segments.
fn pct(b: &[u8]) -> String {
    form_urlencoded::byte_serialize(b).collect()
}

/// The value for a URL, unless it is longer than any HTTP client sends (the `http` crate stops
/// at 64 KiB); such values go into bodies only.
fn in_url(v: &Val) -> Option<String> {
    Some(pct(&v.text)).filter(|t| t.len() <= 8 * 1024)
}

/// `{"<field>": <value>}` plus fixed members, as bytes (the value may break the JSON).
fn json_with(fixed: &str, field: &str, v: &Val) -> Vec<u8> {
    let sep = if fixed.is_empty() { "" } else { "," };
    [format!("{{{fixed}{sep}\"{field}\":").as_bytes(), &v.json, b"}"].concat()
}

/// Everything stored before the corpus runs, and the credentials of each surface.
struct World<'a> {
    t: &'a TestApp,
    c: ClientFixture<'a>,
    http: reqwest::Client,
    admin: String,
    store: String,
    session: String,
    plan_id: PlanId,
    license_id: LicenseId,
    key: String,
    instance: String,
    reseller_id: ResellerId,
}

impl<'a> World<'a> {
    async fn build(t: &'a TestApp) -> Self {
        let c = ClientFixture::new(t).await;
        let seller = c.seller.id;
        let admin = t.store().create_token(TokenKind::Seller, Some(seller), "admin").await.unwrap().1;
        let store = t.store().create_token(TokenKind::Store, Some(seller), "store").await.unwrap().1;
        let plan_id = c.plan("standard", 1, None).await.id;
        let reseller_id = t.store().create_reseller(seller, "bot", "", 100).await.unwrap().id;
        let (session, _) = c.user_session("alice").await;
        let http = reqwest::Client::builder().timeout(DEADLINE).build().unwrap();
        let mut w = Self {
            t,
            c,
            http,
            admin,
            store,
            session,
            plan_id,
            license_id: LicenseId(0),
            key: String::new(),
            instance: String::new(),
            reseller_id,
        };
        let keys = w.generate(json!({})).await;
        w.generate(json!({"reseller_id": reseller_id})).await;
        w.key = keys[0].clone();
        w.license_id = t.store().license_by_key(seller, &w.key).await.unwrap().id;
        let activate = json!({"license_key": w.key, "instance_name": "pc"});
        let (status, body) = t.post_json("/api/v2/licenses/activate", &w.store, &activate).await;
        assert_eq!(status, 200, "{body}");
        w.instance = body["id"].as_str().unwrap().to_owned();
        let file = json!({"fileid": "f1", "name": "a.bin", "data": "AAH+/w=="});
        let (status, body) = t.post_json(&w.app_path("/files"), &w.admin, &file).await;
        assert_eq!(status, 201, "{body}");
        w
    }

    /// Two licenses of the app's plan through the admin API, with `extra` members.
    async fn generate(&self, extra: Value) -> Vec<String> {
        let mut spec = json!({"app_id": self.c.app.id, "plan_id": self.plan_id, "count": 2});
        spec.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let (status, body) = self.t.post_json("/admin/v1/licenses", &self.admin, &spec).await;
        assert_eq!(status, 201, "{body}");
        body["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect()
    }

    fn app_path(&self, rest: &str) -> String {
        format!("/admin/v1/apps/{}{rest}", self.c.app.id)
    }

    /// A fresh key of the reseller: each has its own budget of 100 requests a minute, and a
    /// case sends a handful.
    async fn reseller_token(&self) -> String {
        self.t.store().create_reseller_key(self.reseller_id, "corpus").await.unwrap().1
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.t.url(path))
    }

    /// What every surface reads back of the stored data.
    async fn snapshot(&self) -> Value {
        let t = self.t;
        let key = t.get_json(&format!("/api/v2/license-keys/{}", self.license_id), &self.store).await;
        let instances = t.get_json(&format!("/api/v2/license-keys/{}/instances", self.license_id), &self.store).await;
        let licenses = t.get_json("/admin/v1/licenses?limit=500", &self.admin).await;
        let files = t.get_json(&self.app_path("/files"), &self.admin).await;
        let token = self.reseller_token().await;
        let stock = send(self.request(Method::GET, &format!("/reseller/myavailable?api_token={token}")), "stock").await;
        let file = self.c.call(Some(&self.session), "file", &[("fileid", "f1")]).await;
        assert!(file.success(), "{}", file.text);
        json!({"key": key.1, "instances": instances.1, "licenses": licenses.1, "files": files.1,
               "stock": stock.1, "file": file.json["contents"]})
    }

    /// A client API request to the fixture's app with `rest` appended to the form body.
    async fn client(&self, what: &str, rest: &[u8]) -> Answer {
        let (name, owner) = (&self.c.app.name, &self.c.seller.ownerid);
        let head = format!("name={name}&ownerid={owner}&sessionid={}&", self.session);
        let req = self
            .request(Method::POST, "/api/1.3/")
            .header("content-type", "application/x-www-form-urlencoded")
            .body([head.as_bytes(), rest].concat());
        self.client_answer(what, req, owner).await
    }

    async fn client_answer(&self, what: &str, req: RequestBuilder, owner: &str) -> Answer {
        // The fixture checks the envelope, the ownerid echo and (on drop, in Python) the signature.
        let a = tokio::time::timeout(DEADLINE, self.c.send(req, owner))
            .await
            .unwrap_or_else(|_| panic!("client API {what}: no answer within {DEADLINE:?}"));
        assert_eq!(a.status, 200, "client API {what}: {}", a.text);
        assert!(!a.success() && !a.message().is_empty(), "client API {what}: {}", a.text);
        a
    }

    async fn raw_case(&self, case: &Raw) {
        let what = case.name;
        let with_body = |req: RequestBuilder| {
            let req = req.body(case.body.clone());
            match case.content_type {
                Some(ct) => req.header("content-type", ct),
                None => req,
            }
        };
        // Client API: the action's fields in the query string, the hostile body before them.
        let (name, owner) = (&self.c.app.name, &self.c.seller.ownerid);
        let path = format!("/api/1.3/?type=file&name={name}&ownerid={owner}&sessionid={}", self.session);
        // The parser reads at most MAX_FIELDS pairs, the body's first: past that the query
        // string is unread, and the failure echoes no ownerid.
        let owner = if case.body.split(|b| *b == b'&').count() > MAX_FIELDS { "" } else { owner.as_str() };
        self.client_answer(what, with_body(self.request(Method::POST, &path)), owner).await;
        for path in ["/api/v2/licenses/activate", "/api/v2/licenses/validate"] {
            let req = with_body(self.request(Method::POST, path).bearer_auth(&self.store));
            licenses_error(&format!("{path} {what}"), send(req, what).await);
        }
        let token = self.reseller_token().await;
        for endpoint in ["licenseinfo", "assignlicense"] {
            let req = with_body(self.request(Method::POST, &format!("/reseller/{endpoint}?api_token={token}")));
            reseller_error(&format!("{endpoint} {what}"), send(req, what).await);
        }
        let import = format!("/admin/v1/licenses/import?app_id={}&plan_id={}", self.c.app.id, self.plan_id);
        for path in ["/admin/v1/licenses", import.as_str(), &self.app_path("/files")] {
            let req = with_body(self.request(Method::POST, path).bearer_auth(&self.admin));
            admin_error(&format!("{path} {what}"), send(req, what).await);
        }
    }

    async fn value_case(&self, v: &Val) {
        let what = v.name;
        let text = pct(&v.text);
        for (kind, field) in [("file", "fileid"), ("var", "varid"), ("checkblacklist", "hwid")] {
            self.client(&format!("{kind} {field}={what}"), format!("type={kind}&{field}={text}").as_bytes()).await;
        }
        self.client(&format!("type={what}"), format!("type={text}").as_bytes()).await;
        self.licenses_values(v).await;
        self.reseller_values(v).await;
        self.admin_values(v).await;
    }

    async fn licenses_values(&self, v: &Val) {
        let what = v.name;
        let post = |path: &'static str, body: Vec<u8>| {
            self.request(Method::POST, path)
                .bearer_auth(&self.store)
                .header("content-type", "application/json")
                .body(body)
        };
        let bodies = [
            ("/api/v2/licenses/activate", json_with(r#""instance_name":"pc""#, "license_key", v)),
            ("/api/v2/licenses/activate", json_with(&format!(r#""license_key":"{}""#, "K-NONE"), "instance_name", v)),
            ("/api/v2/licenses/validate", json_with("", "license_key", v)),
            ("/api/v2/licenses/deactivate", json_with(&format!(r#""license_key":"{}""#, self.key), "instance_id", v)),
        ];
        for (path, body) in bodies {
            licenses_error(&format!("{path} {what}"), send(post(path, body), what).await);
        }
        let key_path = format!("/api/v2/license-keys/{}", self.license_id);
        for field in ["limit", "active", "expires_at"] {
            let req = self
                .request(Method::PATCH, &key_path)
                .bearer_auth(&self.store)
                .header("content-type", "application/json")
                .body(json_with("", field, v));
            licenses_error(&format!("PATCH {field}={what}"), send(req, what).await);
        }
        let Some(text) = in_url(v) else { return };
        let list = format!("/api/v2/license-keys?limit={text}&page={text}");
        let req = self.request(Method::GET, &list).bearer_auth(&self.store);
        licenses_error(&format!("list {what}"), send(req, what).await);
        // An empty path segment is another route, not a hostile id.
        if !v.text.is_empty() {
            for path in [format!("/api/v2/license-keys/{text}"), format!("{key_path}/instances/{text}")] {
                let req = self.request(Method::GET, &path).bearer_auth(&self.store);
                licenses_error(&format!("GET key or instance {what}"), send(req, what).await);
            }
        }
    }

    async fn reseller_values(&self, v: &Val) {
        let what = v.name;
        let token = self.reseller_token().await;
        let info = "/reseller/licenseinfo";
        let json = json_with(&format!(r#""api_token":"{token}""#), "license", v);
        let form = format!("api_token={token}&license={}", pct(&v.text));
        for (content_type, body) in [("application/json", json), ("application/x-www-form-urlencoded", form.into())] {
            let req = self.request(Method::POST, info).header("content-type", content_type).body(body);
            reseller_error(&format!("licenseinfo {content_type} {what}"), send(req, what).await);
        }
        let Some(text) = in_url(v) else { return };
        let mut queries = vec![
            format!("{info}?api_token={token}&license={text}"),
            format!("/reseller/assignlicense?api_token={token}&license=ps-NONE&discord_user_id={text}"),
            format!("/reseller/myavailable?api_token={text}"),
        ];
        // A blank limit counts as absent (values are trimmed): the default page, answered 200.
        if !v.text.trim_ascii().is_empty() {
            queries.push(format!("/reseller/myavailable?api_token={token}&limit={text}"));
        }
        for query in queries {
            reseller_error(&format!("reseller query {what}"), send(self.request(Method::GET, &query), what).await);
        }
    }

    async fn admin_values(&self, v: &Val) {
        let what = v.name;
        let spec = format!(r#""app_id":{},"plan_id":{}"#, self.c.app.id, self.plan_id);
        for body in [json_with(&spec, "count", v), json_with(&format!(r#"{spec},"count":1"#), "mask", v)] {
            let req = self
                .request(Method::POST, "/admin/v1/licenses")
                .bearer_auth(&self.admin)
                .header("content-type", "application/json")
                .body(body);
            admin_error(&format!("generate {what}"), send(req, what).await);
        }
        let ban = self.request(Method::POST, "/admin/v1/licenses/999999999/ban").bearer_auth(&self.admin);
        let ban = ban.header("content-type", "application/json").body(json_with("", "reason", v));
        admin_error(&format!("ban {what}"), send(ban, what).await);
        let Some(text) = in_url(v) else { return };
        let mut paths = vec![(Method::GET, format!("/admin/v1/licenses?limit={text}"))];
        // An empty path segment is another route, not a hostile id.
        if !v.text.is_empty() {
            paths.push((Method::GET, format!("/admin/v1/licenses/{text}")));
            for item in ["files", "webhooks", "vars", "chat/channels", "chat/mutes", "sessions"] {
                paths.push((Method::DELETE, self.app_path(&format!("/{item}/{text}"))));
            }
            paths.push((Method::GET, self.app_path(&format!("/chat/channels/{text}/messages"))));
        }
        for (method, path) in paths {
            let req = self.request(method.clone(), &path).bearer_auth(&self.admin);
            admin_error(&format!("{method} {what}"), send(req, what).await);
        }
        // Searches take any text: a result or a refusal, never a server error.
        for path in [format!("/admin/v1/licenses?search={text}"), self.app_path(&format!("/users?search={text}"))] {
            let (status, body) = send(self.request(Method::GET, &path).bearer_auth(&self.admin), what).await;
            match status {
                // Every row found holds the text literally (wildcards are not wildcards).
                200 => {
                    let needle = String::from_utf8_lossy(&v.text).trim().to_lowercase();
                    for row in body["data"].as_array().unwrap_or_else(|| panic!("{what}: {body:.300}")) {
                        let texts = row.as_object().unwrap().values().filter_map(Value::as_str);
                        assert!(texts.map(str::to_lowercase).any(|t| t.contains(&needle)), "{what}: {row}");
                    }
                }
                _ => admin_error(&format!("search {what}"), (status, body)),
            }
        }
    }
}

/// Status and JSON body (`Null` if not JSON); a request that outlives `DEADLINE` fails.
async fn send(req: RequestBuilder, what: &str) -> (u16, Value) {
    let res = req.send().await.unwrap_or_else(|e| panic!("{what}: no answer within {DEADLINE:?}: {}", e.without_url()));
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[track_caller]
fn assert_4xx(what: &str, status: u16, body: &Value) {
    assert!((400..500).contains(&status), "{what}: {status} {body:.300}");
}

/// Laravel's `{"message", "errors"?: {field: [messages]}}` (a refused activation adds the key).
#[track_caller]
fn licenses_error(what: &str, (status, body): (u16, Value)) {
    assert_4xx(what, status, &body);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {body:.300}");
    if let Some(errors) = body.get("errors") {
        let errors = errors.as_object().unwrap_or_else(|| panic!("{what}: errors not an object: {body:.300}"));
        assert!(!errors.is_empty(), "{what}: {body}");
        for list in errors.values() {
            assert!(list.as_array().is_some_and(|l| !l.is_empty() && l.iter().all(Value::is_string)), "{what}: {body}");
        }
    }
}

/// Exactly `{"ok": false, "message": "..."}`.
#[track_caller]
fn reseller_error(what: &str, (status, body): (u16, Value)) {
    assert_4xx(what, status, &body);
    let members = body.as_object().map(|o| o.len());
    assert_eq!((members, &body["ok"]), (Some(2), &json!(false)), "{what}: {body:.300}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {body:.300}");
}

/// Exactly `{"error": {"code", "message", "field"?}}`.
#[track_caller]
fn admin_error(what: &str, (status, body): (u16, Value)) {
    assert_4xx(what, status, &body);
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{what}: {body:.300}");
    let error = body["error"].as_object().unwrap_or_else(|| panic!("{what}: {body:.300}"));
    assert!(error["code"].is_string() && error["message"].is_string(), "{what}: {body:.300}");
    assert!(error.keys().all(|k| ["code", "message", "field"].contains(&k.as_str())), "{what}: {body:.300}");
}

async fn every_surface_refuses_the_corpus_in_its_own_shape(t: TestApp) {
    let w = World::build(&t).await;
    let before = w.snapshot().await;
    for case in raw_bodies() {
        w.raw_case(&case).await;
    }
    for v in values() {
        w.value_case(&v).await;
    }
    assert_eq!(w.snapshot().await, before, "stored data changed under the corpus");
    // The license still works where it is used.
    let again = json!({"license_key": w.key, "instance_id": w.instance});
    let (status, body) = t.post_json("/api/v2/licenses/validate", &w.store, &again).await;
    assert_eq!((status, &body["valid"]), (200, &json!(true)), "{body}");
}

/// Files live in the database, so a file id or name is a label: one that looks like a path
/// stores and serves exactly the uploaded bytes, and one never uploaded is just not found.
async fn traversal_file_names_are_only_labels(t: TestApp) {
    let w = World::build(&t).await;
    let upload = json!({"fileid": "../../../../etc/passwd", "name": "..\\..\\boot.ini", "data": "c2FmZQ=="});
    let (status, body) = t.post_json(&w.app_path("/files"), &w.admin, &upload).await;
    assert_eq!(status, 201, "{body}");
    let put = w.app_path(&format!("/files/{}?name={}", pct(b"../../etc/hostname"), pct(b"/etc/shadow")));
    let (status, body) = send(w.request(Method::PUT, &put).bearer_auth(&w.admin).body("raw"), "PUT").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["data"]["fileid"], "../../etc/hostname");
    let session = &w.session;
    let a = w.c.call(Some(session), "file", &[("fileid", "../../../../etc/passwd")]).await;
    a.assert_ok("File download successful");
    assert_eq!(a.json["contents"], hex::encode("safe"));
    let a = w.c.call(Some(session), "file", &[("fileid", "../../etc/hostname")]).await;
    assert_eq!(a.json["contents"], hex::encode("raw"), "{}", a.text);
    for never in ["../../../../etc/hosts", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "f1/../f1"] {
        let a = w.c.call(Some(session), "file", &[("fileid", never)]).await;
        assert!(!a.success(), "{never}: {}", a.text);
    }
    let listed = t.get_json(&w.app_path("/files"), &w.admin).await.1;
    let ids: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|f| f["fileid"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{listed}");
    let b64 = base64::engine::general_purpose::STANDARD.encode("x");
    let (status, body) =
        t.post_json(&w.app_path("/files"), &w.admin, &json!({"fileid": "a\0b", "name": "n", "data": b64})).await;
    admin_error("NUL file id", (status, body));
}
