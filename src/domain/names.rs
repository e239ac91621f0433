//! How one client sees other users. A key-only user (`license` sign-in) is named after its key,
//! and a key is a credential: wherever a client lists other users (`fetchOnline`, chat authors),
//! a username that is a license key of the seller is shown as `user-<id>` instead. The user's own
//! answers keep the real name (KeyAuth clients expect `info.username` to be the key).

use crate::domain::ids::UserId;
/// The name other clients see for user `user_id`.
pub fn public_name(user_id: UserId, username: &str, name_is_key: bool) -> String {
    if name_is_key { format!("user-{user_id}") } else { username.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_never_shown() {
        assert_eq!(public_name(UserId(42), "ABCD-EFGH", true), "user-42");
        assert_eq!(public_name(UserId(42), "alice", false), "alice");
    }
}
