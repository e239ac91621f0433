//! Seeding: one seller with one app and plan, a store token, a reseller with an API key, and the
//! requested numbers of licenses, redeemed users, instances and sessions, all by bulk inserts.

use crate::Args;
use licensd::domain::ids::{AppId, PlanId};
use licensd::domain::keymask::{KeyCase, KeyMask};
use licensd::domain::time::now_ms;
use licensd::store::{DatabaseTarget, OpenOptions, Store, licenses::NewLicenses, tokens::TokenKind};
use std::path::Path;
use std::time::Instant;

/// What the scenarios need to build their requests.
pub struct Fixture {
    pub ownerid: String,
    pub app_id: AppId,
    pub plan_id: PlanId,
    /// A seller admin token, for the admin API's bulk generation.
    pub admin_token: String,
    pub app_name: String,
    pub store_token: String,
    pub reseller_token: String,
    /// Keys already redeemed by a key-only user (username = key).
    pub redeemed: Vec<String>,
    /// The first of those users also have the password `PASSWORD`.
    pub with_password: usize,
    /// (key, instance id) pairs.
    pub instances: Vec<(String, String)>,
    /// Unassigned keys in the reseller's stock.
    pub stock: Vec<String>,
    /// Keys nobody has used yet.
    pub unused: Vec<String>,
    /// Sessions validated for the first redeemed user, and fresh (unvalidated) ones.
    pub validated_sessions: Vec<String>,
    pub fresh_sessions: Vec<String>,
    pub keys_per_sec: f64,
}

const CHUNK: usize = 50_000;
const SESSIONS: usize = 2_000;
/// Users who can log in with a password (each login costs one Argon2id verification).
const PASSWORD_USERS: usize = 2_000;
pub const PASSWORD: &str = "bench-password";

pub async fn seed(database_url: &str, work: &Path, args: &Args) -> anyhow::Result<Fixture> {
    let target = DatabaseTarget::parse(Some(database_url), work)?;
    let store =
        Store::open(&target, &OpenOptions { create: true, max_connections: 4, ..OpenOptions::default() }).await?;
    // The signing key first, as `serve` makes it on a new database: a database with sellers but
    // no recorded key is one whose key file went missing, and the server would refuse to start.
    let config = licensd::config::Config { data_dir: work.to_path_buf(), create: true, ..Default::default() };
    licensd::identity::signer(&config, &store).await?;
    let seller = store.create_seller("bench", "").await?;
    let app = store.create_app(seller.id, "bench-app").await?;
    let plan = store.create_plan(app.id, "monthly", 1, Some(30 * 86_400)).await?;
    let store_token = store.create_token(TokenKind::Store, Some(seller.id), "bench").await?.1;
    let admin_token = store.create_token(TokenKind::Seller, Some(seller.id), "bench").await?.1;
    // An app variable for the client API's `var` (authed: read with a validated session).
    store.set_app_var(app.id, "motd", "hello from licensd", true).await?;
    let reseller = store.create_reseller(seller.id, "bench-reseller", "", 1_000_000_000).await?;
    let reseller_token = store.create_reseller_key(reseller.id, "bench").await?.1;

    let (redeemed_n, instances_n) = (args.users.min(args.licenses), args.instances);
    // The reseller's stock takes at most half of what is left, so the other half stays unused
    // for the write scenarios (`license` of a new user, `activate`) at every size.
    let stock_n = 200_000.min(args.licenses.saturating_sub(redeemed_n + instances_n) / 2);
    let spec = NewLicenses {
        seller_id: seller.id,
        app_id: app.id,
        plan_id: plan.id,
        duration_secs: plan.duration_secs,
        expires_at: None,
        max_activations: None,
        note: String::new(),
        reseller_id: None,
        order_id: None,
        customer_id: None,
    };
    let mask = KeyMask::parse(&app.key_mask, KeyCase::Upper)?;
    let started = Instant::now();
    let plain = args.licenses - stock_n;
    generate(&store, &spec, &mask, redeemed_n + instances_n).await?;
    generate(&store, &NewLicenses { reseller_id: Some(reseller.id), ..spec.clone() }, &mask, stock_n).await?;
    generate(&store, &spec, &mask, plain - redeemed_n - instances_n).await?;
    let keys_per_sec = args.licenses as f64 / started.elapsed().as_secs_f64();
    eprintln!("seeded {} licenses at {keys_per_sec:.0} keys/s", args.licenses);

    let all = store.license_keys_page(app.id, 0, args.licenses as i64).await?;
    let (head, rest) = all.split_at(redeemed_n);
    let (inst, rest) = rest.split_at(instances_n.min(rest.len()));
    let (stock, unused) = rest.split_at(stock_n.min(rest.len()));
    let now = now_ms();
    if let (Some(first), Some(last)) = (head.first(), head.last()) {
        store.bulk_redeem_range(app.id, first.0, last.0, now).await?;
    }
    let with_password = PASSWORD_USERS.min(head.len());
    if with_password > 0 {
        let phc =
            licensd::services::password::Passwords::new(1).hash(PASSWORD).await.map_err(|e| anyhow::anyhow!(e.0))?;
        store.bulk_set_passwords(app.id, head[0].0, head[with_password - 1].0, &phc).await?;
    }
    let inst_ids: Vec<i64> = inst.iter().map(|(id, _)| *id).collect();
    let instance_ids = store.bulk_instances(seller.id, &inst_ids, "bench", now).await?;
    let first_user = store.user_by_ref(app.id, &head.first().map(|h| h.1.clone()).unwrap_or_default()).await.ok();
    let day = now + 86_400_000;
    let validated_sessions = match first_user {
        Some(u) => store.bulk_sessions(app.id, Some(u.id), SESSIONS, now, day).await?,
        None => Vec::new(),
    };
    let fresh_sessions = store.bulk_sessions(app.id, None, SESSIONS, now, day).await?;
    eprintln!("seeded {} users, {} instances, {} sessions", head.len(), instance_ids.len(), 2 * SESSIONS);
    store.close().await;

    let keys = |s: &[(i64, String)]| s.iter().map(|(_, k)| k.clone()).collect::<Vec<_>>();
    Ok(Fixture {
        ownerid: seller.ownerid,
        app_id: app.id,
        plan_id: plan.id,
        admin_token,
        app_name: app.name,
        store_token,
        reseller_token,
        redeemed: keys(head),
        with_password,
        instances: inst.iter().map(|(_, k)| k.clone()).zip(instance_ids).collect(),
        stock: keys(stock),
        unused: keys(unused),
        validated_sessions,
        fresh_sessions,
        keys_per_sec,
    })
}

async fn generate(store: &Store, spec: &NewLicenses, mask: &KeyMask, count: usize) -> anyhow::Result<()> {
    let mut left = count;
    while left > 0 {
        let n = left.min(CHUNK);
        let inserted = store.insert_licenses(spec, &mask.generate_many("", n)).await?;
        left -= inserted.len();
    }
    Ok(())
}
