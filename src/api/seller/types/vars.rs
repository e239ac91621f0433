//! Variables: a user's (`setvar`, `getvar`) and the app's (`addvar`, `editvar`, `delvar`,
//! `fetchallvars`).

use super::Answer;
use crate::api::seller::{error::SellerError, reply::Reply, request::Cx};
use crate::domain::client_messages::Msg;
use crate::domain::ids::UserId;
use crate::manage::{client_data, users};
use serde_json::{Value, json};

/// Variables per `fetchallvars` answer.
const FETCH_PAGE: i64 = 500;

async fn user_id(cx: &Cx, failure: &'static str) -> Result<UserId, SellerError> {
    let name = cx.require("user")?;
    let user = users::by_name(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), name)
        .await
        .map_err(SellerError::or(failure))?;
    Ok(user.id)
}

pub async fn set_user_var(cx: &Cx) -> Answer {
    let var = cx.require("var")?;
    let data = cx.require("data")?;
    let user_id = user_id(cx, "No users found!").await?;
    let readonly = cx.switch("readOnly").unwrap_or(false);
    client_data::set_user_var(&cx.state.store, &cx.caller.at, user_id, var, data, readonly)
        .await
        .map_err(SellerError::or("Failed to set variable!"))?;
    Ok(Reply::ok("Successfully set variable!"))
}

pub async fn get_user_var(cx: &Cx) -> Answer {
    let var = cx.require("var")?;
    let not_found = Msg::UserVarNotFound.default_text();
    let user_id = user_id(cx, not_found).await?;
    let found = client_data::user_var(&cx.state.store, &cx.caller.at, user_id, var)
        .await
        .map_err(SellerError::or(not_found))?;
    Ok(Reply::ok(Msg::UserVarRetrieved.default_text()).with("response", found.value.as_str()).text(found.value))
}

pub async fn add(cx: &Cx) -> Answer {
    let name = cx.require("name")?;
    let data = cx.require("data")?;
    let Some(authed) = cx.switch("authed") else {
        return Err(SellerError::invalid(
            "Authed paramater must be 1 if you want to require login first, or 0 if you don't want to.",
        ));
    };
    client_data::add_app_var(&cx.state.store, &cx.caller.at, name, data, authed)
        .await
        .map_err(SellerError::or("Variable name already exists!"))?;
    Ok(Reply::ok("Successfully created variable!"))
}

pub async fn edit(cx: &Cx) -> Answer {
    let name = cx.require("varid")?;
    let data = cx.require("data")?;
    client_data::edit_app_var(&cx.state.store, &cx.caller.at, name, data)
        .await
        .map_err(SellerError::or("Variable not found"))?;
    Ok(Reply::ok("Variable Edit Successful"))
}

pub async fn delete(cx: &Cx) -> Answer {
    let name = cx.require("name")?;
    client_data::delete_app_var(&cx.state.store, &cx.caller.at, name)
        .await
        .map_err(SellerError::or("Failed to delete variable!"))?;
    Ok(Reply::ok("Successfully deleted variable!"))
}

pub async fn fetch_all(cx: &Cx) -> Answer {
    let page = client_data::page(Some(FETCH_PAGE), cx.int("page"))?;
    let rows = client_data::list_app_vars(&cx.state.store, &cx.caller.at, page).await?;
    if rows.is_empty() {
        return Err(SellerError::not_found("No variables Found"));
    }
    let vars: Vec<Value> = rows
        .iter()
        .map(|v| json!({ "varid": v.name, "msg": v.value, "authed": i64::from(v.authed).to_string() }))
        .collect();
    Ok(Reply::ok("Successfully retrieved variables").with("vars", vars))
}
