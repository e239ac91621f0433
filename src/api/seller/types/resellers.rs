//! Resellers: `balance`.
//!
//! KeyAuth keeps a reseller's balance as a number of keys per duration that the reseller later
//! spends on keys. licensd resellers hold a stock of keys instead, so `balance` makes those keys
//! now, in the reseller's stock: what the reseller can hand out is the same.

use super::{Answer, keys::plan_of_level};
use crate::api::seller::{error::SellerError, reply::Reply, request::Cx};
use crate::manage::{ManageError, resellers};

/// KeyAuth's balance fields and the key duration (seconds) each one buys there.
const DURATIONS: [(&str, i64); 6] = [
    ("day", 86_400),
    ("week", 604_800),
    ("month", 2_592_000),
    ("threemonth", 7_862_000),
    ("sixmonth", 15_720_000),
    ("lifetime", 863_910_000),
];

pub async fn balance(cx: &Cx) -> Answer {
    let Some(username) = cx.field("username") else {
        return Err(SellerError::invalid("Username Not Set"));
    };
    // PHP's reading of a count: absent or not a number is 0.
    let batches = DURATIONS.map(|(field, secs)| (secs, cx.int(field).unwrap_or(0)));
    let plan = plan_of_level(cx, cx.int("level").unwrap_or(1)).await?;
    let order =
        resellers::StockOrder { reseller: username, app_id: cx.caller.app_id(), plan_id: plan.id, batches: &batches };
    resellers::stock_new_keys(&cx.state.store, cx.caller.tenant(), order).await.map_err(|e| match e {
        ManageError::NotFound(_) => {
            SellerError::not_found("You don't own account you were attemping to modify balance for")
        }
        e => e.into(),
    })?;
    Ok(Reply::ok("Balance Successfully Added"))
}
