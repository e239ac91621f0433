"""Drives licensd's Licenses API v2 with the official SellApp Python SDK (PyPI `sellapp-sdk`).

Run by tests/api/licenses_sdk.rs, which creates the fixtures and passes them in the environment:
LICENSD_BASE_URL (http://127.0.0.1:PORT), LICENSD_TOKEN (store token), LICENSD_STORE (seller id),
LICENSD_STORE_NAME, LICENSD_KEY / LICENSD_KEY_ID (limit 3, no buyer), LICENSD_FULL_KEY (limit 1,
already activated once), LICENSD_FOREIGN_TOKEN (another store's token). With LICENSD_PATH_KEYS (a JSON
list of {"path", "key", "id", "customer_id", "order_id"}, keys with limit 2 made by the CLI, the admin API and a
reseller assignment) only every SDK license call is run on each of those keys.
Any failed expectation raises, so the process exits non-zero; on success the last line of stdout is
a JSON summary that the Rust test checks against the database.
"""

import datetime
import json
import os

from sellapp_sdk import AuthenticationError, SellAppClient
from sellapp_sdk._errors import AuthorizationError, NotFoundError, UnprocessableEntityError

env = os.environ
API = env["LICENSD_BASE_URL"] + "/api"
KEY, KEY_ID = env["LICENSD_KEY"], int(env["LICENSD_KEY_ID"])


def client(token=env["LICENSD_TOKEN"], store=env["LICENSD_STORE"]):
    return SellAppClient(base_url=API, api_key=token, store=store, max_retries=0, timeout=30)


def expect_error(kind, call):
    try:
        call()
    except kind as e:
        return e
    raise AssertionError(f"expected {kind.__name__}")


sdk = client()


def every_call(path, key, key_id, customer_id, order_id):
    """Every SDK license call on one fresh key with limit 2: the models must parse each answer."""
    first = sdk.licenses.activate(license_key=key, instance_name=f"{path}-1").data
    second = sdk.licenses.activate(license_key=key, instance_name=f"{path}-2").data
    assert first.license_key_id == key_id and second.license_key_id == key_id, (path, first, second)
    full = expect_error(UnprocessableEntityError, lambda: sdk.licenses.activate(license_key=key, instance_name="x"))
    assert full.message == "This license key has reached its activation limit.", (path, full.body)
    valid = sdk.licenses.validate(license_key=key, instance_id=first.id).data
    assert valid.valid is True and valid.instance.id == first.id, (path, valid)
    assert valid.license_key.instances_count == 2 and valid.license_key.customer_id == customer_id, (path, valid)
    assert sdk.licenses.validate(license_key=key).data.instance is None, path
    got = sdk.licenses.get(key_id).data
    assert (got.key, got.limit, got.customer_id, got.store_id) == (key, 2, customer_id, int(env["LICENSD_STORE"]))
    assert got.order_id == order_id and got.invoice_id is None and got.subscription_id is None, (path, got)
    assert isinstance(got.product_id, int) and isinstance(got.variant_id, int), (path, got)
    updated = sdk.licenses.update(key_id, limit=3, expires_at="2031-01-01 00:00:00", active=True).data
    assert (updated.limit, updated.instances_count, updated.customer_id) == (3, 2, customer_id), (path, updated)
    listed = sorted(i.id for i in sdk.licenses_instances.list(key_id).items())
    assert listed == sorted([first.id, second.id]), (path, listed)
    assert sdk.licenses_instances.get(key_id, second.id).data.name == f"{path}-2", path
    for instance in (first, second):
        gone = sdk.licenses.deactivate_license(license_key=key, instance_id=instance.id).data
        assert (gone.deactivated, gone.instance_id) == (True, instance.id), (path, gone)


if "LICENSD_PATH_KEYS" in env:
    paths = json.loads(env["LICENSD_PATH_KEYS"])
    for k in paths:
        every_call(k["path"], k["key"], k["id"], k["customer_id"], k["order_id"])
    print(json.dumps({"paths": [k["path"] for k in paths]}))
    raise SystemExit(0)

# activate -> the instance, read from `data`
activated = sdk.licenses.activate(license_key=KEY, instance_name="sdk-device").data
assert activated.name == "sdk-device", activated
assert activated.license_key_id == KEY_ID, activated
assert activated.store_id == int(env["LICENSD_STORE"]), activated
assert activated.created_at.tzinfo is not None, activated
instance_id = activated.id

