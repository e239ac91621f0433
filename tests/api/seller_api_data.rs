//! The seller API's types for the app's data, each checked through the client API where the
//! change shows there: variables, subscriptions, pause and settings, sessions, the blacklist
//! and chat.

use crate::engine_tests;
use crate::harness::TestApp;
use crate::seller_api_support::SellerApi;
use serde_json::json;

engine_tests!(variables, subscriptions_pause_and_settings, sessions_blacklist_and_chat);

async fn variables(t: TestApp) {
    let s = SellerApi::new(&t).await;
    let (sid, _) = s.c.user_session("alice").await;

    // User variables.
    s.get("setvar", &[("user", "nobody"), ("var", "v"), ("data", "d")]).await.fail(404, "No users found!");
    s.get("setvar", &[("user", "alice"), ("var", "plan"), ("data", "gold")]).await.ok("Successfully set variable!");
    let got = s.get("getvar", &[("user", "alice"), ("var", "plan")]).await;
    got.ok("Successfully retrieved variable");
    assert_eq!(got.json["response"], json!("gold"));
    let text = s.get("getvar", &[("user", "alice"), ("var", "plan"), ("format", "text")]).await;
    assert_eq!(text.text, "gold");
    s.get("getvar", &[("user", "alice"), ("var", "nope")]).await.fail(404, "Variable not found for user");
    s.c.call(Some(&sid), "getvar", &[("var", "plan")]).await.assert_ok("Successfully retrieved variable");

    // App variables.
    s.get("fetchallvars", &[]).await.fail(404, "No variables Found");
    s.get("addvar", &[("name", "motd"), ("data", "hello"), ("authed", "yes")])
        .await
        .fail(400, "Authed paramater must be 1 if you want to require login first, or 0 if you don't want to.");
    s.get("addvar", &[("name", "motd"), ("data", "hello"), ("authed", "0")]).await.ok("Successfully created variable!");
    s.get("addvar", &[("name", "motd"), ("data", "again"), ("authed", "0")])
        .await
        .fail(409, "Variable name already exists!");
    assert_eq!(s.c.call(Some(&sid), "var", &[("varid", "motd")]).await.message(), "hello");
    s.get("editvar", &[("varid", "motd"), ("data", "bye")]).await.ok("Variable Edit Successful");
    s.get("editvar", &[("varid", "none"), ("data", "x")]).await.fail(404, "Variable not found");
    assert_eq!(s.c.call(Some(&sid), "var", &[("varid", "motd")]).await.message(), "bye");
    let all = s.get("fetchallvars", &[]).await;
    all.ok("Successfully retrieved variables");
    assert_eq!(all.json["vars"], json!([{"varid": "motd", "msg": "bye", "authed": "0"}]));
    s.get("delvar", &[("name", "motd")]).await.ok("Successfully deleted variable!");
    s.get("delvar", &[("name", "motd")]).await.fail(404, "Failed to delete variable!");
    s.c.call(Some(&sid), "var", &[("varid", "motd")]).await.assert_fail("Variable not found.");
}

async fn subscriptions_pause_and_settings(t: TestApp) {
    let s = SellerApi::new(&t).await;
    s.get("fetchallsubs", &[]).await.fail(404, "No subscriptions found");
    s.get("addsub", &[("name", "gold")]).await.fail(400, "A required field is missing: level");
    s.get("addsub", &[("name", "gold"), ("level", "2")]).await.ok("Successfully created subscription!");
    s.get("addsub", &[("name", "gold"), ("level", "3")]).await.fail(409, "Failed to create subscription!");
    let subs = s.get("fetchallsubs", &[]).await;
    subs.ok("Successfully retrieved subscriptions");
    assert_eq!(subs.json["subs"], json!([{"name": "gold", "level": "2"}]));
    // A subscription that keys use stays; an unused one goes.
    let key = s.get("add", &[("expiry", "1"), ("level", "2")]).await.json["key"].as_str().unwrap().to_owned();
    s.get("delappsub", &[("name", "gold")]).await.fail(409, "Failed to delete subscription!");
    s.get("del", &[("key", &key)]).await.ok("Successfully deleted license!");
    s.get("delappsub", &[("name", "gold")]).await.ok("Successfully deleted subscription!");
    s.get("delappsub", &[("name", "gold")]).await.fail(404, "Failed to delete subscription!");

    // pauseapp: the client API's init refuses until unpauseapp.
    s.get("pauseapp", &[]).await.ok("Subscription paused application");
    let init = s.c.call(None, "init", &[]).await;
    init.assert_fail("Application is currently paused, please wait for the developer to say otherwise.");
    s.get("unpauseapp", &[]).await.ok("Subscription unpaused application");
    s.c.init().await;

    // Settings: read, change, and the client API answers with the new ones.
    let before = s.get("getsettings", &[]).await;
    before.ok("Retrieved Settings Successfully");
    assert_eq!(before.json["licenseinvalidmsg"], json!("Invalid license key"));
    s.get("updatesettings", &[("enabled", "maybe")]).await.fail(400, "enabled must be true or false");
    s.get("updatesettings", &[("ver", "2.0"), ("keynotfound", "No such key, buy one"), ("hwidcheck", "false")])
        .await
        .ok("Settings Update Successful");
    let after = s.get("getsettings", &[]).await;
    assert_eq!(
        (&after.json["version"], &after.json["hwid-lock"], &after.json["licenseinvalidmsg"]),
        (&json!("2.0"), &json!(false), &json!("No such key, buy one")),
        "{}",
        after.text
    );
    let sid = s.c.call(None, "init", &[("ver", "2.0")]).await.json["sessionid"].as_str().unwrap().to_owned();
    s.c.call(Some(&sid), "license", &[("key", "NOT-A-KEY")]).await.assert_fail("No such key, buy one");
    s.get("updatesettings", &[("enabled", "false")]).await.ok("Settings Update Successful");
    s.c.call(None, "init", &[("ver", "2.0")]).await.assert_fail("This application is disabled");
}

