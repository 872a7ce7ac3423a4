"""The analyst public keys the server may seal to, read from ``keys/``.

The server refuses to start when the folder holds no usable public key, or anything that is a
private key: a private key on the server would undo the whole design."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from survey.core.envelope import EnvelopeError, key_id, load_public_key_pem
from survey.server import demo_key

IGNORED = {"README.md", "README", ".gitkeep"}


class KeyringError(RuntimeError):
    """``keys/`` is unusable; the message says what to do."""


@dataclass(frozen=True, slots=True)
class PublicKeyEntry:
    key_id: str
    path: Path
    key: ec.EllipticCurvePublicKey
    #: The demo key `make run` made, whose private half is published (see demo_key.py).
    demo: bool = False


class Keyring:
    def __init__(self, entries: dict[str, PublicKeyEntry]) -> None:
        self._entries = entries

    def __contains__(self, kid: str) -> bool:
        return kid in self._entries

    def __getitem__(self, kid: str) -> PublicKeyEntry:
        return self._entries[kid]

    def __iter__(self) -> Iterator[PublicKeyEntry]:
        return iter(self._entries.values())

    def ids(self) -> list[str]:
        return sorted(self._entries)

    def demo_ids(self) -> set[str]:
        """The ids of demo keys: answers sealed to them are readable by anyone."""
        return {kid for kid, entry in self._entries.items() if entry.demo}


def looks_private(data: bytes) -> bool:
    """True when the bytes hold a private key in any form we can recognise."""
    if b"PRIVATE KEY" in data:
        return True
    for loader in (serialization.load_der_private_key,):
        try:
            loader(data, password=None)
            return True
        except TypeError:  # encrypted: still a private key
            return True
        except (ValueError, Exception):
            pass
    return False


def load_keyring(directory: Path) -> Keyring:
    if not directory.is_dir():
        raise KeyringError(f"{directory} does not exist: create it and put the analyst's public key in it")
    entries: dict[str, PublicKeyEntry] = {}
    problems: list[str] = []
    marked = demo_key.marked_ids(directory)
    for path in sorted(p for p in directory.iterdir() if p.is_file() and p.name not in IGNORED):
        data = path.read_bytes()
        if looks_private(data):
            raise KeyringError(
                f"{path} holds a PRIVATE key. Remove it from the server now; the private key "
                "belongs only on the analyst's offline laptop. Refusing to start."
            )
        if demo_key.is_marker(path):
            continue
        try:
            key = load_public_key_pem(data)
        except (ValueError, EnvelopeError) as exc:
            problems.append(f"{path.name}: not a P-256 public key in PEM ({exc})")
            continue
        kid = key_id(key)
        entries[kid] = PublicKeyEntry(kid, path, key, demo=demo_key.is_demo(path, kid, marked))
    if not entries:
        detail = ("; ".join(problems)) if problems else "the folder is empty"
        raise KeyringError(
            f"no usable analyst public key in {directory} ({detail}). Run `survey-analyst keygen` "
            "on the analyst's laptop and copy the .pub.pem file here. Refusing to start."
        )
    return Keyring(entries)
