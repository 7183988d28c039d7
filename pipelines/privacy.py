"""Privacy by design (docs/privacy.md): refusing personal data and pseudonymising references. Small counts are made
safe in pipelines/disclosure.py."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import numpy as np

from pipelines.files import FILE_MODE, private_folder, tighten
from pipelines.vocab import norm_key

PII_HEADERS = {
    "a name": ("name", "firstname", "forename", "surname", "lastname", "fullname", "clientname", "givenname",
               "familyname", "participantname", "servicename", "preferredname"),
    "an email address": ("email", "emailaddress", "e-mail"),
    "a phone number": ("phone", "phonenumber", "telephone", "mobile", "mobilenumber", "tel", "telno", "contactnumber"),
    "an address": ("address", "homeaddress", "street", "addressline1", "address1", "town"),
    "a full postcode": ("postcode", "postalcode", "zip", "fullpostcode"),
    "an NHS number": ("nhsnumber", "nhsno", "nhs"),
    "a date of birth": ("dateofbirth", "dob", "birthdate", "birthday"),
}  # fmt: skip
_HEADER_KIND = {norm_key(h): kind for kind, headers in PII_HEADERS.items() for h in headers}

_EMAIL = re.compile(r"(?<![^@\s])[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")  # starts at a word: linear, not quadratic, time
_PHONE = re.compile(r"(?:\+44\s?\(?0?\)?|\b0)\s?\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_TEN_DIGITS = re.compile(r"^\d{3}\s?\d{3}\s?\d{4}$")

SEND_INSTEAD = (
    "Remove the column and upload again: the dashboard must never hold personal details. "
    "Send an age band instead of a date of birth, and a postcode district (e.g. DY1) or IMD decile instead of an address."
)


def pii_header(header: object) -> str | None:
    """What personal data a column header names, if any."""
    return _HEADER_KIND.get(norm_key(header))


def pii_value(value: object) -> str | None:
    """What personal data a cell looks like, if any."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return "an NHS number" if is_nhs_number(str(value)) else None
    if not isinstance(value, str):
        return None
    if _EMAIL.search(value):
        return "an email address"
    if _POSTCODE.search(value):
        return "a full postcode"
    if is_nhs_number(value.strip()):
        return "an NHS number"
    if _PHONE.search(value):
        return "a phone number"
    return None


_TEN_DIGITS_ANYWHERE = re.compile(r"\d{3}\s?\d{3}\s?\d{4}")


def _may_hold_pii(text: str) -> bool:
    """Whether any line of ``text`` might look like personal data (each pattern alone is faster than one alternation)."""
    return ("@" in text and bool(_EMAIL.search(text))) or any(
        p.search(text) for p in (_POSTCODE, _PHONE, _TEN_DIGITS_ANYWHERE)
    )


def first_pii(codes: np.ndarray, distinct: list[object]) -> tuple[int, str] | None:
    """(row, what) of the first cell of a column that looks like personal data, or None.

    The column comes as cells.distinct_codes gives it. Its text is searched in one pass; values are looked at one
    by one only where that text might hold something, and for numbers (which might be NHS numbers).
    """
    texts_clear = not _may_hold_pii("\n".join(v for v in distinct if isinstance(v, str)))
    looks = [_looks_like(texts_clear, value) for value in distinct]
    hits = [code for code, what in enumerate(looks) if what]
    if not hits:
        return None
    first = int(np.flatnonzero(np.isin(codes, hits))[0])
    return first, looks[codes[first]]


def _looks_like(texts_clear: bool, value: object) -> str | None:
    return None if value is None or (texts_clear and isinstance(value, str)) else pii_value(value)


def is_nhs_number(raw: str) -> bool:
    """Ten digits whose modulus 11 check digit is right (NHS Data Dictionary)."""
    if not _TEN_DIGITS.match(raw):
        return False
    digits = [int(c) for c in raw if c.isdigit()]
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    return (0 if check == 11 else check) == digits[9] and check != 10


# Pseudonymisation --------------------------------------------------------------------------------


class MissingSecret(RuntimeError):
    """The key that links participants across uploads is missing or not this database's."""


def secret_path(db_path: str | Path) -> Path:
    return Path(os.environ.get("IMPACT_SECRET_FILE") or f"{db_path}.key")


def load_secret(db_path: str | Path, fingerprint: str | None) -> bytes:
    """The installation's key, created on first use; ``fingerprint`` is the database's record of it, if any."""
    path = secret_path(db_path)
    if not path.exists():
        if fingerprint is not None:
            raise MissingSecret(
                f"The key file {path} that links participants across uploads is missing. Restore it from your "
                "backup (it was created beside the database when data was first loaded), or set IMPACT_SECRET_FILE "
                "to its location. Without it new uploads cannot be matched to the people already in the database."
            )
        private_folder(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)  # owner-only from the first byte
        with os.fdopen(descriptor, "wb") as out:
            out.write(secrets.token_bytes(32))
    tighten(path)
    key = path.read_bytes()
    if fingerprint is not None and key_fingerprint(key) != fingerprint:
        raise MissingSecret(f"The key file {path} is not the one this database was loaded with.")
    return key


def key_fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"fingerprint:" + key).hexdigest()[:16]


def pseudonym(key: bytes, reference: str) -> str:
    """Keyed hash of a participant reference (HMAC-SHA256), so raw references are never stored."""
    return hmac.new(key, reference.encode(), hashlib.sha256).hexdigest()[:32]


def erasure_token(key: bytes, pseudonym_: str) -> str:
    """What the list of erased people keeps of a pseudonym: another keyed hash, under a key of its own derived from
    the installation's, so the pseudonym itself never stays in the database once its rows are gone."""
    erasure_key = hmac.new(key, b"erasure list", hashlib.sha256).digest()
    return hmac.new(erasure_key, pseudonym_.encode(), hashlib.sha256).hexdigest()[:32]
