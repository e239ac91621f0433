"""Verifies a licensd offline license file with PyNaCl: the example of docs/offline-licenses.md,
run by tests/api/offline.rs as an implementation independent of the Rust SDK.

usage: verify_offline.py FILE PUBLIC_KEY_HEX OWNERID APP MACHINE
prints `valid`, or `refused: <why>`.
"""

import base64
import json
import sys
import time

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

BEGIN = "-----BEGIN LICENSD LICENSE FILE-----"
END = "-----END LICENSD LICENSE FILE-----"
CONTEXT = b"licensd-license-file-v1\n"
MAX_SKEW = 300  # seconds


def verify(text, public_key_hex, ownerid, app, machine, now=None):
    """The payload of a valid file; raises ValueError saying why a file is refused."""
    now = time.time() if now is None else now
    body = text.split(BEGIN, 1)[1].split(END, 1)[0]
    envelope = json.loads(base64.b64decode("".join(body.split())))
    if envelope["alg"] != "ed25519" or envelope["key"].lower() != public_key_hex.lower():
        raise ValueError("unknown key")
    payload = base64.b64decode(envelope["payload"])
    try:
        VerifyKey(bytes.fromhex(public_key_hex)).verify(CONTEXT + payload, base64.b64decode(envelope["sig"]))
    except BadSignatureError:
        raise ValueError("bad signature")
    lic = json.loads(payload)
    if lic["v"] != 1:
        raise ValueError("unsupported version")
    if lic["ownerid"] != ownerid or lic["app"]["name"] != app:
        raise ValueError("wrong app")
    if lic["machine"] is not None and lic["machine"]["id"] != machine:
        raise ValueError("wrong machine")
    if lic["issued_at"] > now + MAX_SKEW:
        raise ValueError("not yet valid")
    if lic["expires_at"] is not None and now >= lic["expires_at"] + MAX_SKEW:
        raise ValueError("expired")
    if now >= lic["refresh_by"] + MAX_SKEW:
        raise ValueError("refresh due")
    return lic


if __name__ == "__main__":
    path, key, ownerid, app, machine = sys.argv[1:6]
    with open(path) as f:
        text = f.read()
    try:
        verify(text, key, ownerid, app, machine)
        print("valid")
    except ValueError as e:
        print(f"refused: {e}")
