"""Keyed pseudonyms for activity data (web logs, mail logs, alerts), and the sealed vault that
lets the gate, and only the gate, turn one back into a person.

* A pseudonym is HMAC-SHA-256 of the normalised identifier (an account name, an email address,
  a device's address) under a key derived from the school's secret: the same input gives the
  same pseudonym within a school and unrelated ones across schools, and nobody without the
  key can test a guess ("is p_3f… Jane?") against it.
* The vault keeps, for each pseudonym, its identifier sealed with AES-256-GCM under a second
  key derived from the same secret, bound to the pseudonym (a seal moved to another
  pseudonym does not open). A database dump holds pseudonyms and seals only; the secret
  lives in the server's key file.
* Rotating the secret re-keys everything: `rotate` opens each seal with the old secret and
  gives the new pseudonym and seal, so links between events survive.

Pure: no Django, no storage; callers keep the secret (see `SchoolKey.to_text`) and the vault.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_BYTES = 32
PREFIX = "p_"  # every pseudonym starts so: never mistaken for a name or an address
_SEAL_VERSION = "v1"
_NONCE_BYTES = 12


class KeyProblem(ValueError):
    """A school's secret is missing, malformed or not the one the data was written with."""


class SealProblem(ValueError):
    """A sealed identifier does not open: the wrong secret, or it was altered."""


@dataclass(frozen=True)
class SchoolKey:
    """A school's pseudonymisation secret. `key_id` names it without revealing it."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != SECRET_BYTES:
            raise KeyProblem(f"a school's secret is {SECRET_BYTES} bytes, not {len(self.secret)}")

    @classmethod
    def generate(cls) -> SchoolKey:
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def from_text(cls, text: str) -> SchoolKey:
        """The secret as `to_text` writes it (URL-safe base64)."""
        try:
            secret = base64.urlsafe_b64decode(text.strip().encode("ascii") + b"==")
        except (ValueError, UnicodeEncodeError) as e:
            raise KeyProblem(f"the school's key is not valid base64: {e}") from None
        return cls(secret)

    def to_text(self) -> str:
        return base64.urlsafe_b64encode(self.secret).decode("ascii").rstrip("=")

    @property
    def key_id(self) -> str:
        """A short fingerprint (it cannot be turned back into the secret)."""
        return hashlib.sha256(b"fairwatch key id\0" + self.secret).hexdigest()[:12]


def normalise(identifier: str) -> str:
    """The form identifiers are compared in: Unicode NFKC, surrounding space removed, case
    folded ("Jane.Smith@School.Example " and "jane.smith@school.example" are one person)."""
    text = unicodedata.normalize("NFKC", identifier).strip().casefold()
    if not text:
        raise ValueError("an empty identifier has no pseudonym")
    return text


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


class Pseudonymiser:
    """Pseudonyms and seals under one school's secret."""

    def __init__(self, key: SchoolKey):
        self.key_id = key.key_id
        self._mac_key = _derive(key.secret, b"fairwatch pseudonym v1")
        self._seal = AESGCM(_derive(key.secret, b"fairwatch vault v1"))
        self._cache: dict[str, str] = {}

    def pseudonym(self, identifier: str) -> str:
        """`p_` and 32 hex digits (128 bits of HMAC-SHA-256), the same for the same person."""
        found = self._cache.get(identifier)
        if found is None:
            digest = hmac.new(self._mac_key, normalise(identifier).encode(), hashlib.sha256)
            found = PREFIX + digest.hexdigest()[:32]
            if len(self._cache) >= 65536:
                self._cache.clear()
            self._cache[identifier] = found
        return found

    def pseudonyms(self, identifiers: Iterable[str]) -> list[str]:
        """Many at once (a column of a log): each distinct identifier is keyed once."""
        return [self.pseudonym(i) for i in identifiers]

    def seal(self, identifier: str) -> str:
        """The identifier sealed for the vault, bound to its pseudonym."""
        plain = normalise(identifier)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._seal.encrypt(nonce, plain.encode(), self.pseudonym(plain).encode())
        return f"{_SEAL_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def unseal(self, sealed: str, pseudonym: str) -> str:
        """The identifier behind `pseudonym`, from its seal. Raises SealProblem when the seal
        was made under another secret, belongs to another pseudonym, or was altered."""
        version, _, body = sealed.partition(".")
        if version != _SEAL_VERSION or not body:
            raise SealProblem(f"not a sealed identifier (expected {_SEAL_VERSION}.…)")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = self._seal.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], pseudonym.encode())
        except (InvalidTag, ValueError) as e:
            raise SealProblem(
                f"the seal for {pseudonym} does not open with key {self.key_id}: the key is not "
                "the one it was sealed with, or the seal was altered"
            ) from e
        return plain.decode()


@dataclass(frozen=True)
class Rekeyed:
    pseudonym: str
    seal: str


def rotate(old: Pseudonymiser, new: Pseudonymiser, vault: Mapping[str, str]) -> dict[str, Rekeyed]:
    """Old pseudonym → its new pseudonym and seal, for every entry of `vault` (old pseudonym →
    seal). All or nothing: a seal that does not open stops it, naming the pseudonym, before
    anything is re-keyed by the caller."""
    out: dict[str, Rekeyed] = {}
    for pseudonym, sealed in vault.items():
        identifier = old.unseal(sealed, pseudonym)
        if old.pseudonym(identifier) != pseudonym:
            raise SealProblem(f"the seal filed under {pseudonym} is for another pseudonym")
        out[pseudonym] = Rekeyed(new.pseudonym(identifier), new.seal(identifier))
    return out
