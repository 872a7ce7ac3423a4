"""The analyst's key pair: generating it once, and loading the private key to decrypt."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from survey.core.envelope import key_id

PASSPHRASE_ENV = "SURVEY_ANALYST_PASSPHRASE"
MIN_PASSPHRASE = 12


class KeyFileError(ValueError):
    """The private key file cannot be used: wrong passphrase, wrong kind of key, unreadable."""


@dataclass(frozen=True, slots=True)
class KeyPairFiles:
    public: Path
    private: Path
    key_id: str


def generate(out_dir: Path, name: str, passphrase: bytes) -> KeyPairFiles:
    """Write ``NAME.pub.pem`` (for the server's keys/) and ``NAME.key.pem`` (encrypted PKCS#8)."""
    return write_key_pair(ec.generate_private_key(ec.SECP256R1()), out_dir, name, passphrase)


def check_passphrase(passphrase: bytes) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyFileError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")


def write_key_pair(private: ec.EllipticCurvePrivateKey, out_dir: Path, name: str,
                   passphrase: bytes | None) -> KeyPairFiles:
    """Write ``NAME.pub.pem`` and, unless ``passphrase`` is None, ``NAME.key.pem`` encrypted with it
    (0600); refuses to overwrite either."""
    if passphrase is not None:
        check_passphrase(passphrase)
    out_dir.mkdir(parents=True, exist_ok=True)
    pub_path = out_dir / f"{name}.pub.pem"
    key_path = out_dir / f"{name}.key.pem"
    for p in (pub_path, key_path):
        if p.exists():
            raise KeyFileError(f"{p} exists; refusing to overwrite a key")
    if passphrase is not None:
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
    pub_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return KeyPairFiles(pub_path, key_path, key_id(private.public_key()))


def load_private(path: Path, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError as exc:
        raise KeyFileError(f"{path} is encrypted: give its passphrase") from exc
    except ValueError as exc:
        raise KeyFileError(f"{path}: wrong passphrase, or not a private key in PEM") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyFileError(f"{path} is not a P-256 private key")
    return key
