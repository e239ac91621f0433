//! Crash safety: the real `licensd` binary under concurrent writes (Licenses API activations and
//! deactivations, Reseller API assignments, client API 1.3 one-time key redemptions by
//! `register` and `license`) is killed with SIGKILL at a random moment, restarted on the same
//! database, and checked: every acknowledged write is there, nothing is half-written (no key
//! used without its user and subscription, no redeeming user without its key), the activation
//! limit holds, and the server comes back without repair. `docs/durability.md`
//! says what this proves and what it does not.
//!
//! The run is random (which request, which key, when the kill lands); its seed is printed and can
//! be replayed with `CRASH_SEED=<seed>` (the timing of the machine still varies).

use crate::harness::{Engine, fresh_postgres_database, split};
use crate::processes::free_port;
use licensd::domain::ids::{AppId, LicenseId, SellerId};
use licensd::store::{DatabaseTarget, OpenOptions, Store, licenses::NewLicenses, tokens::TokenKind};
use rand::{Rng, SeedableRng, rngs::OsRng, rngs::StdRng};
use serde_json::{Value, json};
use sqlx::Connection;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Kill/restart cycles per engine.
const CYCLES: u64 = 8;
/// Kill/restart cycles of the two-process test.
const TWO_PROCESS_CYCLES: u64 = 4;
/// Concurrent clients during a cycle.
const WORKERS: u64 = 12;
/// Keys the load activates, each with this limit: small, so that the limit is reached often.
const KEYS: usize = 6;
const LIMIT: i64 = 3;
/// Licenses in the reseller's stock (each assigned at most once in the whole run).
const STOCK: usize = 600;
/// Client API keys, each redeemed at most once in the whole run (a third by `register`, the
/// others by a key-only `license` login).
const REDEEMABLE: usize = 600;
/// Acknowledged redemptions logged in with again through the API after each restart (the rows
/// of all of them are checked).
const RELOGINS: usize = 3;
/// The kill lands this many milliseconds into the load.
const KILL_AFTER_MS: std::ops::Range<u64> = 50..400;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_keeps_acknowledged_writes_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("licensd.db").display());
    crash_cycles(Engine::Sqlite, url, dir.path().to_path_buf()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_keeps_acknowledged_writes_postgres() {
    let dir = tempfile::tempdir().unwrap();
    crash_cycles(Engine::Postgres, fresh_postgres_database().await, dir.path().to_path_buf()).await;
}

/// The run's seed: `CRASH_SEED` or a fresh one from the OS, printed either way.
fn run_seed() -> u64 {
    let seed = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| OsRng.r#gen::<u64>());
    println!("crash test seed: {seed} (replay with CRASH_SEED={seed})");
    seed
}

async fn crash_cycles(engine: Engine, url: String, dir: PathBuf) {
    let seed = run_seed();
    let started = Instant::now();
    let fixture = Arc::new(Fixture::seed(engine, &url).await);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut server = Licensd::start(&url, &dir, &http).await;
    for cycle in 0..CYCLES {
        let kill_after = Duration::from_millis(rng.gen_range(KILL_AFTER_MS));
        let mut workers = tokio::task::JoinSet::new();
        for w in 0..WORKERS {
            let client = Client { http: http.clone(), base: server.base(), fixture: fixture.clone() };
            let worker_rng = StdRng::seed_from_u64(seed ^ (cycle << 32) ^ (w + 1));
            workers.spawn(work(client, ledger.clone(), worker_rng, Arc::new(AtomicBool::new(false))));
        }
        tokio::time::sleep(kill_after).await;
        server.kill();
        // Workers stop at their first request that gets no answer (the server is gone).
        tokio::time::timeout(Duration::from_secs(20), workers.join_all()).await.expect("workers stopped");
        server = Licensd::start(&url, &dir, &http).await;
        let context = format!("seed {seed}, cycle {cycle}, killed after {kill_after:?}");
        let client = Client { http: http.clone(), base: server.base(), fixture: fixture.clone() };
        check(&client, &url, &ledger, &context).await;
        if cycle == 0 {
            redeem_between_kills(&client, &ledger).await;
        }
    }
    summarize(&format!("{engine:?}"), &ledger.lock().unwrap(), started, seed);
}

/// Two `licensd` processes on one PostgreSQL database under load, one of them SIGKILLed at a
/// random moment: the other answers every request it gets, before and after the kill, and the
/// acknowledged writes of both (checked through the survivor) hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_one_of_two_processes_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let url = fresh_postgres_database().await;
    let seed = run_seed();
    let started = Instant::now();
    let fixture = Arc::new(Fixture::seed(Engine::Postgres, &url).await);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut servers = [Licensd::start(&url, dir, &http).await, Licensd::start(&url, dir, &http).await];
    for cycle in 0..TWO_PROCESS_CYCLES {
        let victim = rng.gen_range(0..2);
        let kill_after = Duration::from_millis(rng.gen_range(KILL_AFTER_MS));
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = tokio::task::JoinSet::new();
        for w in 0..WORKERS {
            let on = (w % 2) as usize;
            let client = Client { http: http.clone(), base: servers[on].base(), fixture: fixture.clone() };
            let worker =
                work(client, ledger.clone(), StdRng::seed_from_u64(seed ^ (cycle << 32) ^ (w + 1)), stop.clone());
            workers.spawn(async move { (on, worker.await) });
        }
        tokio::time::sleep(kill_after).await;
        servers[victim].kill();
        // The survivor carries the whole load for a while (rows the dead process had locked
        // must be released by PostgreSQL, or its clients would hang here).
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, Ordering::Relaxed);
        let ended = tokio::time::timeout(Duration::from_secs(20), workers.join_all()).await.expect("workers stopped");
        let context = format!("seed {seed}, cycle {cycle}, process {victim} killed after {kill_after:?}");
        let dropped = ended.iter().filter(|(on, cut_off)| *on != victim && *cut_off).count();
        assert_eq!(dropped, 0, "{context}: the surviving process left requests unanswered");
        let survivor = Client { http: http.clone(), base: servers[1 - victim].base(), fixture: fixture.clone() };
        check(&survivor, &url, &ledger, &context).await;
        if cycle == 0 {
            redeem_between_kills(&survivor, &ledger).await;
        }
        servers[victim] = Licensd::start(&url, dir, &http).await;
    }
    summarize("two processes", &ledger.lock().unwrap(), started, seed);
}

