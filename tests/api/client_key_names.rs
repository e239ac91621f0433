//! Keys are secrets: a key-only user (`license` sign-in) is named after its key, so wherever a
//! client sees other users (`fetchOnline`, chat authors) that name is shown as `user-<id>`,
//! also for messages stored before the rule. The user's own answer keeps the key as its name.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;

engine_tests!(other_clients_never_see_a_key);

const DAY: i64 = 86_400;

async fn other_clients_never_see_a_key(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "SECRET-KEY-1", Some(DAY)).await;
    c.license(&gold, "SECRET-KEY-2", Some(DAY)).await;
    t.store().create_chat_channel(c.app.id, "general", 0).await.unwrap();

    let key_session = c.init().await;
    let a = c.call(Some(&key_session), "license", &[("key", "SECRET-KEY-1")]).await;
    a.assert_ok("Logged in!");
    assert_eq!(a.json["info"]["username"], "SECRET-KEY-1", "the user's own answer keeps its name");
    let key_user = t.store().user_by_ref(c.app.id, "SECRET-KEY-1").await.unwrap();
    let alias = format!("user-{}", key_user.id);
    let alice = c.init().await;
    c.call(Some(&alice), "register", &[("username", "alice"), ("pass", "pw"), ("key", "SECRET-KEY-2")])
        .await
        .assert_ok("Logged in!");

    // A client that only called init.
    let stranger = c.init().await;
    let online = c.call(Some(&stranger), "fetchOnline", &[]).await;
    online.assert_ok("Successfully fetched online users.");
    let names: Vec<&str> =
        online.json["users"].as_array().unwrap().iter().map(|u| u["credential"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"alice") && names.contains(&alias.as_str()), "{names:?}");
    assert!(!online.text.contains("SECRET-KEY"), "{}", online.text);

    c.call(Some(&key_session), "chatsend", &[("channel", "general"), ("message", "hi")])
        .await
        .assert_ok("Successfully sent chat message");
    let chat = c.call(Some(&alice), "chatget", &[("channel", "general")]).await;
    chat.assert_ok("Successfully retrieved chat messages");
    assert_eq!(chat.json["messages"][0]["author"], alias.as_str());
    assert!(!chat.text.contains("SECRET-KEY"), "{}", chat.text);
}
