//! Client API 1.3 under concurrency: the HWID lock binds exactly one HWID when many first
//! logins with different HWIDs arrive at once; one username is registered once; and the same
//! races with the requests split between two server processes on one PostgreSQL database
//! (one key redeemed once, one username, one first HWID).

use crate::client_chat::SecondProcess;
use crate::client_support::{Answer, ClientFixture};
use crate::engine_tests;
use crate::harness::{Engine, TestApp};
use futures_util::future::join_all;
use licensd::store::Page;

engine_tests!(
    config = crate::harness::without_signin_limits;
    racing_first_hwids_bind_one,
    racing_first_logins_with_one_hwid_all_pass,
    racing_registrations_of_one_username
);

const TAKEN: &str = "Username already taken, choose a different one";

/// A user with no HWID yet; 20 `license` logins at once, each with a different HWID: exactly
/// one logs in, the others are told to ask for a reset, and exactly one HWID is stored.
async fn racing_first_hwids_bind_one(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let sessions = user_without_hwid(&c, "HW-RACE", 20).await;
    let hwids: Vec<String> = (0..20).map(|i| format!("MACHINE-{i:02}")).collect();
    let c = &c;
    let answers =
        join_all(sessions.iter().zip(&hwids).map(|(s, h)| async move {
            c.call(Some(s), "license", &[("key", "HW-RACE"), ("hwid", h.as_str())]).await
        }))
        .await;
    let winner = one_winner(&answers, "HWID doesn't match. Ask for a HWID reset");
    let user = t.store().user_by_ref(c.app.id, "HW-RACE").await.unwrap();
    let bound = t.store().user_hwids(user.id).await.unwrap();
    assert_eq!(bound.len(), 1);
    assert_eq!(winner.json["info"]["hwid"], bound[0].as_str());
}

/// A user with no HWID yet; 20 `license` logins at once from the same machine: every one logs
/// in (the losers of the binding find their own HWID bound) and that HWID is stored once.
async fn racing_first_logins_with_one_hwid_all_pass(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let sessions = user_without_hwid(&c, "HW-SAME", 20).await;
    let c = &c;
    let answers = join_all(
        sessions
            .iter()
            .map(|s| async move { c.call(Some(s), "license", &[("key", "HW-SAME"), ("hwid", "MACHINE")]).await }),
    )
    .await;
    for a in &answers {
        a.assert_ok("Logged in!");
        assert_eq!(a.json["info"]["hwid"], "MACHINE");
    }
    let user = t.store().user_by_ref(c.app.id, "HW-SAME").await.unwrap();
    assert_eq!(t.store().user_hwids(user.id).await.unwrap(), ["MACHINE"]);
}

/// A key-only user `key` (redeemed without a HWID) and `n` fresh sessions.
async fn user_without_hwid(c: &ClientFixture<'_>, key: &str, n: usize) -> Vec<String> {
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    c.license(&gold, key, Some(86_400)).await;
    c.key_session(key).await;
    let mut sessions = Vec::new();
    for _ in 0..n {
        sessions.push(c.init().await);
    }
    sessions
}

/// The one answer that is `Logged in!`; every other one fails with `loser`.
#[track_caller]
fn one_winner<'a>(answers: &'a [Answer], loser: &str) -> &'a Answer {
    let winners: Vec<&Answer> = answers.iter().filter(|a| a.success()).collect();
    assert_eq!(winners.len(), 1, "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
    winners[0].assert_ok("Logged in!");
    for a in answers.iter().filter(|a| !a.success()) {
        a.assert_fail(loser);
    }
    winners[0]
}

/// 20 registrations of one username at once, each with its own valid key: one user exists,
/// it holds the winner's key, every other client is told the name is taken (no server error:
/// `ClientFixture` refuses any 5xx) and no other key is burned.
async fn racing_registrations_of_one_username(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let sessions = prepared(&c, "NAME-RACE", 20).await;
    let c = &c;
    let answers = join_all(sessions.iter().enumerate().map(|(i, s)| async move {
        let key = format!("NAME-RACE-{i}");
        c.call(Some(s), "register", &[("username", "same"), ("pass", "p"), ("key", &key)]).await
    }))
    .await;
    assert_one_registered(c, &answers, "NAME-RACE").await;
}

/// `n` keys `<prefix>-<i>` of a one-day plan, and `n` fresh sessions.
async fn prepared(c: &ClientFixture<'_>, prefix: &str, n: usize) -> Vec<String> {
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    let mut sessions = Vec::new();
    for i in 0..n {
        c.license(&gold, &format!("{prefix}-{i}"), Some(86_400)).await;
        sessions.push(c.init().await);
    }
    sessions
}

/// Exactly one answer is a success, the others are `TAKEN`; user `same` alone exists and
/// holds the winner's key; the losers' keys are unused.
async fn assert_one_registered(c: &ClientFixture<'_>, answers: &[Answer], prefix: &str) {
    let winner = one_winner(answers, TAKEN);
    let store = c.t.store();
    let users = store.list_users(c.app.id, None, Page::new(100, 1)).await.unwrap();
    assert_eq!(users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["same"]);
    for (i, answer) in answers.iter().enumerate() {
        let lic = store.license_by_key(c.seller.id, &format!("{prefix}-{i}")).await.unwrap();
        let holder = std::ptr::eq(answer, winner).then_some(users[0].id);
        assert_eq!(lic.used_by_user_id, holder, "key {i}");
        assert_eq!(lic.used_at.is_some(), holder.is_some(), "key {i}");
    }
}