/// Prints what a run did and refuses a run that proves nothing: one in which the load never
/// wrote, or no kill cut off a request.
fn summarize(label: &str, l: &Ledger, started: Instant, seed: u64) {
    println!(
        "{label}: kills done in {:?}; acknowledged: {} activations, {} deactivations, {} assignments, \
         {} redemptions ({} by register); cut off by the kill: {} ({} redemptions)",
        started.elapsed(),
        l.acked_activations,
        l.deactivated.len(),
        l.assigned.len(),
        l.redeemed.len(),
        l.redeemed.iter().filter(|(_, u)| u.starts_with("crash-user-")).count(),
        l.interrupted,
        l.redeem_tried.len()
    );
    assert!(l.acked_activations > 0 && !l.deactivated.is_empty() && !l.assigned.is_empty(), "seed {seed}");
    assert!(l.interrupted > 0, "no request was in flight at any kill (seed {seed})");
}

/// The seeded data: a seller with a store token and limited keys, a reseller with a stock, a
/// client API app with redeemable keys.
#[derive(Clone)]
struct Fixture {
    engine: Engine,
    seller_id: SellerId,
    store_token: String,
    /// Licenses API keys: (license id, key).
    keys: Vec<(LicenseId, String)>,
    reseller_token: String,
    stock: Vec<String>,
    ownerid: String,
    app_id: AppId,
    /// The plan of the redeemable keys (a 30-day one).
    redeem_plan_id: i64,
    redeemable: Vec<String>,
}

