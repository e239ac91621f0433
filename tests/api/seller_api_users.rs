//! The seller API's user types, each checked through the client API where the change shows
//! there: `adduser`, `activate`, `userdata`, `verifyuser`, `banuser`/`unbanuser`, `resetpw`,
//! `extend`, `resetuser`, `addhwiduser`, `fetchallusers`/`fetchallusernames`, `deluser`.

use crate::engine_tests;
use crate::harness::TestApp;
use crate::seller_api_support::SellerApi;
use serde_json::json;

engine_tests!(users_made_and_managed_by_the_bot, activate_answers_keyauths_words);

async fn users_made_and_managed_by_the_bot(t: TestApp) {
    let s = SellerApi::new(&t).await;
    s.c.plan("monthly", 1, None).await;
    let login = |name: &'static str, pass: &'static str, hwid: &'static str| {
        let c = &s.c;
        async move {
            let sid = c.init().await;
            c.call(Some(&sid), "login", &[("username", name), ("pass", pass), ("hwid", hwid)]).await
        }
    };

    s.get("adduser", &[("user", "alice"), ("sub", "gold"), ("expiry", "30")])
        .await
        .fail(404, "Subscription not found!");
    s.get("adduser", &[("user", "alice"), ("sub", "monthly"), ("expiry", "later")])
        .await
        .fail(400, "Expiry not set correctly, must be number of days");
    s.get("adduser", &[("user", "alice"), ("sub", "monthly"), ("expiry", "30"), ("pass", "secret1")])
        .await
        .ok("Successfully created user!");
    s.post("adduser", &[("user", "alice"), ("sub", "monthly"), ("expiry", "30"), ("pass", "x")])
        .await
        .fail(409, "Failed to create user!");
    login("alice", "secret1", "HWID-A").await.assert_ok("Logged in!");

    s.get("verifyuser", &[("user", "alice")]).await.ok("User Successfully Verified");
    s.get("verifyuser", &[("user", "nobody")]).await.fail(404, "User Not Found");
    let data = s.get("userdata", &[("user", "alice")]).await;
    assert_eq!((data.status, &data.json["success"], &data.json["username"]), (200, &json!(true), &json!("alice")));
    assert_eq!(data.json["hwid"], json!("HWID-A"), "{}", data.text);
    let sub = &data.json["subscriptions"][0];
    assert_eq!(sub["subscription"], json!("monthly"));
    let left = sub["timeleft"].as_i64().unwrap();
    assert!((29 * 86_400..=30 * 86_400).contains(&left), "{left}");
    assert!(data.json["lastlogin"].is_string(), "{}", data.text);

    // banuser: the client API refuses the user; unbanuser lets them in again.
    s.get("banuser", &[("user", "alice"), ("reason", "refund")]).await.ok("Successfully banned user!");
    login("alice", "secret1", "HWID-A").await.assert_fail("The user is banned");
    s.get("unbanuser", &[("user", "alice")]).await.ok("Successfully unbanned user!");
    s.get("unbanuser", &[("user", "nobody")]).await.fail(404, "User not found!");

    // resetpw: the old password stops working, the new one works.
    s.get("resetpw", &[("user", "alice"), ("passwd", "secret2")]).await.ok("Password reset successful");
    login("alice", "secret1", "HWID-A").await.assert_fail("Password does not match.");
    login("alice", "secret2", "HWID-A").await.assert_ok("Logged in!");

    // extend: 10 more days on the named subscription.
    s.get("extend", &[("user", "alice"), ("sub", "nope"), ("expiry", "10")]).await.fail(404, "Subscription not found!");
    s.get("extend", &[("user", "ghost"), ("sub", "monthly"), ("expiry", "10")]).await.fail(404, "User(s) not found!");
    s.get("extend", &[("user", "alice"), ("sub", "monthly"), ("expiry", "10")])
        .await
        .ok("Successfully extended user(s)!");
    let data = s.get("userdata", &[("user", "alice")]).await;
    let left = data.json["subscriptions"][0]["timeleft"].as_i64().unwrap();
    assert!((39 * 86_400..=40 * 86_400).contains(&left), "{left}");

    // HWIDs: another machine is refused until added or reset.
    login("alice", "secret2", "HWID-B").await.assert_fail("HWID doesn't match. Ask for a HWID reset");
    s.get("addhwiduser", &[("user", "alice"), ("hwid", "HWID-B")]).await.ok("Added HWID");
    login("alice", "secret2", "HWID-B").await.assert_ok("Logged in!");
    s.get("resetuser", &[("user", "alice")]).await.ok("Successfully reset user!");
    login("alice", "secret2", "HWID-C").await.assert_ok("Logged in!");
    let data = s.get("userdata", &[("user", "alice")]).await;
    assert_eq!(data.json["hwid"], json!("HWID-C"));

    // Listings, then deletion.
    s.get("adduser", &[("user", "bob"), ("sub", "monthly"), ("expiry", "1")]).await.ok("Successfully created user!");
    let all = s.get("fetchallusers", &[]).await;
    all.ok("Successfully Retrieved Users");
    let names: Vec<&str> =
        all.json["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let list = s.get("fetchallusernames", &[]).await;
    list.ok("Successfully Retrieved Usernames");
    let text = s.get("fetchallusernames", &[("format", "text")]).await;
    let mut lines: Vec<&str> = text.text.lines().collect();
    lines.sort();
    assert_eq!(lines, ["alice", "bob"]);
    s.get("deluser", &[("user", "alice")]).await.ok("Successfully deleted user!");
    s.get("deluser", &[("user", "alice")]).await.fail(404, "Failed to delete user!");
    login("alice", "secret2", "HWID-C").await.assert_fail("Invalid username");
    s.get("deluser", &[("user", "bob")]).await.ok("Successfully deleted user!");
    s.get("fetchallusers", &[]).await.fail(404, "No Users Found");

    let (_, audit) = t.get_json("/admin/v1/audit?limit=100", &s.admin).await;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in
        ["user.create", "user.ban", "user.unban", "user.set_password", "user.extend", "user.add_hwid", "user.delete"]
    {
        assert!(actions.contains(&a), "{a} not in {actions:?}");
    }
}

