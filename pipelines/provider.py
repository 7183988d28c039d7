"""Sign-in through the charity's identity provider (OpenID Connect, the `[auth]` section of the secrets): whether it
is configured well enough to offer, and which signed-in e-mail address may be given a role."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.util import find_spec

WELL_KNOWN = "/.well-known/openid-configuration"
NEEDED = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def problem(auth: Mapping | None) -> str | None:
    """What an administrator must fix before the identity provider can sign anyone in; None when it is ready."""
    if not auth:
        return None
    missing = [key for key in NEEDED if not str(auth.get(key) or "").strip()]
    if missing:
        return f"The [auth] section of .streamlit/secrets.toml lacks {', '.join(missing)}."
    if not str(auth["server_metadata_url"]).startswith("https://"):
        return "In the [auth] section of .streamlit/secrets.toml, server_metadata_url must start with https://."
    if find_spec("authlib") is None:
        return "The Authlib package is missing: install the requirements again (pip install -r requirements.txt)."
    return None


def expected_issuer(auth: Mapping) -> str:
    """The issuer (for Microsoft Entra, the tenant) whose sign-ins count: `issuer` in `[auth]` if given, else the
    one the metadata address names (the address without its /.well-known/openid-configuration ending)."""
    return str(auth.get("issuer") or str(auth["server_metadata_url"]).removesuffix(WELL_KNOWN)).rstrip("/")


def verified_email(claims: Mapping, auth: Mapping) -> str | None:
    """The signed-in e-mail address, lower case, when the provider says it checked it (email_verified true) and the
    sign-in came from the configured issuer; None otherwise, so no role is given on an address anyone could type."""
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") in (True, "true", "True")
    issuer = str(claims.get("iss") or "").rstrip("/")
    return email if email and verified and issuer == expected_issuer(auth) else None