# validate, with and without an instance
valid = sdk.licenses.validate(license_key=KEY, instance_id=instance_id).data
assert valid.valid is True, valid
assert valid.instance.id == instance_id, valid
assert valid.license_key.instances_count == 1, valid
assert valid.license_key.key == KEY, valid
assert sdk.licenses.validate(license_key=KEY).data.instance is None

# get
key = sdk.licenses.get(KEY_ID).data
assert (key.id, key.key, key.limit, key.active, key.status) == (KEY_ID, KEY, 3, 1, "ACTIVE"), key
assert key.is_expired is False and key.expires_at is None, key

# update: the seed's `YYYY-MM-DD HH:MM:SS`, then ISO 8601
updated = sdk.licenses.update(KEY_ID, limit=5, expires_at="2031-01-01 00:00:00", active=True).data
assert updated.limit == 5, updated
assert updated.expires_at == datetime.datetime(2031, 1, 1, tzinfo=datetime.timezone.utc), updated
assert updated.instances_count == 1, updated
updated = sdk.licenses.update(KEY_ID, expires_at="2032-02-03T04:05:06Z", active=False).data
assert (updated.active, updated.status) == (0, "INACTIVE"), updated
assert updated.expires_at == datetime.datetime(2032, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)
updated = sdk.licenses.update(KEY_ID, active=True).data
assert (updated.active, updated.status, updated.limit) == (1, "ACTIVE", 5), updated

# lists, page by page through the SDK's own pagination. SDK bug: `licenses.list` parses each
# listed key with the envelope model (it requires `data` inside every item), so it cannot read any
# Laravel page; the key listing is tested with raw HTTP in tests/api/licenses.rs
# (lists_are_paginated) and fetched raw here through the SDK's own transport.
raw = sdk.custom_request(method="get", path="/v2/license-keys", params={"limit": 1}).data
assert raw["meta"]["per_page"] == 1 and raw["meta"]["total"] == 2, raw["meta"]
keys = raw["data"]
instances = list(sdk.licenses_instances.list(KEY_ID).items())
assert [i.id for i in instances] == [instance_id], instances
assert sdk.licenses_instances.get(KEY_ID, instance_id).data.name == "sdk-device"
store_wide = list(sdk.license_instances.list(limit=1).items())
assert len(store_wide) == 2, store_wide  # this instance and the full key's one

# refusals and errors as the SDK raises them
full = expect_error(
    UnprocessableEntityError, lambda: sdk.licenses.activate(license_key=env["LICENSD_FULL_KEY"], instance_name="x")
)
assert full.status == 422 and full.message == "This license key has reached its activation limit.", full.body
assert full.body["license_key"]["status"] == "ACTIVE", full.body
missing = expect_error(UnprocessableEntityError, lambda: sdk.licenses.validate(license_key="NO-SUCH", instance_id="x"))
assert missing.message == "License key not found", missing.body
assert expect_error(NotFoundError, lambda: sdk.licenses.get(KEY_ID + 100000)).status == 404
foreign = client(token=env["LICENSD_FOREIGN_TOKEN"], store=None)
assert expect_error(NotFoundError, lambda: foreign.licenses.get(KEY_ID)).status == 404
assert expect_error(AuthorizationError, lambda: client(store="999999").licenses.get(KEY_ID)).status == 403
assert expect_error(AuthenticationError, lambda: client(token="lsd_store_nope").licenses.get(KEY_ID)).status == 401
# X-STORE may also carry the store's name.
assert client(store=env["LICENSD_STORE_NAME"]).licenses.get(KEY_ID).data.id == KEY_ID

# deactivate, retried with the same idempotency key: the first answer again
first = sdk.licenses.deactivate_license(license_key=KEY, instance_id=instance_id, idempotency_key="sdk-retry-1").data
assert (first.deactivated, first.instance_id) == (True, instance_id), first
again = sdk.licenses.deactivate_license(license_key=KEY, instance_id=instance_id, idempotency_key="sdk-retry-1").data
assert (again.deactivated, again.instance_id) == (True, instance_id), again
gone = expect_error(
    UnprocessableEntityError,
    lambda: sdk.licenses.deactivate_license(license_key=KEY, instance_id=instance_id, idempotency_key="sdk-retry-2"),
)
assert gone.message == "License key instance not found", gone.body

print(json.dumps({"instance_id": instance_id, "limit": 5, "keys_listed": raw["meta"]["total"]}))
