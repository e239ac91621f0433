//! Reading only the members of a JSON object body that an endpoint knows. Every other member is
//! skipped by the parser without being stored (serde's `IgnoredAny`), so a body of many distinct
//! names costs one pass and no memory per name; nesting deeper than serde_json's recursion limit
//! (128) is an error like any other malformed body.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The known members of the JSON object `bytes`, in body order (a repeated name appears as often
/// as it is sent); an error when `bytes` is not exactly one JSON object.
pub fn known_members(bytes: &[u8], known: &[&'static str]) -> Result<Vec<(&'static str, Value)>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let members = Members { known }.deserialize(&mut de)?;
    de.end()?;
    Ok(members)
}

struct Members<'k> {
    known: &'k [&'static str],
}

impl<'de> DeserializeSeed<'de> for Members<'_> {
    type Value = Vec<(&'static str, Value)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Members<'_> {
    type Value = Vec<(&'static str, Value)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(name) = map.next_key_seed(Name { known: self.known })? {
            match name {
                Some(name) => members.push((name, map.next_value::<Value>()?)),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(members)
    }
}

/// A member name: the matching known name, or `None` (compared in place, never copied).
struct Name<'k> {
    known: &'k [&'static str],
}

impl<'de> DeserializeSeed<'de> for Name<'_> {
    type Value = Option<&'static str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name<'_> {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(self.known.iter().find(|k| **k == name).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_known_members_only() {
        let body = br#"{"x":[1,{"y":2}],"a":"1","b\u0061":null,"a":2,"c":{}}"#;
        let got = known_members(body, &["a", "ba"]).unwrap();
        assert_eq!(got, vec![("a", json!("1")), ("ba", Value::Null), ("a", json!(2))]);
        for bad in [&b"[1]"[..], b"{", b"{} {}", b"\"a\"", b""] {
            assert!(known_members(bad, &["a"]).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = format!("{{\"x\":{}}}", "[".repeat(10_000));
        assert!(known_members(deep.as_bytes(), &["a"]).is_err());
    }
}
