//! The tenant matrix: two sellers A and B with the same kinds of objects, and every token kind of
//! A (seller admin token, store token, reseller key, seller API key, client session, panel
//! session, reseller dashboard session) sends every request of its surface that names an object, once with B's object and
//! once with a never-existing one of the same shape. Both answers must be identical (status and
//! body, volatile fields aside) and neither request may change anything in the database. The operator token is the control: it
//! does see B's objects through the same requests. A new endpoint is one line in a table; the
//! admin table must cover every route of the admin router.

use crate::adminkit::{app_with_plan, call, generate};
use crate::engine_tests;
use crate::harness::{Engine, SellerFixture, TestApp};
use licensd::domain::ids::AppId;
use serde_json::{Value, json};
use sqlx::{Column, Connection, Row};
use std::collections::BTreeMap;

engine_tests!(tenant_matrix);

/// One request of the matrix. `{a.NAME}` is A's object, `{b.NAME}` B's, and `{x.NAME}` the
/// probe: B's object in one run, a never-existing one of the same shape in the other. A body
/// that starts with `{` or `[` is sent as JSON, another non-empty body as a form.
#[derive(Debug, Clone, Copy)]
struct Probe<'s> {
    method: &'s str,
    path: &'s str,
    body: &'s str,
    /// One extra header, `name: value`, or empty.
    header: &'s str,
}

const fn p<'s>(method: &'s str, path: &'s str, body: &'s str) -> Probe<'s> {
    Probe { method, path, body, header: "" }
}

const fn h<'s>(method: &'s str, path: &'s str, body: &'s str, header: &'s str) -> Probe<'s> {
    Probe { method, path, body, header }
}

