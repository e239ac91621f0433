//! The measured paths, each as a file of pre-built requests that wrk replays.

use crate::{bare::Rung, seed::Fixture};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Requests per file: plenty for random picks; sequential (write) scenarios need one request
/// per operation, so they get more.
const READ_REQUESTS: usize = 50_000;
const WRITE_REQUESTS: usize = 200_000;

pub struct Plan {
    pub name: &'static str,
    pub file: PathBuf,
    /// Writes walk the file once in order (each request must touch a new row).
    pub sequential: bool,
    /// Substring of every successful response body.
    pub marker: &'static str,
    /// The HTTP status of every successful response (a refusal, for the hostile scenarios).
    pub status: u16,
    /// Served by a rung of the bench's bare endpoint (`bare`) instead of licensd.
    pub bare: Option<Rung>,
    /// Requests in the file: none when the seed's sizes leave no row this scenario needs.
    pub requests: usize,
}

impl Plan {
    /// Refuses a scenario that cannot run with the chosen sizes, so that a run never reports
    /// fewer paths than it was asked for without saying why.
    pub fn check_runnable(&self, args: &crate::Args) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.requests > 0,
            "scenario `{}` cannot run: --licenses {} --users {} --instances {} leave no rows it needs \
             (a redeemed user, an instance, a key in stock or an unused key); raise --licenses",
            self.name,
            args.licenses,
            args.users,
            args.instances
        );
        Ok(())
    }
}

/// The bare axum endpoint's row (`bare`).
pub const BARE: &str = "ceiling: bare axum GET /healthz";
/// The other rungs of the bare endpoint's ladder, with their rows.
const LADDER: [(&str, Rung); 4] = [
    ("ladder: bare + licensd middleware", Rung::Middleware),
    ("ladder: bare + licensd accept loop", Rung::AcceptLoop),
    ("ladder: bare + accept loop + middleware", Rung::Both),
    ("ladder: licensd's whole router, in the bench process", Rung::Router),
];

const FORM: &str = "Content-Type: application/x-www-form-urlencoded";
const JSON: &str = "Content-Type: application/json";

