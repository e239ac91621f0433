//! Client API 1.3 sessions and signed answers under attack: a client cannot pick its own
//! session id (fixation), a session works only for its app, ends for good at logout and at
//! expiry; a signed answer cannot be altered or re-dated, and a KeyAuth-style client that
//! checks the signature and a 20-second freshness window refuses a replayed one.
//! Raw on purpose (not the SDK): it picks session ids and alters signed answers on the wire.

use crate::client_support::{Answer, ClientFixture, SIG_HEADER, TS_HEADER, python_verdict};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::time::now_ms;
use serde_json::json;

const DAY: i64 = 86_400;
const NO_SESSION: &str =
    "Session not found. If you get this frequently, ask the developer to use the latest example code";
/// Every type that needs a session, with fields that would otherwise let it succeed.
const SESSION_TYPES: &[&str] = &[
    "register",
    "login",
    "loginEmail",
    "license",
    "upgrade",
    "forgot",
    "check",
    "checkblacklist",
    "ban",
    "logout",
    "2faenable",
    "2fadisable",
    "var",
    "getvar",
    "setvar",
    "log",
    "webhook",
    "file",
    "chatget",
    "chatsend",
    "fetchOnline",
    "fetchStats",
    "changeUsername",
];
/// The window a KeyAuth client allows between the answer's timestamp and its own clock.
const CLIENT_WINDOW_SECS: i64 = 20;

engine_tests!(
    clients_cannot_choose_their_session,
    sessions_belong_to_one_app,
    logout_ends_the_session_for_every_type,
    expired_sessions_stay_dead,
    signed_answers_cannot_be_altered_or_replayed,
    session_ids_are_stored_as_digests,
);
engine_tests!(config = crate::harness::without_signin_limits; logout_racing_a_login_leaves_no_session);

/// Asserts that `session` is refused by every type, and that this burned no key.
async fn assert_dead(c: &ClientFixture<'_>, session: &str, key: &str) {
    let fields = [
        ("username", "mallory"),
        ("pass", "pw"),
        ("key", key),
        ("email", "m@example.com"),
        ("code", "123456"),
        ("varid", "v"),
        ("var", "v"),
        ("data", "d"),
        ("message", "m"),
        ("channel", "c"),
        ("newUsername", "mallory2"),
    ];
    for kind in SESSION_TYPES {
        c.call(Some(session), kind, &fields).await.assert_fail(NO_SESSION);
    }
    let lic = c.t.store().license_by_key(c.seller.id, key).await.unwrap();
    assert_eq!((lic.used_by_user_id, lic.used_at), (None, None), "a refused session redeemed {key}");
}

/// `init` never adopts a session id the client sent, and an id nobody issued opens nothing.
async fn clients_cannot_choose_their_session(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "FIX-KEY", Some(DAY)).await;
    let chosen = "0123456789abcdef0123456789abcdef";
    let a = c.call(Some(chosen), "init", &[]).await;
    a.assert_ok("Initialized");
    let issued = a.json["sessionid"].as_str().unwrap();
    assert_ne!(issued, chosen, "init adopted the client's session id");
    assert_eq!(a.json["newSession"], true);
    let query = [
        ("type", "init"),
        ("name", c.app.name.as_str()),
        ("ownerid", c.seller.ownerid.as_str()),
        ("sessionid", chosen),
    ];
    assert_ne!(c.get_query(&query).await.json["sessionid"], chosen);
    // The chosen id and other made-up ones are refused by every type, the issued one works.
    for made_up in [chosen, "ffffffffffffffffffffffffffffffff", "", "' OR '1'='1", &issued.to_uppercase()] {
        assert_dead(&c, made_up, "FIX-KEY").await;
    }
    c.call(Some(issued), "license", &[("key", "FIX-KEY")]).await.assert_ok("Logged in!");
    c.call(Some(issued), "check", &[]).await.assert_ok("Session is validated.");
}

/// A session (validated or not) of app A is unknown to app B of the same seller and of
/// another seller: it neither authenticates there nor redeems B's keys.
async fn sessions_belong_to_one_app(t: TestApp) {
    let a = ClientFixture::new(&t).await;
    let gold = a.plan("Gold", 1, Some(DAY)).await;
    a.license(&gold, "A-KEY", Some(DAY)).await;
    let validated = a.key_session("A-KEY").await;
    let fresh = a.init().await;
    let sibling = a.another_app("Sibling").await;
    let stranger = ClientFixture::named(&t, "other", "MyApp").await;
    for b in [&sibling, &stranger] {
        let plan = b.plan("Gold", 1, Some(DAY)).await;
        b.license(&plan, "B-KEY", Some(DAY)).await;
        for s in [&validated, &fresh] {
            assert_dead(b, s, "B-KEY").await;
        }
    }
    a.call(Some(&validated), "check", &[]).await.assert_ok("Session is validated.");
}

