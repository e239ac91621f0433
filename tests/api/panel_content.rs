//! The seller panel's files, chat and client-log pages over plain HTTP: each list shows what
//! the admin API and the client API made (the sessions page: what `init` opened); an upload (the panel's one multipart form) is what
//! the client API then downloads; chat moderation is what clients then see; readonly changes
//! nothing, a form without the session's token or with bad input stores nothing, and another
//! seller's objects answer like missing ones.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use crate::panelkit::{PanelClient, account};
use licensd::config::Config;
use serde_json::{Value, json};

engine_tests!(
    config = small_files;
    panel_files_upload_replace_and_delete,
    panel_chat_moderation,
    panel_lists_client_logs,
    panel_ends_client_sessions
);

const MAX_FILE: usize = 64;

fn small_files(c: &mut Config) {
    c.max_file_bytes = MAX_FILE;
}

/// The fixture's seller with an owner, a support and a readonly account, signed in; and an
/// admin token.
async fn staff<'a>(t: &'a TestApp, c: &ClientFixture<'_>) -> (String, [PanelClient<'a>; 3]) {
    account(t, c.seller.id, "boss@example.com", "owner").await;
    account(t, c.seller.id, "help@example.com", "support").await;
    account(t, c.seller.id, "ro@example.com", "readonly").await;
    let token =
        t.store().create_token(licensd::store::tokens::TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let signed_in = [
        PanelClient::sign_in(t, "boss@example.com", "").await,
        PanelClient::sign_in(t, "help@example.com", "").await,
        PanelClient::sign_in(t, "ro@example.com", "").await,
    ];
    (token, signed_in)
}

async fn listed(t: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let (s, body) = t.get_json(path, token).await;
    assert_eq!(s, 200, "{path}: {body}");
    body["data"].as_array().unwrap().clone()
}

async fn audit_len(t: &TestApp, c: &ClientFixture<'_>) -> usize {
    t.store().list_audit(Some(c.seller.id), licensd::store::Page::new(500, 1)).await.unwrap().len()
}

async fn panel_files_upload_replace_and_delete(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let theirs = ClientFixture::named(&t, "other", "Theirs").await;
    let (token, [owner, support, ro]) = staff(&t, &c).await;
    let base = format!("/admin/v1/apps/{}/files", c.app.id);
    let a = c.app.id.to_string();
    let upload = |csrf: &str, fileid: &str, bytes: &[u8]| {
        vec![
            ("csrf", None, csrf.as_bytes().to_vec()),
            ("app", None, a.as_bytes().to_vec()),
            ("fileid", None, fileid.as_bytes().to_vec()),
            ("authed", None, b"1".to_vec()),
            ("file", Some("tool.bin"), bytes.to_vec()),
        ]
    };
    let send = async |who: &PanelClient<'_>, parts: Vec<(&str, Option<&str>, Vec<u8>)>| {
        let parts: Vec<_> = parts.iter().map(|(n, f, b)| (*n, *f, b.as_slice())).collect();
        who.post_multipart("/panel/files", &parts).await
    };

    // Readonly sees the page without the form; the owner uploads; the client downloads it.
    assert!(!ro.get("/panel/files").await.body.contains("Upload a file"));
    assert!(owner.get("/panel/files").await.body.contains("Upload a file"));
    let done = send(&owner, upload(&owner.csrf, "loader", &[0, 1, 254, 255])).await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/panel/files?app={a}&done=saved").as_str()),
        "{}",
        done.body
    );
    let files = listed(&t, &token, &base).await;
    assert_eq!((files.len(), &files[0]["fileid"], &files[0]["name"]), (1, &json!("loader"), &json!("tool.bin")));
    assert_eq!((files[0]["size"].clone(), files[0]["authed"].clone()), (json!(4), json!(true)));
    let (v, _) = c.user_session("alice").await;
    assert_eq!(c.call(Some(&v), "file", &[("fileid", "loader")]).await.json["contents"], "0001feff");
    let list = ro.get(&format!("/panel/files?app={a}")).await;
    assert!(list.body.contains("loader") && list.body.contains("4 bytes"), "{}", list.body);

    // The same file id replaces the bytes.
    assert_eq!(send(&owner, upload(&owner.csrf, "loader", b"v2")).await.status, 303);
    assert_eq!(c.call(Some(&v), "file", &[("fileid", "loader")]).await.json["contents"], "7632");

    // Without the session's token, as a role that may not, or with bad input: nothing stored.
    let before = audit_len(&t, &c).await;
    let no_token: Vec<_> = upload("", "x1", b"x").into_iter().filter(|(n, _, _)| *n != "csrf").collect();
    assert_eq!(send(&owner, no_token).await.status, 403, "no csrf part");
    assert_eq!(send(&owner, upload("wrong", "x2", b"x")).await.status, 403, "a wrong token");
    assert_eq!(send(&ro, upload(&ro.csrf, "x3", b"x")).await.status, 403, "readonly");
    assert_eq!(send(&support, upload(&support.csrf, "x4", b"x")).await.status, 403, "support");
    let url_encoded = owner.post("/panel/files", &[("app", &a), ("fileid", "x5")]).await;
    assert_eq!(url_encoded.status, 422, "not multipart: {}", url_encoded.body);
    let too_big = vec![7u8; MAX_FILE + 1];
    let big = send(&owner, upload(&owner.csrf, "x6", &too_big)).await;
    assert!(big.status == 422 && big.body.contains("files are limited to 64 bytes"), "{}", big.body);
    let empty = send(&owner, upload(&owner.csrf, "x7", b"")).await;
    assert!(empty.status == 422 && empty.body.contains("file: is required"), "{}", empty.body);
    let bad_id = send(&owner, upload(&owner.csrf, "", b"x")).await;
    assert!(bad_id.status == 422 && bad_id.body.contains("fileid: is required"), "{}", bad_id.body);
    let mut foreign = upload(&owner.csrf, "x8", b"x");
    foreign[1].2 = theirs.app.id.to_string().into_bytes();
    assert_eq!(send(&owner, foreign).await.status, 404, "another seller's app");
    let mut garbage = owner.post_multipart("/panel/files", &[("csrf", None, owner.csrf.as_bytes())]).await;
    assert_eq!(garbage.status, 422, "only the token: {}", garbage.body);
    garbage = owner.post_multipart("/panel/files", &[]).await;
    assert_eq!(garbage.status, 403, "an empty multipart body has no token");
    assert_eq!(audit_len(&t, &c).await, before, "nothing was stored");
    assert_eq!(listed(&t, &token, &base).await.len(), 1);

    // Deleting asks first; another seller's file answers like a missing one.
    let id = listed(&t, &token, &base).await[0]["id"].as_i64().unwrap();
    let delete = format!("/panel/apps/{a}/files/{id}/delete");
    for p in
        [format!("/panel/apps/{}/files/{id}/delete", theirs.app.id), format!("/panel/apps/{a}/files/999999/delete")]
    {
        assert_eq!(owner.get(&p).await.status, 404, "GET {p}");
        assert_eq!(owner.post(&p, &[]).await.status, 404, "POST {p}");
    }
    assert_eq!(support.post(&delete, &[]).await.status, 403);
    let confirm = owner.get(&delete).await;
    assert!(confirm.status == 200 && confirm.body.contains("Yes, delete it") && confirm.body.contains("loader"));
    assert_eq!(listed(&t, &token, &base).await.len(), 1, "the GET deletes nothing");
    let done = owner.post(&delete, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("/panel/files?app={a}&done=deleted").as_str()));
    assert_eq!(listed(&t, &token, &base).await, Vec::<Value>::new());
    c.call(Some(&v), "file", &[("fileid", "loader")]).await.assert_fail("File not Found");
}

