//! Client API 1.3 under concurrency: the HWID lock binds exactly one HWID when many first
//! logins with different HWIDs arrive at once; one username is registered once; and the same
//! races with the requests split between two server processes on one PostgreSQL database
//! (one key redeemed once, one username, one first HWID). Through the SDK.

use crate::client_chat::SecondProcess;
use crate::client_support::{ClientFixture, assert_ok, assert_refused};
use crate::engine_tests;
use crate::harness::{Engine, TestApp};
use futures_util::future::join_all;
use licensd::store::Page;
use licensd_client::{Error, UserInfo, asynch::LibreAuth};

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
    let mut apps: Vec<_> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| c.sdk().with_session(s).with_hwid(&format!("MACHINE-{i:02}")))
        .collect();
    let answers = join_all(apps.iter_mut().map(|app| app.license("HW-RACE", None))).await;
    let (_, winner) = one_winner(answers, &apps, "HWID doesn't match. Ask for a HWID reset");
    let user = t.store().user_by_ref(c.app.id, "HW-RACE").await.unwrap();
    let bound = t.store().user_hwids(user.id).await.unwrap();
    assert_eq!(bound.len(), 1);
    assert_eq!(winner.hwid.as_deref(), Some(bound[0].as_str()));
}

/// A user with no HWID yet; 20 `license` logins at once from the same machine: every one logs
/// in (the losers of the binding find their own HWID bound) and that HWID is stored once.
async fn racing_first_logins_with_one_hwid_all_pass(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let sessions = user_without_hwid(&c, "HW-SAME", 20).await;
    let mut apps: Vec<_> = sessions.iter().map(|s| c.sdk().with_session(s).with_hwid("MACHINE")).collect();
    let answers = join_all(apps.iter_mut().map(|app| app.license("HW-SAME", None))).await;
    for (r, app) in answers.into_iter().zip(&apps) {
        assert_eq!(assert_ok(r, app, "Logged in!").hwid.as_deref(), Some("MACHINE"));
    }
    let user = t.store().user_by_ref(c.app.id, "HW-SAME").await.unwrap();
    assert_eq!(t.store().user_hwids(user.id).await.unwrap(), ["MACHINE"]);
}

/// A key-only user `key` (redeemed without a HWID) and `n` fresh sessions.
async fn user_without_hwid(c: &ClientFixture<'_>, key: &str, n: usize) -> Vec<String> {
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    c.license(&gold, key, Some(86_400)).await;
    let mut first = c.sdk_init().await;
    assert_ok(first.license(key, None).await, &first, "Logged in!");
    let mut sessions = Vec::new();
    for _ in 0..n {
        sessions.push(session(c).await);
    }
    sessions
}

/// A fresh session's id.
async fn session(c: &ClientFixture<'_>) -> String {
    c.sdk_init().await.session_id().unwrap().to_owned()
}

