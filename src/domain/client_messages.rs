//! Every answer text of the client API, with its stable failure `code` and its default wording.
//! Sellers may replace the wording per app: `apps.messages` is a JSON object mapping a message id
//! (`Msg::id`, e.g. `"keynotfound"`) to their text; unknown ids and non-string values are ignored.
//! A few texts are matched literally by clients (`invalidver`, `KeyAuth_Invalid`, the unknown-type
//! message); those are not customisable.

use serde_json::{Map, Value};

macro_rules! messages {
    ($( $variant:ident = $code:literal, $id:literal, $custom:literal, $text:literal; )*) => {
        /// One answer of the client API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $( $variant, )* }

        impl Msg {
            /// The key of this message in `apps.messages`.
            pub fn id(self) -> &'static str {
                match self { $( Msg::$variant => $id, )* }
            }
            /// The JSON `code` of a failure carrying this message (68 is success's code).
            pub fn code(self) -> i64 {
                match self { $( Msg::$variant => $code, )* }
            }
            pub fn default_text(self) -> &'static str {
                match self { $( Msg::$variant => $text, )* }
            }
            /// Whether a seller may reword it (clients compare some texts literally).
            pub fn customisable(self) -> bool {
                match self { $( Msg::$variant => $custom, )* }
            }
            /// Every message, for documentation and the seller's settings.
            pub const ALL: &'static [Msg] = &[ $( Msg::$variant, )* ];
        }
    };
}

messages! {
    // Pre-dispatch checks.
    NoOwnerId = 1, "noownerid", false, "No OwnerID specified. Select app & copy code snippet from the dashboard";
    NoAppName = 2, "noappname", false, "No app name specified. Select app & copy code snippet from the dashboard";
    OwnerIdLength = 3, "owneridlength", false, "OwnerID should be 10 characters long. Select app & copy code snippet from the dashboard";
    TooManyRequests = 4, "toomanyrequests", false, "This application has sent too many requests. Try again in a minute.";
    SessionNotFound = 5, "sessionnotfound", false, "Session not found. If you get this frequently, ask the developer to use the latest example code";
    UnknownType = 6, "unknowntype", false, "The value inputted for type paramater was not found";
    SessionUnauthed = 7, "sessionunauthed", true, "Session is not validated";
    BadRequest = 8, "badrequest", false, "The request could not be read: a field is too long or the body is too large";
    ServerError = 9, "servererror", false, "Internal server error, try again later";
    MissingField = 10, "missingfield", false, "A required field is missing";
    TooManyAttempts = 11, "toomanyattempts", true, "Too many failed attempts. Try again in a minute.";
    // init
    Initialized = 20, "initialized", false, "Initialized";
    InvalidVer = 21, "invalidver", false, "invalidver";
    AppDisabled = 22, "appdisabled", true, "This application is disabled";
    PausedApp = 23, "pausedapp", true, "Application is currently paused, please wait for the developer to say otherwise.";
    HashCheckFail = 24, "hashcheckfail", true, "This program hash does not match, make sure you're using latest version";
    // init of an app with the token system on (KeyAuth's words; `{reason}` is the ban's reason).
    TokenRequired = 25, "tokenrequired", false, "Token Must Be Provided";
    TokenHashRequired = 26, "thashrequired", false, "Hash Must Be Provided";
    TokenInvalid = 27, "tokeninvalid", true, "Token Invalid";
    TokenBanned = 28, "tokenbanned", false, "The Token Has Been Blacklisted For The Following Reason: {reason} Contact Application Developer If This Is A Mistake";
    TokenHashMismatch = 29, "tokenhashmismatch", false, "Token File Hashes Must Be The Same";
    // register, login, loginEmail, license, upgrade
    LoggedIn = 30, "loggedin", true, "Logged in!";
    UsernameTaken = 31, "usernametaken", true, "Username already taken, choose a different one";
    KeyNotFound = 32, "keynotfound", true, "Invalid license key";
    KeyUsed = 33, "keyused", true, "License key has already been used";
    KeyBanned = 34, "keybanned", true, "Your license is banned";
    Blacklisted = 35, "hwidblacked", true, "You've been blacklisted from our application";
    NoSubLevel = 36, "nosublevel", true, "There is no subscription created for your key level. Contact application developer.";
    UsernameTooShort = 37, "untooshort", true, "Username too short, try longer one.";
    UsernameNotFound = 38, "usernamenotfound", true, "Invalid username";
    UserBanned = 39, "userbanned", true, "The user is banned";
    PassMismatch = 40, "passmismatch", true, "Password does not match.";
    HwidMismatch = 41, "hwidmismatch", true, "HWID doesn't match. Ask for a HWID reset";
    NoActiveSubs = 42, "noactivesubs", true, "No active subscription(s) found";
    PausedSub = 43, "pausedsub", true, "Your subscription is paused and can't be used right now";
    HwidTooShort = 44, "hwidtooshort", true, "HWID is too short for this application. Contact application developer.";
    HwidRequired = 45, "hwidrequired", true, "This application requires a HWID. Contact application developer.";
    KeyExpired = 46, "keyexpired", true, "This license key has expired";
    EmailNotFound = 47, "emailnotfound", true, "No user found with that email!";
    TwofaRequired = 48, "twofarequired", true, "2FA code required";
    UsernameTooLong = 49, "untoolong", true, "Username too long, try a shorter one.";
    Upgraded = 50, "upgraded", true, "Upgraded successfully";
    // forgot
    ResetSent = 55, "resetsent", true, "Successfully sent email to change password.";
    ForgotNoUser = 56, "forgotnouser", true, "No user found with that username!";
    EmailMismatch = 57, "emailmismatch", true, "Email address doesn't match!";
    ResetNotConfigured = 58, "resetnotconfigured", false, "Password reset by email is not configured on this server. Contact application developer.";
    ResetFailed = 59, "resetfailed", false, "The password reset email could not be sent. Try again later.";
    // check, checkblacklist, ban, logout
    SessionValidated = 60, "sessionvalidated", false, "Session is validated.";
    ClientBlacklisted = 61, "clientblacklisted", false, "Client is blacklisted";
    ClientNotBlacklisted = 62, "clientnotblacklisted", false, "Client is not blacklisted";
    UserBannedOk = 63, "banned", true, "Successfully Banned User";
    LoggedOut = 64, "loggedout", true, "Successfully logged out.";
    // 2faenable, 2fadisable
    TwofaSecret = 70, "twofasecret", true, "2fa secret generated, confirm it with a code to activate";
    TwofaActivated = 71, "twofaactivated", true, "2fa successfully activated";
    TwofaDisabled = 72, "twofadisabled", true, "2fa successfully disabled";
    TwofaInvalid = 73, "twofainvalid", true, "Invalid code please try again";
    TwofaAlreadyOn = 74, "twofaalreadyon", true, "2fa is already enabled on this account";
    TwofaNotOn = 75, "twofanoton", true, "2fa is not enabled on this account";
    // var, getvar, setvar, log, webhook, file, chatget, chatsend, fetchOnline, fetchStats,
    // changeUsername: codes 100-199, added below this line.
    VarNotFound = 100, "varnotfound", true, "Variable not found.";
    UserVarRetrieved = 101, "getvarsuccess", true, "Successfully retrieved variable";
    UserVarNotFound = 102, "uservarnotfound", true, "Variable not found for user";
    UserVarSet = 103, "setvarsuccess", true, "Successfully set variable";
    UserVarReadOnly = 104, "varreadonly", true, "Variable is read only";
    VarDataTooLong = 105, "vardatatoolong", true, "Variable data is too long (500 characters at most)";
    VarNameTooLong = 106, "varnametoolong", true, "Variable name is too long (100 characters at most)";
    LogSaved = 107, "logsaved", false, "Successfully logged the message";
    LogTooLong = 108, "logtoolong", true, "Log message is too long (275 characters at most)";
    WebhookOk = 109, "webhooksuccess", true, "Webhook request successful";
    WebhookNotFound = 110, "webhooknotfound", true, "Webhook Not Found.";
    WebhookFailed = 111, "webhookfailed", true, "Webhook request failed";
    FileOk = 112, "filesuccess", true, "File download successful";
    FileNotFound = 113, "filenotfound", true, "File not Found";
    ChatRetrieved = 114, "chatgetsuccess", true, "Successfully retrieved chat messages";
    ChatNotFound = 115, "chatnotfound", true, "Chat channel not found";
    ChatSent = 116, "chatsendsuccess", true, "Successfully sent chat message";
    ChatDelay = 117, "chatdelay", true, "Chat slower, you've hit the delay limit";
    ChatMuted = 118, "chatmuted", true, "You're muted from chat";
    ChatBlank = 119, "chatblank", true, "Message can't be blank";
    ChatTooLong = 120, "chattoolong", true, "Message too long, 2000 characters at most";
    OnlineFetched = 121, "onlinesuccess", true, "Successfully fetched online users.";
    NoOnlineUsers = 122, "noonlineusers", true, "No online users found!";
    StatsFetched = 123, "statssuccess", true, "Successfully fetched stats";
    UsernameChanged = 124, "usernamechanged", true, "Successfully changed username, user logged out.";
    UsernameUsed = 125, "usernameused", true, "Username already used!";
    UserVarLimit = 126, "uservarlimit", true, "Too many variables for this user: change an existing one";
    // `offline`, a licensd extension (docs/offline-licenses.md).
    OfflineIssued = 127, "offlineissued", true, "Offline license file issued";
    OfflineRefused = 128, "offlinerefused", true, "This license cannot be checked out";
}

