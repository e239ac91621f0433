//! Buyers' keys in the customer panel (`/customer/{ownerid}/{app id}/keys`) over real HTTP and
//! real SMTP (a fake server that keeps what it is sent): a code is mailed only to an address that
//! bought keys of the app, the same answer is given for any other, the code shows the buyer's
//! keys of that app and no one else's, once, and survives only a few wrong guesses; parallel
//! submissions of the right code open the list once.

use crate::adminkit::call;
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::{Engine, TestApp};
use crate::mailkit::fake_smtp;
use crate::panelkit::{Face, Page, signed_out_form};
use futures_util::future::join_all;
use licensd::config::SmtpConfig;
use licensd::store::{plans::Plan, tokens::TokenKind};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

engine_tests!(without_mail_the_page_says_so);

mod a_mailed_code_shows_the_keys_bought {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::a_mailed_code_shows_the_keys_bought(super::Engine::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::a_mailed_code_shows_the_keys_bought(super::Engine::Postgres).await
    }
}

mod racing_submissions_open_the_list_once {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::racing_submissions_open_the_list_once(super::Engine::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::racing_submissions_open_the_list_once(super::Engine::Postgres).await
    }
}

const SENT: &str = "a code is on its way";

/// A server that mails through the fake SMTP server, and the mails it got.
async fn mailing(engine: Engine) -> (TestApp, Arc<Mutex<Vec<String>>>) {
    let (port, mails) = fake_smtp().await;
    let t = TestApp::spawn_with(engine, |cfg| {
        cfg.smtp =
            Some(SmtpConfig { url: format!("smtp://127.0.0.1:{port}?tls=none"), from: "shop@example.com".into() });
        cfg.panel_login_failures_per_ip_per_min = 0;
    })
    .await;
    (t, mails)
}

/// The fixture's app with its customer panel on, and a seller admin token.
async fn shop(t: &TestApp) -> (ClientFixture<'_>, String) {
    let mut c = ClientFixture::new(t).await;
    c.update(|a| a.customer_panel = true).await;
    let token = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    (c, token)
}

