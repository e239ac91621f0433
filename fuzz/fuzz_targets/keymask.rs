//! Key masks: any input either parses and then generates keys that match the mask exactly, or is
//! refused with an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licensd::domain::keymask::{KeyCase, KeyMask, validate_prefix};

fuzz_target!(|data: &[u8]| {
    let Some((&case_byte, rest)) = data.split_first() else { return };
    let case = [KeyCase::Upper, KeyCase::Lower, KeyCase::Mixed][usize::from(case_byte % 3)];
    let text = String::from_utf8_lossy(rest);
    let (prefix, mask) = text.split_once('|').unwrap_or(("", &text));
    let Ok(parsed) = KeyMask::parse(mask, case) else { return };
    let prefix = if validate_prefix(prefix).is_ok() { prefix } else { "" };
    for key in parsed.generate_many(prefix, 2) {
        let body = key.strip_prefix(prefix).expect("key starts with the prefix");
        assert_eq!(body.chars().count(), mask.chars().count());
        for (m, k) in mask.chars().zip(body.chars()) {
            if m == '*' {
                assert!(k.is_ascii_alphanumeric());
                match case {
                    KeyCase::Upper => assert!(!k.is_ascii_lowercase()),
                    KeyCase::Lower => assert!(!k.is_ascii_uppercase()),
                    KeyCase::Mixed => {}
                }
            } else {
                assert_eq!(m, k);
            }
        }
    }
});