/// After `logout` the session id is refused by every type (logging out again included); the
/// user's other sessions live on.
async fn logout_ends_the_session_for_every_type(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "OUT-KEY", Some(DAY)).await;
    c.license(&gold, "SPARE", Some(DAY)).await;
    let s = c.key_session("OUT-KEY").await;
    let other = c.key_session("OUT-KEY").await;
    c.call(Some(&s), "logout", &[]).await.assert_ok("Successfully logged out.");
    assert_dead(&c, &s, "SPARE").await;
    // Logging in again with the dead id does not bring it back.
    c.call(Some(&s), "license", &[("key", "OUT-KEY")]).await.assert_fail(NO_SESSION);
    assert!(
        t.store().client_request(&c.seller.ownerid, &c.app.name, Some(&s), now_ms()).await.unwrap().session.is_none(),
        "the session row is gone"
    );
    c.call(Some(&other), "check", &[]).await.assert_ok("Session is validated.");
}

/// A session past its TTL is refused by every type and cannot be validated again by a login;
/// a validated one stops being validated at expiry.
async fn expired_sessions_stay_dead(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| a.session_ttl_secs = 2).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "TTL-KEY", Some(DAY)).await;
    c.license(&gold, "SPARE", Some(DAY)).await;
    let validated = c.key_session("TTL-KEY").await;
    let fresh = c.init().await;
    c.call(Some(&validated), "check", &[]).await.assert_ok("Session is validated.");
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    for s in [&validated, &fresh] {
        c.call(Some(s), "license", &[("key", "TTL-KEY")]).await.assert_fail(NO_SESSION);
        assert_dead(&c, s, "SPARE").await;
    }
    // Pruning removes them; nothing a client sent in between revived them.
    assert_eq!(t.store().prune_sessions(now_ms()).await.unwrap(), 2);
}

/// `logout` (or the user's `ban`, which ends all its sessions) racing a login on the same
/// session: the login either wins or is told the session is gone; it never answers a server
/// error, and no session survives its logout.
async fn logout_racing_a_login_leaves_no_session(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "RACE-OUT", Some(DAY)).await;
    c.key_session("RACE-OUT").await;
    let mut sessions = Vec::new();
    for _ in 0..20 {
        sessions.push(c.init().await);
    }
    let c = &c;
    let answers = futures_util::future::join_all(sessions.iter().map(|s| async move {
        let login = c.call(Some(s), "license", &[("key", "RACE-OUT")]);
        let logout = async {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            c.call(Some(s), "logout", &[]).await
        };
        tokio::join!(login, logout)
    }))
    .await;
    for (login, logout) in &answers {
        if !login.success() {
            login.assert_fail(NO_SESSION);
        }
        if !logout.success() {
            logout.assert_fail(NO_SESSION);
        }
    }
    for s in &sessions {
        c.call(Some(s), "check", &[]).await.assert_fail(NO_SESSION);
    }
}

/// The database keeps only the SHA-256 of a session id: the stored value (what a leaked table
/// or the admin API's list shows) does not work as a session id; the seller can end a session
/// by either.
async fn session_ids_are_stored_as_digests(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "HASH-KEY", Some(DAY)).await;
    let s = c.key_session("HASH-KEY").await;
    let (stored,): (String,) = sqlx::query_as("SELECT id FROM sessions").fetch_one(&mut c.db().await).await.unwrap();
    assert_eq!(stored, licensd::domain::secret::hash_secret(&s));
    c.call(Some(&stored), "check", &[]).await.assert_fail(NO_SESSION);
    let listed = t.store().list_live_sessions(c.app.id, now_ms(), licensd::store::Page::new(10, 1)).await.unwrap();
    assert_eq!(listed.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), [stored.as_str()]);
    c.call(Some(&s), "check", &[]).await.assert_ok("Session is validated.");
    t.store().end_session(c.app.id, &stored).await.unwrap();
    c.call(Some(&s), "check", &[]).await.assert_fail(NO_SESSION);
    let s = c.init().await;
    t.store().end_session(c.app.id, &s).await.unwrap();
    c.call(Some(&s), "check", &[]).await.assert_fail(NO_SESSION);
}

