//! One operation, one transaction: concurrent read-modify-write edits lose nothing, a change
//! commits with its audit row and its events, and a change that fails leaves none of the three.
//! Events are read where the webhook deliveries and charts will read them: the `events` table.

use crate::adminkit::{app_with_plan, call, generate};
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::{Engine, TestApp, split, without_signin_limits};
use crate::revocation::{World, post, reseller};
use futures_util::future::join_all;
use licensd::domain::ids::SellerId;
use licensd::store::{Page, events::DailyCount, tokens::TokenKind};
use serde_json::{Value, json};

engine_tests!(
    config = without_signin_limits;
    concurrent_app_edits_lose_no_field,
    concurrent_reseller_edits_lose_no_field,
    concurrent_plan_edits_lose_no_field,
    a_change_whose_audit_or_event_fails_leaves_nothing,
    every_face_records_its_events_once_and_refusals_none,
);

/// Every settings field a PATCH may change on its own, with the value of round `r`.
fn app_edits(r: usize) -> Vec<(&'static str, Value)> {
    vec![
        ("version", json!(format!("{r}.0"))),
        ("changelog", json!(format!("round {r}"))),
        ("download_url", json!(format!("https://example.com/{r}"))),
        ("customer_panel_link", json!(format!("https://example.com/panel/{r}"))),
        ("hwid_min_len", json!(r as i64)),
        ("session_ttl_secs", json!(3_600 + r as i64)),
    ]
}

/// Rounds of six PATCHes at once, each changing a different field: after each round every field
/// holds its new value. Reading the app outside the write's lock lets one PATCH write back
/// another's old value.
async fn concurrent_app_edits_lose_no_field(t: TestApp) {
    let s = t.seller("acme").await;
    let (app_id, _) = app_with_plan(&t, &s.admin_token, "Edited", None).await;
    let path = format!("/admin/v1/apps/{app_id}");
    for r in 1..=8 {
        race_edits(&t, &path, &s.admin_token, r, &app_edits(r)).await;
    }
}

/// Sends one PATCH per field at once, then checks that every field holds its new value.
async fn race_edits(t: &TestApp, path: &str, token: &str, round: usize, edits: &[(&'static str, Value)]) {
    let patches =
        edits.iter().map(|(field, value)| call(t, "PATCH", path, token, Some(json!({ *field: value.clone() }))));
    for (status, body) in join_all(patches).await {
        assert_eq!(status, 200, "{body}");
    }
    let (_, shown) = call(t, "GET", path, token, None).await;
    for (field, value) in edits {
        assert_eq!(&shown["data"][field], value, "round {round}: {field} lost to a concurrent edit");
    }
}

async fn concurrent_reseller_edits_lose_no_field(t: TestApp) {
    let s = t.seller("acme").await;
    let (status, created) =
        call(&t, "POST", "/admin/v1/resellers", &s.admin_token, Some(json!({ "name": "bob" }))).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/admin/v1/resellers/{}", created["data"]["id"]);
    for r in 1..=8 {
        let edits = [
            ("name", json!(format!("bob-{r}"))),
            ("key_prefix", json!(format!("R{r}"))),
            ("rate_limit_per_min", json!(100 + r as i64)),
        ];
        race_edits(&t, &path, &s.admin_token, r, &edits).await;
    }
}

/// Rounds of three PATCHes of one plan at once (name, level, default duration); the duration
/// goes back to lifetime (`null`) in every other round.
async fn concurrent_plan_edits_lose_no_field(t: TestApp) {
    let s = t.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(&t, &s.admin_token, "Edited", Some(86_400)).await;
    let path = format!("/admin/v1/apps/{app_id}/plans/{plan_id}");
    for r in 1..=8 {
        let duration = if r % 2 == 0 { Value::Null } else { json!(86_400 * r as i64) };
        let edits = [("name", json!(format!("pro-{r}"))), ("level", json!(10 + r as i64)), ("duration_secs", duration)];
        race_edits(&t, &path, &s.admin_token, r, &edits).await;
    }
    let (status, body) = call(&t, "PATCH", &path, &s.admin_token, Some(json!({ "level": -1 }))).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = call(&t, "PATCH", &path, &s.admin_token, Some(json!({ "colour": "red" }))).await;
    assert_eq!(status, 422, "{body}");
    let (_, shown) = call(&t, "GET", &path, &s.admin_token, None).await;
    assert_eq!((shown["data"]["name"].as_str(), shown["data"]["level"].as_i64()), (Some("pro-8"), Some(18)));
}

/// The seller's events of one type (all of them with `None`), oldest first.
async fn events(t: &TestApp, seller_id: SellerId, kind: Option<&str>) -> Vec<Value> {
    let (rows, total) = t.store().list_events(seller_id, kind, Page::new(500, 1)).await.unwrap();
    assert_eq!(rows.len() as i64, total);
    rows.into_iter()
        .rev()
        .map(|e| {
            let mut payload: Value = serde_json::from_str(&e.payload).unwrap();
            payload["type"] = json!(e.kind);
            payload["subject"] = json!(e.subject);
            payload
        })
        .collect()
}

async fn audit_actions(t: &TestApp, seller_id: SellerId) -> Vec<String> {
    let rows = t.store().list_audit(Some(seller_id), Page::new(500, 1)).await.unwrap();
    rows.into_iter().map(|a| a.action).collect()
}

/// Makes every insert into `table` fail (a trigger that raises), so a change whose audit row
/// or event cannot be written fails at that last step; `on = false` lifts it.
async fn refuse_inserts(t: &TestApp, table: &str, on: bool) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&t.database_url).await.unwrap();
    let statements: Vec<String> = match (t.engine, on) {
        (Engine::Sqlite, true) => vec![format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        (Engine::Sqlite, false) => vec![format!("DROP TRIGGER refuse_{table}")],
        (Engine::Postgres, true) => vec![
            "CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                .to_owned(),
            format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_insert()"
            ),
        ],
        (Engine::Postgres, false) => vec![format!("DROP TRIGGER refuse_{table} ON {table}")],
    };
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    }
}

