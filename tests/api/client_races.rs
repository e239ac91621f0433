//! Client API 1.3 under concurrency: the HWID lock binds exactly one HWID when many first
//! logins with different HWIDs arrive at once.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use futures_util::future::join_all;

engine_tests!(config = crate::harness::without_signin_limits; racing_first_hwids_bind_one);

/// A user with no HWID yet; 20 `license` logins at once, each with a different HWID: exactly
/// one logs in, the others are told to ask for a reset, and exactly one HWID is stored.
async fn racing_first_hwids_bind_one(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    c.license(&gold, "HW-RACE", Some(86_400)).await;
    c.key_session("HW-RACE").await;
    let mut sessions = Vec::new();
    for _ in 0..20 {
        sessions.push(c.init().await);
    }
    let hwids: Vec<String> = (0..20).map(|i| format!("MACHINE-{i:02}")).collect();
    let c = &c;
    let answers =
        join_all(sessions.iter().zip(&hwids).map(|(s, h)| async move {
            c.call(Some(s), "license", &[("key", "HW-RACE"), ("hwid", h.as_str())]).await
        }))
        .await;
    let winners: Vec<_> = answers.iter().filter(|a| a.success()).collect();
    assert_eq!(winners.len(), 1, "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
    winners[0].assert_ok("Logged in!");
    for a in answers.iter().filter(|a| !a.success()) {
        a.assert_fail("HWID doesn't match. Ask for a HWID reset");
    }
    let user = t.store().user_by_ref(c.app.id, "HW-RACE").await.unwrap();
    let bound = t.store().user_hwids(user.id).await.unwrap();
    assert_eq!(bound.len(), 1);
    assert_eq!(winners[0].json["info"]["hwid"], bound[0].as_str());
}