/// What a captured answer is worth to an attacker who replays or edits it.
///
/// A KeyAuth 1.3 client accepts an answer only if the Ed25519 signature over
/// `x-signature-timestamp || body` verifies with the pinned key and the timestamp is at most
/// 20 s old. The test shows the server's half of that bargain with an independent verifier
/// (PyNaCl, `tests/py/verify_sig.py` run as such a client): answers are fresh; the signature
/// covers timestamp and body, so an old answer cannot be re-dated and a failure cannot be
/// turned into a success; two identical requests give different bodies and signatures (fresh
/// nonce), so equal bytes never mean "the same answer again"; a stale answer is refused.
async fn signed_answers_cannot_be_altered_or_replayed(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "SIG-KEY", Some(DAY)).await;
    let s = c.init().await;
    let refused = c.call(Some(&s), "check", &[]).await;
    refused.assert_fail("Session is not validated");
    let again = c.call(Some(&s), "check", &[]).await;
    assert_ne!(refused.text, again.text, "identical requests, identical answers");
    assert_ne!(refused.json["nonce"], again.json["nonce"]);
    assert_ne!(refused.headers[SIG_HEADER], again.headers[SIG_HEADER]);

    let now = now_ms() / 1000;
    let pubkey = &t.state.signer.public_hex();
    let original = Captured::of(&refused, pubkey);
    assert_eq!(original.verdict(now), Ok(()), "a fresh answer is accepted");
    // The classic crack: flip the failure into a success and keep the signature.
    let forged = refused.text.replacen("\"success\":false", "\"success\":true", 1);
    assert_ne!(forged, refused.text);
    assert_bad_signature(original.with_body(&forged).verdict(now));
    // A stale answer is refused; re-dating it to pass the window breaks the signature.
    let ts: i64 = original.ts.parse().unwrap();
    assert_eq!(original.verdict(ts + CLIENT_WINDOW_SECS), Ok(()), "refused at the window's edge");
    let stale = original.verdict(ts + CLIENT_WINDOW_SECS + 1);
    assert!(stale.as_ref().is_err_and(|e| e.contains("too old")), "{stale:?}");
    assert_bad_signature(original.with_ts(&(ts + 30).to_string()).verdict(ts + 30));
    // A success answer replayed to a client a minute later: refused.
    let ok = c.call(Some(&s), "license", &[("key", "SIG-KEY")]).await;
    ok.assert_ok("Logged in!");
    let captured = Captured::of(&ok, pubkey);
    let ts: i64 = captured.ts.parse().unwrap();
    assert_eq!(captured.verdict(now_ms() / 1000), Ok(()));
    let replayed = captured.verdict(ts + 60);
    assert!(replayed.as_ref().is_err_and(|e| e.contains("too old")), "{replayed:?}");
    assert_bad_signature(captured.with_ts(&(ts + 60).to_string()).verdict(ts + 60));
}

#[track_caller]
fn assert_bad_signature(verdict: Result<(), String>) {
    assert!(verdict.as_ref().is_err_and(|e| e.contains("bad Ed25519 signature")), "{verdict:?}");
}

/// A captured answer: what a client sees of it.
#[derive(Clone)]
struct Captured {
    pubkey: String,
    ts: String,
    body: String,
    sig: String,
}

impl Captured {
    fn of(a: &Answer, pubkey: &str) -> Self {
        let header = |n: &str| a.headers[n].to_str().unwrap().to_owned();
        Self { pubkey: pubkey.to_owned(), ts: header(TS_HEADER), body: a.text.clone(), sig: header(SIG_HEADER) }
    }

    fn with_body(&self, body: &str) -> Self {
        Self { body: body.to_owned(), ..self.clone() }
    }

    fn with_ts(&self, ts: &str) -> Self {
        Self { ts: ts.to_owned(), ..self.clone() }
    }

    /// What a KeyAuth-style client whose clock reads `now` (unix seconds) makes of it:
    /// `tests/py/verify_sig.py` with `now` and `max_age` set; `Err` holds its reason.
    fn verdict(&self, now: i64) -> Result<(), String> {
        let item = json!({
            "pubkey": self.pubkey,
            "ts": self.ts,
            "body": hex::encode(self.body.as_bytes()),
            "sig": self.sig,
            "now": now,
            "max_age": CLIENT_WINDOW_SECS,
        });
        python_verdict(&[item])
    }
}