impl Fixture {
    /// Written through the store, which is closed again before any server starts.
    async fn seed(engine: Engine, url: &str) -> Fixture {
        let target = DatabaseTarget::parse(Some(url), std::path::Path::new(".")).unwrap();
        let store = Store::open(&target, &OpenOptions { create: true, max_connections: 2, ..OpenOptions::default() })
            .await
            .unwrap();
        let seller = store.create_seller("crash", "").await.unwrap();
        let store_token = store.create_token(TokenKind::Store, Some(seller.id), "store").await.unwrap().1;
        let app = store.create_app(seller.id, "app").await.unwrap();
        let plan = store.create_plan(app.id, "lifetime", 1, None).await.unwrap();
        let reseller = store.create_reseller(seller.id, "bot", "", 1_000_000).await.unwrap();
        let reseller_token = store.create_reseller_key(reseller.id, "bot").await.unwrap().1;
        let spec = |limit, reseller_id| NewLicenses {
            seller_id: seller.id,
            app_id: app.id,
            plan_id: plan.id,
            duration_secs: None,
            expires_at: None,
            max_activations: limit,
            note: String::new(),
            reseller_id,
            order_id: None,
            customer_id: None,
        };
        let key_texts: Vec<String> = (0..KEYS).map(|i| format!("CRASH-KEY-{i}")).collect();
        assert_eq!(store.insert_licenses(&spec(Some(LIMIT), None), &key_texts).await.unwrap().len(), KEYS);
        let mut keys = Vec::new();
        for key in key_texts {
            keys.push((store.license_by_key(seller.id, &key).await.unwrap().id, key));
        }
        let stock: Vec<String> = (0..STOCK).map(|i| format!("CRASH-STOCK-{i}")).collect();
        assert_eq!(store.insert_licenses(&spec(None, Some(reseller.id)), &stock).await.unwrap().len(), STOCK);
        let monthly = store.create_plan(app.id, "monthly", 2, Some(30 * 86_400)).await.unwrap();
        let redeemable: Vec<String> = (0..REDEEMABLE).map(|i| format!("CRASH-REDEEM-{i}")).collect();
        let redeem_spec = NewLicenses { plan_id: monthly.id, duration_secs: Some(30 * 86_400), ..spec(None, None) };
        assert_eq!(store.insert_licenses(&redeem_spec, &redeemable).await.unwrap().len(), REDEEMABLE);
        store.close().await;
        Fixture {
            engine,
            seller_id: seller.id,
            store_token,
            keys,
            reseller_token,
            stock,
            ownerid: seller.ownerid,
            app_id: app.id,
            redeem_plan_id: monthly.id.get(),
            redeemable,
        }
    }
}

/// What the clients sent and what the server acknowledged.
#[derive(Default, Clone)]
struct Ledger {
    /// Acknowledged activations (key index, instance id) not sent for deactivation since.
    live: Vec<(usize, String)>,
    /// Acknowledged deactivations.
    deactivated: Vec<(usize, String)>,
    /// Deactivations the kill cut off: the instance may or may not exist.
    unsure: Vec<(usize, String)>,
    /// Acknowledged assignments (stock index, Discord id).
    assigned: Vec<(usize, String)>,
    /// Assignments the kill cut off: unassigned, or assigned to that Discord id.
    tried: Vec<(usize, String)>,
    next_stock: usize,
    /// Acknowledged redemptions (redeemable index, username of the user now holding the key).
    redeemed: Vec<(usize, String)>,
    /// Redemptions the kill cut off: unused, or redeemed whole by that username.
    redeem_tried: Vec<(usize, String)>,
    next_redeem: usize,
    acked_activations: u64,
    /// Requests that got no answer because the server died.
    interrupted: u64,
    /// Answers that contradict an earlier acknowledgement or the protocol.
    violations: Vec<String>,
}

struct Client {
    http: reqwest::Client,
    base: String,
    fixture: Arc<Fixture>,
}

impl Client {
    async fn licenses(&self, path: &str, body: &Value) -> Option<(u16, Value)> {
        let req =
            self.http.post(format!("{}/api/v2/licenses/{path}", self.base)).bearer_auth(&self.fixture.store_token);
        Some(split(req.json(body).send().await.ok()?).await)
    }

    async fn reseller(&self, endpoint: &str, params: &[(&str, &str)]) -> Option<(u16, Value)> {
        let req = self.http.post(format!("{}/reseller/{endpoint}", self.base)).form(params);
        Some(split(req.send().await.ok()?).await)
    }

