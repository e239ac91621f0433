//! One license, one truth: every switch (a license's ban, switch-off, expiry and deletion; a
//! user's ban; an app disabled or paused), thrown through a real face, stops the license on every
//! face on the next request: client API (an open session's `check` and a fresh key sign-in),
//! Licenses API (`validate`, `activate`) and Reseller API (`myavailable`, `fetchlicense`,
//! `assignlicense`). A user's ban is the user's: it stops the client API only. The client API
//! through the SDK.

use crate::client_chat::SecondProcess;
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::{TestApp, split, without_signin_limits};
use futures_util::future::join_all;
use licensd::domain::ids::{LicenseId, UserId};
use licensd::domain::time::{iso_micros, now_ms};
use licensd::store::tokens::TokenKind;
use licensd_client::Error;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

engine_tests!(config = without_signin_limits; every_switch_stops_every_face, every_switch_stops_checks_racing_it_in_two_processes);

const DAY: i64 = 86_400;
const DISCORD: &str = "123456789012345678";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    LicenseBan,
    LicenseOff,
    LicenseExpiry,
    LicenseDelete,
    UserBan,
    AppDisabled,
    AppPaused,
}

const SWITCHES: [Switch; 7] = [
    Switch::LicenseBan,
    Switch::LicenseOff,
    Switch::LicenseExpiry,
    Switch::LicenseDelete,
    Switch::UserBan,
    Switch::AppDisabled,
    Switch::AppPaused,
];

/// One key `K` that is at once redeemed by a client user (with an open validated session),
/// activated once through the Licenses API, and unassigned in a reseller's stock.
pub(crate) struct World<'a> {
    pub c: ClientFixture<'a>,
    pub key: String,
    pub license_id: LicenseId,
    pub user_id: UserId,
    pub session: String,
    pub instance_id: String,
    pub admin: String,
    pub store: String,
    pub reseller: String,
}

impl<'a> World<'a> {
    pub(crate) async fn new(t: &'a TestApp, name: &str) -> World<'a> {
        let c = ClientFixture::named(t, name, "MyApp").await;
        let plan = c.plan("Gold", 1, Some(30 * DAY)).await;
        let key = format!("{name}-KEY-0001");
        c.license(&plan, &key, Some(30 * DAY)).await;
        let store = t.store();
        let admin = store.create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
        let store_token = store.create_token(TokenKind::Store, Some(c.seller.id), "shop").await.unwrap().1;
        let reseller = store.create_reseller(c.seller.id, "bob", "", 1000).await.unwrap();
        let reseller_token = store.create_reseller_key(reseller.id, "bot").await.unwrap().1;
        let license = store.license_by_key(c.seller.id, &key).await.unwrap();
        store.move_licenses_to_reseller(c.seller.id, &[license.id], Some(reseller.id)).await.unwrap();
        let (status, body) =
            post(t, "/api/v2/licenses/activate", &store_token, &json!({"license_key": key, "instance_name": "pc-1"}))
                .await;
        assert_eq!(status, 200, "{body}");
        let instance_id = body["data"]["id"].as_str().unwrap().to_owned();
        let session = c.key_session(&key).await;
        let user_id = store.user_by_ref(c.app.id, &key).await.unwrap().id;
        World {
            c,
            key,
            license_id: license.id,
            user_id,
            session,
            instance_id,
            admin,
            store: store_token,
            reseller: reseller_token,
        }
    }

    fn t(&self) -> &'a TestApp {
        self.c.t
    }

    /// Throws `switch` through the face a seller would use for it.
    async fn throw(&self, switch: Switch) {
        let t = self.t();
        let (lic, app, user) = (self.license_id, self.c.app.id, self.user_id);
        let (status, body) = match switch {
            Switch::LicenseBan => {
                post(t, &format!("/admin/v1/licenses/{lic}/ban"), &self.admin, &json!({"reason": "chargeback"})).await
            }
            Switch::LicenseOff => {
                patch(t, &format!("/api/v2/license-keys/{lic}"), &self.store, &json!({"active": false})).await
            }
            Switch::LicenseExpiry => {
                let soon = iso_micros(now_ms() + 1_500);
                let answer =
                    patch(t, &format!("/api/v2/license-keys/{lic}"), &self.store, &json!({"expires_at": soon})).await;
                tokio::time::sleep(std::time::Duration::from_millis(1_700)).await;
                answer
            }
            Switch::LicenseDelete => delete(t, &format!("/admin/v1/licenses/{lic}"), &self.admin).await,
            Switch::UserBan => {
                post(t, &format!("/admin/v1/apps/{app}/users/{user}/ban"), &self.admin, &json!({"reason": "cheating"}))
                    .await
            }
            Switch::AppDisabled => {
                patch(t, &format!("/admin/v1/apps/{app}"), &self.admin, &json!({"enabled": false})).await
            }
            Switch::AppPaused => {
                patch(t, &format!("/admin/v1/apps/{app}"), &self.admin, &json!({"paused": true})).await
            }
        };
        assert!((200..300).contains(&status), "{switch:?}: {status} {body}");
    }