/// The index and user of the one answer that is `Logged in!` (answers[i] came from apps[i]);
/// every other one is refused with `loser`.
#[track_caller]
fn one_winner(answers: Vec<Result<UserInfo, Error>>, apps: &[LibreAuth], loser: &str) -> (usize, UserInfo) {
    let winners: Vec<usize> = (0..answers.len()).filter(|&i| answers[i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    let mut winner = None;
    for (i, r) in answers.into_iter().enumerate() {
        if i == winners[0] {
            winner = Some((i, assert_ok(r, &apps[i], "Logged in!")));
        } else {
            assert_refused(r, loser);
        }
    }
    winner.unwrap()
}

/// 20 registrations of one username at once, each with its own valid key: one user exists,
/// it holds the winner's key, every other client is told the name is taken (no server error:
/// the SDK takes nothing but a signed answer) and no other key is burned.
async fn racing_registrations_of_one_username(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let sessions = prepared(&c, "NAME-RACE", 20).await;
    let mut apps: Vec<_> = sessions.iter().map(|s| c.sdk().with_session(s)).collect();
    let keys: Vec<String> = (0..20).map(|i| format!("NAME-RACE-{i}")).collect();
    let answers = join_all(apps.iter_mut().zip(&keys).map(|(app, key)| app.register("same", "p", key, None))).await;
    assert_one_registered(&c, answers, &apps, "NAME-RACE").await;
}

/// `n` keys `<prefix>-<i>` of a one-day plan, and `n` fresh sessions.
async fn prepared(c: &ClientFixture<'_>, prefix: &str, n: usize) -> Vec<String> {
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    let mut sessions = Vec::new();
    for i in 0..n {
        c.license(&gold, &format!("{prefix}-{i}"), Some(86_400)).await;
        sessions.push(session(c).await);
    }
    sessions
}

/// Exactly one answer is a success, the others are `TAKEN`; user `same` alone exists and
/// holds the winner's key; the losers' keys are unused.
async fn assert_one_registered(
    c: &ClientFixture<'_>,
    answers: Vec<Result<UserInfo, Error>>,
    apps: &[LibreAuth],
    prefix: &str,
) {
    let n = answers.len();
    let (winner, _) = one_winner(answers, apps, TAKEN);
    let store = c.t.store();
    let users = store.list_users(c.app.id, None, Page::new(100, 1)).await.unwrap();
    assert_eq!(users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["same"]);
    for i in 0..n {
        let lic = store.license_by_key(c.seller.id, &format!("{prefix}-{i}")).await.unwrap();
        let holder = (i == winner).then_some(users[0].id);
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

    /// An SDK client continuing `session` on server `i % 2`.
    fn client(&self, c: &ClientFixture<'_>, i: usize, session: &str) -> LibreAuth {
        let app = if i.is_multiple_of(2) {
            c.sdk()
        } else {
            c.sdk_at(&format!("http://127.0.0.1:{}/api/1.3/", self.second.port))
        };
        app.with_session(session)
    }

    /// Clients continuing `sessions`, alternating between the servers.
    fn clients(&self, c: &ClientFixture<'_>, sessions: &[String]) -> Vec<LibreAuth> {
        sessions.iter().enumerate().map(|(i, s)| self.client(c, i, s)).collect()
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
    let mut apps = two.clients(&c, &sessions[..20]);
    let names: Vec<String> = (0..20).map(|i| format!("racer{i}")).collect();
    let answers = join_all(apps.iter_mut().zip(&names).map(|(app, n)| app.register(n, "p", "XP-KEY-0", None))).await;
    let (_, winner) = one_winner(answers, &apps, "License key has already been used");
    let store = two.t.store();
    let winner = store.user_by_ref(c.app.id, &winner.username).await.unwrap();
    let lic = store.license_by_key(c.seller.id, "XP-KEY-0").await.unwrap();
    assert_eq!(lic.used_by_user_id, Some(winner.id));
    assert_eq!(store.list_users(c.app.id, None, Page::new(100, 1)).await.unwrap().len(), 1);

    let mut apps = two.clients(&c, &sessions[20..]);
    let answers = join_all(apps.iter_mut().map(|app| app.license("XP-KEY-1", None))).await;
    for (r, app) in answers.into_iter().zip(&apps) {
        assert_eq!(assert_ok(r, app, "Logged in!").username, "XP-KEY-1");
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
    let mut apps = two.clients(&c, &sessions);
    let keys: Vec<String> = (0..20).map(|i| format!("XP-NAME-{i}")).collect();
    let answers = join_all(apps.iter_mut().zip(&keys).map(|(app, key)| app.register("same", "p", key, None))).await;
    assert_one_registered(&c, answers, &apps, "XP-NAME").await;
}

/// A user without a HWID; 20 first logins with 20 HWIDs, split between two processes: one
/// HWID is bound, one login passes, the others must ask for a reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn first_hwid_binds_once_across_two_processes() {
    let two = TwoServers::start().await;
    let c = ClientFixture::new(&two.t).await;
    let mut sessions = prepared(&c, "XP-HW", 21).await;
    let first = sessions.pop().unwrap();
    let mut app = c.sdk().with_session(&first);
    assert_ok(app.license("XP-HW-0", None).await, &app, "Logged in!");
    let mut apps: Vec<_> = two
        .clients(&c, &sessions)
        .into_iter()
        .enumerate()
        .map(|(i, app)| app.with_hwid(&format!("MACHINE-{i:02}")))
        .collect();
    let answers = join_all(apps.iter_mut().map(|app| app.license("XP-HW-0", None))).await;
    let (_, winner) = one_winner(answers, &apps, "HWID doesn't match. Ask for a HWID reset");
    let user = two.t.store().user_by_ref(c.app.id, "XP-HW-0").await.unwrap();
    let bound = two.t.store().user_hwids(user.id).await.unwrap();
    assert_eq!(bound.len(), 1, "{bound:?}");
    assert_eq!(winner.hwid.as_deref(), Some(bound[0].as_str()));
}
