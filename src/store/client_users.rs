//! The client API's user queries: lookups by id, name and email, registration, key redemption,
//! login bookkeeping (HWIDs, last login), bans and blacklist checks.

use super::users::User;
use super::{Result, Store};

/// Column list of `User`, as a macro so queries stay `&'static str` via `concat!`.
macro_rules! client_user_columns {
    () => {
        "id, app_id, username, email, password_hash, ip, banned_reason, totp_secret, totp_enabled, paused, \
         created_at, last_login_at"
    };
}

impl Store {
    /// A user of the app by id; another app's user is `NotFound`.
    pub async fn client_user(&self, app_id: i64, user_id: i64) -> Result<User> {
        Ok(sqlx::query_as::<_, User>(concat!(
            "SELECT ",
            client_user_columns!(),
            " FROM users WHERE id = $1 AND app_id = $2"
        ))
        .bind(user_id)
        .bind(app_id)
        .fetch_one(self.reader())
        .await?)
    }
}