/// Resolves message texts for one app: its customisations over the defaults.
#[derive(Debug, Clone, Default)]
pub struct Messages {
    custom: Map<String, Value>,
}

impl Messages {
    /// From the app's `messages` column; malformed JSON means "no customisation".
    pub fn from_json(raw: &str) -> Self {
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(custom)) => Self { custom },
            _ => Self::default(),
        }
    }

    pub fn text(&self, msg: Msg) -> String {
        if msg.customisable()
            && let Some(Value::String(s)) = self.custom.get(msg.id())
            && !s.is_empty()
        {
            return s.clone();
        }
        msg.default_text().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_codes_are_unique_and_never_68() {
        let ids: HashSet<_> = Msg::ALL.iter().map(|m| m.id()).collect();
        let codes: HashSet<_> = Msg::ALL.iter().map(|m| m.code()).collect();
        assert_eq!(ids.len(), Msg::ALL.len());
        assert_eq!(codes.len(), Msg::ALL.len());
        assert!(!codes.contains(&68));
    }

    #[test]
    fn customisations_apply_only_where_allowed() {
        let m = Messages::from_json(r#"{"appdisabled":"Closed","unknowntype":"x","hashcheckfail":5}"#);
        assert_eq!(m.text(Msg::AppDisabled), "Closed");
        assert_eq!(m.text(Msg::UnknownType), Msg::UnknownType.default_text());
        assert_eq!(m.text(Msg::HashCheckFail), Msg::HashCheckFail.default_text());
        assert_eq!(Messages::from_json("not json").text(Msg::AppDisabled), "This application is disabled");
    }
}
