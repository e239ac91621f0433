//! The page shell and the pieces every page uses: navigation, messages after a redirect,
//! forms that carry the CSRF token, pagination. No inline script or style anywhere: the
//! Content-Security-Policy would refuse both.

use super::{
    assets,
    session::{Csrf, Panel},
};
use crate::domain::time::iso_micros;
use crate::manage::PageMeta;
use crate::store::reseller_stock::PlanStock;
use maud::{DOCTYPE, Markup, html};

const NAV: [(&str, &str); 17] = [
    ("/panel/", "Overview"),
    ("/panel/apps", "Apps"),
    ("/panel/plans", "Plans"),
    ("/panel/licenses", "Licenses"),
    ("/panel/users", "Users"),
    ("/panel/sessions", "Sessions"),
    ("/panel/resellers", "Resellers"),
    ("/panel/variables", "Variables"),
    ("/panel/files", "Files"),
    ("/panel/chat", "Chat"),
    ("/panel/blacklist", "Blacklist"),
    ("/panel/logs", "Client logs"),
    ("/panel/webhooks", "Webhooks"),
    ("/panel/tokens", "API tokens"),
    ("/panel/team", "Team"),
    ("/panel/audit", "Audit log"),
    ("/panel/account", "Your account"),
];

fn head(title: &str) -> Markup {
    html! {
        (DOCTYPE)
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="color-scheme" content="light dark";
            title { (title) " · licensd" }
            link rel="stylesheet" href=(assets::css_url());
        }
    }
}

/// What frames a face's signed-in pages: its navigation, its sign-out action, who is signed in.
pub struct Chrome<'a> {
    pub nav: &'a [(&'a str, &'a str)],
    pub sign_out: &'a str,
    pub who: String,
}

/// A signed-in panel page: navigation (with `current` marked), the account, a message, the content.
pub fn page(panel: &Panel, current: &str, title: &str, notice: Option<&str>, content: Markup) -> Markup {
    let chrome = Chrome {
        nav: &NAV,
        sign_out: "/panel/signout",
        who: format!("{} ({})", panel.account.email, panel.role.as_str()),
    };
    shell(&chrome, panel, current, title, notice, content)
}

/// A signed-in page of any face.
pub fn shell(
    chrome: &Chrome<'_>,
    session: &impl Csrf,
    current: &str,
    title: &str,
    notice: Option<&str>,
    content: Markup,
) -> Markup {
    html! {
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    span.brand { "licensd" }
                    nav aria-label="Main" {
                        ul {
                            @for (href, label) in chrome.nav {
                                li { a href=(href) aria-current=[(*href == current).then_some("page")] { (label) } }
                            }
                        }
                    }
                    form.signout method="post" action=(chrome.sign_out) {
                        (csrf(session))
                        span.who { (chrome.who) }
                        button type="submit" { "Sign out" }
                    }
                }
                main #main {
                    h1 { (title) }
                    @if let Some(n) = notice { p.notice role="status" { (n) } }
                    (content)
                }
            }
        }
    }
}

/// A page without navigation: errors, with a link to the face's start page `home`.
pub fn message_page(title: &str, message: &str, home: &str) -> Markup {
    html! {
        html lang="en" {
            (head(title))
            body {
                main #main.narrow {
                    h1 { (title) }
                    p.error role="alert" { (message) }
                    p { a href=(home) { "Back to the start page" } }
                }
            }
        }
    }
}

/// The seller panel's sign-in form (email, password, TOTP code).
pub fn sign_in_page(token: &str, error: Option<&str>) -> Markup {
    let code = html! {
        label for="code" { "Authenticator code (if enrolled)" }
        input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6";
    };
    sign_in_form("Sign in to licensd", "/panel/signin", token, error, code)
}

/// A sign-in page posting email, password and `extra` fields to `action`, with the
/// double-submit `token`.
pub fn sign_in_form(heading: &str, action: &str, token: &str, error: Option<&str>, extra: Markup) -> Markup {
    let fields = html! {
        label for="email" { "Email" }
        input #email type="email" name="email" autocomplete="username" required autofocus;
        label for="password" { "Password" }
        input #password type="password" name="password" autocomplete="current-password" required;
        (extra)
    };
    sign_in_shell(heading, error, sign_in_fields(action, token, fields, "Sign in"))
}