    /// A client API 1.3 request of the fixture's app.
    async fn client(&self, kind: &str, extra: &[(&str, &str)]) -> Option<(u16, Value)> {
        let mut fields = vec![("type", kind), ("name", "app"), ("ownerid", self.fixture.ownerid.as_str())];
        fields.extend_from_slice(extra);
        let req = self.http.post(format!("{}/api/1.3/", self.base)).form(&fields);
        Some(split(req.send().await.ok()?).await)
    }

    /// A new client session (`Err` with the answer when `init` fails; `None` if cut off).
    async fn session(&self) -> Option<Result<String, Value>> {
        let (_, body) = self.client("init", &[]).await?;
        Some(body["sessionid"].as_str().map(str::to_owned).ok_or(body))
    }
}

/// One change to the ledger.
fn record(ledger: &Mutex<Ledger>, f: impl FnOnce(&mut Ledger)) {
    f(&mut ledger.lock().unwrap());
}

/// One client: activations, deactivations of acknowledged instances and assignments, until
/// `stop` is set or a request gets no answer; true in the latter case. An answer that was cut off
/// (a transport error: the server died before the whole response arrived) is not an
/// acknowledgement.
async fn work(client: Client, ledger: Arc<Mutex<Ledger>>, mut rng: StdRng, stop: Arc<AtomicBool>) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        let answered = match rng.gen_range(0..12) {
            0..=4 => activate(&client, &ledger, rng.gen_range(0..KEYS)).await,
            5..=7 => {
                let picked = {
                    let mut l = ledger.lock().unwrap();
                    (!l.live.is_empty()).then(|| {
                        let i = rng.gen_range(0..l.live.len());
                        l.live.swap_remove(i)
                    })
                };
                match picked {
                    Some(instance) => deactivate(&client, &ledger, instance).await,
                    None => activate(&client, &ledger, rng.gen_range(0..KEYS)).await,
                }
            }
            8..=9 => assign(&client, &ledger).await,
            _ => redeem(&client, &ledger, rng.gen_bool(1.0 / 3.0)).await,
        };
        if !answered {
            record(&ledger, |l| l.interrupted += 1);
            return true;
        }
    }
    false
}

async fn activate(client: &Client, ledger: &Mutex<Ledger>, k: usize) -> bool {
    let (id, key) = &client.fixture.keys[k];
    let Some((status, body)) = client.licenses("activate", &json!({"license_key": key, "instance_name": "box"})).await
    else {
        return false;
    };
    match (status, body["id"].as_str()) {
        (200, Some(instance)) if body["license_key_id"] == id.get() => record(ledger, |l| {
            l.acked_activations += 1;
            l.live.push((k, instance.to_owned()));
        }),
        (422, _) if body["message"] == "This license key has reached its activation limit." => {}
        _ => record(ledger, |l| l.violations.push(format!("activate {key}: {status} {body}"))),
    }
    true
}

async fn deactivate(client: &Client, ledger: &Mutex<Ledger>, (k, instance): (usize, String)) -> bool {
    let key = &client.fixture.keys[k].1;
    let Some((status, body)) =
        client.licenses("deactivate", &json!({"license_key": key, "instance_id": instance})).await
    else {
        record(ledger, |l| l.unsure.push((k, instance)));
        return false;
    };
    if (status, &body) == (200, &json!({"data": {"deactivated": true, "instance_id": instance}})) {
        record(ledger, |l| l.deactivated.push((k, instance)));
    } else {
        // Not found here means an acknowledged activation was lost.
        record(ledger, |l| l.violations.push(format!("deactivate {key}/{instance}: {status} {body}")));
    }
    true
}

async fn assign(client: &Client, ledger: &Mutex<Ledger>) -> bool {
    let s = {
        let mut l = ledger.lock().unwrap();
        l.next_stock += 1;
        l.next_stock - 1
    };
    let Some(license) = client.fixture.stock.get(s) else { return true };
    let discord = format!("{}", 700_000_000_000_000_000_u64 + s as u64);
    let params =
        [("api_token", client.fixture.reseller_token.as_str()), ("license", license), ("discord_user_id", &discord)];
    let Some((status, body)) = client.reseller("assignlicense", &params).await else {
        record(ledger, |l| l.tried.push((s, discord)));
        return false;
    };
    if (status, &body) == (200, &json!({"ok": true, "message": "License assigned successfully"})) {
        record(ledger, |l| l.assigned.push((s, discord)));
    } else {
        record(ledger, |l| l.violations.push(format!("assign {license}: {status} {body}")));
    }
    true
}

