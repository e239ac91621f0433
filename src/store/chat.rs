//! Chat of the client API: an app's channels (each with a per-user delay between messages),
//! their messages, and mutes. The delay is enforced by a conditional upsert on
//! `chat_cooldowns`, so concurrent sends from any number of processes let exactly one through.

use super::values::Flag;
use super::{Page, Result, ReturnedRows, Store, client_data::one_row, sessions::name_is_key};
use crate::domain::ids::{AppId, UserId};
use crate::domain::names;
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatChannel {
    pub id: i64,
    pub app_id: AppId,
    pub name: String,
    pub delay_secs: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatMessage {
    pub id: i64,
    pub channel_id: i64,
    pub author: String,
    pub message: String,
    pub created_at: UnixMs,
}

/// A message as `chatget` shows it to clients.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatLine {
    pub author: String,
    /// The author's user id, while a user of that name exists in the app.
    pub author_id: Option<UserId>,
    #[sqlx(try_from = "Flag")]
    pub author_is_key: bool,
    pub message: String,
    pub created_at: UnixMs,
}

impl ChatLine {
    /// The author's name as other clients may see it.
    pub fn public_author(&self) -> String {
        match self.author_id {
            Some(id) => names::public_name(id, &self.author, self.author_is_key),
            None => self.author.clone(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatMute {
    pub app_id: AppId,
    pub username: String,
    pub until: UnixMs,
}

/// Who posts what, where and when.
#[derive(Debug, Clone, Copy)]
pub struct NewChatMessage<'a> {
    pub channel: &'a ChatChannel,
    pub user_id: UserId,
    pub author: &'a str,
    pub message: &'a str,
    pub now: i64,
    /// Messages the channel keeps: older ones are deleted with this post (0: all).
    pub keep: i64,
}

impl Store {
    pub async fn chat_channel(&self, app_id: AppId, name: &str) -> Result<ChatChannel> {
        Ok(sqlx::query_as::<_, ChatChannel>(
            "SELECT id, app_id, name, delay_secs FROM chat_channels WHERE app_id = $1 AND name = $2",
        )
        .bind(app_id)
        .bind(name)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn list_chat_channels(&self, app_id: AppId, page: Page) -> Result<Vec<ChatChannel>> {
        Ok(sqlx::query_as::<_, ChatChannel>(
            "SELECT id, app_id, name, delay_secs FROM chat_channels WHERE app_id = $1 ORDER BY name LIMIT $2 OFFSET $3",
        )
        .bind(app_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// A new channel; a taken name is `Conflict`.
    pub async fn create_chat_channel(&self, app_id: AppId, name: &str, delay_secs: i64) -> Result<ChatChannel> {
        sqlx::query_as::<_, ChatChannel>(
            "INSERT INTO chat_channels (app_id, name, delay_secs) VALUES ($1, $2, $3) \
             RETURNING id, app_id, name, delay_secs",
        )
        .bind(app_id)
        .bind(name)
        .bind(delay_secs)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// Deletes a channel with its messages.
    pub async fn delete_chat_channel(&self, app_id: AppId, name: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM chat_channels WHERE app_id = $1 AND name = $2")
                .bind(app_id)
                .bind(name)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }

    /// The channel's newest `limit` messages, oldest first (the order chat windows print), each
    /// with its author as other clients may see it (`domain::names`).
    pub async fn recent_chat_messages(&self, channel_id: i64, limit: i64) -> Result<Vec<ChatLine>> {
        Ok(sqlx::query_as::<_, ChatLine>(concat!(
            "SELECT m.author, u.id AS author_id, ",
            name_is_key!("u"),
            " AS author_is_key, m.message, m.created_at FROM (SELECT id, channel_id, author, message, \
             created_at FROM chat_messages WHERE channel_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) m \
             JOIN chat_channels c ON c.id = m.channel_id LEFT JOIN users u ON u.app_id = c.app_id AND u.username = m.author \
             ORDER BY m.created_at, m.id"
        ))
        .bind(channel_id)
        .bind(limit)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// The channel's messages, newest first (the seller's view).
    pub async fn list_chat_messages(&self, channel_id: i64, page: Page) -> Result<Vec<ChatMessage>> {
        Ok(sqlx::query_as::<_, ChatMessage>(
            "SELECT id, channel_id, author, message, created_at FROM chat_messages WHERE channel_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        )
        .bind(channel_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Posts a message unless the author posted in this channel less than the channel's delay
    /// ago: the cooldown row only moves forward when the delay has passed (one conditional
    /// upsert), and the message is inserted in the same transaction, which also deletes the
    /// channel's messages beyond its newest `keep` (an index walk of `keep` entries; a channel's
    /// sends are spaced by its delay). `None`: delay not over.
    pub async fn post_chat_message(&self, m: NewChatMessage<'_>) -> Result<Option<ChatMessage>> {
        let mut tx = self.begin_write().await?;
        let allowed_before = m.now.saturating_sub(m.channel.delay_secs.saturating_mul(1000));
        let passed: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO chat_cooldowns (channel_id, user_id, last_sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (channel_id, user_id) DO UPDATE SET last_sent_at = excluded.last_sent_at \
             WHERE chat_cooldowns.last_sent_at <= $4 RETURNING last_sent_at",
        )
        .bind(m.channel.id)
        .bind(m.user_id)
        .bind(m.now)
        .bind(allowed_before)
        .fetch_optional(&mut *tx)
        .await?;
        if passed.is_none() {
            return Ok(None);
        }
        let msg = sqlx::query_as::<_, ChatMessage>(
            "INSERT INTO chat_messages (channel_id, author, message, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, channel_id, author, message, created_at",
        )
        .bind(m.channel.id)
        .bind(m.author)
        .bind(m.message)
        .bind(m.now)
        .fetch_one(&mut *tx)
        .await?;
        if m.keep > 0 {
            // SQLite takes OFFSET only after a LIMIT, hence the unbounded one.
            sqlx::query(
                "DELETE FROM chat_messages WHERE channel_id = $1 AND id IN (SELECT id FROM chat_messages \
                 WHERE channel_id = $1 ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $2)",
            )
            .bind(m.channel.id)
            .bind(m.keep)
            .bind(i64::MAX)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(msg))
    }

    /// Deletes one message of one of the app's channels.
    pub async fn delete_chat_message(&self, app_id: AppId, message_id: i64) -> Result<()> {
        one_row(sqlx::query(
            "DELETE FROM chat_messages WHERE id = $1 AND channel_id IN (SELECT id FROM chat_channels WHERE app_id = $2)",
        )
        .bind(message_id)
        .bind(app_id)
        .execute(&mut *self.write().await?).await?)
    }

    /// When the user's mute ends, if it has not ended by `now`.
    pub async fn chat_muted_until(&self, app_id: AppId, username: &str, now: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT until FROM chat_mutes WHERE app_id = $1 AND username = $2 AND until > $3")
                .bind(app_id)
                .bind(username)
                .bind(now)
                .fetch_optional(&mut *self.read().await?)
                .await?;
        Ok(row.map(|(u,)| u))
    }

    /// Mutes `username` in every channel of the app until `until` (replacing an earlier mute).
    pub async fn mute_chat_user(&self, app_id: AppId, username: &str, until: i64) -> Result<ChatMute> {
        sqlx::query_as::<_, ChatMute>(
            "INSERT INTO chat_mutes (app_id, username, until) VALUES ($1, $2, $3) \
             ON CONFLICT (app_id, username) DO UPDATE SET until = excluded.until RETURNING app_id, username, until",
        )
        .bind(app_id)
        .bind(username)
        .bind(until)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn unmute_chat_user(&self, app_id: AppId, username: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM chat_mutes WHERE app_id = $1 AND username = $2")
                .bind(app_id)
                .bind(username)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }

    /// Mutes that have not ended by `now`.
    pub async fn list_chat_mutes(&self, app_id: AppId, now: i64, page: Page) -> Result<Vec<ChatMute>> {
        Ok(sqlx::query_as::<_, ChatMute>(
            "SELECT app_id, username, until FROM chat_mutes WHERE app_id = $1 AND until > $2 ORDER BY username \
             LIMIT $3 OFFSET $4",
        )
        .bind(app_id)
        .bind(now)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }
}
