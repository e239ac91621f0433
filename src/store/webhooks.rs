//! Seller-configured webhook targets of the client API's `webhook` action. The URL stays on
//! the server: clients only name the `webid`.

use super::values::Flag;
use super::{Page, Result, ReturnedRows, Store, client_data::one_row};
use crate::domain::ids::AppId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Webhook {
    pub id: i64,
    pub app_id: AppId,
    pub webid: String,
    pub url: String,
    pub user_agent: String,
    /// 1: only a validated session may call it.
    #[sqlx(try_from = "Flag")]
    pub authed: bool,
}

macro_rules! webhook_columns {
    () => {
        "id, app_id, webid, url, user_agent, authed"
    };
}

impl Store {
    pub async fn webhook(&self, app_id: AppId, webid: &str) -> Result<Webhook> {
        Ok(sqlx::query_as::<_, Webhook>(concat!(
            "SELECT ",
            webhook_columns!(),
            " FROM webhooks WHERE app_id = $1 AND webid = $2"
        ))
        .bind(app_id)
        .bind(webid)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn list_webhooks(&self, app_id: AppId, page: Page) -> Result<Vec<Webhook>> {
        Ok(sqlx::query_as::<_, Webhook>(concat!(
            "SELECT ",
            webhook_columns!(),
            " FROM webhooks WHERE app_id = $1 ORDER BY webid LIMIT $2 OFFSET $3"
        ))
        .bind(app_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// A new webhook; a taken `webid` is `Conflict`.
    pub async fn create_webhook(
        &self,
        app_id: AppId,
        webid: &str,
        url: &str,
        user_agent: &str,
        authed: bool,
    ) -> Result<Webhook> {
        sqlx::query_as::<_, Webhook>(concat!(
            "INSERT INTO webhooks (app_id, webid, url, user_agent, authed) VALUES ($1, $2, $3, $4, $5) RETURNING ",
            webhook_columns!()
        ))
        .bind(app_id)
        .bind(webid)
        .bind(url)
        .bind(user_agent)
        .bind(i64::from(authed))
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_webhook(&self, app_id: AppId, webid: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM webhooks WHERE app_id = $1 AND webid = $2")
                .bind(app_id)
                .bind(webid)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }
}
