//! Opens a session, signs in with a license key and checks the session.
//!
//!     cargo run -p licensd-client --example sign_in_and_check -- URL OWNERID APP KEY [PUBLIC_KEY]
//!
//! Each argument can also come from the environment: LICENSD_URL, LICENSD_OWNERID, LICENSD_APP,
//! LICENSD_KEY and LICENSD_PUBLIC_KEY (the server's Ed25519 key in hex; without it the key the
//! first `init` names is trusted, which only a demo should do). LICENSD_VERSION is the version the
//! program reports (default 1.0; it must be the app's current one).

use licensd_client::LibreAuth;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut arg = |env: &str| args.next().or_else(|| std::env::var(env).ok()).filter(|v| !v.is_empty());
    let (Some(url), Some(ownerid), Some(name), Some(key)) =
        (arg("LICENSD_URL"), arg("LICENSD_OWNERID"), arg("LICENSD_APP"), arg("LICENSD_KEY"))
    else {
        eprintln!("usage: sign_in_and_check URL OWNERID APP KEY [PUBLIC_KEY] (or LICENSD_URL, ... in the environment)");
        return ExitCode::from(2);
    };
    match run(&url, &ownerid, &name, &key, arg("LICENSD_PUBLIC_KEY")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(url: &str, ownerid: &str, name: &str, key: &str, public_key: Option<String>) -> licensd_client::Result<()> {
    let version = std::env::var("LICENSD_VERSION").unwrap_or_else(|_| "1.0".into());
    let app = LibreAuth::new(name, ownerid, &version, url);
    let mut app = match public_key {
        Some(k) => app.with_public_key(&k)?,
        None => app.trust_on_first_use(),
    };
    let init = app.init()?;
    println!("initialized {name} (version {}), server key {}", init.app.version, app.public_key().unwrap_or_default());
    let user = app.license(key, None)?;
    for s in &user.subscriptions {
        println!("signed in as {}: {} (level {}), {} s left", user.username, s.subscription, s.level, s.timeleft);
    }
    app.check()?;
    println!("session is validated");
    Ok(())
}