/// One acknowledged `register` and one `license` redemption that the later kills must keep
/// (run once, after the first kill). A register hashes a password, which in a test build takes
/// longer than most load phases last, so the load mostly gets its registers cut off (checked as
/// such); these two are sure to be acknowledged whatever the timing of the machine.
async fn redeem_between_kills(client: &Client, ledger: &Mutex<Ledger>) {
    for register in [true, false] {
        let before = ledger.lock().unwrap().redeemed.len();
        assert!(redeem(client, ledger, register).await, "redemption answered");
        let l = ledger.lock().unwrap();
        assert_eq!(l.redeemed.len(), before + 1, "redemption between kills refused: {:?}", l.violations);
    }
}

/// The next redeemable key, by `register` (a new user `crash-user-<r>`) or by a key-only
/// `license` login (a new user named after the key), in a fresh session.
async fn redeem(client: &Client, ledger: &Mutex<Ledger>, register: bool) -> bool {
    let r = {
        let mut l = ledger.lock().unwrap();
        l.next_redeem += 1;
        l.next_redeem - 1
    };
    let Some(key) = client.fixture.redeemable.get(r) else { return true };
    let session = match client.session().await {
        None => return false,
        Some(Ok(session)) => session,
        Some(Err(body)) => {
            record(ledger, |l| l.violations.push(format!("init: {body}")));
            return true;
        }
    };
    let username = if register { format!("crash-user-{r}") } else { key.clone() };
    let answer = if register {
        let fields = [("sessionid", session.as_str()), ("username", &username), ("pass", "pw"), ("key", key)];
        client.client("register", &fields).await
    } else {
        client.client("license", &[("sessionid", session.as_str()), ("key", key)]).await
    };
    let Some((status, body)) = answer else {
        record(ledger, |l| l.redeem_tried.push((r, username)));
        return false;
    };
    if status == 200 && body["message"] == "Logged in!" && body["info"]["username"] == username.as_str() {
        record(ledger, |l| l.redeemed.push((r, username)));
    } else {
        record(ledger, |l| l.violations.push(format!("redeem {key}: {status} {body}")));
    }
    true
}

/// After a restart: the acknowledged writes through the HTTP APIs, then the rows themselves.
async fn check(client: &Client, url: &str, ledger: &Mutex<Ledger>, ctx: &str) {
    let l = ledger.lock().unwrap().clone();
    assert!(l.violations.is_empty(), "{ctx}: answers that contradict acknowledged writes: {:#?}", l.violations);
    check_answers(client, &l, ctx).await;
    check_rows(&client.fixture, url, &l, ctx).await;
}

/// Through the APIs: acknowledged activations validate, acknowledged deactivations do not,
/// acknowledged assignments are assigned.
async fn check_answers(client: &Client, l: &Ledger, ctx: &str) {
    let fixture = &client.fixture;
    for (k, instance) in &l.live {
        let body = json!({"license_key": fixture.keys[*k].1, "instance_id": instance});
        let (status, got) = client.licenses("validate", &body).await.expect("validate answered");
        assert_eq!(
            (status, &got["valid"], &got["instance"]["id"]),
            (200, &json!(true), &json!(instance)),
            "{ctx}: lost activation {body}: {got}"
        );
    }
    for (k, instance) in &l.deactivated {
        let body = json!({"license_key": fixture.keys[*k].1, "instance_id": instance});
        let got = client.licenses("validate", &body).await.expect("validate answered");
        assert_eq!(got, (422, json!({"message": "License key instance not found"})), "{ctx}: lost deactivation {body}");
    }
    for (s, _) in &l.assigned {
        let params = [("api_token", fixture.reseller_token.as_str()), ("license", &fixture.stock[*s])];
        let (status, got) = client.reseller("licenseinfo", &params).await.expect("licenseinfo answered");
        assert_eq!((status, &got["info"]["is_assigned"]), (200, &json!(true)), "{ctx}: lost assignment {s}: {got}");
    }
    // A key redeemed by register or license logs its user in (the newest few: each costs a
    // session, and the rows of all of them are checked below).
    for (r, username) in l.redeemed.iter().rev().take(RELOGINS) {
        let session = client.session().await.expect("init answered").expect("init succeeded");
        let fields = [("sessionid", session.as_str()), ("key", fixture.redeemable[*r].as_str())];
        let (_, got) = client.client("license", &fields).await.expect("license answered");
        assert_eq!(
            (&got["message"], &got["info"]["username"]),
            (&json!("Logged in!"), &json!(username)),
            "{ctx}: lost redemption of {}: {got}",
            fixture.redeemable[*r]
        );
    }
}