/// With the audit row refused, a batch of keys fails whole: no key, no event (before, the
/// keys committed and the answer was a 500, so a retry doubled the batch). With the event
/// refused, each face's change fails whole: the key stays unused, unactivated, unassigned,
/// unbanned, and no audit row is written.
async fn a_change_whose_audit_or_event_fails_leaves_nothing(t: TestApp) {
    let c = ClientFixture::named(&t, "acme", "Shop").await;
    let plan_id = c.plan("standard", 1, None).await.id;
    let app_id = c.app.id;
    let seller_id = c.seller.id;
    let admin = t.store().create_token(TokenKind::Seller, Some(seller_id), "admin").await.unwrap().1;
    let shop = t.store().create_token(TokenKind::Store, Some(seller_id), "shop").await.unwrap().1;
    let batch = json!({ "app_id": app_id, "plan_id": plan_id, "count": 20, "max_activations": 1 });

    refuse_inserts(&t, "audit_events", true).await;
    let (status, answer) = call(&t, "POST", "/admin/v1/licenses", &admin, Some(batch.clone())).await;
    assert_eq!(status, 500, "{answer}");
    refuse_inserts(&t, "audit_events", false).await;
    let (_, listed) = call(&t, "GET", "/admin/v1/licenses", &admin, None).await;
    assert_eq!(listed["meta"]["total"], 0, "a failed batch left keys: {listed}");
    assert!(events(&t, seller_id, None).await.is_empty());

    let keys = generate(&t, &admin, batch).await;
    assert_eq!(keys.len(), 20);
    let created = events(&t, seller_id, Some("license.created")).await;
    assert_eq!(created.len(), 20);
    assert!(
        created.iter().all(|e| keys.contains(&e["key"].as_str().unwrap().to_owned()) && e["app_id"] == app_id.get())
    );
    // The chart's counts: today's (and yesterday's, should the test straddle midnight UTC).
    let today = licensd::domain::time::now_ms() / 86_400_000;
    let daily = t.store().daily_event_counts(seller_id, (today - 1) * 86_400_000).await.unwrap();
    assert!(daily.iter().all(|d: &DailyCount| d.kind == "license.created" && d.day >= today - 1), "{daily:?}");
    assert_eq!(daily.iter().map(|d| d.count).sum::<i64>(), 20, "{daily:?}");
    let audited = audit_actions(&t, seller_id).await;
    assert_eq!(audited.iter().filter(|a| *a == "license.generate").count(), 1);

    let reseller_row = t.store().create_reseller(seller_id, "bob", "", 1000).await.unwrap();
    let reseller_token = t.store().create_reseller_key(reseller_row.id, "bot").await.unwrap().1;
    let license = t.store().license_by_key(seller_id, &keys[0]).await.unwrap();
    t.store().move_licenses_to_reseller(seller_id, &[license.id], Some(reseller_row.id)).await.unwrap();

    refuse_inserts(&t, "events", true).await;
    let session = c.init().await;
    // Sent raw: the fixture's `call` treats a 5xx as a broken test.
    let sign_in = c.form(Some(&session), "license", &[("key", &keys[0])]);
    let res = t.http.post(t.url("/api/1.3/")).header("content-type", "application/x-www-form-urlencoded");
    let (_, answer) = split(res.body(sign_in).send().await.unwrap()).await;
    assert_eq!(answer["success"], false, "{answer}");
    let activate = json!({ "license_key": keys[0], "instance_name": "pc-1" });
    assert_ne!(post(&t, "/api/v2/licenses/activate", &shop, &activate).await.0, 200);
    let assign = [("license", keys[0].as_str()), ("discord_user_id", "123456789012345678")];
    assert_ne!(reseller(&t, "assignlicense", &reseller_token, &assign).await.0, 200);
    let ban = format!("/admin/v1/licenses/{}/ban", license.id);
    assert_eq!(call(&t, "POST", &ban, &admin, Some(json!({ "reason": "x" }))).await.0, 500);
    refuse_inserts(&t, "events", false).await;

    let after = t.store().license(seller_id, license.id).await.unwrap();
    assert_eq!((after.used_by_user_id, after.activations), (None, 0), "{after:?}");
    assert_eq!((after.discord_user_id, after.banned_reason), (None, None));
    assert!(t.store().user_by_ref(app_id, &keys[0]).await.is_err(), "the failed sign-in left its user");
    assert_eq!(audit_actions(&t, seller_id).await, audited, "the failed ban left its audit row");
    assert_eq!(events(&t, seller_id, None).await.len(), 20);
    // And with events allowed again, the same sign-in succeeds.
    c.call(Some(&session), "license", &[("key", &keys[0])]).await.assert_ok("Logged in!");
}