/// The in-process server on a fresh PostgreSQL database and a second `licensd` process on the
/// same database; requests alternate between them.
struct TwoServers {
    t: TestApp,
    second: SecondProcess,
}

impl TwoServers {
    async fn start() -> Self {
        let t = TestApp::spawn_with(Engine::Postgres, crate::harness::without_signin_limits).await;
        let second = SecondProcess::start(&t).await;
        Self { t, second }
    }

    /// `type` with `fields` on server `i % 2`, checked (envelope, signature) like every answer.
    async fn call(&self, c: &ClientFixture<'_>, i: usize, session: &str, kind: &str, extra: &[(&str, &str)]) -> Answer {
        if i.is_multiple_of(2) {
            return c.call(Some(session), kind, extra).await;
        }
        let body = c.form(Some(session), kind, extra);
        let req = self
            .t
            .http
            .post(format!("http://127.0.0.1:{}/api/1.3/", self.second.port))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        c.send(req, &c.seller.ownerid).await
    }
}

/// One key, 20 registrations (different usernames) and then 20 first `license` logins with
/// another key, split between two processes: the first key is redeemed once, the second makes
/// one user with one subscription.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_redeemed_once_across_two_processes() {
    let two = TwoServers::start().await;
    let c = ClientFixture::new(&two.t).await;
    let sessions = prepared(&c, "XP-KEY", 40).await;
    let (c, two) = (&c, &two);
    let answers = join_all(sessions[..20].iter().enumerate().map(|(i, s)| async move {
        let name = format!("racer{i}");
        two.call(c, i, s, "register", &[("username", &name), ("pass", "p"), ("key", "XP-KEY-0")]).await
    }))
    .await;
    let winner = one_winner(&answers, "License key has already been used");
    let store = two.t.store();
    let winner = store.user_by_ref(c.app.id, winner.json["info"]["username"].as_str().unwrap()).await.unwrap();
    let lic = store.license_by_key(c.seller.id, "XP-KEY-0").await.unwrap();
    assert_eq!(lic.used_by_user_id, Some(winner.id));
    assert_eq!(store.list_users(c.app.id, None, Page::new(100, 1)).await.unwrap().len(), 1);

    let answers =
        join_all(sessions[20..].iter().enumerate().map(|(i, s)| two.call(c, i, s, "license", &[("key", "XP-KEY-1")])))
            .await;
    for a in &answers {
        a.assert_ok("Logged in!");
        assert_eq!(a.json["info"]["username"], "XP-KEY-1");
    }
    let holder = store.user_by_ref(c.app.id, "XP-KEY-1").await.unwrap();
    assert_eq!(store.license_by_key(c.seller.id, "XP-KEY-1").await.unwrap().used_by_user_id, Some(holder.id));
    assert_eq!(store.user_subscriptions_with_keys(holder.id).await.unwrap().len(), 1);
    assert_eq!(store.list_users(c.app.id, None, Page::new(100, 1)).await.unwrap().len(), 2);
}

/// 20 registrations of one username with 20 keys, split between two processes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_username_registered_once_across_two_processes() {
    let two = TwoServers::start().await;
    let c = ClientFixture::new(&two.t).await;
    let sessions = prepared(&c, "XP-NAME", 20).await;
    let (c, two) = (&c, &two);
    let answers = join_all(sessions.iter().enumerate().map(|(i, s)| async move {
        let key = format!("XP-NAME-{i}");
        two.call(c, i, s, "register", &[("username", "same"), ("pass", "p"), ("key", &key)]).await
    }))
    .await;
    assert_one_registered(c, &answers, "XP-NAME").await;
}

/// A user without a HWID; 20 first logins with 20 HWIDs, split between two processes: one
/// HWID is bound, one login passes, the others must ask for a reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn first_hwid_binds_once_across_two_processes() {
    let two = TwoServers::start().await;
    let c = ClientFixture::new(&two.t).await;
    let mut sessions = prepared(&c, "XP-HW", 21).await;
    let first = sessions.pop().unwrap();
    c.call(Some(&first), "license", &[("key", "XP-HW-0")]).await.assert_ok("Logged in!");
    let (c, two) = (&c, &two);
    let answers = join_all(sessions.iter().enumerate().map(|(i, s)| async move {
        let hwid = format!("MACHINE-{i:02}");
        two.call(c, i, s, "license", &[("key", "XP-HW-0"), ("hwid", &hwid)]).await
    }))
    .await;
    let winner = one_winner(&answers, "HWID doesn't match. Ask for a HWID reset");
    let user = two.t.store().user_by_ref(c.app.id, "XP-HW-0").await.unwrap();
    let bound = two.t.store().user_hwids(user.id).await.unwrap();
    assert_eq!(bound.len(), 1, "{bound:?}");
    assert_eq!(winner.json["info"]["hwid"], bound[0].as_str());
}
