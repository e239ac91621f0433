//! The seller panel's team page and accounts by invitation, over plain HTTP: an owner invites
//! behind their password and sees the link once; the link opens one account with the invited
//! role, and then no more (used, revoked, expired, or raced by parallel acceptances, on both
//! engines); other roles and other sellers reach none of it; an owner removes another account
//! (its session ends) but not their own; every account changes its own password, which signs
//! out its other sessions, and turns on its own TOTP (password and a first code).

use crate::engine_tests;
use crate::harness::TestApp;
use crate::panelkit::{PANEL, PASSWORD, Page, PanelClient, account, csrf_of, signed_out_form};
use futures_util::future::join_all;
use licensd::domain::ids::SellerId;
use licensd::domain::{panel::Role, secret, time::now_ms};
use licensd::store::panel_invitations::NewInvitation;

engine_tests!(
    panel_invitation_opens_one_account,
    panel_invitations_refused_when_revoked_expired_or_foreign,
    panel_owner_removes_another_account,
    panel_racing_acceptances_open_one_account,
    panel_account_changes_its_own_password,
    panel_account_turns_on_its_own_totp,
    panel_account_turns_its_totp_off,
);

const NEW_PASSWORD: &str = "a long new password";

/// A seller with an owner, a support and a readonly account, signed in in that order.
async fn team(app: &TestApp) -> (SellerId, [PanelClient<'_>; 3]) {
    let f = app.seller("acme").await;
    account(app, f.seller.id, "boss@example.com", "owner").await;
    account(app, f.seller.id, "help@example.com", "support").await;
    account(app, f.seller.id, "ro@example.com", "readonly").await;
    let signed_in = [
        PanelClient::sign_in(app, "boss@example.com", "").await,
        PanelClient::sign_in(app, "help@example.com", "").await,
        PanelClient::sign_in(app, "ro@example.com", "").await,
    ];
    (f.seller.id, signed_in)
}

/// The value of the read-only `link` field on the page answering an invitation.
fn link_of(page: &Page) -> String {
    let at = page.body.find(r#"id="link""#).unwrap_or_else(|| panic!("no link: {}", page.body));
    let rest = &page.body[at..];
    let value = &rest[rest.find(r#"value=""#).unwrap() + 7..];
    value[..value.find('"').unwrap()].to_owned()
}

/// Invites `email` as `role` as `owner`; the link's path (`/panel/invitation?token=...`).
async fn invite(owner: &PanelClient<'_>, email: &str, role: &str) -> String {
    let made = owner.post("/panel/team/invitations", &[("email", email), ("role", role), ("password", PASSWORD)]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let link = link_of(&made);
    let base = owner.app.url("");
    assert!(link.starts_with(&format!("{base}/panel/invitation?token=lsd_invite_")), "{link}");
    link[base.len()..].to_owned()
}

fn token_of(path: &str) -> &str {
    &path[path.find("token=").unwrap() + 6..]
}

/// Opens the invitation at `path` and posts its form with `password` twice (or `again`).
async fn accept(app: &TestApp, path: &str, password: &str, again: &str) -> Page {
    let fields = [("token", token_of(path)), ("password", password), ("password2", again)];
    signed_out_form(app, PANEL, path, "/panel/invitation", &fields).await
}

async fn get_status(app: &TestApp, path: &str) -> (u16, String) {
    let res = reqwest::get(app.url(path)).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn accounts_named(app: &TestApp, seller: SellerId, email: &str) -> usize {
    app.store().panel_accounts(seller).await.unwrap().iter().filter(|a| a.email == email).count()
}

async fn panel_invitation_opens_one_account(app: TestApp) {
    let (seller, [owner, support, ro]) = team(&app).await;
    let listed = ro.get("/panel/team").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    for email in ["boss@example.com", "help@example.com", "ro@example.com (you)"] {
        assert!(listed.body.replace("</small>", "").replace("<small>", "").contains(email), "{email}: {}", listed.body);
    }
    assert!(!listed.body.contains("Invite someone") && !listed.body.contains("Open invitations"));
    assert!(owner.get("/panel/team").await.body.contains("Invite someone"));

    // Refused: other roles, no or a wrong password, bad fields, an email with an account.
    let cases = [
        (&support, vec![("email", "new@example.com"), ("role", "support"), ("password", PASSWORD)], 403, ""),
        (&ro, vec![("email", "new@example.com"), ("role", "support"), ("password", PASSWORD)], 403, ""),
        (&owner, vec![("email", "new@example.com"), ("role", "support")], 422, "is not your password"),
        (
            &owner,
            vec![("email", "new@example.com"), ("role", "support"), ("password", "guess")],
            422,
            "is not your password",
        ),
        (&owner, vec![("email", "new@example.com"), ("role", "god"), ("password", PASSWORD)], 422, "role: must be"),
        (&owner, vec![("email", "not-an-address"), ("role", "support"), ("password", PASSWORD)], 422, "email"),
        (
            &owner,
            vec![("email", "HELP@example.com"), ("role", "owner"), ("password", PASSWORD)],
            409,
            "has a panel account",
        ),
    ];
    for (who, fields, status, text) in cases {
        let refused = who.post("/panel/team/invitations", &fields).await;
        assert_eq!(refused.status, status, "{fields:?}: {}", refused.body);
        assert!(refused.body.contains(text), "{fields:?}: {}", refused.body);
    }
    assert!(app.store().open_panel_invitations(seller, now_ms()).await.unwrap().is_empty());

    // The link is shown once: the team page lists the invitation, not its token.
    let path = invite(&owner, "New@Example.com", "support").await;
    let page = owner.get("/panel/team").await;
    assert!(page.body.contains("new@example.com") && page.body.contains("Revoke…"), "{}", page.body);
    assert!(!page.body.contains(token_of(&path)), "the token is on no later page");

    // The invitee sees whom and what it invites; bad passwords keep it open.
    let (status, shown) = get_status(&app, &path).await;
    assert_eq!(status, 200, "{shown}");
    assert!(shown.contains("new@example.com") && shown.contains("support"), "{shown}");
    let short = accept(&app, &path, "short", "short").await;
    assert_eq!(short.status, 422, "{}", short.body);
    let differ = accept(&app, &path, NEW_PASSWORD, "another long password").await;
    assert_eq!((differ.status, differ.body.contains("The two passwords differ")), (422, true), "{}", differ.body);
    let stale = reqwest::Client::new()
        .post(app.url("/panel/invitation"))
        .form(&[("token", token_of(&path)), ("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 403, "a post without the form's own token");
    assert_eq!(accounts_named(&app, seller, "new@example.com").await, 0);

    // Accepted: the account exists with the invited role and signs in; the link is spent.
    let done = accept(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/panel/signin"), "{}", done.body);
    let answer = crate::panelkit::sign_in_answer(&app, "new@example.com", NEW_PASSWORD, "").await;
    assert_eq!((answer.status, answer.location.as_str()), (303, "/panel/"), "{}", answer.body);
    let accounts = app.store().panel_accounts(seller).await.unwrap();
    let new = accounts.iter().find(|a| a.email == "new@example.com").unwrap();
    assert_eq!(new.role, Role::Support);
    assert_eq!(get_status(&app, &path).await.0, 404, "the link works once");
    assert!(app.store().open_panel_invitations(seller, now_ms()).await.unwrap().is_empty());
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(500, 1)).await.unwrap();
    let actions: Vec<_> = audit.iter().map(|a| (a.action.as_str(), a.actor.as_str())).collect();
    assert!(actions.iter().any(|(a, who)| *a == "panel_invitation.create" && who.starts_with("panel:")), "{actions:?}");
    assert!(actions.contains(&("panel_account.add", format!("panel:{}", new.id).as_str())), "{actions:?}");
}

async fn panel_invitations_refused_when_revoked_expired_or_foreign(app: TestApp) {
    let (seller, [owner, support, _]) = team(&app).await;
    let path = invite(&owner, "later@example.com", "readonly").await;
    let open = app.store().open_panel_invitations(seller, now_ms()).await.unwrap();
    let revoke = format!("/panel/team/invitations/{}/revoke", open[0].id);

    // Another seller's owner and this seller's support reach neither the page nor the revocation.
    let other = app.seller("other").await;
    account(&app, other.seller.id, "them@example.com", "owner").await;
    let them = PanelClient::sign_in(&app, "them@example.com", "").await;
    assert_eq!(them.get(&revoke).await.status, 404);
    assert_eq!(them.post(&revoke, &[]).await.status, 404);
    assert_eq!(support.post(&revoke, &[]).await.status, 403);
    assert_eq!(owner.post_raw(&revoke, &[]).await.status, 403, "no CSRF token");
    assert_eq!(get_status(&app, &path).await.0, 200, "still open");

    // Revoked behind a confirmation: the link stops working.
    let asked = owner.get(&revoke).await;
    assert!(asked.body.contains("later@example.com") && asked.body.contains("Yes, revoke it"), "{}", asked.body);
    let gone = owner.post(&revoke, &[]).await;
    assert_eq!((gone.status, gone.location.as_str()), (303, "/panel/team?done=revoked"), "{}", gone.body);
    assert_eq!(get_status(&app, &path).await.0, 404);
    let late = reqwest::Client::new()
        .post(app.url("/panel/invitation"))
        .header("cookie", "licensd_panel_signin=abc")
        .form(&[("csrf", "abc"), ("token", token_of(&path)), ("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status().as_u16(), 404);
    assert_eq!(owner.post(&revoke, &[]).await.status, 404, "revoked once");

    // Expired: the link is refused and the team page no longer lists it.
    let token = secret::new_token("invite");
    let hash = secret::hash_secret(&token);
    let now = now_ms();
    let new = NewInvitation {
        seller_id: seller,
        email: "old@example.com",
        role: Role::Owner,
        token_hash: &hash,
        invited_by: "cli",
        now: now - 8 * 86_400_000,
        expires_at: now - 1,
    };
    app.store().create_panel_invitation(new).await.unwrap();
    assert_eq!(get_status(&app, &format!("/panel/invitation?token={token}")).await.0, 404);
    assert!(!owner.get("/panel/team").await.body.contains("old@example.com"));
    assert_eq!(app.store().prune_panel_invitations(now_ms()).await.unwrap(), 1, "the expired one goes");
    assert_eq!(app.store().prune_panel_invitations(now_ms()).await.unwrap(), 0);
    assert_eq!(get_status(&app, "/panel/invitation?token=lsd_invite_guessed").await.0, 404);
    assert_eq!(get_status(&app, "/panel/invitation").await.0, 422, "no token");
    assert_eq!(
        accounts_named(&app, seller, "later@example.com").await + accounts_named(&app, seller, "old@example.com").await,
        0
    );
}

async fn panel_owner_removes_another_account(app: TestApp) {
    let (seller, [owner, support, ro]) = team(&app).await;
    let me = owner.app.store().panel_account_by_email("boss@example.com").await.unwrap().unwrap().id;
    let ro_id = app.store().panel_account_by_email("ro@example.com").await.unwrap().unwrap().id;
    let remove = format!("/panel/team/accounts/{ro_id}/remove");
    assert!(owner.get("/panel/team").await.body.contains(&remove));
    assert!(!owner.get("/panel/team").await.body.contains(&format!("/panel/team/accounts/{me}/remove")));

    // Not one's own, not by support, not from another seller.
    assert_eq!(owner.post(&format!("/panel/team/accounts/{me}/remove"), &[]).await.status, 403);
    assert_eq!(support.post(&remove, &[]).await.status, 403);
    let other = app.seller("other").await;
    account(&app, other.seller.id, "them@example.com", "owner").await;
    let them = PanelClient::sign_in(&app, "them@example.com", "").await;
    assert_eq!(them.get(&remove).await.status, 404);
    assert_eq!(them.post(&remove, &[]).await.status, 404);
    assert_eq!(ro.get("/panel/").await.status, 200);

    // Removed behind a confirmation: its session ends at once.
    let asked = owner.get(&remove).await;
    assert!(asked.body.contains("ro@example.com") && asked.body.contains("Yes, remove it"), "{}", asked.body);
    let done = owner.post(&remove, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/panel/team?done=removed"), "{}", done.body);
    let after = ro.get("/panel/").await;
    assert_eq!((after.status, after.location.as_str()), (303, "/panel/signin"));
    assert_eq!(accounts_named(&app, seller, "ro@example.com").await, 0);
    assert_eq!(owner.post(&remove, &[]).await.status, 404);
}

/// `n` filled-in acceptance forms of the invitation at `path`, each with its own form token:
/// `(cookie, fields)`.
async fn forms(app: &TestApp, path: &str, n: usize) -> Vec<(String, Vec<(&'static str, String)>)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let (status, body) = get_status(app, path).await;
        assert_eq!(status, 200, "{body}");
        let csrf = csrf_of(&body);
        let fields = vec![
            ("csrf", csrf.clone()),
            ("token", token_of(path).to_owned()),
            ("password", NEW_PASSWORD.to_owned()),
            ("password2", NEW_PASSWORD.to_owned()),
        ];
        out.push((format!("licensd_panel_signin={csrf}"), fields));
    }
    out
}

async fn post_all(app: &TestApp, forms: Vec<(String, Vec<(&'static str, String)>)>) -> Vec<u16> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let posts = forms.into_iter().map(|(cookie, fields)| {
        let req = http.post(app.url("/panel/invitation")).header("cookie", cookie).form(&fields);
        async move { req.send().await.unwrap().status().as_u16() }
    });
    join_all(posts).await
}

async fn panel_racing_acceptances_open_one_account(app: TestApp) {
    let (seller, [owner, _, _]) = team(&app).await;

    // One link posted eight times at once: one account, the others find it spent.
    let path = invite(&owner, "race@example.com", "support").await;
    let mut statuses = post_all(&app, forms(&app, &path, 8).await).await;
    statuses.sort();
    assert_eq!(statuses, [303, 404, 404, 404, 404, 404, 404, 404]);
    assert_eq!(accounts_named(&app, seller, "race@example.com").await, 1);

    // Two links for one address accepted at once: one account; the loser's link stays open.
    let first = invite(&owner, "twice@example.com", "readonly").await;
    let second = invite(&owner, "twice@example.com", "owner").await;
    let mut both = forms(&app, &first, 1).await;
    both.extend(forms(&app, &second, 1).await);
    let mut statuses = post_all(&app, both).await;
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(accounts_named(&app, seller, "twice@example.com").await, 1);
    let open = app.store().open_panel_invitations(seller, now_ms()).await.unwrap();
    assert_eq!(open.iter().filter(|i| i.email == "twice@example.com").count(), 1, "the losing link is not spent");
}

async fn panel_account_changes_its_own_password(app: TestApp) {
    let (seller, [_, _, ro]) = team(&app).await;
    let elsewhere = PanelClient::sign_in(&app, "ro@example.com", "").await;
    let page = ro.get("/panel/account").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("ro@example.com") && page.body.contains("Change your password"), "{}", page.body);

    // Refused, nothing changed: a wrong current password, a short or differing new one, no token.
    for (fields, text) in [
        (vec![("current", "guess"), ("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)], "current: is not your"),
        (vec![("current", PASSWORD), ("password", "short"), ("password2", "short")], "password"),
        (vec![("current", PASSWORD), ("password", NEW_PASSWORD), ("password2", "other long one")], "differ"),
    ] {
        let refused = ro.post("/panel/account", &fields).await;
        assert_eq!(refused.status, 422, "{fields:?}: {}", refused.body);
        assert!(refused.body.contains(text), "{fields:?}: {}", refused.body);
    }
    let tokenless = ro.post_raw("/panel/account", &[("current", PASSWORD), ("password", NEW_PASSWORD)]).await;
    assert_eq!(tokenless.status, 403);
    assert_eq!(elsewhere.get("/panel/").await.status, 200, "the other session is still open");

    // Changed (readonly may: it is no change to the seller's data): the other session is signed
    // out, this one stays, and only the new password signs in.
    let fields = [("current", PASSWORD), ("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)];
    let done = ro.post("/panel/account", &fields).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/panel/account?done=password"), "{}", done.body);
    assert_eq!(ro.get("/panel/").await.status, 200);
    assert_eq!(elsewhere.get("/panel/").await.location, "/panel/signin");
    let old = crate::panelkit::sign_in_answer(&app, "ro@example.com", PASSWORD, "").await;
    assert_eq!(old.status, 401, "{}", old.body);
    let new = crate::panelkit::sign_in_answer(&app, "ro@example.com", NEW_PASSWORD, "").await;
    assert_eq!((new.status, new.location.as_str()), (303, "/panel/"), "{}", new.body);
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(5, 1)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "panel_account.password"), "{audit:?}");
}

fn unix_now() -> u64 {
    u64::try_from(now_ms() / 1000).unwrap()
}

async fn panel_account_turns_on_its_own_totp(app: TestApp) {
    use licensd::domain::totp;
    let (seller, [_, _, ro]) = team(&app).await;
    assert!(ro.get("/panel/account").await.body.contains("Turn it on…"));
    let form = ro.get("/panel/account/totp").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let at = form.body.find(r#"name="secret" value=""#).expect("the secret in the form") + 21;
    let secret = form.body[at..at + 32].to_owned();
    assert!(form.body.contains("otpauth://totp/"), "{}", form.body);
    let code = totp::code_at(&secret, unix_now()).unwrap();

    // Refused, nothing enrolled: a wrong password, a wrong code, a secret the panel did not make.
    let weak = "AAAAAAAAAAAAAAAA";
    for (fields, text) in [
        (vec![("secret", secret.as_str()), ("code", code.as_str()), ("password", "guess")], "is not your password"),
        (vec![("secret", secret.as_str()), ("code", "000000"), ("password", PASSWORD)], "code: is not the code"),
        (vec![("secret", weak), ("code", code.as_str()), ("password", PASSWORD)], "secret: is not one this panel made"),
        (vec![("code", code.as_str()), ("password", PASSWORD)], "secret: is required"),
    ] {
        let refused = ro.post("/panel/account/totp", &fields).await;
        assert_eq!(refused.status, 422, "{fields:?}: {}", refused.body);
        assert!(refused.body.contains(text), "{fields:?}: {}", refused.body);
    }
    let account = app.store().panel_account_by_email("ro@example.com").await.unwrap().unwrap();
    assert!(!account.totp_enrolled());

    // On: sign-in now needs a code, and the code used to turn it on does not sign in again.
    let fields = [("secret", secret.as_str()), ("code", code.as_str()), ("password", PASSWORD)];
    let done = ro.post("/panel/account/totp", &fields).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/panel/account?done=totp"), "{}", done.body);
    assert_eq!(crate::panelkit::sign_in_answer(&app, "ro@example.com", PASSWORD, "").await.status, 401);
    assert_eq!(crate::panelkit::sign_in_answer(&app, "ro@example.com", PASSWORD, &code).await.status, 401);
    let next = totp::code_at(&secret, unix_now() + 30).unwrap();
    let signed_in = crate::panelkit::sign_in_answer(&app, "ro@example.com", PASSWORD, &next).await;
    assert_eq!((signed_in.status, signed_in.location.as_str()), (303, "/panel/"), "{}", signed_in.body);
    assert!(ro.get("/panel/account").await.body.contains("Replace it…"));
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(5, 1)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "panel_account.totp" && e.actor.starts_with("panel:")), "{audit:?}");
}

async fn panel_account_turns_its_totp_off(app: TestApp) {
    use licensd::domain::totp;
    let (seller, [_, help, ro]) = team(&app).await;
    let account = app.store().panel_account_by_email("ro@example.com").await.unwrap().unwrap();
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    app.store().set_panel_totp(seller, account.id, secret).await.unwrap();
    let page = ro.get("/panel/account").await;
    assert!(page.body.contains(r#"action="/panel/account/totp/off""#), "{}", page.body);
    let code = totp::code_at(secret, unix_now()).unwrap();

    // Refused, still on: no password or a wrong one, a wrong code, no CSRF token.
    for (fields, text) in [
        (vec![("code", code.as_str()), ("password", "guess")], "is not your password"),
        (vec![("code", "000000"), ("password", PASSWORD)], "code: is not the code"),
        (vec![("password", PASSWORD)], "code: is not the code"),
    ] {
        let refused = ro.post("/panel/account/totp/off", &fields).await;
        assert_eq!(refused.status, 422, "{fields:?}: {}", refused.body);
        assert!(refused.body.contains(text), "{fields:?}: {}", refused.body);
    }
    let tokenless = ro.post_raw("/panel/account/totp/off", &[("code", code.as_str()), ("password", PASSWORD)]).await;
    assert_eq!(tokenless.status, 403, "{}", tokenless.body);
    let still = app.store().panel_account_by_email("ro@example.com").await.unwrap().unwrap();
    assert_eq!(still.totp_secret.as_deref(), Some(secret));

    // Off: the sign-in needs no code any more, and turning it off again is refused.
    let done = ro.post("/panel/account/totp/off", &[("code", code.as_str()), ("password", PASSWORD)]).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/panel/account?done=totp_off"), "{}", done.body);
    let off = app.store().panel_account_by_email("ro@example.com").await.unwrap().unwrap();
    assert!(!off.totp_enrolled());
    let signed_in = crate::panelkit::sign_in_answer(&app, "ro@example.com", PASSWORD, "").await;
    assert_eq!((signed_in.status, signed_in.location.as_str()), (303, "/panel/"), "{}", signed_in.body);
    let again = ro.post("/panel/account/totp/off", &[("code", code.as_str()), ("password", PASSWORD)]).await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("no authenticator code is on"), "{}", again.body);
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(5, 1)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "panel_account.totp_off" && e.actor.starts_with("panel:")), "{audit:?}");

    // The password does not buy unlimited guesses at the code: wrong codes count in the
    // account's sign-in bucket (20 a minute), and the code stays on.
    let helper = app.store().panel_account_by_email("help@example.com").await.unwrap().unwrap();
    app.store().set_panel_totp(seller, helper.id, secret).await.unwrap();
    let statuses: Vec<u16> = {
        let mut seen = Vec::new();
        for _ in 0..25 {
            seen.push(help.post("/panel/account/totp/off", &[("code", "000000"), ("password", PASSWORD)]).await.status);
        }
        seen
    };
    assert_eq!(&statuses[..20], &[422; 20], "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
    let still = app.store().panel_account_by_email("help@example.com").await.unwrap().unwrap();
    assert!(still.totp_enrolled());
}
