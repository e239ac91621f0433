//! The seller API's test fixture: a seller with an app (a `ClientFixture`, so the changes can
//! be checked through the client API), a seller API token for it made through the admin API,
//! and calls that send `type` with fields as a GET query or a POST form.

use crate::client_support::ClientFixture;
use crate::harness::TestApp;
use licensd::domain::ids::AppId;
use licensd::store::tokens::TokenKind;
use serde_json::{Value, json};

pub struct SellerApi<'a> {
    pub c: ClientFixture<'a>,
    pub key: String,
    /// The seller's admin API token.
    pub admin: String,
}

/// One answer of the seller API.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub text: String,
    /// `Value::Null` when the body is not JSON.
    pub json: Value,
}

impl Reply {
    /// A 200 success with `message`.
    #[track_caller]
    pub fn ok(&self, message: &str) -> &Self {
        assert_eq!((self.status, self.json["success"].as_bool()), (200, Some(true)), "{}", self.text);
        assert_eq!(self.json["message"], json!(message), "{}", self.text);
        self
    }

    /// A failure with `status` and KeyAuth's two members.
    #[track_caller]
    pub fn fail(&self, status: u16, message: &str) -> &Self {
        assert_eq!(self.status, status, "{}", self.text);
        assert!(self.content_type.starts_with("application/json"), "{}", self.content_type);
        assert_eq!(self.json, json!({"success": false, "message": message}), "{}", self.text);
        self
    }
}

impl<'a> SellerApi<'a> {
    pub async fn new(t: &'a TestApp) -> Self {
        Self::of(ClientFixture::new(t).await).await
    }

    /// The seller API for the fixture's app.
    pub async fn of(c: ClientFixture<'a>) -> Self {
        let admin = c.t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
        let key = sellerapi_token(c.t, &admin, c.app.id).await;
        Self { c, key, admin }
    }

    /// `type` with `fields` as a GET query string.
    pub async fn get(&self, kind: &str, fields: &[(&str, &str)]) -> Reply {
        let query = self.query(kind, fields);
        get(self.c.t, &query).await
    }

    /// `type` with `fields` as a POST form body (the seller key in the body too).
    pub async fn post(&self, kind: &str, fields: &[(&str, &str)]) -> Reply {
        let body = self.query(kind, fields);
        let res = self
            .c
            .t
            .http
            .post(self.c.t.url("/api/seller/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        reply(res).await
    }

    pub fn query(&self, kind: &str, fields: &[(&str, &str)]) -> String {
        let mut all = vec![("sellerkey", self.key.as_str()), ("type", kind)];
        all.extend_from_slice(fields);
        form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish()
    }
}

/// A seller API token for `app_id`, created through the admin API with the seller's token.
pub async fn sellerapi_token(t: &TestApp, admin: &str, app_id: AppId) -> String {
    let body = json!({"kind": "sellerapi", "app_id": app_id, "name": "discord bot"});
    let (status, created) = t.post_json("/admin/v1/tokens", admin, &body).await;
    assert_eq!(status, 201, "{created}");
    created["token"].as_str().unwrap().to_owned()
}

/// `GET /api/seller/?<query>`.
pub async fn get(t: &TestApp, query: &str) -> Reply {
    reply(t.http.get(t.url(&format!("/api/seller/?{query}"))).send().await.unwrap()).await
}

async fn reply(res: reqwest::Response) -> Reply {
    let status = res.status().as_u16();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, content_type, text, json }
}
