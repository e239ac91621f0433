//! Reading KeyAuth's exports into rows of fields. The dashboard's "download users" writes
//! `{"users": [...], "subscription": [...]}` and its keys download an array of
//! `{key, level, expiry}` (expiry in days); the seller API's `fetchallkeys` answers
//! `{"keys": [...]}` with every column of KeyAuth's `keys` table. MySQL hands PHP every value as a
//! string, so numbers may come quoted. KeyAuth has no tokens export: a tokens file is the rows of
//! its `tokens` table (`token, assigned, type, banned, reason, hash`), as an array, as
//! `{"tokens": [...]}` or as CSV. CSV files have a header line and one row per record (a
//! users CSV may carry one subscription per row in `subscription` and `expiry` columns).

use super::super::licenses::Format;
use crate::manage::ManageError;
use serde_json::{Map, Value};

/// One record's fields and where it was in the file (for the report).
#[derive(Debug, Clone)]
pub struct Row {
    pub at: String,
    pub fields: Map<String, Value>,
}

/// A record the file holds but that is not one (not an object, a broken CSV line).
#[derive(Debug, Clone)]
pub struct Broken {
    pub at: String,
    pub reason: String,
}

/// The rows of a users export: users, and subscriptions that name their user.
#[derive(Debug, Default)]
pub struct UsersFile {
    pub users: Vec<Row>,
    pub subscriptions: Vec<Row>,
    pub broken: Vec<Broken>,
}

pub fn users(format: Format, bytes: &[u8]) -> Result<UsersFile, ManageError> {
    let mut file = UsersFile::default();
    match format {
        Format::Csv => {
            let (rows, broken) = csv_rows(bytes)?;
            file.broken = broken;
            for row in rows {
                if row.fields.get("subscription").is_some_and(|s| !is_blank(s)) {
                    file.subscriptions.push(Row { at: row.at.clone(), fields: with_user(&row) });
                }
                file.users.push(row);
            }
        }
        Format::Json => {
            let doc: Value = serde_json::from_slice(bytes).map_err(|e| bad("users", e))?;
            let (users, subs) = match doc {
                Value::Array(users) => (users, Vec::new()),
                Value::Object(mut o) => {
                    let list = |o: &mut Map<String, Value>, k: &str| match o.remove(k) {
                        Some(Value::Array(v)) => v,
                        _ => Vec::new(),
                    };
                    let users = list(&mut o, "users");
                    let mut subs = list(&mut o, "subscription");
                    subs.extend(list(&mut o, "subscriptions"));
                    (users, subs)
                }
                _ => return Err(ManageError::invalid("users", "expected KeyAuth's users export (a JSON object)")),
            };
            json_rows("users", users, &mut file.users, &mut file.broken);
            json_rows("subscription", subs, &mut file.subscriptions, &mut file.broken);
        }
    }
    Ok(file)
}

/// The rows of a keys export.
pub fn keys(format: Format, bytes: &[u8]) -> Result<(Vec<Row>, Vec<Broken>), ManageError> {
    records("keys", format, bytes)
}

/// The rows of a tokens file.
pub fn tokens(format: Format, bytes: &[u8]) -> Result<(Vec<Row>, Vec<Broken>), ManageError> {
    records("tokens", format, bytes)
}

/// CSV, or a JSON array of records, or an object holding one under `name`.
fn records(name: &'static str, format: Format, bytes: &[u8]) -> Result<(Vec<Row>, Vec<Broken>), ManageError> {
    match format {
        Format::Csv => csv_rows(bytes),
        Format::Json => {
            let doc: Value = serde_json::from_slice(bytes).map_err(|e| bad(name, e))?;
            let expected =
                || ManageError::invalid(name, format!("expected an array of {name} or {{\"{name}\": [...]}}"));
            let list = match doc {
                Value::Array(v) => v,
                Value::Object(mut o) => match o.remove(name) {
                    Some(Value::Array(v)) => v,
                    _ => return Err(expected()),
                },
                _ => return Err(expected()),
            };
            let (mut rows, mut broken) = (Vec::new(), Vec::new());
            json_rows(name, list, &mut rows, &mut broken);
            Ok((rows, broken))
        }
    }
}

fn bad(field: &'static str, e: impl std::fmt::Display) -> ManageError {
    ManageError::invalid(field, e.to_string())
}

fn json_rows(name: &str, list: Vec<Value>, rows: &mut Vec<Row>, broken: &mut Vec<Broken>) {
    for (i, v) in list.into_iter().enumerate() {
        let at = format!("{name}[{i}]");
        match v {
            Value::Object(fields) => rows.push(Row { at, fields }),
            _ => broken.push(Broken { at, reason: "not an object".into() }),
        }
    }
}

/// CSV records as rows of strings keyed by the header (trimmed, lowercase). A line that does
/// not parse is reported, and the others are read.
fn csv_rows(bytes: &[u8]) -> Result<(Vec<Row>, Vec<Broken>), ManageError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> =
        reader.headers().map_err(|e| bad("file", e))?.iter().map(|h| h.trim().to_lowercase()).collect();
    let (mut rows, mut broken) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        // Line 1 is the header.
        let at = format!("line {}", i + 2);
        match record {
            Ok(r) if r.len() != header.len() => {
                broken.push(Broken { at, reason: format!("{} fields, the header has {}", r.len(), header.len()) })
            }
            Ok(r) => {
                let fields = header.iter().cloned().zip(r.iter().map(|c| Value::String(c.to_owned()))).collect();
                rows.push(Row { at, fields })
            }
            Err(e) => broken.push(Broken { at, reason: e.to_string() }),
        }
    }
    Ok((rows, broken))
}

/// A CSV user row as a subscription row (`user` = its username).
fn with_user(row: &Row) -> Map<String, Value> {
    let mut fields = row.fields.clone();
    if let Some(name) = row.fields.get("username") {
        fields.insert("user".into(), name.clone());
    }
    fields
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A text field: trimmed, `None` when missing, null or blank. Numbers are read as their text.
pub fn text(row: &Row, name: &str) -> Option<String> {
    match row.fields.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number field, quoted or not; `Ok(None)` when missing or blank.
pub fn number(row: &Row, name: &str) -> Result<Option<f64>, String> {
    match text(row, name) {
        None => Ok(None),
        Some(t) => t
            .parse::<f64>()
            .map(Some)
            .ok()
            .filter(|n| n.is_some_and(f64::is_finite))
            .ok_or_else(|| format!("{name} is not a number: {t:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_dashboard_export_and_reports_broken_records() {
        let json = br#"{"users":[{"username":"a","password":"$2y$04$x","hwid":null,"banned":null,"ip":"1.2.3.4"},7],
            "subscription":[{"user":"a","subscription":"default","expiry":"1999999999"}]}"#;
        let f = users(Format::Json, json).unwrap();
        assert_eq!(f.users.len(), 1);
        assert_eq!(text(&f.users[0], "hwid"), None);
        assert_eq!(number(&f.subscriptions[0], "expiry").unwrap(), Some(1_999_999_999.0));
        assert_eq!(f.broken[0].at, "users[1]");
        let csv = b"username,password,subscription,expiry\nb,,gold,5\nc,x\n";
        let f = users(Format::Csv, csv).unwrap();
        assert_eq!((f.users.len(), f.subscriptions.len(), f.broken.len()), (1, 1, 1));
        assert_eq!(f.broken[0].at, "line 3");
        assert_eq!(text(&f.subscriptions[0], "user").as_deref(), Some("b"));
        assert!(number(&f.subscriptions[0], "subscription").is_err());
    }
}
