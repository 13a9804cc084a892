"""Personal API tokens: random secrets, stored as SHA-256 digests."""

import hashlib
import secrets

TOKEN_PREFIX = "ordo_"  # noqa: S105 - a label, not a secret


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
