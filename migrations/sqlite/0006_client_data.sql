-- Client API chat: when each user last posted in each channel, so the per-channel delay is one
-- conditional upsert (the row only moves forward when the delay has passed) that every server
-- process agrees on, instead of a read of the last message followed by an insert.
CREATE TABLE chat_cooldowns (
    channel_id    INTEGER NOT NULL REFERENCES chat_channels(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_sent_at  INTEGER NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
