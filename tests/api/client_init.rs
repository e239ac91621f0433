//! Client API 1.3: `init`, the checks before dispatch, routing (paths, GET), the envelope.
//! Raw on purpose (not the SDK): it asserts the envelope, paths and malformed requests themselves.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;

engine_tests!(
    init_opens_a_session,
    init_refuses_old_versions_disabled_paused_and_wrong_hashes,
    unknown_app_gets_signed_keyauth_invalid,
    checks_before_dispatch_in_order,
    per_app_rate_limit_answers_429,
    paths_and_methods,
    init_honours_customised_messages,
);

async fn init_opens_a_session(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let a = c.call(None, "init", &[("ver", "1.0"), ("hash", "whatever")]).await;
    assert_eq!(a.status, 200);
    a.assert_ok("Initialized");
    let sid = a.json["sessionid"].as_str().unwrap();
    assert_eq!(sid.len(), 32);
    assert!(sid.chars().all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()));
    assert_eq!(a.json["newSession"], true);
    assert_eq!(a.json["pubkey"], t.state.signer.public_hex());
    let info = &a.json["appinfo"];
    for k in ["numUsers", "numOnlineUsers", "numKeys", "version", "customerPanelLink"] {
        assert!(info[k].is_string(), "{k} in {info}");
    }
    assert_eq!(info["version"], "1.0");
    assert!(a.json.get("changelog").is_none());
    // The session exists and can be used by the next request.
    let b = c.call(Some(sid), "nosuchtype", &[]).await;
    b.assert_fail("The value inputted for type paramater was not found");
    // Two inits, two sessions.
    assert_ne!(c.init().await, sid);
    // HMAC header present for a known app (verified in Python on drop).
    assert_eq!(a.headers["signature"].len(), 64);
}

async fn init_refuses_old_versions_disabled_paused_and_wrong_hashes(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| {
        a.version = "2.0".into();
        a.download_url = "https://example.com/dl".into();
    })
    .await;
    let a = c.call(None, "init", &[("ver", "1.0")]).await;
    a.assert_fail("invalidver");
    assert_eq!(a.json["download"], "https://example.com/dl");
    assert!(a.json.get("sessionid").is_none());
    c.call(None, "init", &[("ver", "2.0")]).await.assert_ok("Initialized");

    c.update(|a| a.program_hash = Some("ABCDEF0123".into())).await;
    let msg = "This program hash does not match, make sure you're using latest version";
    c.call(None, "init", &[("ver", "2.0"), ("hash", "nope")]).await.assert_fail(msg);
    c.call(None, "init", &[("ver", "2.0")]).await.assert_fail(msg);
    c.call(None, "init", &[("ver", "2.0"), ("hash", "abcdef0123")]).await.assert_ok("Initialized");

    c.update(|a| a.paused = true).await;
    c.call(None, "init", &[])
        .await
        .assert_fail("Application is currently paused, please wait for the developer to say otherwise.");
    c.update(|a| a.enabled = false).await;
    c.call(None, "init", &[]).await.assert_fail("This application is disabled");
}

async fn unknown_app_gets_signed_keyauth_invalid(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let other = ClientFixture::named(&t, "other", "Theirs").await;
    for (name, owner) in
        [("Nope", c.seller.ownerid.as_str()), ("MyApp", "ABCDEFGHIJ"), ("Theirs", c.seller.ownerid.as_str())]
    {
        let a = c.post_form(&[("type", "init"), ("name", name), ("ownerid", owner)]).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.text, "KeyAuth_Invalid");
    }
    // A session of another app is unknown to this one.
    let theirs = other.init().await;
    c.call(Some(&theirs), "check", &[])
        .await
        .assert_fail("Session not found. If you get this frequently, ask the developer to use the latest example code");
}

