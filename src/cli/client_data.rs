//! `licensd client --seller S --app A ...`: the client API's data of one app (variables, user
//! variables, webhooks, files, chat, blacklist, client tokens, sessions, logs) through the same `manage`
//! operations as the admin API.

use super::output::{Output, Wire};
use crate::domain::ids::UserId;
use crate::{
    config::Config,
    domain::time::{iso_micros, now_ms, parse_duration_secs},
    manage::{
        ManageError, Scope,
        client_content::{self as content, NewWebhook, Upload},
        client_data::{self as data, ClientApp},
        client_tokens as tokens, sellers,
    },
    server::build_state,
    store::{Page, Store},
};
use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ClientCommand {
    /// Seller id, name or ownerid.
    #[arg(long)]
    seller: String,
    /// App id or name.
    #[arg(long)]
    app: String,
    #[command(subcommand)]
    what: ClientData,
}

#[derive(Debug, Subcommand)]
enum ClientData {
    /// App variables, read by clients with `var`.
    #[command(subcommand)]
    Var(VarCommand),
    /// A user's variables (`getvar` / `setvar`).
    #[command(subcommand)]
    UserVar(UserVarCommand),
    /// Webhooks: URLs the server calls for clients (`webhook`).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Files clients download (`file`).
    #[command(subcommand)]
    File(FileCommand),
    /// Chat channels, messages and mutes.
    #[command(subcommand)]
    Chat(ChatCommand),
    /// HWIDs and IPs the client API refuses.
    #[command(subcommand)]
    Blacklist(BlacklistCommand),
    /// Client tokens of the token system (`licensd app set --token-system true`).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Live client sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Client logs (`log`), newest first.
    Logs {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
}

#[derive(Debug, Subcommand)]
enum VarCommand {
    /// Create or replace a variable; it needs a validated session unless `--public`.
    Set {
        name: String,
        value: String,
        #[arg(long)]
        public: bool,
    },
    List,
    Delete {
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserVarCommand {
    /// Create or replace a variable of a user (id or username); `--readonly` refuses `setvar`.
    Set {
        user: String,
        name: String,
        value: String,
        #[arg(long)]
        readonly: bool,
    },
    List {
        user: String,
    },
    Delete {
        user: String,
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Add a webhook target (http or https); it needs a validated session unless `--public`.
    Create {
        webid: String,
        url: String,
        #[arg(long)]
        user_agent: Option<String>,
        #[arg(long)]
        public: bool,
    },
    List,
    Delete {
        webid: String,
    },
}

#[derive(Debug, Subcommand)]
enum FileCommand {
    /// Upload a local file (at most `max_file_bytes`); it needs a validated session unless `--public`.
    Upload {
        fileid: String,
        path: PathBuf,
        /// Name shown to the seller [default: the file's name].
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        public: bool,
    },
    List,
    Delete {
        fileid: String,
    },
}

#[derive(Debug, Subcommand)]
enum ChatCommand {
    /// Create a channel; `--delay` seconds between one user's messages.
    Create {
        name: String,
        #[arg(long, default_value_t = 0)]
        delay: i64,
    },
    List,
    Delete {
        name: String,
    },
    /// A channel's messages, newest first.
    Messages {
        channel: String,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    DeleteMessage {
        id: i64,
    },
    /// Mute a username in every channel for a duration such as 30m, 12h, 7d.
    Mute {
        username: String,
        duration: String,
    },
    Unmute {
        username: String,
    },
    Mutes,
}

#[derive(Debug, Subcommand)]
enum BlacklistCommand {
    Add {
        #[arg(value_parser = ["hwid", "ip"])]
        kind: String,
        value: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    List,
    Remove {
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Make a token; its text is printed this once.
    Create {
        /// What `--assigned` names.
        #[arg(long, value_parser = ["license", "user", "other"], default_value = "other")]
        kind: String,
        /// The key, username or label the token is for.
        #[arg(long, default_value = "")]
        assigned: String,
    },
    List,
    /// Refuse `init` with this token.
    Ban {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
    Unban {
        id: i64,
    },
    /// Forget the locked file hash; the next `init` locks a new one.
    ResetHash {
        id: i64,
    },
    Delete {
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum SessionCommand {
    List,
    /// End one session.
    Kill {
        id: String,
    },
    /// End every session of a user (id or username).
    KillUser {
        user: String,
    },
}

/// Every row of a short listing.
fn all() -> Page {
    Page::new(Page::MAX_LIMIT, 1)
}

fn flag(v: bool) -> String {
    if v { "yes".into() } else { String::new() }
}

pub async fn run(cmd: ClientCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let max_file_bytes = config.max_file_bytes;
    let state = build_state(config).await?;
    let store = &state.store;
    let seller = sellers::resolve(store, &cmd.seller).await?;
    let app = store.app_by_ref(seller.id, &cmd.app).await.map_err(ManageError::from_store("app", "name"))?;
    let at = data::client_app(store, &Scope::cli().tenant(Some(seller.id))?, app.id).await?;
    match cmd.what {
        ClientData::Var(c) => vars(store, &at, c, out).await,
        ClientData::UserVar(c) => user_vars(store, &at, c, out).await,
        ClientData::Webhook(c) => webhooks(store, &at, c, out).await,
        ClientData::File(c) => files(store, &at, c, max_file_bytes, out).await,
        ClientData::Chat(c) => chat(store, &at, c, out).await,
        ClientData::Blacklist(c) => blacklist(store, &at, c, out).await,
        ClientData::Token(c) => client_tokens(store, &at, c, out).await,
        ClientData::Session(c) => sessions(store, &at, c, out).await,
        ClientData::Logs { limit, page } => {
            let logs = data::list_logs(store, &at, data::page(Some(limit), Some(page))?).await?;
            out.table(&logs, &["time", "username", "pcuser", "message"], |l| {
                vec![
                    iso_micros(l.created_at.get()),
                    l.username.clone().unwrap_or_default(),
                    l.pcuser.clone().unwrap_or_default(),
                    l.message.clone(),
                ]
            });
            Ok(())
        }
    }
}

fn done(out: &Output, what: &str) {
    out.value(&json!({ "done": what }), || println!("{what}"));
}

async fn vars(store: &Store, at: &ClientApp, cmd: VarCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        VarCommand::Set { name, value, public } => {
            let v = data::set_app_var(store, at, &name, &value, !public).await?;
            out.value(&v.wire(), || println!("set {}", v.name));
        }
        VarCommand::List => {
            let list = data::list_app_vars(store, at, all()).await?;
            out.table(&list, &["name", "value", "authed"], |v| vec![v.name.clone(), v.value.clone(), flag(v.authed)]);
        }
        VarCommand::Delete { name } => {
            data::delete_app_var(store, at, &name).await?;
            done(out, &format!("deleted {name}"));
        }
    }
    Ok(())
}

async fn user_id(store: &Store, at: &ClientApp, user: &str) -> anyhow::Result<UserId> {
    Ok(store.user_by_ref(at.id(), user).await.map_err(ManageError::from_store("user", "username"))?.id)
}

async fn user_vars(store: &Store, at: &ClientApp, cmd: UserVarCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        UserVarCommand::Set { user, name, value, readonly } => {
            let id = user_id(store, at, &user).await?;
            let v = data::set_user_var(store, at, id, &name, &value, readonly).await?;
            out.value(&v.wire(), || println!("set {} of {user}", v.name));
        }
        UserVarCommand::List { user } => {
            let id = user_id(store, at, &user).await?;
            let list = data::list_user_vars(store, at, id, all()).await?;
            out.table(&list, &["name", "value", "readonly"], |v| {
                vec![v.name.clone(), v.value.clone(), flag(v.readonly)]
            });
        }
        UserVarCommand::Delete { user, name } => {
            let id = user_id(store, at, &user).await?;
            data::delete_user_var(store, at, id, &name).await?;
            done(out, &format!("deleted {name} of {user}"));
        }
    }
    Ok(())
}

async fn webhooks(store: &Store, at: &ClientApp, cmd: WebhookCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        WebhookCommand::Create { webid, url, user_agent, public } => {
            let new = NewWebhook { webid: &webid, url: &url, user_agent: user_agent.as_deref(), authed: !public };
            let h = content::create_webhook(store, at, new).await?;
            out.value(&h.wire(), || println!("created webhook {}", h.webid));
        }
        WebhookCommand::List => {
            let list = content::list_webhooks(store, at, all()).await?;
            out.table(&list, &["webid", "url", "user agent", "authed"], |h| {
                vec![h.webid.clone(), h.url.clone(), h.user_agent.clone(), flag(h.authed)]
            });
        }
        WebhookCommand::Delete { webid } => {
            content::delete_webhook(store, at, &webid).await?;
            done(out, &format!("deleted webhook {webid}"));
        }
    }
    Ok(())
}

async fn files(store: &Store, at: &ClientApp, cmd: FileCommand, max: usize, out: &Output) -> anyhow::Result<()> {
    match cmd {
        FileCommand::Upload { fileid, path, name, public } => {
            let size =
                tokio::fs::metadata(&path).await.with_context(|| format!("cannot read {}", path.display()))?.len();
            if size > max as u64 {
                anyhow::bail!("{} is {size} bytes; files are limited to {max} bytes (max_file_bytes)", path.display());
            }
            let bytes = tokio::fs::read(&path).await.with_context(|| format!("cannot read {}", path.display()))?;
            let default_name =
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| fileid.clone());
            let up = Upload {
                fileid: &fileid,
                name: name.as_deref().unwrap_or(&default_name),
                data: &bytes,
                authed: !public,
            };
            let f = content::put_file(store, at, up, max).await?;
            out.value(&f.wire(), || println!("uploaded {} ({} bytes)", f.fileid, f.size));
        }
        FileCommand::List => {
            let list = content::list_files(store, at, all()).await?;
            out.table(&list, &["fileid", "name", "bytes", "authed", "uploaded"], |f| {
                vec![
                    f.fileid.clone(),
                    f.name.clone(),
                    f.size.to_string(),
                    flag(f.authed),
                    iso_micros(f.created_at.get()),
                ]
            });
        }
        FileCommand::Delete { fileid } => {
            content::delete_file(store, at, &fileid).await?;
            done(out, &format!("deleted file {fileid}"));
        }
    }
    Ok(())
}

async fn chat(store: &Store, at: &ClientApp, cmd: ChatCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        ChatCommand::Create { name, delay } => {
            let c = content::create_channel(store, at, &name, delay).await?;
            out.value(&c.wire(), || println!("created channel {} (delay {}s)", c.name, c.delay_secs));
        }
        ChatCommand::List => {
            let list = content::list_channels(store, at, all()).await?;
            out.table(&list, &["name", "delay (s)"], |c| vec![c.name.clone(), c.delay_secs.to_string()]);
        }
        ChatCommand::Delete { name } => {
            content::delete_channel(store, at, &name).await?;
            done(out, &format!("deleted channel {name}"));
        }
        ChatCommand::Messages { channel, limit } => {
            let list = content::list_messages(store, at, &channel, data::page(Some(limit), None)?).await?;
            out.table(&list, &["id", "time", "author", "message"], |m| {
                vec![m.id.to_string(), iso_micros(m.created_at.get()), m.author.clone(), m.message.clone()]
            });
        }
        ChatCommand::DeleteMessage { id } => {
            content::delete_message(store, at, id).await?;
            done(out, &format!("deleted message {id}"));
        }
        ChatCommand::Mute { username, duration } => {
            let secs = parse_duration_secs(&duration)
                .with_context(|| format!("{duration:?} is not a duration like 30m, 12h, 7d"))?;
            let m = content::mute(store, at, &username, now_ms().saturating_add(secs.saturating_mul(1000))).await?;
            out.value(&m.wire(), || println!("muted {} until {}", m.username, iso_micros(m.until.get())));
        }
        ChatCommand::Unmute { username } => {
            content::unmute(store, at, &username).await?;
            done(out, &format!("unmuted {username}"));
        }
        ChatCommand::Mutes => {
            let list = content::list_mutes(store, at, all()).await?;
            out.table(&list, &["username", "until"], |m| vec![m.username.clone(), iso_micros(m.until.get())]);
        }
    }
    Ok(())
}

async fn blacklist(store: &Store, at: &ClientApp, cmd: BlacklistCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        BlacklistCommand::Add { kind, value, reason } => {
            let e = data::add_blacklist(store, at, &kind, &value, &reason).await?;
            out.value(&e.wire(), || println!("blacklisted {} {} (id {})", e.kind, e.value, e.id));
        }
        BlacklistCommand::List => {
            let list = data::list_blacklist(store, at, all()).await?;
            out.table(&list, &["id", "kind", "value", "reason", "added"], |e| {
                vec![
                    e.id.to_string(),
                    e.kind.clone(),
                    e.value.clone(),
                    e.reason.clone(),
                    iso_micros(e.created_at.get()),
                ]
            });
        }
        BlacklistCommand::Remove { id } => {
            data::remove_blacklist(store, at, id).await?;
            done(out, &format!("removed blacklist entry {id}"));
        }
    }
    Ok(())
}

async fn client_tokens(store: &Store, at: &ClientApp, cmd: TokenCommand, out: &Output) -> anyhow::Result<()> {
    let changed = match cmd {
        TokenCommand::Create { kind, assigned } => {
            let made = tokens::create(store, at, Some(&kind), &assigned).await?;
            out.value(&made.wire(), || println!("{} (id {})", made.token, made.row.id));
            return Ok(());
        }
        TokenCommand::List => {
            let list = tokens::list(store, at, all()).await?;
            out.table(&list, &["id", "ends", "kind", "assigned", "file hash", "banned", "first used"], |t| {
                vec![
                    t.id.to_string(),
                    format!("…{}", t.hint),
                    t.kind.clone(),
                    t.assigned.clone(),
                    t.file_hash.clone().unwrap_or_default(),
                    if t.banned { t.reason.clone() } else { String::new() },
                    t.used_at.map(|u| iso_micros(u.get())).unwrap_or_default(),
                ]
            });
            return Ok(());
        }
        TokenCommand::Ban { id, reason } => (tokens::ban(store, at, id, reason.as_deref()).await?, "banned"),
        TokenCommand::Unban { id } => (tokens::unban(store, at, id).await?, "unbanned"),
        TokenCommand::ResetHash { id } => (tokens::reset_hash(store, at, id).await?, "reset the file hash of"),
        TokenCommand::Delete { id } => {
            tokens::delete(store, at, id).await?;
            done(out, &format!("deleted client token {id}"));
            return Ok(());
        }
    };
    let (row, what) = changed;
    out.value(&row.wire(), || println!("{what} client token {}", row.id));
    Ok(())
}

async fn sessions(store: &Store, at: &ClientApp, cmd: SessionCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        SessionCommand::List => {
            let list = data::list_sessions(store, at, all()).await?;
            out.table(&list, &["id", "user", "ip", "created", "expires"], |s| {
                vec![
                    s.id.clone(),
                    s.username.clone().unwrap_or_default(),
                    s.ip.clone(),
                    iso_micros(s.created_at.get()),
                    iso_micros(s.expires_at.get()),
                ]
            });
        }
        SessionCommand::Kill { id } => {
            data::end_session(store, at, &id).await?;
            done(out, "session ended");
        }
        SessionCommand::KillUser { user } => {
            let id = user_id(store, at, &user).await?;
            let n = data::end_user_sessions(store, at, id).await?;
            out.value(&json!({ "ended": n }), || println!("ended {n} session(s) of {user}"));
        }
    }
    Ok(())
}
