//! Discord identifiers as the Reseller API accepts them.

/// A Discord user id (snowflake): 17 to 20 decimal digits, no leading zero, within 64 bits.
/// The canonical form is required so that one user is never stored under two spellings.
pub fn is_snowflake(s: &str) -> bool {
    (17..=20).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && !s.starts_with('0')
        && s.parse::<u64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes() {
        assert!(is_snowflake("123456789012345678"));
        assert!(is_snowflake("10000000000000000"));
        assert!(is_snowflake("18446744073709551615"));
        assert!(!is_snowflake("18446744073709551616"));
        assert!(!is_snowflake("1234567890123456"));
        assert!(!is_snowflake("123456789012345678901"));
        assert!(!is_snowflake("01234567890123456"));
        assert!(!is_snowflake("12345678901234567a"));
        assert!(!is_snowflake("+12345678901234567"));
        assert!(!is_snowflake(""));
    }
}