async fn panel_chat_moderation(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let theirs = ClientFixture::named(&t, "other", "Theirs").await;
    let (token, [owner, support, ro]) = staff(&t, &c).await;
    let a = c.app.id.to_string();
    let channels = format!("/admin/v1/apps/{a}/chat/channels");

    // The owner creates a channel; clients post to it; every role reads the messages.
    assert_eq!(support.post(&format!("/panel/apps/{a}/chat"), &[("name", "general")]).await.status, 403);
    let made = owner.post(&format!("/panel/apps/{a}/chat"), &[("name", "general"), ("delay_secs", "0")]).await;
    assert_eq!((made.status, made.location.as_str()), (303, format!("/panel/chat?app={a}&done=saved").as_str()));
    let channel = listed(&t, &token, &channels).await[0]["id"].as_i64().unwrap();
    let (v, _) = c.user_session("alice").await;
    for m in ["first", "<b>second</b>"] {
        c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", m)])
            .await
            .assert_ok("Successfully sent chat message");
    }
    let page = ro.get(&format!("/panel/apps/{a}/chat/{channel}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("first") && page.body.contains("&lt;b&gt;second&lt;/b&gt;"), "escaped: {}", page.body);
    assert!(!page.body.contains("Delete…"), "readonly is offered no change");

    // Bad input stores nothing.
    let before = audit_len(&t, &c).await;
    for (fields, message) in [
        (vec![("name", "c"), ("delay_secs", "-1")], "delay_secs"),
        (vec![("name", "c"), ("delay_secs", "soon")], "delay_secs: must be a whole number"),
        (vec![("delay_secs", "1")], "name: is required"),
        (vec![("name", "general")], ""),
    ] {
        let page = owner.post(&format!("/panel/apps/{a}/chat"), &fields).await;
        assert!(page.status == 422 || page.status == 409, "{fields:?}: {}", page.body);
        assert!(page.body.contains(message), "{}", page.body);
    }
    for duration in ["soon", "0d", "", "99999999999999y"] {
        let page = support
            .post(&format!("/panel/apps/{a}/chat-mutes"), &[("username", "alice"), ("duration", duration)])
            .await;
        assert_eq!(page.status, 422, "{duration}: {}", page.body);
    }
    assert_eq!(
        ro.post(&format!("/panel/apps/{a}/chat-mutes"), &[("username", "alice"), ("duration", "1h")]).await.status,
        403
    );
    assert_eq!(owner.post(&format!("/panel/apps/{}/chat", theirs.app.id), &[("name", "x")]).await.status, 404);
    assert_eq!(audit_len(&t, &c).await, before, "nothing was stored");

    // Support mutes alice: the client is refused; unmuting lets her post again.
    let muted =
        support.post(&format!("/panel/apps/{a}/chat-mutes"), &[("username", "alice"), ("duration", "1h")]).await;
    assert_eq!(muted.status, 303, "{}", muted.body);
    c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", "x")])
        .await
        .assert_fail("You're muted from chat");
    assert!(ro.get(&format!("/panel/chat?app={a}")).await.body.contains("alice"));
    let unmuted = support.post(&format!("/panel/apps/{a}/chat-mutes/unmute"), &[("username", "alice")]).await;
    assert_eq!(unmuted.status, 303, "{}", unmuted.body);
    c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", "third")])
        .await
        .assert_ok("Successfully sent chat message");

    // Support deletes a message behind a confirmation; clients no longer get it.
    let messages = listed(&t, &token, &format!("{channels}/general/messages")).await;
    let first = messages.iter().find(|m| m["message"] == "first").unwrap()["id"].as_i64().unwrap();
    let delete = format!("/panel/apps/{a}/chat/{channel}/messages/{first}/delete");
    assert_eq!(ro.post(&delete, &[]).await.status, 403);
    let foreign_channel = format!("/panel/apps/{}/chat/{channel}/messages/{first}/delete", theirs.app.id);
    assert_eq!(support.get(&foreign_channel).await.status, 404);
    let confirm = support.get(&delete).await;
    assert!(confirm.status == 200 && confirm.body.contains("Yes, delete it") && confirm.body.contains("first"));
    let done = support.post(&delete, &[]).await;
    assert_eq!(done.location, format!("/panel/apps/{a}/chat/{channel}?done=deleted"));
    let got = c.call(Some(&v), "chatget", &[("channel", "general")]).await;
    let texts: Vec<_> = got.json["messages"].as_array().unwrap().iter().map(|m| m["message"].clone()).collect();
    assert!(!texts.contains(&json!("first")) && texts.contains(&json!("third")), "{texts:?}");

    // The owner deletes the channel behind a confirmation; support may not.
    let drop = format!("/panel/apps/{a}/chat/{channel}/delete");
    assert_eq!(support.post(&drop, &[]).await.status, 403);
    assert!(owner.get(&drop).await.body.contains("Yes, delete it"));
    assert_eq!(listed(&t, &token, &channels).await.len(), 1, "the GET deletes nothing");
    assert_eq!(owner.post(&drop, &[]).await.status, 303);
    c.call(Some(&v), "chatget", &[("channel", "general")]).await.assert_fail("Chat channel not found");
}

async fn panel_lists_client_logs(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let theirs = ClientFixture::named(&t, "other", "Theirs").await;
    let (_, [_, _, ro]) = staff(&t, &c).await;
    let (v, _) = c.user_session("alice").await;
    for i in 0..3 {
        c.call(Some(&v), "log", &[("message", &format!("line {i}")), ("pcuser", "desk<1>")]).await;
    }
    let s = theirs.init().await;
    theirs.call(Some(&s), "log", &[("message", "their secret line")]).await;

    let page = ro.get(&format!("/panel/logs?app={}", c.app.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in ["line 0", "line 2", "alice", "desk&lt;1&gt;"] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(page.body.find("line 2") < page.body.find("line 0"), "newest first");
    assert!(!page.body.contains("their secret line"));
    assert_eq!(ro.get(&format!("/panel/logs?app={}", theirs.app.id)).await.status, 404);
    assert_eq!(ro.get(&format!("/panel/logs?app={}&page=0", c.app.id)).await.status, 422);
}

const NO_SESSION: &str =
    "Session not found. If you get this frequently, ask the developer to use the latest example code";

async fn panel_ends_client_sessions(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let theirs = ClientFixture::named(&t, "other", "Theirs").await;
    let (token, [owner, support, ro]) = staff(&t, &c).await;
    let (alice, _) = c.user_session("alice").await;
    let opened = c.init().await;
    let a = c.app.id.to_string();
    let page = format!("/panel/sessions?app={a}");

    // Every role sees both sessions; only support and owners are offered to end them.
    let seen = ro.get(&page).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    for text in ["alice", "signed in", "opened", "127.0.0.1"] {
        assert!(seen.body.contains(text), "{text}: {}", seen.body);
    }
    assert!(!seen.body.contains("End every session") && !seen.body.contains(">End<"), "{}", seen.body);
    assert!(support.get(&page).await.body.contains("End every session"));
    let sessions = listed(&t, &token, &format!("/admin/v1/apps/{a}/sessions")).await;
    let id_of = |user: Option<&str>| {
        let row = sessions.iter().find(|s| s["username"].as_str() == user).expect("a listed session");
        row["id"].as_str().unwrap().to_owned()
    };
    let (alice_id, opened_id) = (id_of(Some("alice")), id_of(None));

    // Refused, nothing ended: readonly, no token, another seller's app, bad or unknown ids.
    let end = format!("/panel/apps/{a}/sessions/end");
    let foreign = format!("/panel/apps/{}/sessions/end", theirs.app.id);
    assert_eq!(ro.post(&end, &[("session", &alice_id)]).await.status, 403);
    assert_eq!(support.post_raw(&end, &[("session", &alice_id)]).await.status, 403);
    assert_eq!(support.post(&foreign, &[("session", &alice_id)]).await.status, 404);
    assert_eq!(support.post(&end, &[]).await.status, 422);
    assert_eq!(support.post(&end, &[("session", &"f".repeat(65))]).await.status, 422);
    assert_eq!(support.post(&end, &[("session", &"0".repeat(64))]).await.status, 404);
    assert_eq!(owner.post(&format!("/panel/apps/{}/sessions/end-all", theirs.app.id), &[]).await.status, 404);
    c.call(Some(&alice), "check", &[]).await.assert_ok("Session is validated.");

    // One session ended: that client is refused at once, the other keeps working.
    let done = support.post(&end, &[("session", &alice_id)]).await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("{page}&done=ended").as_str()), "{}", done.body);
    c.call(Some(&alice), "check", &[]).await.assert_fail(NO_SESSION);
    assert!(!ro.get(&page).await.body.contains("alice"));
    let still = listed(&t, &token, &format!("/admin/v1/apps/{a}/sessions")).await;
    assert_eq!(still.len(), 1);
    assert_eq!(still[0]["id"].as_str(), Some(opened_id.as_str()));

    // Every session, behind a confirmation page.
    let all = format!("/panel/apps/{a}/sessions/end-all");
    let asked = support.get(&all).await;
    assert!(asked.body.contains("Yes, end them all"), "{}", asked.body);
    assert_eq!(ro.post(&all, &[]).await.status, 403);
    let done = support.post(&all, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("{page}&done=ended").as_str()), "{}", done.body);
    c.call(Some(&opened), "check", &[]).await.assert_fail(NO_SESSION);
    assert!(listed(&t, &token, &format!("/admin/v1/apps/{a}/sessions")).await.is_empty());
    assert!(ro.get(&page).await.body.contains("No live sessions."));
    let actions: Vec<String> = t
        .store()
        .list_audit(Some(c.seller.id), licensd::store::Page::new(500, 1))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"session.end".to_owned()) && actions.contains(&"session.end_all".to_owned()));
}