/// In the database: counters equal rows within the limit, assignments whole and kept.
async fn check_rows(fixture: &Fixture, url: &str, l: &Ledger, ctx: &str) {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    // Every key: the counter equals its instance rows and respects the limit. The rows are at
    // least the acknowledged, undeactivated activations, and at most those plus the ones whose
    // deactivation was cut off plus activations cut off (one per worker and kill at most).
    let counts: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT l.id, l.activations, (SELECT COUNT(*) FROM instances i WHERE i.license_id = l.id) \
         FROM licenses l WHERE l.seller_id = $1 AND l.reseller_id IS NULL AND l.plan_id <> $2 ORDER BY l.id",
    )
    .bind(fixture.seller_id)
    .bind(fixture.redeem_plan_id)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(counts.len(), KEYS, "{ctx}");
    for (k, (id, activations, rows)) in counts.into_iter().enumerate() {
        assert_eq!(id, fixture.keys[k].0.get(), "{ctx}");
        let of_key = |list: &[(usize, String)]| list.iter().filter(|(i, _)| *i == k).count() as i64;
        let acked = of_key(&l.live);
        let ceiling = acked + of_key(&l.unsure) + l.interrupted as i64;
        assert_eq!(activations, rows, "{ctx}: key {id}: counter {activations} but {rows} instance rows");
        assert!(rows <= LIMIT, "{ctx}: key {id}: {rows} instances over the limit {LIMIT}");
        assert!(rows >= acked, "{ctx}: key {id}: {rows} instances but {acked} acknowledged");
        assert!(rows <= ceiling, "{ctx}: key {id}: {rows} instances, more than were ever sent ({ceiling})");
    }
    // Assignments: whole (Discord id and time together), every acknowledged one kept, cut-off ones
    // either done or not, and none that nobody sent.
    let stock: Vec<(String, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT key, discord_user_id, assigned_at FROM licenses WHERE seller_id = $1 AND reseller_id IS NOT NULL",
    )
    .bind(fixture.seller_id)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let by_key: std::collections::HashMap<&str, (&Option<String>, &Option<i64>)> =
        stock.iter().map(|(k, d, a)| (k.as_str(), (d, a))).collect();
    for (key, (discord, at)) in &by_key {
        assert_eq!(discord.is_some(), at.is_some(), "{ctx}: {key} half-assigned: {discord:?} {at:?}");
    }
    for (s, discord) in &l.assigned {
        let got = by_key[fixture.stock[*s].as_str()].0;
        assert_eq!(got.as_deref(), Some(discord.as_str()), "{ctx}: assignment of {} lost", fixture.stock[*s]);
    }
    for (s, discord) in &l.tried {
        let got = by_key[fixture.stock[*s].as_str()].0;
        assert!(got.is_none() || got.as_deref() == Some(discord.as_str()), "{ctx}: {got:?}");
    }
    let sent: std::collections::HashSet<&str> =
        l.assigned.iter().chain(&l.tried).map(|(s, _)| fixture.stock[*s].as_str()).collect();
    let stray: Vec<_> = by_key.iter().filter(|(k, (d, _))| d.is_some() && !sent.contains(*k)).collect();
    assert!(stray.is_empty(), "{ctx}: assignments nobody sent: {stray:?}");
    check_redemptions(fixture, &mut conn, l, ctx).await;
    if fixture.engine == Engine::Sqlite {
        let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap();
        assert_eq!(ok, "ok", "{ctx}");
    }
    conn.close().await.unwrap();
}