async fn sessions_blacklist_and_chat(t: TestApp) {
    let s = SellerApi::new(&t).await;
    s.get("fetchallsessions", &[]).await.fail(404, "No sessions found");
    let (first, _) = s.c.user_session("alice").await;
    let second = s.c.init().await;
    let listed = s.get("fetchallsessions", &[]).await;
    listed.ok("Successfully retrieved sessions");
    let sessions = listed.json["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(sessions.iter().any(|x| x["credential"] == json!("alice") && x["validated"] == json!("1")));
    s.get("kill", &[("sessid", &first)]).await.ok("Successfully killed session!");
    s.get("kill", &[("sessid", &first)]).await.fail(404, "Failed to kill session!");
    s.c.call(Some(&first), "check", &[])
        .await
        .assert_fail("Session not found. If you get this frequently, ask the developer to use the latest example code");
    s.get("killall", &[]).await.ok("Successfully killed all sessions!");
    s.c.call(Some(&second), "check", &[])
        .await
        .assert_fail("Session not found. If you get this frequently, ask the developer to use the latest example code");

    // Blacklist: a blacklisted HWID cannot sign in until the entry is deleted.
    s.c.plan("monthly", 1, None).await;
    s.get("adduser", &[("user", "bob"), ("sub", "monthly"), ("expiry", "1"), ("pass", "pw")])
        .await
        .ok("Successfully created user!");
    s.get("black", &[]).await.fail(400, "A required field is missing: hwid");
    s.get("black", &[("hwid", "BAD-HWID"), ("ip", "203.0.113.9")]).await.ok("Blacklist Addition Successful");
    s.get("black", &[("hwid", "BAD-HWID")]).await.ok("Blacklist Addition Successful");
    let sid = s.c.init().await;
    let login = [("username", "bob"), ("pass", "pw"), ("hwid", "BAD-HWID")];
    s.c.call(Some(&sid), "login", &login).await.assert_fail("You've been blacklisted from our application");
    let blacks = s.get("fetchallblacks", &[]).await;
    blacks.ok("Successfully retrieved blacklists");
    assert_eq!(blacks.json["blacklists"].as_array().unwrap().len(), 2);
    assert!(
        blacks.json["blacklists"]
            .as_array()
            .unwrap()
            .contains(&json!({"hwid": "BAD-HWID", "ip": null, "type": "hwid"}))
    );
    s.get("delblack", &[("data", "BAD-HWID"), ("blacktype", "hwid")]).await.ok("Successfully deleted blacklist!");
    s.get("delblack", &[("data", "BAD-HWID"), ("blacktype", "hwid")]).await.fail(404, "Failed to delete blacklist!");
    s.get("delblack", &[("data", "203.0.113.9"), ("blacktype", "ip")]).await.ok("Successfully deleted blacklist!");
    s.c.call(Some(&sid), "login", &login).await.assert_ok("Logged in!");
    s.get("fetchallblacks", &[]).await.fail(404, "No blacklists found");

    // Chat channels and mutes.
    s.get("fetchallchats", &[]).await.fail(404, "No chat channels found");
    s.get("addchannel", &[("name", "general"), ("delay", "5")]).await.ok("Successfully created channel!");
    s.get("addchannel", &[("name", "general"), ("delay", "5")]).await.fail(409, "Failed to create channel!");
    let chats = s.get("fetchallchats", &[]).await;
    assert_eq!(chats.json["chats"], json!([{"name": "general", "delay": "5"}]), "{}", chats.text);
    s.get("muteuser", &[("user", "ghost"), ("time", "60")]).await.fail(404, "User doesn't exist!");
    s.get("muteuser", &[("user", "bob"), ("time", "600")]).await.ok("Successfully muted user!");
    let sent = s.c.call(Some(&sid), "chatsend", &[("channel", "general"), ("message", "hi")]).await;
    assert!(!sent.success(), "{}", sent.text);
    s.get("unmuteuser", &[("user", "bob")]).await.ok("Successfully unmuted user!");
    s.get("unmuteuser", &[("user", "bob")]).await.fail(404, "Failed to unmute user!");
    let sent = s.c.call(Some(&sid), "chatsend", &[("channel", "general"), ("message", "hi")]).await;
    assert!(sent.success(), "{}", sent.text);
    s.get("delchannel", &[("name", "general")]).await.ok("Successfully deleted channel!");
    s.get("delchannel", &[("name", "general")]).await.fail(404, "Failed to delete channel!");
}
