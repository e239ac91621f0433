"""Verifies client API response signatures with an implementation independent of the server's.

Reads a JSON array on stdin; each item is an object with hex fields `pubkey`, `ts` (the
x-signature-timestamp text), `body`, `sig` (x-signature-ed25519) and optionally `secret` and
`hmac` (LibreAuth's `signature` header: HMAC-SHA256 of the body keyed by the app secret), and
optionally `now` and `max_age` (unix seconds): then it also acts as a KeyAuth client does and
refuses an answer whose timestamp is more than `max_age` seconds older than `now`.
Ed25519 is checked with PyNaCl (libsodium), HMAC with Python's hmac module. Prints the number
of verified responses; exits 1 naming the first response that fails.
"""

import hashlib
import hmac
import json
import sys

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


def main() -> int:
    items = json.load(sys.stdin)
    for i, item in enumerate(items):
        body = bytes.fromhex(item["body"])
        key = VerifyKey(bytes.fromhex(item["pubkey"]))
        try:
            key.verify(item["ts"].encode("ascii") + body, bytes.fromhex(item["sig"]))
        except (BadSignatureError, ValueError) as e:
            print(f"response {i}: bad Ed25519 signature ({e}): {body[:200]!r}", file=sys.stderr)
            return 1
        if "max_age" in item and int(item["now"]) - int(item["ts"]) > int(item["max_age"]):
            print(f"response {i}: timestamp {item['ts']} is too old at {item['now']}", file=sys.stderr)
            return 1
        if "hmac" in item:
            want = hmac.new(item["secret"].encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(want, item["hmac"]):
                print(f"response {i}: bad HMAC signature header: {body[:200]!r}", file=sys.stderr)
                return 1
    print(len(items))
    return 0


if __name__ == "__main__":
    sys.exit(main())