/// `n` keys of `plan` for the buyer `email`, in store order `order`, through the admin API.
async fn bought(t: &TestApp, token: &str, plan: &Plan, email: &str, order: &str, n: i64) -> Vec<String> {
    let body = json!({"app_id": plan.app_id, "plan_id": plan.id, "count": n, "customer_email": email,
                      "order": {"store": "manual", "external_id": order, "amount": 990, "currency": "EUR"}});
    let (s, made) = call(t, "POST", "/admin/v1/licenses", token, Some(body)).await;
    assert_eq!(s, 201, "{made}");
    made["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect()
}

fn face(c: &ClientFixture<'_>) -> (Face, String) {
    let base = format!("/customer/{}/{}/", c.seller.ownerid, c.app.id);
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let face = Face { sign_in: leak(format!("{base}signin")), home: leak(base.clone()), cookie: "licensd_customer" };
    (face, base)
}

async fn ask_code(t: &TestApp, c: &ClientFixture<'_>, email: &str) -> Page {
    let (face, base) = face(c);
    signed_out_form(t, face, &format!("{base}keys"), &format!("{base}keys/code"), &[("email", email)]).await
}

async fn show(t: &TestApp, c: &ClientFixture<'_>, email: &str, code: &str) -> Page {
    let (face, base) = face(c);
    signed_out_form(t, face, &format!("{base}keys"), &format!("{base}keys"), &[("email", email), ("code", code)]).await
}

/// Waits for mail number `n` (from 1) and returns the code in it.
async fn code_in_mail(mails: &Mutex<Vec<String>>, n: usize) -> String {
    for _ in 0..200 {
        if let Some(mail) = mails.lock().unwrap().get(n - 1) {
            let is_code = |l: &&str| {
                l.len() == 9 && l.as_bytes()[4] == b'-' && l.chars().all(|c| c == '-' || c.is_ascii_alphanumeric())
            };
            return mail.lines().find(is_code).unwrap_or_else(|| panic!("a code in {mail}")).to_owned();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("mail {n} did not arrive");
}

async fn a_mailed_code_shows_the_keys_bought(engine: Engine) {
    let (t, mails) = mailing(engine).await;
    let (c, token) = shop(&t).await;
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    let mine = bought(&t, &token, &gold, "buyer@example.com", "A-1", 2).await;
    let theirs = bought(&t, &token, &gold, "other@example.com", "B-1", 1).await;
    let elsewhere = c.another_app("Elsewhere").await;
    let their_plan = elsewhere.plan("Gold", 1, Some(86_400)).await;
    let other_app = bought(&t, &token, &their_plan, "buyer@example.com", "C-1", 1).await;
    // One of the buyer's keys is in use (redeemed through the client API), one is banned.
    c.key_session(&mine[0]).await;
    let id = t.store().license_by_key(c.seller.id, &mine[1]).await.unwrap().id;
    let (s, _) = call(&t, "POST", &format!("/admin/v1/licenses/{id}/ban"), &token, Some(json!({"reason": "x"}))).await;
    assert_eq!(s, 200);

    // The sign-in page links to the form; an address that bought nothing gets the same answer
    // and no mail.
    let (f, base) = face(&c);
    let signin = t.http.get(t.url(f.sign_in)).send().await.unwrap().text().await.unwrap();
    assert!(signin.contains(&format!("{base}keys")), "{signin}");
    let nobody = ask_code(&t, &c, "nobody@example.com").await;
    assert_eq!(nobody.status, 200, "{}", nobody.body);
    assert!(nobody.body.contains(SENT), "{}", nobody.body);
    let bad = ask_code(&t, &c, "not an address").await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    let asked = ask_code(&t, &c, "Buyer@Example.com").await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains(SENT));
    let code = code_in_mail(&mails, 1).await;
    assert!(mails.lock().unwrap()[0].contains("To: buyer@example.com"), "{}", mails.lock().unwrap()[0]);
    // Asked again at once: the code already sent stays, no second mail.
    ask_code(&t, &c, "buyer@example.com").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mails.lock().unwrap().len(), 1, "one mail for the two requests and none for nobody@");

    let wrong = show(&t, &c, "buyer@example.com", "AAAA-AAAA").await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(wrong.body.contains("Wrong or expired code"));
    assert_eq!(show(&t, &c, "other@example.com", &code).await.status, 401, "the code is the buyer's only");
    let list = show(&t, &c, "buyer@example.com", &code.to_lowercase().replace('-', " ")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    for shown in [mine[0].as_str(), mine[1].as_str(), "manual A-1", "in use", "banned"] {
        assert!(list.body.contains(shown), "{shown}: {}", list.body);
    }
    for hidden in [&theirs[0], &other_app[0]] {
        assert!(!list.body.contains(hidden.as_str()), "{hidden} is not the buyer's key of this app");
    }
    assert_eq!(show(&t, &c, "buyer@example.com", &code).await.status, 401, "a code opens the list once");

    // A new code survives four wrong guesses, not five.
    ask_code(&t, &c, "buyer@example.com").await;
    let code = code_in_mail(&mails, 2).await;
    for _ in 0..5 {
        assert_eq!(show(&t, &c, "buyer@example.com", "WRONG-CODE").await.status, 401);
    }
    assert_eq!(show(&t, &c, "buyer@example.com", &code).await.status, 401, "used up by the guesses");

    // Every mailed code and every list shown is in the seller's audit trail, as the buyer.
    let (_, audit) = call(&t, "GET", "/admin/v1/audit?limit=100", &token, None).await;
    let actions: Vec<(&str, &str)> = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"].as_str().unwrap().starts_with("buyer:"))
        .map(|e| (e["action"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    let target = format!("app:{}", c.app.id);
    let t2 = target.as_str();
    assert_eq!(actions, [("customer.keys_code", t2), ("customer.keys_viewed", t2), ("customer.keys_code", t2)]);

    // The page closes with the panel.
    let mut c = c;
    c.update(|a| a.customer_panel = false).await;
    assert_eq!(t.http.get(t.url(&format!("{base}keys"))).send().await.unwrap().status(), 404);
}

async fn racing_submissions_open_the_list_once(engine: Engine) {
    let (t, mails) = mailing(engine).await;
    let (c, token) = shop(&t).await;
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    bought(&t, &token, &gold, "buyer@example.com", "A-1", 1).await;
    ask_code(&t, &c, "buyer@example.com").await;
    let code = code_in_mail(&mails, 1).await;
    let answers = join_all((0..8).map(|_| show(&t, &c, "buyer@example.com", &code))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|p| p.status).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 401, 401, 401, 401, 401, 401, 401], "one list for one code");
}

async fn without_mail_the_page_says_so(t: TestApp) {
    let (c, _) = shop(&t).await;
    let (f, base) = face(&c);
    let signin = t.http.get(t.url(f.sign_in)).send().await.unwrap().text().await.unwrap();
    assert!(!signin.contains(&format!("{base}keys")), "no link to a page that cannot work: {signin}");
    let res = t.http.get(t.url(&format!("{base}keys"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("does not send mail"));
}