pub fn all(f: &Fixture, dir: &Path) -> anyhow::Result<Vec<Plan>> {
    let client = |fields: String| {
        ("POST", "/api/1.3/".to_owned(), FORM.to_owned(), format!("{fields}&name={}&ownerid={}", f.app_name, f.ownerid))
    };
    let bearer = format!("{JSON}|Authorization: Bearer {}", f.store_token);
    let pick = |v: &[String], i: usize| v[i % v.len().max(1)].clone();
    let mut plans = Vec::new();
    let mut add_with = |name: &'static str,
                        sequential: bool,
                        (status, marker): (u16, &'static str),
                        reqs: Vec<(&str, String, String, String)>|
     -> anyhow::Result<()> {
        let requests = reqs.len();
        let file = dir.join(format!("{}.requests", name.replace([' ', '/'], "_")));
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
        for (method, path, headers, body) in reqs {
            writeln!(w, "{method}\t{path}\t{headers}\t{body}")?;
        }
        w.flush()?;
        plans.push(Plan { name, file, sequential, marker, status, bare: None, requests });
        Ok(())
    };
    let mut add = |name, sequential, marker, reqs| add_with(name, sequential, (200, marker), reqs);

    add("ceiling: GET /healthz", false, "ok", vec![("GET", "/healthz".into(), String::new(), String::new())])?;
    add(BARE, false, "ok", vec![("GET", "/healthz".into(), String::new(), String::new())])?;
    for (name, _) in LADDER {
        add(name, false, "ok", vec![("GET", "/healthz".into(), String::new(), String::new())])?;
    }
    add("client init", false, "\"success\":true", vec![client("type=init&ver=1.0".into())])?;
    let n = READ_REQUESTS.min(f.redeemed.len());
    add(
        "client license (existing user)",
        false,
        "\"success\":true",
        (0..n)
            .map(|i| {
                let key = &f.redeemed[i];
                client(format!("type=license&key={key}&hwid=hwid-{key}&sessionid={}", pick(&f.fresh_sessions, i)))
            })
            .collect(),
    )?;
    add(
        "client login (password, Argon2id)",
        false,
        "\"success\":true",
        (0..READ_REQUESTS.min(f.with_password))
            .map(|i| {
                let user = &f.redeemed[i];
                client(format!(
                    "type=login&username={user}&pass={}&hwid=hwid-{user}&sessionid={}",
                    crate::seed::PASSWORD,
                    pick(&f.fresh_sessions, i)
                ))
            })
            .collect(),
    )?;
    let new_keys = &f.unused[..f.unused.len() / 2];
    add(
        "client license (new user, write)",
        true,
        "\"success\":true",
        new_keys
            .iter()
            .take(WRITE_REQUESTS)
            .enumerate()
            .map(|(i, key)| {
                client(format!("type=license&key={key}&hwid=hwid-{key}&sessionid={}", pick(&f.fresh_sessions, i)))
            })
            .collect(),
    )?;
    add(
        "client check",
        false,
        "\"success\":true",
        f.validated_sessions.iter().map(|s| client(format!("type=check&sessionid={s}"))).collect(),
    )?;
    add(
        "client var",
        false,
        "\"success\":true",
        f.validated_sessions.iter().map(|s| client(format!("type=var&varid=motd&sessionid={s}"))).collect(),
    )?;
    add(
        "licenses validate",
        false,
        "\"valid\":true",
        f.instances
            .iter()
            .take(READ_REQUESTS)
            .map(|(k, id)| {
                (
                    "POST",
                    "/api/v2/licenses/validate".into(),
                    bearer.clone(),
                    format!("{{\"license_key\":\"{k}\",\"instance_id\":\"{id}\"}}"),
                )
            })
            .collect(),
    )?;
    let activate_keys = &f.unused[f.unused.len() / 2..];
    add(
        "licenses activate (write)",
        true,
        "\"license_key_id\"",
        activate_keys
            .iter()
            .take(WRITE_REQUESTS)
            .map(|k| {
                (
                    "POST",
                    "/api/v2/licenses/activate".into(),
                    bearer.clone(),
                    format!("{{\"license_key\":\"{k}\",\"instance_name\":\"bench\"}}"),
                )
            })
            .collect(),
    )?;
    let (info_keys, assign_keys) = f.stock.split_at(f.stock.len() / 2);
    add(
        "reseller licenseinfo",
        false,
        "\"ok\":true",
        info_keys
            .iter()
            .take(READ_REQUESTS)
            .map(|k| {
                (
                    "GET",
                    format!("/reseller/licenseinfo?api_token={}&license={k}", f.reseller_token),
                    String::new(),
                    String::new(),
                )
            })
            .collect(),
    )?;
    add(
        "reseller assignlicense (write)",
        true,
        "\"ok\":true",
        assign_keys
            .iter()
            .take(WRITE_REQUESTS)
            .map(|k| {
                let body = format!(
                    "{{\"api_token\":\"{}\",\"license\":\"{k}\",\"discord_user_id\":\"123456789012345678\"}}",
                    f.reseller_token
                );
                ("POST", "/reseller/assignlicense".into(), JSON.to_owned(), body)
            })
            .collect(),
    )?;
    hostile(&mut add_with, f)?;
    for plan in &mut plans {
        plan.bare = match LADDER.iter().find(|(name, _)| *name == plan.name) {
            Some((_, rung)) => Some(*rung),
            None => (plan.name == BARE).then_some(Rung::Axum),
        };
    }
    Ok(plans)
}

/// The hostile many-field body (1 MiB of distinct names, before any authentication where the
/// protocol allows): its refusal must cost about what parsing 1 MiB once does, on each surface.
fn hostile(
    add: &mut impl FnMut(&'static str, bool, (u16, &'static str), Vec<(&str, String, String, String)>) -> anyhow::Result<()>,
    f: &Fixture,
) -> anyhow::Result<()> {
    let form = many_names(|i| format!("f{i:x}=v&"));
    let json = format!("{{{}\"end\":0}}", many_names(|i| format!("\"f{i:x}\":1,")));
    let client_form = format!("{form}name={}&ownerid={}", f.app_name, f.ownerid);
    let bearer = format!("{JSON}|Authorization: Bearer {}", f.store_token);
    add(
        "hostile: client, 1 MiB of form names",
        false,
        (200, "\"success\":false"),
        vec![("POST", "/api/1.3/".into(), FORM.to_owned(), client_form)],
    )?;
    add(
        "hostile: reseller, 1 MiB of form names, no token",
        false,
        (401, "\"ok\":false"),
        vec![("POST", "/reseller/myavailable".into(), FORM.to_owned(), form)],
    )?;
    add(
        "hostile: licenses, 1 MiB of JSON names",
        false,
        (422, "license_key"),
        vec![("POST", "/api/v2/licenses/validate".into(), bearer, json)],
    )
}

/// `pair(0)`, `pair(1)`, ... up to just under the default `max_body_bytes` (1 MiB), leaving room
/// for the fields that follow.
fn many_names(pair: impl Fn(usize) -> String) -> String {
    let mut body = String::new();
    for i in 0.. {
        let next = pair(i);
        if body.len() + next.len() > 1024 * 1024 - 256 {
            break;
        }
        body.push_str(&next);
    }
    body
}
