//! The KeyAuth user import, timed through the admin API as a seller moving over runs it: a
//! generated export of users with bcrypt hashes, a HWID on every third and a subscription each,
//! uploaded and polled until its job is done; then the same file again, which adds nothing.

use crate::seed::Fixture;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Distinct bcrypt hashes in the file: hashing makes the input, it is not what the import does
/// (it keeps the hashes as they are), so a few suffice.
const HASHES: usize = 16;
/// How often the job is polled: small against the seconds an import takes.
const POLL: Duration = Duration::from_millis(50);

/// Wall time from the start of the upload to the job's end.
pub struct ImportTimes {
    pub first: Duration,
    pub again: Duration,
}

pub async fn keyauth_users(f: &Fixture, port: u16, users: usize) -> anyhow::Result<ImportTimes> {
    let body = export(users)?;
    let upload = Upload { http: reqwest::Client::new(), base: format!("http://127.0.0.1:{port}"), f };
    let (first, report) = upload.timed(body.clone()).await?;
    anyhow::ensure!(report["users_new"] == json!(users), "first import: {report}");
    let (again, report) = upload.timed(body).await?;
    anyhow::ensure!(report["users_new"] == json!(0) && report["users_existing"] == json!(users), "again: {report}");
    Ok(ImportTimes { first, again })
}

/// A KeyAuth user export (`KeyAuthUsers.json`): users and their subscriptions, MySQL values as
/// strings as KeyAuth writes them.
fn export(users: usize) -> anyhow::Result<Vec<u8>> {
    let hashes = (0..HASHES)
        .map(|i| Ok(bcrypt::hash_with_result(format!("pw-{i}"), 4)?.format_for_version(bcrypt::Version::TwoY)))
        .collect::<anyhow::Result<Vec<String>>>()?;
    let expiry = (licensd::domain::time::now_ms() / 1000 + 30 * 86_400).to_string();
    let rows: Vec<Value> = (0..users)
        .map(|i| {
            json!({
                "username": format!("ka-user{i}"),
                "email": format!("ka-user{i}@example.com"),
                "password": hashes[i % HASHES],
                "hwid": (i % 3 == 0).then(|| format!("HW-{i}")),
                "ip": "10.1.2.3",
            })
        })
        .collect();
    let subs: Vec<Value> = (0..users)
        .map(|i| json!({"user": format!("ka-user{i}"), "subscription": "default", "expiry": expiry}))
        .collect();
    Ok(serde_json::to_vec(&json!({"users": rows, "subscription": subs}))?)
}

struct Upload<'a> {
    http: reqwest::Client,
    base: String,
    f: &'a Fixture,
}

impl Upload<'_> {
    /// Uploads the file and waits for its job; the time taken and the job's report.
    async fn timed(&self, body: Vec<u8>) -> anyhow::Result<(Duration, Value)> {
        let started = Instant::now();
        let res = self
            .http
            .post(format!("{}/admin/v1/apps/{}/import/keyauth/users", self.base, self.f.app_id))
            .bearer_auth(&self.f.admin_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = res.status();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = res.text().await?;
        let Some(location) = location.filter(|_| status.as_u16() == 202) else {
            anyhow::bail!("the import upload answered {status}: {text}");
        };
        loop {
            let job: Value = self
                .http
                .get(format!("{}{location}", self.base))
                .bearer_auth(&self.f.admin_token)
                .send()
                .await?
                .json()
                .await?;
            match job["data"]["state"].as_str() {
                Some("running") => tokio::time::sleep(POLL).await,
                Some("done") => return Ok((started.elapsed(), job["data"]["report"].clone())),
                _ => anyhow::bail!("the import ended badly: {job}"),
            }
        }
    }
}