/// Each face's state change writes its event once, in its transaction; the same request
/// refused (the key already used, the limit reached, the license already assigned, a name
/// taken, a setting invalid) writes no event and no audit row.
async fn every_face_records_its_events_once_and_refusals_none(t: TestApp) {
    let w = World::new(&t, "faces").await;
    let seller = w.c.seller.id;
    let on_key: Vec<Value> = events(&t, seller, None).await;
    let kinds: Vec<&str> = on_key.iter().map(|e| e["type"].as_str().unwrap()).collect();
    // World::new: the Licenses API activated the key, then a client signed in with it first
    // (the key made the user, was redeemed, and the sign-in was recorded).
    assert_eq!(kinds, ["license.activated", "user.registered", "license.redeemed", "user.signed_in"], "{on_key:?}");
    let subject = format!("license:{}", w.license_id);
    assert_eq!(on_key[0]["subject"], subject);
    assert_eq!(on_key[0]["instance_id"], w.instance_id.as_str());
    assert_eq!(on_key[1]["user_id"], w.user_id.get());
    assert_eq!((&on_key[2]["subject"], &on_key[2]["user_id"]), (&json!(subject), &json!(w.user_id)));
    assert_eq!(
        (&on_key[3]["subject"], &on_key[3]["user_id"]),
        (&json!(format!("user:{}", w.user_id)), &json!(w.user_id))
    );

    // Licenses API: a second machine, then a key that does not exist.
    let activate = json!({ "license_key": w.key, "instance_name": "pc-2" });
    assert_eq!(post(&t, "/api/v2/licenses/activate", &w.store, &activate).await.0, 200);
    let unknown = json!({ "license_key": "NO-SUCH-KEY", "instance_name": "pc-2" });
    assert_ne!(post(&t, "/api/v2/licenses/activate", &w.store, &unknown).await.0, 200);
    // Reseller API: assign, then the same license again.
    let assign = [("license", w.key.as_str()), ("discord_user_id", "123456789012345678")];
    assert_eq!(reseller(&t, "assignlicense", &w.reseller, &assign).await.0, 200);
    assert_ne!(reseller(&t, "assignlicense", &w.reseller, &assign).await.0, 200);
    // Admin API: a ban, then refusals.
    let ban = format!("/admin/v1/licenses/{}/ban", w.license_id);
    assert_eq!(call(&t, "POST", &ban, &w.admin, Some(json!({ "reason": "chargeback" }))).await.0, 200);
    let app = format!("/admin/v1/apps/{}", w.c.app.id);
    let audited = audit_actions(&t, seller).await;
    assert_eq!(call(&t, "PATCH", &app, &w.admin, Some(json!({ "session_ttl_secs": 1 }))).await.0, 422);
    assert_eq!(call(&t, "POST", "/admin/v1/apps", &w.admin, Some(json!({ "name": "MyApp" }))).await.0, 409);
    assert_eq!(audit_actions(&t, seller).await, audited, "a refused change wrote an audit row");

    let later: Vec<Value> = events(&t, seller, None).await.split_off(on_key.len());
    let kinds: Vec<&str> = later.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["license.activated", "reseller.license_assigned", "license.banned"], "{later:?}");
    assert_eq!(later[1]["discord_user_id"], "123456789012345678");
    assert_eq!(later[2]["reason"], "chargeback");
    assert!(later.iter().all(|e| e["subject"] == subject && e["license_id"] == w.license_id.get()));
}