/// Redemptions in the database: every used key has its user and exactly one subscription from
/// it; every acknowledged one is there with its username, cut-off ones are whole or absent, no
/// key was used that nobody sent; every user holds exactly one key and one subscription.
async fn check_redemptions(fixture: &Fixture, conn: &mut sqlx::AnyConnection, l: &Ledger, ctx: &str) {
    type KeyRow = (String, Option<i64>, Option<i64>, Option<String>, i64);
    let keys: Vec<KeyRow> = sqlx::query_as(
        "SELECT l.key, l.used_by_user_id, l.used_at, u.username, (SELECT COUNT(*) FROM subscriptions s \
           WHERE s.user_id = l.used_by_user_id AND s.plan_id = l.plan_id AND s.license_id = l.id \
           AND s.expires_at IS NOT NULL) \
         FROM licenses l LEFT JOIN users u ON u.id = l.used_by_user_id WHERE l.plan_id = $1",
    )
    .bind(fixture.redeem_plan_id)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(keys.len(), REDEEMABLE, "{ctx}");
    let holder: std::collections::HashMap<&str, Option<&str>> = keys
        .iter()
        .map(|(key, user_id, used_at, username, subs)| {
            assert_eq!(user_id.is_some(), used_at.is_some(), "{ctx}: {key} half-used: {user_id:?} {used_at:?}");
            if user_id.is_some() {
                assert!(username.is_some(), "{ctx}: {key} used by a user that does not exist");
                assert_eq!(*subs, 1, "{ctx}: {key} used without its subscription");
            }
            (key.as_str(), username.as_deref())
        })
        .collect();
    for (r, username) in &l.redeemed {
        let key = fixture.redeemable[*r].as_str();
        assert_eq!(holder[key], Some(username.as_str()), "{ctx}: acknowledged redemption of {key} lost");
    }
    for (r, username) in &l.redeem_tried {
        let got = holder[fixture.redeemable[*r].as_str()];
        assert!(got.is_none() || got == Some(username.as_str()), "{ctx}: {got:?}");
    }
    let sent: std::collections::HashSet<&str> =
        l.redeemed.iter().chain(&l.redeem_tried).map(|(r, _)| fixture.redeemable[*r].as_str()).collect();
    let stray: Vec<_> = holder.iter().filter(|(k, u)| u.is_some() && !sent.contains(*k)).collect();
    assert!(stray.is_empty(), "{ctx}: redemptions nobody sent: {stray:?}");
    let users: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT u.username, (SELECT COUNT(*) FROM licenses l WHERE l.used_by_user_id = u.id), \
           (SELECT COUNT(*) FROM subscriptions s WHERE s.user_id = u.id) FROM users u WHERE u.app_id = $1",
    )
    .bind(fixture.app_id)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    for (username, keys, subs) in &users {
        assert_eq!((keys, subs), (&1, &1), "{ctx}: user {username} holds {keys} keys and {subs} subscriptions");
    }
}

/// A `licensd serve` process on the test's database; SIGKILLed when dropped.
struct Licensd {
    child: Child,
    port: u16,
}

impl Licensd {
    /// Starts the server and waits until it is ready: a server that needs repair never is.
    async fn start(url: &str, dir: &std::path::Path, http: &reqwest::Client) -> Licensd {
        let port = free_port();
        let log = std::fs::File::create(dir.join(format!("licensd-{port}.log"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_licensd"))
            .args(["--database-url", url, "--data-dir", dir.to_str().unwrap(), "serve"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("LICENSD_SIGNING_KEY", "33".repeat(32))
            .env("LICENSD_LICENSES_RATE_LIMIT_PER_MIN", "0")
            // Durability is measured here, not brute-force or abuse limits: every redemption
            // (each in a fresh session from one address) must run.
            .env("LICENSD_LOGIN_FAILURES_PER_IP_PER_MIN", "0")
            .env("LICENSD_INIT_SESSIONS_PER_IP_PER_MIN", "0")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn licensd");
        let mut server = Licensd { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{}/readyz", server.base())).send().await
                && r.status() == 200
            {
                return server;
            }
            let exited = server.child.try_wait().unwrap();
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join(format!("licensd-{port}.log"))).unwrap_or_default();
                panic!("licensd did not come back after the kill ({exited:?}): {log}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: no shutdown code runs, open transactions and half-sent answers are cut off.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL licensd");
        self.child.wait().unwrap();
    }
}

impl Drop for Licensd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
