"""The server's keys/ folder: public keys only, and a clear refusal otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask

from survey import create_app
from survey.server.keyring import KeyringError
from tests.conftest import AnalystKey


def _app(tmp_path: Path, keys_dir: Path) -> Flask:
    return create_app({"testing": True, "instance_path": tmp_path / "i", "keys_dir": keys_dir,
                       "database_url": f"sqlite:///{tmp_path / 'db.sqlite'}"})


def test_refuses_to_start_with_an_empty_keys_folder(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    with pytest.raises(KeyringError, match="no usable analyst public key"):
        _app(tmp_path, tmp_path / "keys")


def test_refuses_to_start_when_a_private_key_is_in_keys(tmp_path: Path, analyst_key: AnalystKey) -> None:
    keys = tmp_path / "keys"
    shutil.copytree(analyst_key.keys_dir, keys)
    shutil.copy(analyst_key.private, keys / "oops.pem")
    with pytest.raises(KeyringError, match="PRIVATE key"):
        _app(tmp_path, keys)


def test_refuses_an_unencrypted_der_private_key_whatever_its_name(tmp_path: Path, analyst_key: AnalystKey) -> None:
    keys = tmp_path / "keys"
    shutil.copytree(analyst_key.keys_dir, keys)
    der = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (keys / "innocent.bin").write_bytes(der)
    with pytest.raises(KeyringError, match="PRIVATE key"):
        _app(tmp_path, keys)


def test_refuses_a_key_of_the_wrong_kind(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "ed.pem").write_bytes(ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(KeyringError, match="not a P-256"):
        _app(tmp_path, keys)


def test_the_key_id_is_logged_at_start(tmp_path: Path, analyst_key: AnalystKey, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    _app(tmp_path, analyst_key.keys_dir)
    assert analyst_key.key_id in caplog.text


def test_the_secret_key_is_made_once_in_the_instance_folder(tmp_path: Path, analyst_key: AnalystKey) -> None:
    first = _app(tmp_path, analyst_key.keys_dir).config["SECRET_KEY"]
    second = _app(tmp_path, analyst_key.keys_dir).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "i" / "secret_key").stat().st_mode & 0o777 == 0o600