async fn checks_before_dispatch_in_order(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let owner = c.seller.ownerid.clone();
    let no_owner = "No OwnerID specified. Select app & copy code snippet from the dashboard";
    c.post_form(&[("type", "init"), ("name", "MyApp")]).await.assert_fail(no_owner);
    c.post_form(&[("type", "init")]).await.assert_fail(no_owner);
    c.post_form(&[("type", "init"), ("name", "MyApp"), ("ownerid", "")]).await.assert_fail(no_owner);
    c.post_form(&[("type", "init"), ("ownerid", &owner)])
        .await
        .assert_fail("No app name specified. Select app & copy code snippet from the dashboard");
    let len_msg = "OwnerID should be 10 characters long. Select app & copy code snippet from the dashboard";
    c.post_form(&[("type", "init"), ("name", "MyApp"), ("ownerid", "short")]).await.assert_fail(len_msg);
    c.post_form(&[("type", "init"), ("name", "MyApp"), ("ownerid", "elevenchars")]).await.assert_fail(len_msg);
    let no_session = "Session not found. If you get this frequently, ask the developer to use the latest example code";
    c.call(None, "check", &[]).await.assert_fail(no_session);
    c.call(Some("deadbeef"), "check", &[]).await.assert_fail(no_session);
    // The session check comes before the type check, and a missing type is an unknown one.
    c.call(None, "nosuchtype", &[]).await.assert_fail(no_session);
    let s = c.init().await;
    let unknown = "The value inputted for type paramater was not found";
    c.call(Some(&s), "nosuchtype", &[]).await.assert_fail(unknown);
    c.call(Some(&s), "INIT", &[]).await.assert_fail(unknown);
    c.post_form(&[("name", "MyApp"), ("ownerid", &owner), ("sessionid", &s)]).await.assert_fail(unknown);
    // Distinct failures have distinct, stable integer codes.
    let a = c.call(Some(&s), "nosuchtype", &[]).await;
    let b = c.call(None, "check", &[]).await;
    assert_ne!(a.json["code"], b.json["code"]);
    assert_ne!(a.json["code"], 68);
}

async fn per_app_rate_limit_answers_429(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| a.request_limit_per_min = Some(3)).await;
    let other = ClientFixture::named(&t, "other", "Other").await;
    // A fixed one-minute window: wait out the last seconds of a window so all requests share one.
    let sec = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 60;
    if sec >= 55 {
        tokio::time::sleep(std::time::Duration::from_secs(61 - sec)).await;
    }
    for _ in 0..3 {
        assert_eq!(c.call(None, "init", &[]).await.status, 200);
    }
    let a = c.call(None, "init", &[]).await;
    assert_eq!(a.status, 429);
    a.assert_fail("This application has sent too many requests. Try again in a minute.");
    // Other apps are not affected.
    other.init().await;
}

async fn paths_and_methods(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| a.changelog = "Fixed everything \u{2713}".into()).await;
    let owner = c.seller.ownerid.clone();
    let fields = [("type", "init"), ("name", "MyApp"), ("ownerid", owner.as_str())];
    c.get_query(&fields).await.assert_ok("Initialized");
    c.path = "/api/1.3".into();
    c.post_form(&fields).await.assert_ok("Initialized");
    c.path = "/api/1.4/".into();
    let a = c.post_form(&fields).await;
    a.assert_ok("Initialized");
    assert_eq!(a.json["changelog"], "Fixed everything \u{2713}");
    assert!(a.text.contains("\\u2713"), "escaped as \\uXXXX: {}", a.text);
    c.path = "/api/1.4".into();
    c.get_query(&fields).await.assert_ok("Initialized");
}

async fn init_honours_customised_messages(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| {
        a.enabled = false;
        a.messages = r#"{"appdisabled":"Wir sind geschlossen \u00fc"}"#.into();
    })
    .await;
    let a = c.call(None, "init", &[]).await;
    a.assert_fail("Wir sind geschlossen \u{fc}");
    assert!(a.text.contains("geschlossen \\u00fc"));
}

engine_tests!(validated_sessions_come_from_the_database);

/// The test helper other client tests rely on: a session validated through the store.
async fn validated_sessions_come_from_the_database(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let (s, id) = c.user_session("alice").await;
    let now = licensd::domain::time::now_ms();
    let found = t.store().client_request(&c.seller.ownerid, &c.app.name, Some(&s), now).await.unwrap();
    let session = found.session.unwrap();
    assert_eq!(found.user.map(|u| u.username).as_deref(), Some("alice"));
    assert_eq!(session.validated_user_id(), Some(id));
    let now = licensd::domain::time::now_ms();
    c.init().await; // an unvalidated session is not "online"
    let online = t.store().online_users(c.app.id, now).await.unwrap();
    assert_eq!(online.iter().map(|u| u.public_name()).collect::<Vec<_>>(), ["alice"]);
    t.store().delete_session(c.app.id, &s).await.unwrap();
    assert!(t.store().online_users(c.app.id, now).await.unwrap().is_empty());
    c.call(Some(&s), "nosuchtype", &[])
        .await
        .assert_fail("Session not found. If you get this frequently, ask the developer to use the latest example code");
}