async fn activate_answers_keyauths_words(t: TestApp) {
    let s = SellerApi::new(&t).await;
    let plan = s.c.plan("monthly", 1, None).await;
    for k in ["ACT-KEY-0001", "ACT-KEY-0002", "ACT-KEY-0003"] {
        s.c.license(&plan, k, Some(86_400)).await;
    }
    s.get("activate", &[("user", "carol"), ("key", "ACT-KEY-0001")])
        .await
        .fail(400, "A required field is missing: pass");
    s.get("activate", &[("user", "carol"), ("key", "NO-SUCH-KEY"), ("pass", "pw")]).await.fail(404, "Key Not Found.");
    let done = s.get("activate", &[("user", "carol"), ("key", "ACT-KEY-0001"), ("pass", "pw"), ("hwid", "H1")]).await;
    done.ok("Logged in!");
    assert_eq!(done.json["info"]["username"], json!("carol"));
    assert_eq!(done.json["info"]["subscriptions"][0]["subscription"], json!("monthly"), "{}", done.text);
    s.get("activate", &[("user", "dave"), ("key", "ACT-KEY-0001"), ("pass", "pw")])
        .await
        .fail(409, "Key Already Used.");
    s.get("activate", &[("user", "carol"), ("key", "ACT-KEY-0002"), ("pass", "pw")])
        .await
        .fail(409, "Username Already Exists.");
    s.get("ban", &[("key", "ACT-KEY-0003"), ("reason", "leaked")]).await.ok("Successfully banned license!");
    s.get("activate", &[("user", "erin"), ("key", "ACT-KEY-0003"), ("pass", "pw")])
        .await
        .fail(403, "Your license is banned.");
    // Refusals leave no user behind; the activated one signs in with its password.
    for name in ["dave", "erin"] {
        s.get("verifyuser", &[("user", name)]).await.fail(404, "User Not Found");
    }
    let sid = s.c.init().await;
    s.c.call(Some(&sid), "login", &[("username", "carol"), ("pass", "pw"), ("hwid", "H1")])
        .await
        .assert_ok("Logged in!");
}
