//! Offline license files: which license a signed-in client user may check out.

use super::{Result, Store, licenses::License};
use crate::domain::ids::{AppId, UserId};

impl Store {
    /// The license of the app that the user redeemed (the one with `key` when given, else the
    /// most recently redeemed one).
    pub async fn redeemed_license(&self, app_id: AppId, user_id: UserId, key: Option<&str>) -> Result<Option<License>> {
        let query = match key {
            Some(key) => {
                sqlx::query_as::<_, License>("SELECT * FROM licenses WHERE app_id = $1 AND used_by_user_id = $2 AND key = $3")
                    .bind(app_id)
                    .bind(user_id)
                    .bind(key.to_owned())
            }
            None => sqlx::query_as(
                "SELECT * FROM licenses WHERE app_id = $1 AND used_by_user_id = $2 ORDER BY used_at DESC, id DESC LIMIT 1",
            )
            .bind(app_id)
            .bind(user_id),
        };
        Ok(query.fetch_optional(&mut *self.read().await?).await?)
    }
}
