//! Reseller API rate limits: 100 requests per minute per API key, counted in the database, so
//! also across server processes sharing PostgreSQL. The windows are real minutes: tests start
//! their bursts early enough in a window (`fresh_window`) and check that they stayed in it.

use crate::engine_tests;
use crate::harness::{TestApp, fresh_postgres_database, split};
use crate::processes::{free_port, start, wait_ready};
use crate::reseller_fixture::{Place, Shop, WINDOW_MS, assert_error, call, fresh_window, get, next_window, now_ms};
use licensd::store::{DatabaseTarget, OpenOptions, Store};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

engine_tests!(the_101st_request_in_a_minute_is_refused_until_the_next, limits_are_per_key_and_set_per_reseller);

const REFUSED: &str = "Rate limit exceeded. Try again later.";

/// Panics if the current window is not `window` any more: the burst was not within one minute.
fn assert_same_window(window: i64) {
    let now = now_ms();
    assert_eq!(now - now.rem_euclid(WINDOW_MS), window, "the burst crossed a window boundary");
}

async fn the_101st_request_in_a_minute_is_refused_until_the_next(app: TestApp) {
    let shop = Shop::open(&app, "shop").await;
    let bot = shop.reseller(app.store(), "bot").await;
    shop.stock(&bot, &["ps-A"]).await;
    let window = fresh_window(Duration::from_secs(15)).await;
    // Requests with a wrong token are refused without touching anyone's budget.
    for _ in 0..30 {
        assert_error(&get(&app, "myavailable", &[("api_token", "lsd_reseller_wrong")]).await, 401, "Invalid API token");
    }
    // 100 requests over all endpoints; the bad one (missing license) counts like the others.
    let t = bot.token.as_str();
    assert_eq!(get(&app, "licenseinfo", &[("api_token", t)]).await.0, 400);
    for batch in 0..9 {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..11 {
            let endpoint = ["myavailable", "licenseinfo", "fetchlicense"][(batch + i) % 3];
            let (http, url, token) = (app.http.clone(), app.url(&format!("/reseller/{endpoint}")), bot.token.clone());
            tasks.spawn(async move {
                let body = json!({"api_token": token, "license": "ps-A"});
                split(http.post(url).json(&body).send().await.unwrap()).await.0
            });
        }
        assert!(tasks.join_all().await.iter().all(|s| *s == 200), "batch {batch}");
    }
    let res = app.http.get(app.url(&format!("/reseller/myavailable?api_token={t}"))).send().await.unwrap();
    let retry_after: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_error(&split(res).await, 429, REFUSED);
    // Refused whatever the endpoint, method or placement.
    let assign = [("api_token", t), ("license", "ps-A"), ("discord_user_id", "123456789012345678")];
    assert_error(&call(&app, Method::POST, "assignlicense", Place::Form, &assign).await, 429, REFUSED);
    assert_same_window(window);
    assert_eq!(app.store().license_by_key(shop.seller_id, "ps-A").await.unwrap().discord_user_id, None);

    next_window().await;
    assert_eq!(call(&app, Method::POST, "assignlicense", Place::Json, &assign).await.0, 200);
}

async fn limits_are_per_key_and_set_per_reseller(app: TestApp) {
    let store = app.store();
    let shop = Shop::open(&app, "shop").await;
    let (slow, fast) = (shop.reseller(store, "slow").await, shop.reseller(store, "fast").await);
    store.update_reseller(shop.seller_id, slow.reseller_id, "slow", "", 3).await.unwrap();
    let (_, second_key) = store.create_reseller_key(slow.reseller_id, "second").await.unwrap();
    let window = fresh_window(Duration::from_secs(10)).await;
    // A busy previous window does not weigh on this one.
    for _ in 0..10 {
        let bucket = format!("reseller-key:{}", slow.key_id);
        app.state.limiter.hit(&bucket, now_ms() - WINDOW_MS, WINDOW_MS).await.unwrap();
    }
    for _ in 0..3 {
        assert_eq!(get(&app, "myavailable", &[("api_token", &slow.token)]).await.0, 200);
    }
    assert_error(&get(&app, "fetchlicense", &[("api_token", &slow.token)]).await, 429, REFUSED);
    // Each key has its own budget; other resellers keep the default of 100.
    for _ in 0..3 {
        assert_eq!(get(&app, "myavailable", &[("api_token", &second_key)]).await.0, 200);
    }
    assert_error(&get(&app, "myavailable", &[("api_token", &second_key)]).await, 429, REFUSED);
    for _ in 0..10 {
        assert_eq!(get(&app, "myavailable", &[("api_token", &fast.token)]).await.0, 200);
    }
    assert_same_window(window);
}

/// Two `licensd serve` processes on one PostgreSQL database: one budget per key between them,
/// and one winner among concurrent assignments through both.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn limit_and_assignment_hold_across_two_processes() {
    let url = fresh_postgres_database().await;
    let dir = tempfile::tempdir().unwrap();
    let (data, seed) = (dir.path().to_str().unwrap(), "22".repeat(32));
    let ports = [free_port(), free_port()];
    let _procs: Vec<_> = ports
        .iter()
        .map(|p| {
            let listen = format!("127.0.0.1:{p}");
            start(
                &["--database-url", &url, "--data-dir", data, "serve", "--listen", &listen],
                &[("LICENSD_SIGNING_KEY", &seed)],
            )
        })
        .collect();
    let http = reqwest::Client::new();
    for p in ports {
        wait_ready(&http, p).await;
    }
    let target = DatabaseTarget::parse(Some(&url), dir.path()).unwrap();
    let store = Store::open(&target, &OpenOptions { create: false, max_connections: 2, ..OpenOptions::default() })
        .await
        .unwrap();
    let shop = Shop::open_at(&store, &url, "shop").await;
    let bot = shop.reseller(&store, "bot").await;
    shop.stock(&bot, &["ps-A"]).await;

    let window = fresh_window(Duration::from_secs(25)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..100 {
        let (http, token) = (http.clone(), bot.token.clone());
        let url = format!("http://127.0.0.1:{}/reseller/fetchlicense", ports[i % 2]);
        tasks.spawn(async move { split(http.post(url).form(&[("api_token", token)]).send().await.unwrap()).await.0 });
    }
    let statuses = tasks.join_all().await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    for p in ports {
        let url = format!("http://127.0.0.1:{p}/reseller/myavailable?api_token={}", bot.token);
        let got = split(http.get(url).send().await.unwrap()).await;
        assert_error(&got, 429, REFUSED);
    }
    assert_same_window(window);

    // One license, 20 concurrent assignments through both processes: exactly one wins.
    let racer = shop.reseller(&store, "racer").await;
    shop.stock(&racer, &["ps-RACE"]).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (http, token) = (http.clone(), racer.token.clone());
        let url = format!("http://127.0.0.1:{}/reseller/assignlicense", ports[i % 2]);
        let discord = format!("1234567890123456{i:02}");
        tasks.spawn(async move {
            let body = json!({"api_token": token, "license": "ps-RACE", "discord_user_id": discord});
            (discord, split(http.post(url).json(&body).send().await.unwrap()).await)
        });
    }
    let results = tasks.join_all().await;
    let winners: Vec<&String> = results.iter().filter(|(_, (s, _))| *s == 200).map(|(d, _)| d).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results.iter().all(|(_, (s, b))| *s == 200 || (*s == 409 && b["message"] == "License already assigned")));
    let row = store.license_by_key(shop.seller_id, "ps-RACE").await.unwrap();
    assert_eq!(row.discord_user_id.as_ref(), Some(winners[0]));
    store.close().await;
}
