//! Keys are secrets: a key-only user (`license` sign-in) is named after its key, so wherever a
//! client sees other users (`fetchOnline`, chat authors) that name is shown as `user-<id>`,
//! also for messages stored before the rule. The user's own answer keeps the key as its name.
//! Through the SDK, but for the answers other clients get, read whole (raw) for any trace of a key.

use crate::client_support::{ClientFixture, assert_ok};
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

    let mut key_client = c.sdk_init().await;
    let info = assert_ok(key_client.license("SECRET-KEY-1", None).await, &key_client, "Logged in!");
    assert_eq!(info.username, "SECRET-KEY-1", "the user's own answer keeps its name");
    let key_user = t.store().user_by_ref(c.app.id, "SECRET-KEY-1").await.unwrap();
    let alias = format!("user-{}", key_user.id);
    let mut alice = c.sdk_init().await;
    assert_ok(alice.register("alice", "pw", "SECRET-KEY-2", None).await, &alice, "Logged in!");

    // A client that only called init.
    let mut stranger = c.sdk_init().await;
    let names = assert_ok(stranger.fetch_online().await, &stranger, "Successfully fetched online users.");
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"alice".to_owned()) && names.contains(&alias), "{names:?}");
    let online = c.call(stranger.session_id(), "fetchOnline", &[]).await;
    online.assert_ok("Successfully fetched online users.");
    assert!(!online.text.contains("SECRET-KEY"), "{}", online.text);

    assert_ok(key_client.chatsend("hi", "general").await, &key_client, "Successfully sent chat message");
    let messages = assert_ok(alice.chatget("general").await, &alice, "Successfully retrieved chat messages");
    assert_eq!(messages[0].author, alias);
    let chat = c.call(alice.session_id(), "chatget", &[("channel", "general")]).await;
    chat.assert_ok("Successfully retrieved chat messages");
    assert!(!chat.text.contains("SECRET-KEY"), "{}", chat.text);
}