/// A sign-in page: its heading, the last attempt's error, and its `forms` (`sign_in_fields`).
pub fn sign_in_shell(heading: &str, error: Option<&str>, forms: Markup) -> Markup {
    html! {
        html lang="en" {
            (head("Sign in"))
            body {
                main #main.narrow {
                    h1 { (heading) }
                    @if let Some(e) = error { p.error role="alert" { (e) } }
                    (forms)
                }
            }
        }
    }
}

/// One sign-in form posting `fields` to `action`, with the double-submit `token`.
pub fn sign_in_fields(action: &str, token: &str, fields: Markup, submit: &str) -> Markup {
    html! {
        form.stack method="post" action=(action) {
            input type="hidden" name="csrf" value=(token);
            (fields)
            button type="submit" { (submit) }
        }
    }
}

/// The hidden field every form of a session carries.
pub fn csrf(session: &impl Csrf) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf()); }
}

/// A one-button form posting to `action` (with extra hidden fields).
pub fn button(session: &impl Csrf, action: &str, label: &str, hidden: &[(&str, &str)]) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(session))
            @for (name, value) in hidden { input type="hidden" name=(name) value=(value); }
            button type="submit" { (label) }
        }
    }
}

/// A reseller's stock per plan (the reseller dashboard's and the panel's reseller page), with
/// `empty` when there is none.
pub fn stock_table(plans: &[PlanStock], empty: &str) -> Markup {
    html! {
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "App" } th scope="col" { "Plan" } th scope="col" { "Available" }
                    th scope="col" { "Assigned" } th scope="col" { "In stock" }
                } }
                tbody {
                    @for p in plans {
                        tr { td { (p.app) } td { (p.plan) } td { (p.available) } td { (p.assigned) } td { (p.total) } }
                    }
                    @if plans.is_empty() { tr { td colspan="5" { (empty) } } }
                }
            }
        }
    }
}

/// The page body that asks before a destructive action: `question`, a button posting to
/// `action`, and a way `back` that changes nothing.
pub fn confirmation(session: &impl Csrf, question: Markup, action: &str, yes: &str, back: &str) -> Markup {
    html! {
        p { (question) }
        (button(session, action, yes, &[]))
        " " a href=(back) { "No, keep it" }
    }
}

/// "Page 2 of 7" with previous/next links that keep the list's other query parameters.
pub fn pager(base: &str, query: &[(&str, String)], meta: &PageMeta) -> Markup {
    let pages = ((meta.total + meta.limit - 1) / meta.limit).max(1);
    let link = |page: i64| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in query.iter().filter(|(_, v)| !v.is_empty()) {
            q.append_pair(k, v);
        }
        q.append_pair("page", &page.to_string());
        format!("{base}?{}", q.finish())
    };
    html! {
        nav.pager aria-label="Pages" {
            @if meta.page > 1 { a href=(link(meta.page - 1)) rel="prev" { "← Previous" } }
            span { "Page " (meta.page) " of " (pages) " (" (meta.total) " in all)" }
            @if meta.page < pages { a href=(link(meta.page + 1)) rel="next" { "Next →" } }
        }
    }
}

/// A time for people: `2026-01-31 12:00`, or a dash.
pub fn when(ms: Option<i64>) -> String {
    ms.map(|t| iso_micros(t)[..16].replace('T', " ")).unwrap_or_else(|| "–".into())
}

/// The message a redirect after a change asks for (`?done=...`); only known ones are shown,
/// so a link cannot make the panel say anything else.
pub fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "banned" => "Banned.",
        "unbanned" => "Unbanned.",
        "deleted" => "Deleted.",
        "hwid_reset" => "The HWIDs were reset.",
        "password" => "Your password was changed; your other sessions were signed out.",
        "extended" => "The subscriptions were extended.",
        "license_extended" => "Extended: the license and what it granted run longer.",
        "saved" => "Saved.",
        "revoked" => "Revoked.",
        "totp" => "From now on the sign-in asks for your authenticator app's code.",
        "totp_off" => "The sign-in no longer asks for an authenticator code.",
        "ended" => "Ended: those clients must sign in again.",
        "removed" => "Removed: the account's sessions ended with it.",
        "redelivered" => "Sent again: it goes out with the next round of deliveries.",
        _ => return None,
    })
}
