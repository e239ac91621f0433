// Drives licensd's Lemon Squeezy License API with the official SDK (npm
// `@lemonsqueezy/lemonsqueezy.js`), unchanged but for its base URL: a `fetch` wrapper rewrites
// the host. Run by tests/api/lemonsqueezy_sdk.rs, which makes the fixtures and passes them in
// the environment: LICENSD_BASE_URL, LS_KEY / LS_KEY_ID (limit 2, buyer and order set),
// LS_CUSTOMER_ID, LS_ORDER_ID, LS_STORE_ID, LS_DISABLED_KEY, LS_EXPIRED_KEY. Any failed
// expectation throws (exit code 1); on success the last line of stdout is a JSON summary that the
// Rust test checks against the database.
"use strict";

const assert = require("node:assert/strict");
const ls = require("@lemonsqueezy/lemonsqueezy.js");

const env = process.env;
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => realFetch(String(url).replace("https://api.lemonsqueezy.com", env.LICENSD_BASE_URL), init);

/// A refusal as the SDK reports it: the HTTP status and Lemon Squeezy's `error` words.
function refused(answer, status, words) {
  assert.equal(answer.statusCode, status, JSON.stringify(answer.data));
  assert.ok(answer.error instanceof Error, "the SDK reports an error");
  assert.equal(answer.error.cause, words);
}

async function main() {
  const key = env.LS_KEY;
  const keyId = Number(env.LS_KEY_ID);

  // Activate to the limit.
  const first = await ls.activateLicense(key, "sdk-1");
  assert.equal(first.error, null, String(first.error && first.error.cause));
  assert.equal(first.statusCode, 200);
  assert.equal(first.data.activated, true);
  assert.equal(first.data.license_key.id, keyId);
  assert.equal(first.data.license_key.activation_limit, 2);
  assert.equal(first.data.license_key.status, "active");
  assert.equal(first.data.instance.name, "sdk-1");
  assert.equal(first.data.meta.customer_id, Number(env.LS_CUSTOMER_ID));
  assert.equal(first.data.meta.order_id, Number(env.LS_ORDER_ID));
  assert.equal(first.data.meta.store_id, Number(env.LS_STORE_ID));
  assert.equal(first.data.meta.customer_email, "ann@example.com");
  const second = await ls.activateLicense(key, "sdk-2");
  assert.equal(second.data.license_key.activation_usage, 2);
  const third = await ls.activateLicense(key, "sdk-3");
  refused(third, 400, "This license key has reached the activation limit.");
  assert.equal(third.data.activated, false);

  // Validate with and without an instance.
  const withInstance = await ls.validateLicense(key, first.data.instance.id);
  assert.equal(withInstance.statusCode, 200);
  assert.equal(withInstance.data.valid, true);
  assert.equal(withInstance.data.instance.id, first.data.instance.id);
  const keyOnly = await ls.validateLicense(key);
  assert.equal(keyOnly.data.valid, true);
  assert.equal(keyOnly.data.instance, null);
  refused(await ls.validateLicense(key, "00000000-0000-4000-8000-000000000000"), 404, "instance_id not found.");

  // Deactivate one: its slot is free again.
  const gone = await ls.deactivateLicense(key, first.data.instance.id);
  assert.equal(gone.statusCode, 200);
  assert.equal(gone.data.deactivated, true);
  assert.equal(gone.data.license_key.activation_usage, 1);
  refused(await ls.deactivateLicense(key, first.data.instance.id), 404, "instance_id not found.");

  // Disabled, expired and unknown keys.
  refused(await ls.activateLicense(env.LS_DISABLED_KEY, "x"), 400, "This license key is disabled.");
  const disabled = await ls.validateLicense(env.LS_DISABLED_KEY);
  refused(disabled, 400, "This license key is disabled.");
  assert.equal(disabled.data.license_key.status, "disabled");
  const expired = await ls.validateLicense(env.LS_EXPIRED_KEY);
  refused(expired, 400, "This license key has expired.");
  assert.equal(expired.data.license_key.status, "expired");
  refused(await ls.activateLicense(env.LS_EXPIRED_KEY, "x"), 400, "This license key has expired.");
  refused(await ls.validateLicense("NO-SUCH-KEY"), 404, "license_key not found.");
  refused(await ls.activateLicense("NO-SUCH-KEY", "x"), 404, "license_key not found.");
  refused(await ls.deactivateLicense("NO-SUCH-KEY", "x"), 404, "license_key not found.");

  console.log(JSON.stringify({ kept: second.data.instance.id, usage: gone.data.license_key.activation_usage }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