    /// Whether each face still lets the key through, reading only (nothing changes).
    async fn readers(&self) -> [bool; 4] {
        let t = self.t();
        let check = passes(self.c.sdk().with_session(&self.session).check().await);
        let body = json!({"license_key": self.key, "instance_id": self.instance_id});
        let (status, _) = post(t, "/api/v2/licenses/validate", &self.store, &body).await;
        let (_, available) = reseller(t, "myavailable", &self.reseller, &[]).await;
        let listed = available["licenses"].as_array().is_some_and(|l| l.iter().any(|x| x["key"] == self.key.as_str()));
        let (_, fetched) = reseller(t, "fetchlicense", &self.reseller, &[]).await;
        let drawn = fetched["license"]["key"] == self.key.as_str();
        [check, status == 200, listed, drawn]
    }

    /// Whether each face still lets the key through when asked to change something.
    async fn writers(&self) -> [bool; 3] {
        let t = self.t();
        let mut app = self.c.sdk();
        let sign_in = passes(app.init().await) && passes(app.license(&self.key, None).await);
        let body = json!({"license_key": self.key, "instance_name": "pc-2"});
        let (activated, _) = post(t, "/api/v2/licenses/activate", &self.store, &body).await;
        let (assigned, _) =
            reseller(t, "assignlicense", &self.reseller, &[("license", &self.key), ("discord_user_id", DISCORD)]).await;
        [sign_in, activated == 200, assigned == 200]
    }
}

/// Whether a client API call passed; anything but the server's refusal (an answer that does
/// not verify, a server error) fails the test.
#[track_caller]
fn passes<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    match r {
        Ok(_) => true,
        Err(Error::Refused { .. }) => false,
        other => panic!("expected a pass or a refusal, got {other:?}"),
    }
}

async fn every_switch_stops_every_face(t: TestApp) {
    for (i, switch) in SWITCHES.into_iter().enumerate() {
        let w = World::new(&t, &format!("s{i}")).await;
        assert_eq!(w.readers().await, [true; 4], "{switch:?}: every face lets the key through before");
        w.throw(switch).await;
        let readers = w.readers().await;
        let writers = w.writers().await;
        if switch == Switch::UserBan {
            // The user's ban is not the license's: the other faces keep serving the key.
            assert_eq!(readers, [false, true, true, true], "{switch:?}");
            assert_eq!(writers, [false, true, true], "{switch:?}");
        } else {
            assert_eq!(readers, [false; 4], "{switch:?}: check, validate, myavailable, fetchlicense");
            assert_eq!(writers, [false; 3], "{switch:?}: key sign-in, activate, assignlicense");
        }
    }
}

/// For every switch: 20 sessions of one key user call `check` in a loop, half of them on a
/// second server process, while the switch is thrown. Every check sent after the switch's
/// answer is refused, in both processes; checks before it passed (the race really ran).
async fn every_switch_stops_checks_racing_it_in_two_processes(t: TestApp) {
    let second = SecondProcess::start(&t).await;
    for (i, switch) in SWITCHES.into_iter().enumerate() {
        let w = World::new(&t, &format!("r{i}")).await;
        race_checks_against(&t, &w, second.port, switch).await;
    }
}

async fn race_checks_against(t: &TestApp, w: &World<'_>, second_port: u16, switch: Switch) {
    let mut sessions = vec![w.session.clone()];
    for _ in 1..20 {
        sessions.push(w.c.key_session(&w.key).await);
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    let checkers = sessions.iter().enumerate().map(|(i, s)| {
        let url = if i % 2 == 0 { t.url("/api/1.3/") } else { format!("http://127.0.0.1:{second_port}/api/1.3/") };
        let mut app = w.c.sdk_at(&url).with_session(s);
        let stop = &stop;
        async move {
            let mut log = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let sent = Instant::now();
                log.push((sent, passes(app.check().await)));
            }
            log
        }
    });
    let thrown = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        w.throw(switch).await;
        let done = Instant::now();
        tokio::time::sleep(Duration::from_millis(400)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        done
    };
    let (logs, thrown) = tokio::join!(join_all(checkers), thrown);
    let checks: Vec<(Instant, bool)> = logs.into_iter().flatten().collect();
    assert!(checks.iter().any(|(sent, ok)| *ok && *sent < thrown), "{switch:?}: no check passed before");
    let after: Vec<_> = checks.iter().filter(|(sent, _)| *sent > thrown).collect();
    assert!(after.len() >= 20, "{switch:?}: only {} checks were sent after", after.len());
    let passed = after.iter().filter(|(_, ok)| *ok).count();
    assert_eq!(passed, 0, "{switch:?}: {passed} of {} checks sent after the switch passed", after.len());
}

pub(crate) async fn post(t: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    split(t.http.post(t.url(path)).bearer_auth(token).json(body).send().await.unwrap()).await
}

pub(crate) async fn patch(t: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    split(t.http.patch(t.url(path)).bearer_auth(token).json(body).send().await.unwrap()).await
}

async fn delete(t: &TestApp, path: &str, token: &str) -> (u16, Value) {
    split(t.http.delete(t.url(path)).bearer_auth(token).send().await.unwrap()).await
}

pub(crate) async fn reseller(t: &TestApp, endpoint: &str, token: &str, params: &[(&str, &str)]) -> (u16, Value) {
    let mut query = vec![("api_token", token)];
    query.extend_from_slice(params);
    split(t.http.get(t.url(&format!("/reseller/{endpoint}"))).query(&query).send().await.unwrap()).await
}