/// The admin API with A's seller token (Bearer). Every admin route has at least one line.
const ADMIN: &[Probe<'static>] = &[
    p("GET", "/admin/v1/openapi.json?seller_id={x.seller}", ""),
    p("GET", "/admin/v1/sellers?seller_id={x.seller}", ""),
    p("POST", "/admin/v1/sellers", r#"{"name":"{x.seller_name}"}"#),
    p("GET", "/admin/v1/sellers/{x.seller}", ""),
    p("DELETE", "/admin/v1/sellers/{x.seller}", ""),
    p("GET", "/admin/v1/tokens?seller_id={x.seller}", ""),
    p("POST", "/admin/v1/tokens", r#"{"kind":"store","seller_id":{x.seller},"name":"t"}"#),
    p("POST", "/admin/v1/tokens", r#"{"kind":"seller","seller_id":{x.seller},"name":"t"}"#),
    p("DELETE", "/admin/v1/tokens/{x.token}", ""),
    p("GET", "/admin/v1/apps?seller_id={x.seller}", ""),
    p("POST", "/admin/v1/apps?seller_id={x.seller}", r#"{"name":"new"}"#),
    p("GET", "/admin/v1/apps/{x.app}", ""),
    p("GET", "/admin/v1/apps/{a.app}?seller_id={x.seller}", ""),
    p("PATCH", "/admin/v1/apps/{x.app}", r#"{"name":"renamed","paused":true}"#),
    p("DELETE", "/admin/v1/apps/{x.app}", ""),
    p("POST", "/admin/v1/apps/{x.app}/rotate-secret", ""),
    p("GET", "/admin/v1/apps/{x.app}/plans", ""),
    p("POST", "/admin/v1/apps/{x.app}/plans", r#"{"name":"p2","level":9,"duration_secs":null}"#),
    p("DELETE", "/admin/v1/apps/{x.app}/plans/{x.plan}", ""),
    p("GET", "/admin/v1/apps/{x.app}/plans/{x.plan}", ""),
    p("PATCH", "/admin/v1/apps/{x.app}/plans/{x.plan}", r#"{"name":"renamed"}"#),
    p("PATCH", "/admin/v1/apps/{a.app}/plans/{x.plan}", r#"{"name":"renamed"}"#),
    p("DELETE", "/admin/v1/apps/{a.app}/plans/{x.plan}", ""),
    p("GET", "/admin/v1/apps/{x.app}/users", ""),
    p("GET", "/admin/v1/apps/{x.app}/users?search={x.username}", ""),
    p("GET", "/admin/v1/apps/{a.app}/users?search={x.username}", ""),
    p("GET", "/admin/v1/apps/{x.app}/users/{x.user}", ""),
    p("GET", "/admin/v1/apps/{a.app}/users/{x.user}", ""),
    p("DELETE", "/admin/v1/apps/{x.app}/users/{x.user}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/users/{x.user}", ""),
    p("POST", "/admin/v1/apps/{x.app}/users/{x.user}/reset-hwid", ""),
    p("POST", "/admin/v1/apps/{a.app}/users/{x.user}/reset-hwid", ""),
    p("POST", "/admin/v1/apps/{x.app}/users/{x.user}/web-token", ""),
    p("POST", "/admin/v1/apps/{a.app}/users/{x.user}/web-token", ""),
    p("POST", "/admin/v1/apps/{x.app}/users/{x.user}/ban", r#"{"reason":"r"}"#),
    p("POST", "/admin/v1/apps/{a.app}/users/{x.user}/ban", r#"{"reason":"r"}"#),
    p("POST", "/admin/v1/apps/{x.app}/users/{x.banned_user}/unban", ""),
    p("POST", "/admin/v1/apps/{a.app}/users/{x.banned_user}/unban", ""),
    p("POST", "/admin/v1/apps/{x.app}/users/{x.user}/extend", r#"{"duration":"1d"}"#),
    p("POST", "/admin/v1/apps/{a.app}/users/{x.user}/extend", r#"{"duration":"1d"}"#),
    p("GET", "/admin/v1/licenses?seller_id={x.seller}", ""),
    p("GET", "/admin/v1/licenses?app_id={x.app}", ""),
    p("GET", "/admin/v1/licenses?plan_id={x.plan}", ""),
    p("GET", "/admin/v1/licenses?reseller_id={x.reseller}", ""),
    p("GET", "/admin/v1/licenses?search={x.key}", ""),
    p("POST", "/admin/v1/licenses", r#"{"app_id":{x.app},"plan_id":{x.plan},"count":1}"#),
    p("POST", "/admin/v1/licenses", r#"{"app_id":{a.app},"plan_id":{x.plan},"count":1}"#),
    p("POST", "/admin/v1/licenses", r#"{"app_id":{a.app},"plan_id":{a.plan},"count":1,"reseller_id":{x.reseller}}"#),
    p("GET", "/admin/v1/licenses/export?seller_id={x.seller}", ""),
    p("GET", "/admin/v1/licenses/export?app_id={x.app}&format=csv", ""),
    p("GET", "/admin/v1/licenses/export?reseller_id={x.reseller}", ""),
    p("POST", "/admin/v1/licenses/import?app_id={x.app}", r#"{"licenses":[{"key":"IMPORTED-1"}]}"#),
    p("POST", "/admin/v1/licenses/import?app_id={a.app}&plan_id={x.plan}", r#"{"licenses":[{"key":"IMPORTED-2"}]}"#),
    p("POST", "/admin/v1/licenses/import?app_id={a.app}", r#"{"licenses":[{"key":"IMPORTED-3","plan":"{x.plan}"}]}"#),
    p("GET", "/admin/v1/licenses/{x.license}", ""),
    p("DELETE", "/admin/v1/licenses/{x.license}", ""),
    p("POST", "/admin/v1/licenses/{x.license}/ban", r#"{"reason":"r"}"#),
    p("POST", "/admin/v1/licenses/{x.license}/extend", r#"{"duration":"1d"}"#),
    p("POST", "/admin/v1/licenses/{x.banned_license}/unban", ""),
    p("POST", "/admin/v1/licenses/{x.license}/offline", "{}"),
    p("POST", "/admin/v1/licenses/{a.license}/offline", r#"{"instance_id":"{x.instance}"}"#),
    p("GET", "/admin/v1/overview?seller_id={x.seller}", ""),
    p("POST", "/admin/v1/apps/{x.app}/import/keyauth/keys", r#"[{"key":"KA-1"}]"#),
    p("POST", "/admin/v1/apps/{x.app}/import/keyauth/tokens", r#"[{"token":"KA-T1"}]"#),
    p("POST", "/admin/v1/apps/{a.app}/import/keyauth/tokens?seller_id={x.seller}", r#"[{"token":"KA-T2"}]"#),
    p(
        "POST",
        "/admin/v1/apps/{x.app}/import/keyauth/users",
        r#"{"users":[{"username":"u","password":"$2y$04$abcdefghijklmnopqrstuu5Vq2eCVv1zw3ZbDiVMsrcx5ElSq6bAq"}]}"#,
    ),
    p("POST", "/admin/v1/apps/{a.app}/import/keyauth/keys?seller_id={x.seller}", r#"[{"key":"KA-2"}]"#),
    p("GET", "/admin/v1/imports?seller_id={x.seller}", ""),
    p("GET", "/admin/v1/imports/{x.import}", ""),
    p("GET", "/admin/v1/webhooks?seller_id={x.seller}", ""),
    p("POST", "/admin/v1/webhooks?seller_id={x.seller}", r#"{"url":"https://example.com/events"}"#),
    p("GET", "/admin/v1/webhooks/{x.endpoint}", ""),
    p("PATCH", "/admin/v1/webhooks/{x.endpoint}", r#"{"enabled":false,"events":["license.*"]}"#),
    p("DELETE", "/admin/v1/webhooks/{x.endpoint}", ""),
    p("GET", "/admin/v1/webhooks/{x.endpoint}/deliveries", ""),
    p("POST", "/admin/v1/webhooks/{x.endpoint}/deliveries/{x.delivery}/redeliver", ""),
    p("POST", "/admin/v1/webhooks/{x.endpoint}/redeliver-failed", ""),
    p("GET", "/admin/v1/store-connections?seller_id={x.seller}", ""),
    p("POST", "/admin/v1/store-connections?seller_id={x.seller}", r#"{"store":"lemonsqueezy"}"#),
    p(
        "POST",
        "/admin/v1/store-connections",
        r#"{"store":"lemonsqueezy","products":[{"variant":"1","app_id":{x.app},"plan_id":{x.plan}}]}"#,
    ),
    p("DELETE", "/admin/v1/store-connections/{x.connection}", ""),
    p("GET", "/admin/v1/resellers?seller_id={x.seller}", ""),
    p("POST", "/admin/v1/resellers?seller_id={x.seller}", r#"{"name":"r2"}"#),
    p("GET", "/admin/v1/resellers/{x.reseller}", ""),
    p("PATCH", "/admin/v1/resellers/{x.reseller}", r#"{"name":"renamed"}"#),
    p("DELETE", "/admin/v1/resellers/{x.reseller}", ""),
    p("GET", "/admin/v1/resellers/{x.reseller}/keys", ""),
    p("POST", "/admin/v1/resellers/{x.reseller}/keys", r#"{"label":"l"}"#),
    p("DELETE", "/admin/v1/resellers/{x.reseller}/keys/{x.rkey}", ""),
    p("DELETE", "/admin/v1/resellers/{a.reseller}/keys/{x.rkey}", ""),
    p("GET", "/admin/v1/resellers/{x.reseller}/stock", ""),
    p(
        "PUT",
        "/admin/v1/resellers/{x.reseller}/login",
        r#"{"email":"new-login@example.com","password":"a long passphrase"}"#,
    ),
    p("DELETE", "/admin/v1/resellers/{x.reseller}/login", ""),
    p("POST", "/admin/v1/resellers/{x.reseller}/stock", r#"{"license_ids":[{a.free_license}]}"#),
    p("POST", "/admin/v1/resellers/{a.reseller}/stock", r#"{"license_ids":[{x.free_license}]}"#),
    p(
        "POST",
        "/admin/v1/resellers/{x.reseller}/stock",
        r#"{"generate":{"app_id":{a.app},"plan_id":{a.plan},"count":1}}"#,
    ),
    p(
        "POST",
        "/admin/v1/resellers/{a.reseller}/stock",
        r#"{"generate":{"app_id":{x.app},"plan_id":{x.plan},"count":1}}"#,
    ),
    p(
        "POST",
        "/admin/v1/resellers/{a.reseller}/stock",
        r#"{"generate":{"app_id":{a.app},"plan_id":{x.plan},"count":1}}"#,
    ),
    p("GET", "/admin/v1/audit?seller_id={x.seller}", ""),
    p("GET", "/admin/v1/customers?seller_id={x.seller}", ""),
    p("GET", "/admin/v1/apps/{x.app}/vars", ""),
    p("POST", "/admin/v1/apps/{x.app}/vars", r#"{"name":"v","value":"1"}"#),
    p("DELETE", "/admin/v1/apps/{x.app}/vars/{x.var}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/vars/{x.var}", ""),
    p("GET", "/admin/v1/apps/{x.app}/users/{x.user}/vars", ""),
    p("GET", "/admin/v1/apps/{a.app}/users/{x.user}/vars", ""),
    p("POST", "/admin/v1/apps/{x.app}/users/{x.user}/vars", r#"{"name":"n","value":"v"}"#),
    p("POST", "/admin/v1/apps/{a.app}/users/{x.user}/vars", r#"{"name":"n","value":"v"}"#),
    p("DELETE", "/admin/v1/apps/{x.app}/users/{x.user}/vars/{x.uvar}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/users/{x.user}/vars/{x.uvar}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/users/{a.user}/vars/{x.uvar}", ""),
    p("DELETE", "/admin/v1/apps/{x.app}/users/{x.user}/sessions", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/users/{x.user}/sessions", ""),
    p("GET", "/admin/v1/apps/{x.app}/blacklist", ""),
    p("POST", "/admin/v1/apps/{x.app}/blacklist", r#"{"kind":"hwid","value":"h"}"#),
    p("DELETE", "/admin/v1/apps/{x.app}/blacklist/{x.blacklist}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/blacklist/{x.blacklist}", ""),
    p("GET", "/admin/v1/apps/{x.app}/client-tokens", ""),
    p("POST", "/admin/v1/apps/{x.app}/client-tokens", r#"{"assigned":"a"}"#),
    p("POST", "/admin/v1/apps/{x.app}/client-tokens/{x.client_token}/ban", r#"{}"#),
    p("POST", "/admin/v1/apps/{a.app}/client-tokens/{x.client_token}/ban", r#"{}"#),
    p("POST", "/admin/v1/apps/{a.app}/client-tokens/{x.client_token}/unban", ""),
    p("POST", "/admin/v1/apps/{a.app}/client-tokens/{x.client_token}/reset-hash", ""),
    p("DELETE", "/admin/v1/apps/{x.app}/client-tokens/{x.client_token}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/client-tokens/{x.client_token}", ""),
    p("GET", "/admin/v1/apps/{x.app}/sessions", ""),
    p("DELETE", "/admin/v1/apps/{x.app}/sessions/{x.session}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/sessions/{x.session}", ""),
    p("GET", "/admin/v1/apps/{x.app}/logs", ""),
    p("GET", "/admin/v1/apps/{x.app}/webhooks", ""),
    p("POST", "/admin/v1/apps/{x.app}/webhooks", r#"{"webid":"w","url":"https://example.com/w"}"#),
    p("DELETE", "/admin/v1/apps/{x.app}/webhooks/{x.webhook}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/webhooks/{x.webhook}", ""),
    p("GET", "/admin/v1/apps/{x.app}/files", ""),
    p("POST", "/admin/v1/apps/{x.app}/files", r#"{"fileid":"f","name":"f","data":"AA=="}"#),
    p("PUT", "/admin/v1/apps/{x.app}/files/{x.file}", "raw=bytes"),
    p("DELETE", "/admin/v1/apps/{x.app}/files/{x.file}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/files/{x.file}", ""),
    p("GET", "/admin/v1/apps/{x.app}/chat/channels", ""),
    p("POST", "/admin/v1/apps/{x.app}/chat/channels", r#"{"name":"c"}"#),
    p("DELETE", "/admin/v1/apps/{x.app}/chat/channels/{x.channel}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/chat/channels/{x.channel}", ""),
    p("GET", "/admin/v1/apps/{x.app}/chat/channels/{x.channel}/messages", ""),
    p("GET", "/admin/v1/apps/{a.app}/chat/channels/{x.channel}/messages", ""),
    p("DELETE", "/admin/v1/apps/{x.app}/chat/messages/{x.message}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/chat/messages/{x.message}", ""),
    p("GET", "/admin/v1/apps/{x.app}/chat/mutes", ""),
    p("POST", "/admin/v1/apps/{x.app}/chat/mutes", r#"{"username":"u","duration":"1d"}"#),
    p("DELETE", "/admin/v1/apps/{x.app}/chat/mutes/{x.mute}", ""),
    p("DELETE", "/admin/v1/apps/{a.app}/chat/mutes/{x.mute}", ""),
];

/// The Licenses API v2 with A's store token (Bearer), and `X-STORE` naming another store.
const LICENSES: &[Probe<'static>] = &[
    p("GET", "/api/v2/license-keys/{x.license}", ""),
    p("PATCH", "/api/v2/license-keys/{x.license}", r#"{"limit":5,"active":false}"#),
    p("GET", "/api/v2/license-keys/{x.inst_license}/instances", ""),
    p("GET", "/api/v2/license-keys/{x.inst_license}/instances/{x.instance}", ""),
    p("GET", "/api/v2/license-keys/{a.inst_license}/instances/{x.instance}", ""),
    p("POST", "/api/v2/licenses/activate", r#"{"license_key":"{x.key}","instance_name":"n"}"#),
    p("POST", "/api/v2/licenses/validate", r#"{"license_key":"{x.inst_key}"}"#),
    p("POST", "/api/v2/licenses/validate", r#"{"license_key":"{x.inst_key}","instance_id":"{x.instance}"}"#),
    p("POST", "/api/v2/licenses/validate", r#"{"license_key":"{a.inst_key}","instance_id":"{x.instance}"}"#),
    p("POST", "/api/v2/licenses/deactivate", r#"{"license_key":"{x.inst_key}","instance_id":"{x.instance}"}"#),
    p("POST", "/api/v2/licenses/deactivate", r#"{"license_key":"{a.inst_key}","instance_id":"{x.instance}"}"#),
    p("POST", "/api/v2/licenses/offline", r#"{"license_key":"{x.inst_key}","instance_id":"{x.instance}"}"#),
    p("POST", "/api/v2/licenses/offline", r#"{"license_key":"{a.inst_key}","instance_id":"{x.instance}"}"#),
    h(
        "POST",
        "/api/v2/licenses/activate",
        r#"{"license_key":"{a.nokey}","instance_name":"n"}"#,
        "idempotency-key: {x.idem}",
    ),
    h("GET", "/api/v2/license-keys", "", "x-store: {x.seller}"),
    h("GET", "/api/v2/license-keys", "", "x-store: {x.ownerid}"),
    h("GET", "/api/v2/license-keys", "", "x-store: {x.seller_name}"),
    h("GET", "/api/v2/license-key-instances", "", "x-store: {x.seller}"),
    h("GET", "/api/v2/license-keys/{a.license}", "", "x-store: {x.seller}"),
    h("GET", "/api/v2/license-keys/{x.license}", "", "x-store: {x.seller}"),
    h("POST", "/api/v2/licenses/activate", r#"{"license_key":"{x.key}","instance_name":"n"}"#, "x-store: {x.seller}"),
    h("POST", "/api/v2/licenses/validate", r#"{"license_key":"{x.inst_key}"}"#, "x-store: {x.ownerid}"),
];

/// The Reseller API with the key of A's reseller. `x.sibling` is a license in the stock of A's
/// other reseller: a reseller sees only its own stock, even within one seller.
const RESELLER: &[Probe<'static>] = &[
    p("GET", "/reseller/licenseinfo?api_token={a.rtoken}&license={x.stock}", ""),
    p("GET", "/reseller/licenseinfo?api_token={a.rtoken}&license={x.key}", ""),
    p("GET", "/reseller/licenseinfo?api_token={a.rtoken}&license={x.sibling}", ""),
    p("POST", "/reseller/licenseinfo", "api_token={a.rtoken}&license={x.stock}"),
    p("GET", "/reseller/assignlicense?api_token={a.rtoken}&license={x.stock}&discord_user_id=123456789012345678", ""),
    p("GET", "/reseller/assignlicense?api_token={a.rtoken}&license={x.key}&discord_user_id=123456789012345678", ""),
    p("POST", "/reseller/assignlicense", "api_token={a.rtoken}&license={x.sibling}&discord_user_id=123456789012345678"),
];

/// The seller API with the key of A's app.
const SELLER: &[Probe<'static>] = &[
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=verify&key={x.key}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=info&key={x.inst_key}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=ban&key={x.key}&reason=r&userToo=1", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=unban&key={x.key}", ""),
    p("POST", "/api/seller/", "sellerkey={a.sellerkey}&type=del&key={x.key}&userToo=1"),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=activate&user=newbie&key={x.free_key}&pass=pw", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=userdata&user={x.username}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=verifyuser&user={x.username}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=deluser&user={x.username}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=banuser&user={x.username}&reason=r", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=unbanuser&user={x.username}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=resetuser&user={x.username}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=resetpw&user={x.username}&passwd=p", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=extend&user={x.username}&sub=standard&expiry=1", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=addhwiduser&user={x.username}&hwid=h", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=setvar&user={x.username}&var=v&data=d", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=getvar&user={a.username}&var={x.uvar}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=editvar&varid={x.var}&data=d", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=delvar&name={x.var}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=kill&sessid={x.session}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=delblack&data={x.hwid}&blacktype=hwid", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=delchannel&name={x.channel}", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=muteuser&user={x.username}&time=60", ""),
    p("GET", "/api/seller/?sellerkey={a.sellerkey}&type=unmuteuser&user={x.mute}", ""),
];

/// The seller panel with the session of A's owner account (every panel route that names an
/// object): pages of B's objects answer like pages of missing ones, and forms change nothing.
const PANEL: &[Probe<'static>] = &[
    h("GET", "/panel/apps/{x.app}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/messages", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/messages", "csrf={a.csrf}&msg_keynotfound=mine", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/secret", "csrf={a.csrf}&password=correct+horse+battery", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}", "csrf={a.csrf}&name=renamed&version=9&paused=1", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/licenses?search={x.key}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/licenses/{x.license}/delete", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/{x.license}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/{x.license}/ban", "csrf={a.csrf}&reason=r", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/{x.license}/extend", "csrf={a.csrf}&duration=1d", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/licenses/{x.license}/offline", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/{x.license}/offline", "csrf={a.csrf}&ttl_days=1", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/{x.banned_license}/unban", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/add-time", "csrf={a.csrf}&app={x.app}&duration=7d", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/generate", "csrf={a.csrf}&plan={x.app}:{x.plan}&count=1", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/licenses/generate", "csrf={a.csrf}&plan={a.app}:{x.plan}&count=1", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/licenses/export.csv?search={x.key}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/licenses/bulk-delete?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h(
        "POST",
        "/panel/licenses/bulk-delete",
        "csrf={a.csrf}&app={x.app}&state=unused&password=correct+horse+battery",
        "cookie: {a.panel_cookie}",
    ),
    h(
        "POST",
        "/panel/licenses/import",
        "csrf={a.csrf}&plan={x.app}:{x.plan}&csv=key%0AT-1",
        "cookie: {a.panel_cookie}",
    ),
    h(
        "POST",
        "/panel/licenses/import",
        "csrf={a.csrf}&plan={a.app}:{x.plan}&csv=key%0AT-2",
        "cookie: {a.panel_cookie}",
    ),
    h("GET", "/panel/users?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/users?app={a.app}&search={x.username}", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/users/{x.user}/reset-hwid", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/users/{x.user}/reset-hwid", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/users/{x.user}/ban", "csrf={a.csrf}&reason=r", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/users/{x.user}/ban", "csrf={a.csrf}&reason=r", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/users/{x.banned_user}/unban", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/users/{x.banned_user}/unban", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/users/{x.user}/extend", "csrf={a.csrf}&duration=1d", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/users/{x.user}/extend", "csrf={a.csrf}&duration=1d", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/plans?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/plans", "csrf={a.csrf}&app={x.app}&name=panelplan&level=77", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/plans/{x.plan}/delete", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{a.app}/plans/{x.plan}/delete", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/plans/{x.plan}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/plans/{x.plan}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/variables?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/variables", "csrf={a.csrf}&app={x.app}&name=panelvar&value=v", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/variables/{x.var_id}/delete", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{a.app}/variables/{x.var_id}/delete", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/variables/{x.var_id}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/variables/{x.var_id}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/blacklist?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/blacklist", "csrf={a.csrf}&app={x.app}&kind=hwid&value=panelhwid", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/blacklist/{x.blacklist}/remove", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{a.app}/blacklist/{x.blacklist}/remove", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/blacklist/{x.blacklist}/remove", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/blacklist/{x.blacklist}/remove", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/files?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/files/{x.file_id}/delete", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{a.app}/files/{x.file_id}/delete", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/files/{x.file_id}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/files/{x.file_id}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/chat?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/chat", "csrf={a.csrf}&name=panelchan", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/chat/{x.channel_id}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{a.app}/chat/{x.channel_id}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/chat/{x.channel_id}/delete", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/chat/{x.channel_id}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/chat/{x.channel_id}/delete", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/chat/{x.channel_id}/messages/{x.message}/delete", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{a.app}/chat/{a.channel_id}/messages/{x.message}/delete", "", "cookie: {a.panel_cookie}"),
    h(
        "POST",
        "/panel/apps/{x.app}/chat/{x.channel_id}/messages/{x.message}/delete",
        "csrf={a.csrf}",
        "cookie: {a.panel_cookie}",
    ),
    h(
        "POST",
        "/panel/apps/{a.app}/chat/{a.channel_id}/messages/{x.message}/delete",
        "csrf={a.csrf}",
        "cookie: {a.panel_cookie}",
    ),
    h("POST", "/panel/apps/{x.app}/chat-mutes", "csrf={a.csrf}&username=u&duration=1h", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/chat-mutes/unmute", "csrf={a.csrf}&username={x.mute}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/chat-mutes/unmute", "csrf={a.csrf}&username={x.mute}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/logs?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/sessions?app={x.app}", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/sessions/end", "csrf={a.csrf}&session={x.session}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{a.app}/sessions/end", "csrf={a.csrf}&session={x.session}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/apps/{x.app}/sessions/end-all", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/apps/{x.app}/sessions/end-all", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/tokens/{x.admin_token}/revoke", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/tokens/{x.admin_token}/revoke", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/tokens/{x.token}/revoke", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/tokens/{x.token}/revoke", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/team/invitations/{x.invitation}/revoke", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/team/invitations/{x.invitation}/revoke", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/team/accounts/{x.panel_staff}/remove", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/team/accounts/{x.panel_staff}/remove", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/resellers/{x.reseller}", "", "cookie: {a.panel_cookie}"),
    h(
        "POST",
        "/panel/resellers/{x.reseller}/stock",
        "csrf={a.csrf}&plan={a.app}:{a.plan}&count=1",
        "cookie: {a.panel_cookie}",
    ),
    h(
        "POST",
        "/panel/resellers/{a.reseller}/stock",
        "csrf={a.csrf}&plan={x.app}:{x.plan}&count=1",
        "cookie: {a.panel_cookie}",
    ),
    h(
        "POST",
        "/panel/resellers/{x.reseller}/keys",
        "csrf={a.csrf}&label=l&password=correct+horse+battery",
        "cookie: {a.panel_cookie}",
    ),
    h("GET", "/panel/resellers/{x.reseller}/keys/{x.rkey}/revoke", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/resellers/{x.reseller}/keys/{x.rkey}/revoke", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/resellers/{a.reseller}/keys/{x.rkey}/revoke", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h("GET", "/panel/webhooks/{x.endpoint}", "", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/webhooks/{x.endpoint}/enabled", "csrf={a.csrf}&enabled=1", "cookie: {a.panel_cookie}"),
    h("POST", "/panel/webhooks/{x.endpoint}/redeliver-failed", "csrf={a.csrf}", "cookie: {a.panel_cookie}"),
    h(
        "POST",
        "/panel/webhooks/{x.endpoint}/deliveries/{x.delivery}/redeliver",
        "csrf={a.csrf}",
        "cookie: {a.panel_cookie}",
    ),
    h(
        "POST",
        "/panel/webhooks/{a.endpoint}/deliveries/{x.delivery}/redeliver",
        "csrf={a.csrf}",
        "cookie: {a.panel_cookie}",
    ),
];

/// The reseller dashboard with the session of A's reseller r1 (every route that names an
/// object: its API keys): B's keys and r1's sibling's answer like missing ones, and stay.
const DASHBOARD: &[Probe<'static>] = &[
    h("GET", "/reseller/dashboard/settings/keys/{x.rkey}/revoke", "", "cookie: {a.dash_cookie}"),
    h("POST", "/reseller/dashboard/settings/keys/{x.rkey}/revoke", "csrf={a.dash_csrf}", "cookie: {a.dash_cookie}"),
    h("GET", "/reseller/dashboard/settings/keys/{x.sibling_key}/revoke", "", "cookie: {a.dash_cookie}"),
    h(
        "POST",
        "/reseller/dashboard/settings/keys/{x.sibling_key}/revoke",
        "csrf={a.dash_csrf}",
        "cookie: {a.dash_cookie}",
    ),
    h("GET", "/reseller/dashboard/assignments?search={x.stock}", "", "cookie: {a.dash_cookie}"),
    h("GET", "/reseller/dashboard/assignments?search={x.sibling}", "", "cookie: {a.dash_cookie}"),
];

/// The client API 1.3 as app A (name and ownerid added), e.g. with B's session or B's app.
const CLIENT: &[&str] = &[
    "type=init&name={a.app_name}&ownerid={x.ownerid}",
    "type=init&name={x.app_name}&ownerid={a.ownerid}",
    "type=check&sessionid={x.session}",
    "type=ban&sessionid={x.session}",
    "type=logout&sessionid={x.session}",
];

/// The client API 1.3 with A's validated session in app A (session, name and ownerid added).
const CLIENT_SESSION: &[&str] = &[
    "type=var&varid={x.var}",
    "type=getvar&var={x.uvar}",
    "type=file&fileid={x.file}",
    "type=webhook&webid={x.webhook}",
    "type=chatget&channel={x.channel}",
    "type=chatsend&channel={x.channel}&message=hi",
    "type=checkblacklist&hwid={x.hwid}",
    "type=license&key={x.free_key}&hwid=H",
    "type=offline&key={x.free_key}",
    "type=register&username=newbie&pass=pw&key={x.free_key}",
    "type=upgrade&username={a.username}&key={x.free_key}",
    "type=upgrade&username={x.username}&key={a.free_key}",
    "type=login&username={x.username}&pass=pw&hwid=H",
    "type=loginEmail&email={x.email}&pass=pw",
    "type=forgot&username={x.username}&email={x.email}",
];

/// The client API 1.3 in app B with A's session (`x.my_session`: A's session, or a
/// never-existing one); B's name and ownerid added.
const CLIENT_IN_B: &[&str] = &[
    "type=check",
    "type=var&varid={b.var}",
    "type=getvar&var={b.uvar}",
    "type=setvar&var={b.uvar}&data=x",
    "type=file&fileid={b.file}",
    "type=chatsend&channel={b.channel}&message=hi",
    "type=license&key={b.free_key}",
    "type=log&message=m",
    "type=fetchOnline",
    "type=changeUsername&newUsername=taken",
    "type=ban",
    "type=logout",
];

/// Lists that take no object of another tenant but must never show one: each of these as A
/// shows some of A's values and none of B's. `(token, method, path, body)`; the client rows use
/// A's session in app A.
const LISTS: &[(&str, Probe<'static>)] = &[
    ("admin", p("GET", "/admin/v1/sellers", "")),
    ("admin", p("GET", "/admin/v1/tokens", "")),
    ("admin", p("GET", "/admin/v1/apps", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/users", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/users/{a.user}/vars", "")),
    ("admin", p("GET", "/admin/v1/licenses", "")),
    ("admin", p("GET", "/admin/v1/licenses/export", "")),
    ("admin", p("GET", "/admin/v1/licenses/export?format=csv", "")),
    ("admin", p("GET", "/admin/v1/resellers/{a.reseller}/stock", "")),
    ("admin", p("GET", "/admin/v1/audit", "")),
    ("admin", p("GET", "/admin/v1/customers", "")),
    ("admin", p("GET", "/admin/v1/overview", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/vars", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/blacklist", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/sessions", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/logs", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/webhooks", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/files", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/chat/channels", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/chat/channels/{a.channel}/messages", "")),
    ("admin", p("GET", "/admin/v1/apps/{a.app}/chat/mutes", "")),
    ("panel", h("GET", "/panel/", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/apps", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/licenses", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/users", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/audit", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/plans", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/tokens", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/variables", "", "cookie: {a.panel_cookie}")),
    ("panel", h("GET", "/panel/blacklist", "", "cookie: {a.panel_cookie}")),
    ("dashboard", h("GET", "/reseller/dashboard/", "", "cookie: {a.dash_cookie}")),
    ("dashboard", h("GET", "/reseller/dashboard/assignments", "", "cookie: {a.dash_cookie}")),
    ("dashboard", h("GET", "/reseller/dashboard/settings", "", "cookie: {a.dash_cookie}")),
    ("store", p("GET", "/api/v2/license-keys", "")),
    ("store", p("GET", "/api/v2/license-key-instances", "")),
    ("none", p("GET", "/reseller/myavailable?api_token={a.rtoken}", "")),
    ("none", p("GET", "/reseller/fetchlicense?api_token={a.rtoken}", "")),
    ("none", p("POST", "/api/1.3/", "type=fetchOnline&sessionid={a.session}&name={a.app_name}&ownerid={a.ownerid}")),
    (
        "none",
        p(
            "POST",
            "/api/1.3/",
            "type=chatget&channel={a.channel}&sessionid={a.session}&name={a.app_name}&ownerid={a.ownerid}",
        ),
    ),
];

/// Every list in `LISTS` shows A's values and none of B's (its non-numeric values: names, keys,
/// sessions, ...).
async fn lists_show_only_own(app: &TestApp, a: &Tenant, b: &Tenant) {
    let markers = |t: &Tenant| -> Vec<String> {
        t.refs.values().filter(|v| v.len() >= 5 && v.parse::<i64>().is_err()).cloned().collect()
    };
    let (own, foreign) = (markers(a), markers(b));
    for (token, list) in LISTS {
        let token = match *token {
            "admin" => Some(a.fixture.admin_token.as_str()),
            "store" => Some(a.fixture.store_token.as_str()),
            _ => None,
        };
        let path = fill(list.path, &a.refs, &b.refs, &a.refs);
        let body = fill(list.body, &a.refs, &b.refs, &a.refs);
        let header = fill(list.header, &a.refs, &b.refs, &a.refs);
        let (status, answer) = send(app, token, list.method, &path, &body, &header).await;
        let text = answer.to_string();
        assert_eq!(status, 200, "{path} {body}: {text}");
        assert!(own.iter().any(|v| text.contains(v.as_str())), "{path} {body} shows none of A's values: {text}");
        if let Some(leak) = foreign.iter().find(|v| text.contains(v.as_str())) {
            panic!("{path} {body} as A shows B's {leak:?}: {text}");
        }
    }
}

/// Values of one tenant's objects, by placeholder name.
pub(crate) type Refs = BTreeMap<&'static str, String>;

/// One tenant: a seller with its tokens and one of every kind of object.
pub(crate) struct Tenant {
    pub(crate) fixture: SellerFixture,
    pub(crate) refs: Refs,
}

pub(crate) async fn tenant(app: &TestApp, tag: &str) -> Tenant {
    let fixture = app.seller(&format!("{tag}-seller")).await;
    let t = fixture.admin_token.clone();
    let s = fixture.seller.id;
    let mut refs = Refs::new();
    let mut put = |k: &'static str, v: String| refs.insert(k, v);
    put("seller", s.to_string());
    put("seller_name", fixture.seller.name.clone());
    put("ownerid", fixture.seller.ownerid.clone());
    let app_name = format!("{tag}-app");
    let (app_id, plan_id) = app_with_plan(app, &t, &app_name, Some(30 * 86_400)).await;
    put("app", app_id.to_string());
    put("app_name", app_name.clone());
    put("plan", plan_id.to_string());
    let base = format!("/admin/v1/apps/{app_id}");
    let ok = |(status, body): (u16, Value)| {
        assert!(status < 300, "fixture: {status} {body}");
        body
    };
    let id = |body: &Value| body["data"]["id"].as_i64().unwrap().to_string();

    // Licenses: one redeemed by the user below, one free, one with an instance, one banned.
    let buyer = format!("{tag}-buyer@example.com");
    let body = json!({"app_id": app_id, "plan_id": plan_id, "count": 4, "customer_email": buyer});
    let keys = generate(app, &t, body).await;
    put("customer_email", buyer);
    let license_id = |key: &str| {
        let key = key.to_owned();
        async move { app.store().license_by_key(s, &key).await.unwrap().id.to_string() }
    };
    put("key", keys[1].clone());
    put("free_key", keys[1].clone());
    put("license", license_id(&keys[1]).await);
    put("free_license", license_id(&keys[1]).await);
    put("inst_key", keys[2].clone());
    put("inst_license", license_id(&keys[2]).await);
    let banned = license_id(&keys[3]).await;
    ok(call(app, "POST", &format!("/admin/v1/licenses/{banned}/ban"), &t, Some(json!({"reason": "x"}))).await);
    put("banned_license", banned);
    put("nokey", format!("{tag}-NO-SUCH-KEY"));
    let res = app
        .http
        .post(app.url("/api/v2/licenses/activate"))
        .bearer_auth(&fixture.store_token)
        .header("idempotency-key", format!("{tag}-idem"))
        .json(&json!({"license_key": keys[2], "instance_name": format!("{tag}-box")}))
        .send()
        .await
        .unwrap();
    let instance = ok(crate::harness::split(res).await);
    put("instance", instance["id"].as_str().unwrap().to_owned());
    put("idem", format!("{tag}-idem"));

    // Resellers: one with a key and stock, a sibling with stock of its own.
    let reseller = ok(call(app, "POST", "/admin/v1/resellers", &t, Some(json!({"name": "r1"}))).await);
    let reseller_id = id(&reseller);
    let key = ok(call(app, "POST", &format!("/admin/v1/resellers/{reseller_id}/keys"), &t, Some(json!({}))).await);
    put("rkey", id(&key));
    put("rtoken", key["key"].as_str().unwrap().to_owned());
    let stock_body = json!({"generate": {"app_id": app_id, "plan_id": plan_id, "count": 1}});
    let stock =
        ok(call(app, "POST", &format!("/admin/v1/resellers/{reseller_id}/stock"), &t, Some(stock_body.clone())).await);
    put("stock", stock["data"]["keys"][0].as_str().unwrap().to_owned());
    put("reseller", reseller_id.clone());
    // Switched off, so the webhook worker writes nothing in the background and every change the
    // matrix sees is a request's (`every_answer_matches_the_document` switches it on).
    let body = json!({"url": "https://example.com/", "enabled": false});
    let endpoint = ok(call(app, "POST", "/admin/v1/webhooks", &t, Some(body)).await);
    put("endpoint", id(&endpoint));
    let body = json!({"store": "lemonsqueezy", "products": [{"variant": "1", "app_id": app_id, "plan_id": plan_id}]});
    let connection = ok(call(app, "POST", "/admin/v1/store-connections", &t, Some(body)).await);
    put("connection", id(&connection));
    // A finished KeyAuth import (waited for: nothing may change in the background later).
    let body = json!([{"key": format!("{tag}-KA-IMPORTED"), "level": "1"}]);
    let import = ok(call(app, "POST", &format!("{base}/import/keyauth/keys"), &t, Some(body)).await);
    put("import", id(&import));
    let mut state = import["data"]["state"].clone();
    for _ in 0..100 {
        if state != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        state = ok(call(app, "GET", &format!("/admin/v1/imports/{}", id(&import)), &t, None).await)["data"]["state"]
            .clone();
    }
    assert_eq!(state, "done", "fixture: the import did not finish");
    // One failed delivery of the tenant's first event, so that redelivering another tenant's
    // would change something the matrix sees.
    let mut db = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let (delivery,): (i64,) = sqlx::query_as(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, subject, state, next_attempt_at, created_at, updated_at) \
         SELECT CAST($1 AS BIGINT), id, subject, 'failed', 0, 0, 0 FROM events WHERE seller_id = $2 ORDER BY id LIMIT 1 \
         RETURNING id",
    )
    .bind(id(&endpoint).parse::<i64>().unwrap())
    .bind(s)
    .fetch_one(&mut db)
    .await
    .unwrap();
    put("delivery", delivery.to_string());
    let sibling = ok(call(app, "POST", "/admin/v1/resellers", &t, Some(json!({"name": "r2"}))).await);
    let sibling_stock =
        ok(call(app, "POST", &format!("/admin/v1/resellers/{}/stock", id(&sibling)), &t, Some(stock_body)).await);
    put("own_sibling", sibling_stock["data"]["keys"][0].as_str().unwrap().to_owned());
    let sibling_key =
        ok(call(app, "POST", &format!("/admin/v1/resellers/{}/keys", id(&sibling)), &t, Some(json!({}))).await);
    put("own_sibling_key", id(&sibling_key));

    let token =
        ok(call(app, "POST", "/admin/v1/tokens", &t, Some(json!({"kind": "store", "name": format!("{tag}-token")})))
            .await);
    put("token", id(&token));
    put("token_name", format!("{tag}-token"));
    let body = json!({"kind": "seller", "name": format!("{tag}-admin")});
    put("admin_token", id(&ok(call(app, "POST", "/admin/v1/tokens", &t, Some(body)).await)));
    put("admin_token_name", format!("{tag}-admin"));
    let body = json!({"kind": "sellerapi", "app_id": app_id, "name": format!("{tag}-bot")});
    let sellerkey = ok(call(app, "POST", "/admin/v1/tokens", &t, Some(body)).await);
    put("sellerkey", sellerkey["token"].as_str().unwrap().to_owned());

    // Client API content.
    let post = |path: String, body: Value| {
        let t = t.clone();
        async move { call(app, "POST", &path, &t, Some(body)).await }
    };
    let var = ok(post(format!("{base}/vars"), json!({"name": format!("{tag}var"), "value": "secret"})).await);
    put("var", format!("{tag}var"));
    put("var_id", id(&var));
    let bl = ok(post(format!("{base}/blacklist"), json!({"kind": "hwid", "value": format!("{tag}-bad-hwid")})).await);
    put("blacklist", id(&bl));
    put("hwid", format!("{tag}-bad-hwid"));
    let client_token = ok(post(format!("{base}/client-tokens"), json!({"assigned": format!("{tag}-copy")})).await);
    put("client_token", id(&client_token));
    ok(post(format!("{base}/webhooks"), json!({"webid": format!("{tag}hook"), "url": "https://example.com/"})).await);
    put("webhook", format!("{tag}hook"));
    let file =
        ok(post(format!("{base}/files"), json!({"fileid": format!("{tag}file"), "name": "f.bin", "data": "AAEC"}))
            .await);
    put("file", format!("{tag}file"));
    put("file_id", id(&file));
    let channel = ok(post(format!("{base}/chat/channels"), json!({"name": format!("{tag}chan")})).await);
    put("channel", format!("{tag}chan"));
    put("channel_id", id(&channel));
    ok(post(format!("{base}/chat/mutes"), json!({"username": format!("{tag}muted"), "duration": "1d"})).await);
    put("mute", format!("{tag}muted"));

    // A user registered through the client API with the first key, and its session.
    let form = |fields: Vec<(&'static str, String)>| {
        let mut all = vec![("name", app_name.clone()), ("ownerid", fixture.seller.ownerid.clone())];
        all.extend(fields);
        let body = form_body(&all);
        async move { client(app, "POST", "/api/1.3/", &body).await }
    };
    let init = form(vec![("type", "init".into())]).await;
    let session = init.1["sessionid"].as_str().unwrap().to_owned();
    let username = format!("{tag}user");
    let email = format!("{tag}user@example.com");
    let reg = form(vec![
        ("type", "register".into()),
        ("sessionid", session.clone()),
        ("username", username.clone()),
        ("pass", "pw".into()),
        ("key", keys[0].clone()),
        ("email", email.clone()),
        ("hwid", "H".into()),
    ])
    .await;
    assert_eq!(reg.1["success"], true, "{}", reg.1);
    let sent = form(vec![
        ("type", "chatsend".into()),
        ("sessionid", session.clone()),
        ("channel", format!("{tag}chan")),
        ("message", "hello".into()),
    ])
    .await;
    assert_eq!(sent.1["success"], true, "{}", sent.1);
    let log =
        form(vec![("type", "log".into()), ("sessionid", session.clone()), ("message", format!("{tag}-log"))]).await;
    assert_eq!(log.1["success"], true, "{}", log.1);
    let user = app.store().client_user_by_name(AppId(app_id), &username).await.unwrap().unwrap().id.to_string();
    ok(post(format!("{base}/users/{user}/vars"), json!({"name": format!("{tag}uvar"), "value": "v"})).await);
    put("uvar", format!("{tag}uvar"));
    let (_, messages) = app.get_json(&format!("{base}/chat/channels/{tag}chan/messages"), &t).await;
    put("message", messages["data"][0]["id"].as_i64().unwrap().to_string());
    put("session", session.clone());
    put("my_session", session);
    put("user", user);
    put("username", username);
    put("email", email);

    // A second user, banned by the seller.
    let init = form(vec![("type", "init".into())]).await;
    let s2 = init.1["sessionid"].as_str().unwrap().to_owned();
    let ban_key = generate(app, &t, json!({"app_id": app_id, "plan_id": plan_id, "count": 1})).await;
    let reg = form(vec![
        ("type", "register".into()),
        ("sessionid", s2),
        ("username", format!("{tag}banned")),
        ("pass", "pw".into()),
        ("key", ban_key[0].clone()),
    ])
    .await;
    assert_eq!(reg.1["success"], true, "{}", reg.1);
    let banned_user =
        app.store().client_user_by_name(AppId(app_id), &format!("{tag}banned")).await.unwrap().unwrap().id.to_string();
    ok(post(format!("{base}/users/{banned_user}/ban"), json!({"reason": "x"})).await);
    put("banned_user", banned_user);

    // A panel account of the seller's owner, signed in.
    let email = format!("{tag}-owner@example.com");
    crate::panelkit::account(app, s, &email, "owner").await;
    let session = crate::panelkit::PanelClient::sign_in(app, &email, "").await;
    put("panel_cookie", session.cookie_header());
    put("panel_email", email);
    put("csrf", session.csrf.clone());
    let staff = crate::panelkit::account(app, s, &format!("{tag}-staff@example.com"), "support").await;
    put("panel_staff", staff.to_string());
    let hash = licensd::domain::secret::hash_secret(&format!("{tag}-invitation"));
    let invitation = licensd::store::panel_invitations::NewInvitation {
        seller_id: s,
        email: &format!("{tag}-invited@example.com"),
        role: licensd::domain::panel::Role::Support,
        token_hash: &hash,
        invited_by: "cli",
        now: licensd::domain::time::now_ms(),
        expires_at: licensd::domain::time::now_ms() + 86_400_000,
    };
    put("invitation", app.store().create_panel_invitation(invitation).await.unwrap().id.to_string());

    // A reseller dashboard sign-in of reseller r1, signed in.
    let email = format!("{tag}-r1@example.com");
    crate::panelkit::reseller_login(app, s, reseller_id.parse().unwrap(), &email).await;
    let session = crate::panelkit::PanelClient::sign_in_at(app, crate::panelkit::DASH, &email, "").await;
    put("dash_cookie", session.cookie_header());
    put("dash_email", email);
    put("dash_csrf", session.csrf.clone());
    Tenant { fixture, refs }
}

/// A value of the same shape as `real` that names nothing: digits stay digits, letters letters.
fn never_existing(name: &str, real: &str) -> String {
    if real.parse::<i64>().is_ok() {
        return "987654321".to_owned();
    }
    // Distinct per name, so that two different names never collide.
    let salt = name.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let hex = b"0123456789abcdef";
    if real.bytes().all(|c| hex.contains(&c)) {
        let shift = |i: usize, c: u8| hex[(hex.iter().position(|&h| h == c).unwrap() + 1 + i + salt as usize) % 16];
        return real.bytes().enumerate().map(|(i, c)| char::from(shift(i, c))).collect();
    }
    real.chars()
        .enumerate()
        .map(|(i, c)| {
            let k = salt.wrapping_add(i as u32) % 26;
            match c {
                '0'..='9' => char::from(b'0' + (k % 10) as u8),
                'a'..='z' => char::from(b'a' + ((c as u8 - b'a' + 1 + k as u8 % 25) % 26)),
                'A'..='Z' => char::from(b'A' + ((c as u8 - b'A' + 1 + k as u8 % 25) % 26)),
                other => other,
            }
        })
        .collect()
}

/// Fills `{a.NAME}`, `{b.NAME}` and `{x.NAME}`; an unknown placeholder is a bug of the table.
pub(crate) fn fill(template: &str, a: &Refs, b: &Refs, x: &Refs) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find('}').map(|e| e + 1).unwrap_or(tail.len());
        let token = &tail[1..end.saturating_sub(1)];
        let refs = match token.split_once('.') {
            Some(("a", _)) => Some(a),
            Some(("b", _)) => Some(b),
            Some(("x", _)) => Some(x),
            _ => None,
        };
        match refs {
            Some(refs) if token[2..].chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                let v = refs.get(&token[2..]).unwrap_or_else(|| panic!("unknown placeholder {{{token}}}"));
                out.push_str(v);
                rest = &tail[end..];
            }
            _ => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn form_body(fields: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

/// Sends a form body (client API); status and body (JSON, or the text as a JSON string).
async fn client(app: &TestApp, method: &str, path: &str, body: &str) -> (u16, Value) {
    send(app, None, method, path, body, "").await
}

async fn send(app: &TestApp, token: Option<&str>, method: &str, path: &str, body: &str, header: &str) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.http.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some((name, value)) = header.split_once(": ") {
        req = req.header(name, value);
    }
    if body.starts_with('{') || body.starts_with('[') {
        req = req.header("content-type", "application/json").body(body.to_owned());
    } else if !body.is_empty() {
        req = req.header("content-type", "application/x-www-form-urlencoded").body(body.to_owned());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Drops what differs between any two answers: the client API's nonce, and the probe's own
/// values where an answer repeats them (`no plan "2"`), which become their placeholder.
fn normalise(answer: Value, probe: &Probe<'_>, x: &Refs) -> Value {
    let mut text = match answer {
        Value::Object(mut o) => {
            o.remove("nonce");
            Value::Object(o).to_string()
        }
        other => other.to_string(),
    };
    let used = |name: &str| [probe.path, probe.body, probe.header].iter().any(|t| t.contains(&format!("{{x.{name}}}")));
    for (name, value) in x.iter().filter(|(name, _)| used(name)) {
        text = replace_word(&text, value, &format!("{{x.{name}}}"));
    }
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// `text` with each `word` that is not part of a longer word or number replaced by `with`;
/// a numeric `word` only where it is quoted.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::new();
    let mut done = 0;
    for (i, _) in text.match_indices(word) {
        if i < done {
            continue;
        }
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        // A number only counts inside quotes (`no plan \"2\"`), never as a JSON number.
        let quoted = before == Some('"') && matches!(after, Some('"' | '\\'));
        let alone = !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        if alone && (quoted || word.parse::<i64>().is_err()) {
            out.push_str(&text[done..i]);
            out.push_str(with);
            done = i + word.len();
        }
    }
    out.push_str(&text[done..]);
    out
}

/// Every row of every table, but the rate-limit counters, the columns that record use of a
/// credential (the probes use A's credentials, which is not a change to any object) and the
/// audit events and saved idempotent answers of the `caller` seller.
async fn snapshot(conn: &mut sqlx::AnyConnection, engine: Engine, caller: i64) -> BTreeMap<String, Vec<String>> {
    const SKIP_TABLES: [&str; 2] = ["rate_limits", "_sqlx_migrations"];
    const SKIP_COLUMNS: [&str; 1] = ["last_used_at"];
    let list = match engine {
        Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        Engine::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    let tables: Vec<(String,)> = sqlx::query_as(list).fetch_all(&mut *conn).await.unwrap();
    let mut all = BTreeMap::new();
    for (table,) in tables.into_iter().filter(|(t,)| !SKIP_TABLES.contains(&t.as_str())) {
        // The caller's own records of its attempts may grow: its audit trail (a stock move of
        // 0 licenses) and its saved answers to `Idempotency-Key` requests.
        let sql = match table.as_str() {
            "audit_events" | "idempotency_keys" => {
                format!("SELECT * FROM {table} WHERE seller_id IS NULL OR seller_id <> {caller}")
            }
            _ => format!("SELECT * FROM {table}"),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await.unwrap();
        let mut lines: Vec<String> = rows
            .iter()
            .map(|row| {
                let cells: Vec<String> = (0..row.len())
                    .filter(|&i| !SKIP_COLUMNS.contains(&row.columns()[i].name()))
                    .map(|i| format!("{}={}", row.columns()[i].name(), cell(row, i)))
                    .collect();
                cells.join(" ")
            })
            .collect();
        lines.sort();
        all.insert(table, lines);
    }
    all
}

fn cell(row: &sqlx::any::AnyRow, i: usize) -> String {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return format!("{v:?}");
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return format!("{v:?}");
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
        return format!("{v:?}");
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return format!("{v:?}");
    }
    format!("{:?}", row.try_get::<Option<bool>, _>(i).expect("a column of a known type"))
}

/// The rows that went or came, for the failure message.
fn diff(before: &BTreeMap<String, Vec<String>>, after: &BTreeMap<String, Vec<String>>) -> Option<String> {
    let mut out = String::new();
    for (table, new) in after {
        let old = before.get(table).map(Vec::as_slice).unwrap_or_default();
        for gone in old.iter().filter(|r| !new.contains(r)) {
            out.push_str(&format!("\n  {table} - {gone}"));
        }
        for came in new.iter().filter(|r| !old.contains(r)) {
            out.push_str(&format!("\n  {table} + {came}"));
        }
    }
    (before != after).then_some(out)
}

/// Sends one probe with B's object and with a never-existing one; both answers must match and
/// neither may change the database.
async fn probe(m: &mut Matrix<'_>, surface: &str, token: Option<&str>, probe: &Probe<'_>) {
    let (app, w) = (m.app, &m.w);
    let mut answers = Vec::new();
    let mut before = snapshot(&mut m.db, app.engine, w.caller).await;
    for x in [&w.foreign, &w.missing] {
        let path = fill(probe.path, &w.a, &w.b, x);
        let body = fill(probe.body, &w.a, &w.b, x);
        let header = fill(probe.header, &w.a, &w.b, x);
        let (status, answer) = send(app, token, probe.method, &path, &body, &header).await;
        assert!(status < 500, "{surface} {} {path}: {status} {answer}", probe.method);
        let after = snapshot(&mut m.db, app.engine, w.caller).await;
        if let Some(d) = diff(&before, &after) {
            panic!("{surface} {} {path} {body} {header} changed the database: {d}", probe.method);
        }
        before = after;
        answers.push((status, normalise(answer, probe, x), path, body, header));
    }
    let (foreign, missing) = (&answers[0], &answers[1]);
    let short = |v: &Value| v.to_string().chars().take(1000).collect::<String>();
    assert!(
        (foreign.0, &foreign.1) == (missing.0, &missing.1),
        "{surface} {}: another tenant's object answers unlike a missing one\n\
         foreign: {} {} {}\n  => {} {}\nmissing: {} {} {}\n  => {} {}",
        probe.method,
        foreign.2,
        foreign.3,
        foreign.4,
        foreign.0,
        short(&foreign.1),
        missing.2,
        missing.3,
        missing.4,
        missing.0,
        short(&missing.1),
    );
}

/// The server, a connection to its database for snapshots, and the values of the placeholders.
struct Matrix<'t> {
    app: &'t TestApp,
    db: sqlx::AnyConnection,
    w: Worlds,
}

/// A's objects, B's, and the two values of the probe (B's objects, never-existing ones).
struct Worlds {
    /// A's seller id.
    caller: i64,
    a: Refs,
    b: Refs,
    foreign: Refs,
    missing: Refs,
}

impl Worlds {
    fn new(a: &Tenant, b: &Tenant) -> Self {
        let mut foreign = b.refs.clone();
        // Objects that are A's own but still not the caller's.
        foreign.insert("my_session", a.refs["session"].clone());
        foreign.insert("sibling", a.refs["own_sibling"].clone());
        foreign.insert("sibling_key", a.refs["own_sibling_key"].clone());
        let missing = foreign.iter().map(|(k, v)| (*k, never_existing(k, v))).collect();
        Worlds { caller: a.fixture.seller.id.get(), a: a.refs.clone(), b: b.refs.clone(), foreign, missing }
    }
}

/// Whether `path` (placeholders in place of ids, query string ignored) is an instance of the
/// router's `route` (`{name}` segments).
fn is_route(route: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap();
    let (r, p): (Vec<_>, Vec<_>) = (route.split('/').collect(), path.split('/').collect());
    r.len() == p.len() && r.iter().zip(&p).all(|(r, p)| (r.starts_with('{') && p.starts_with('{')) || r == p)
}

async fn tenant_matrix(app: TestApp) {
    // The admin table covers the admin router exactly.
    let routes = licensd::api::admin::route_table();
    for (method, route) in &routes {
        let covered = ADMIN.iter().any(|p| p.method.eq_ignore_ascii_case(method) && is_route(route, p.path));
        assert!(covered, "{method} {route} is not in the tenant matrix (tests/api/tenants.rs ADMIN)");
    }
    for p in ADMIN {
        let served = routes.iter().any(|(m, r)| p.method.eq_ignore_ascii_case(m) && is_route(r, p.path));
        assert!(served, "{} {} is in the tenant matrix but not served", p.method, p.path);
    }

    let a = tenant(&app, "alpha").await;
    let b = tenant(&app, "bravo").await;
    let db = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let mut m = Matrix { app: &app, db, w: Worlds::new(&a, &b) };

    // The control: the operator sees both tenants through the same reads.
    let op = app.operator_token().await;
    for t in [&a, &b] {
        let own = Worlds {
            caller: 0,
            a: t.refs.clone(),
            b: t.refs.clone(),
            foreign: t.refs.clone(),
            missing: t.refs.clone(),
        };
        for p in ADMIN.iter().filter(|p| p.method == "GET") {
            let path = fill(p.path, &own.a, &own.b, &own.foreign);
            let sep = if path.contains('?') { '&' } else { '?' };
            let path = if path.contains("?seller_id=") || path.contains("&seller_id=") {
                path
            } else {
                format!("{path}{sep}seller_id={}", t.refs["seller"])
            };
            let (status, body) = send(&app, Some(&op), "GET", &path, "", "").await;
            assert_eq!(status, 200, "operator GET {path}: {body}");
        }
    }
    let (status, body) = send(&app, Some(&op), "GET", &format!("/admin/v1/sellers/{}", b.refs["seller"]), "", "").await;
    assert_eq!((status, &body["data"]["name"]), (200, &json!("bravo-seller")));

    for p in ADMIN {
        probe(&mut m, "seller token", Some(&a.fixture.admin_token), p).await;
    }
    // The operator acting for A (`?seller_id=A`) reaches B's objects no more than A does: an
    // object of B named under A's id must not be read or written as if it were A's. (Routes
    // that name a seller or a token themselves are the operator's to use on anyone.)
    let for_a = ADMIN.iter().filter(|p| {
        !p.path.starts_with("/admin/v1/sellers")
            && !p.path.starts_with("/admin/v1/tokens")
            && ![p.path, p.body].iter().any(|t| t.contains("{x.seller"))
    });
    for row in for_a {
        let sep = if row.path.contains('?') { '&' } else { '?' };
        let path = format!("{}{sep}seller_id={{a.seller}}", row.path);
        probe(&mut m, "operator for A", Some(&op), &Probe { path: &path, ..*row }).await;
    }
    for p in LICENSES {
        probe(&mut m, "store token", Some(&a.fixture.store_token), p).await;
    }
    for p in RESELLER {
        probe(&mut m, "reseller key", None, p).await;
    }
    for p in SELLER {
        probe(&mut m, "seller API key", None, p).await;
    }
    for p in PANEL {
        probe(&mut m, "panel session", None, p).await;
    }
    for p in DASHBOARD {
        probe(&mut m, "dashboard session", None, p).await;
    }
    // A reseller's session is no panel session, not even on its own seller's objects: every
    // panel route sends it to the panel's sign-in form, and nothing changes.
    let before = snapshot(&mut m.db, app.engine, m.w.caller).await;
    for p in PANEL {
        let body = p.body.replace("{a.csrf}", "{a.dash_csrf}");
        for x in [&m.w.a, &m.w.foreign, &m.w.missing] {
            let (path, body) = (fill(p.path, &m.w.a, &m.w.b, x), fill(&body, &m.w.a, &m.w.b, x));
            let header = fill("cookie: {a.dash_cookie}", &m.w.a, &m.w.b, x);
            let (status, answer) = send(&app, None, p.method, &path, &body, &header).await;
            let text = answer.to_string();
            assert!(
                status == 200 && text.contains("Sign in to licensd"),
                "{} {path} as a reseller: {status} {text}",
                p.method
            );
        }
    }
    let after = snapshot(&mut m.db, app.engine, m.w.caller).await;
    if let Some(d) = diff(&before, &after) {
        panic!("a dashboard session on the panel changed the database: {d}");
    }
    let client_rows = CLIENT
        .iter()
        .map(|f| {
            if f.contains("&name=") { f.to_string() } else { format!("{f}&name={{a.app_name}}&ownerid={{a.ownerid}}") }
        })
        .chain(
            CLIENT_SESSION
                .iter()
                .map(|f| format!("{f}&sessionid={{a.session}}&name={{a.app_name}}&ownerid={{a.ownerid}}")),
        )
        .chain(
            CLIENT_IN_B
                .iter()
                .map(|f| format!("{f}&sessionid={{x.my_session}}&name={{b.app_name}}&ownerid={{b.ownerid}}")),
        );
    for body in client_rows {
        probe(&mut m, "client session", None, &p("POST", "/api/1.3/", &body)).await;
    }

    lists_show_only_own(&app, &a, &b).await;

    // A's credentials still work afterwards: the probes above did not fail for want of them.
    let (status, _) =
        send(&app, Some(&a.fixture.admin_token), "GET", &format!("/admin/v1/apps/{}", a.refs["app"]), "", "").await;
    assert_eq!(status, 200);
    let (status, _) =
        send(&app, Some(&a.fixture.store_token), "GET", &format!("/api/v2/license-keys/{}", a.refs["license"]), "", "")
            .await;
    assert_eq!(status, 200);
    let settings = format!("cookie: {}", a.refs["dash_cookie"]);
    assert_eq!(send(&app, None, "GET", "/reseller/dashboard/settings", "", &settings).await.0, 200);
    let info = format!("/reseller/licenseinfo?api_token={}&license={}", a.refs["rtoken"], a.refs["stock"]);
    assert_eq!(send(&app, None, "GET", &info, "", "").await.0, 200);
    let verify = format!("/api/seller/?sellerkey={}&type=userdata&user={}", a.refs["sellerkey"], a.refs["username"]);
    assert_eq!(send(&app, None, "GET", &verify, "", "").await.1["success"], true);
    let check = form_body(&[
        ("type", "check".into()),
        ("sessionid", a.refs["session"].clone()),
        ("name", a.refs["app_name"].clone()),
        ("ownerid", a.refs["ownerid"].clone()),
    ]);
    assert_eq!(client(&app, "POST", "/api/1.3/", &check).await.1["success"], true);
}
