//! A browser-face session over plain HTTP (no browser): signs in to the seller panel or the
//! reseller dashboard, keeps the cookie, sends forms with or without the session's CSRF token,
//! and never follows redirects.

use crate::harness::TestApp;
use licensd::domain::ids::{ResellerId, SellerId};
use licensd::manage::{Scope, panel};

pub const PASSWORD: &str = "correct horse battery";

/// Creates a panel account of the seller with `role` (password `PASSWORD`).
pub async fn account(app: &TestApp, seller_id: SellerId, email: &str, role: &str) -> i64 {
    let passwords = &app.state.services.passwords;
    panel::add(app.store(), passwords, &Scope::cli().tenant(Some(seller_id)).unwrap(), email, role, PASSWORD)
        .await
        .unwrap()
        .id
}

/// Where a face signs in and lands, and its session cookie.
#[derive(Clone, Copy)]
pub struct Face {
    pub sign_in: &'static str,
    pub home: &'static str,
    pub cookie: &'static str,
}

pub const PANEL: Face = Face { sign_in: "/panel/signin", home: "/panel/", cookie: "licensd_panel" };
pub const DASH: Face =
    Face { sign_in: "/reseller/dashboard/signin", home: "/reseller/dashboard/", cookie: "licensd_dash" };

/// Status, `Location` header and body of an answer.
pub struct Page {
    pub status: u16,
    pub location: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

pub struct PanelClient<'a> {
    pub app: &'a TestApp,
    face: Face,
    http: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let location = headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    Page { status, location, headers, body: res.text().await.unwrap() }
}

/// The value of cookie `name` set by an answer.
pub fn set_cookie<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|v| v.starts_with(&format!("{name}=")))
}

/// The value of the first hidden `csrf` field in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a form with a csrf field");
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Posts the sign-in form (with its double-submit token); the answer.
pub async fn sign_in_answer(app: &TestApp, email: &str, password: &str, code: &str) -> Page {
    sign_in_answer_at(app, PANEL, email, password, code).await
}

/// Posts face `face`'s sign-in form; the answer.
pub async fn sign_in_answer_at(app: &TestApp, face: Face, email: &str, password: &str, code: &str) -> Page {
    sign_in_with(app, face, &[("email", email), ("password", password), ("code", code)]).await
}

/// Posts face `face`'s sign-in form with `fields` (and its double-submit token); the answer.
pub async fn sign_in_with(app: &TestApp, face: Face, fields: &[(&str, &str)]) -> Page {
    signed_out_form(app, face, face.sign_in, face.sign_in, fields).await
}

/// Opens a form that face `face` shows without a session (at `form`: sign-in, an invitation)
/// and posts it to `action` with `fields` and its double-submit token; the answer.
pub async fn signed_out_form(app: &TestApp, face: Face, form: &str, action: &str, fields: &[(&str, &str)]) -> Page {
    let http = http();
    let shown = page(http.get(app.url(form)).send().await.unwrap()).await;
    assert_eq!(shown.status, 200, "{form}: {}", shown.body);
    let token = csrf_of(&shown.body);
    let mut body = vec![("csrf", token.as_str())];
    body.extend_from_slice(fields);
    let res = http
        .post(app.url(action))
        .header("cookie", format!("{}_signin={token}", face.cookie))
        .form(&body)
        .send()
        .await
        .unwrap();
    page(res).await
}

impl<'a> PanelClient<'a> {
    /// Signs in; panics unless that works.
    pub async fn sign_in(app: &'a TestApp, email: &str, code: &str) -> Self {
        Self::sign_in_at(app, PANEL, email, code).await
    }

    /// Signs in to face `face` with `PASSWORD`; panics unless that works.
    pub async fn sign_in_at(app: &'a TestApp, face: Face, email: &str, code: &str) -> Self {
        Self::signed_in(app, face, sign_in_answer_at(app, face, email, PASSWORD, code).await).await
    }

    /// Signs in to face `face` with the sign-in form's `fields`; panics unless that works.
    pub async fn sign_in_with(app: &'a TestApp, face: Face, fields: &[(&str, &str)]) -> Self {
        Self::signed_in(app, face, sign_in_with(app, face, fields).await).await
    }

    /// The session a successful sign-in `answer` opened, with its first page's CSRF token.
    async fn signed_in(app: &'a TestApp, face: Face, answer: Page) -> Self {
        assert_eq!((answer.status, answer.location.as_str()), (303, face.home), "{}", answer.body);
        let line = set_cookie(&answer.headers, face.cookie).expect("a session cookie");
        let cookie = line.split(';').next().unwrap()[face.cookie.len() + 1..].to_owned();
        let mut c = Self { app, face, http: http(), cookie, csrf: String::new() };
        let overview = c.get(face.home).await;
        assert_eq!(overview.status, 200, "{}", overview.body);
        c.csrf = csrf_of(&overview.body);
        c
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self.http.get(self.app.url(path)).header("cookie", self.cookie_header()).send().await.unwrap();
        page(res).await
    }

    /// Posts a form with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly `fields` (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .http
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        page(res).await
    }

    /// Posts exactly `parts` as `multipart/form-data`: `(name, file name, bytes)`, a file part
    /// when it has a file name.
    pub async fn post_multipart(&self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Page {
        const BOUNDARY: &str = "licensd-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(file) = file {
                body.extend_from_slice(
                    format!("; filename=\"{file}\"\r\nContent-Type: application/octet-stream").as_bytes(),
                );
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let res = self
            .http
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body)
            .send()
            .await
            .unwrap();
        page(res).await
    }

    pub fn cookie_header(&self) -> String {
        format!("{}={}", self.face.cookie, self.cookie)
    }
}

/// Gives reseller `reseller_id` of the seller the dashboard sign-in `email` / `PASSWORD`.
pub async fn reseller_login(app: &TestApp, seller_id: SellerId, reseller_id: ResellerId, email: &str) {
    let passwords = &app.state.services.passwords;
    let scope = Scope::cli();
    licensd::manage::reseller_dashboard::set_login(
        app.store(),
        passwords,
        &scope.tenant(Some(seller_id)).unwrap(),
        reseller_id,
        email,
        PASSWORD,
    )
    .await
    .unwrap();
}
