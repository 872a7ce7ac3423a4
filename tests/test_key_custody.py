"""Recovery shares: `keygen --shares K/N`, `recover`, `shares check`, and the printable sheet."""

from __future__ import annotations

import base64
import io
import json
import re
from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import PASSPHRASE, run_analyst

NAMES = ["Alice", "Bob", "Chidi", "Dana", "Emeka"]


def _split(base: Path, how: str = "--shares", k_n: str = "3/5", *extra: str) -> dict[str, object]:
    out = base / "keys"
    n = int(k_n.split("/")[1])
    result = run_analyst("keygen", "--out-dir", out, "--name", "net", how, k_n, "--trustees", ",".join(NAMES[:n]), *extra)
    assert result.returncode == 0, result.stderr
    key_id = re.search(r"key id:\s+([0-9a-f ]+)", result.stdout)
    assert key_id is not None
    return {"dir": out, "key_id": key_id.group(1).strip(), "stdout": result.stdout + result.stderr,
            "files": sorted(out.glob("net.share-*.json"))}


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return _split(tmp_path_factory.mktemp("split"), "--shares", "3/5", "--keep-key")


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return _split(tmp_path_factory.mktemp("other"), "--shares", "3/5")


def _files(split: dict[str, object]) -> list[Path]:
    files = split["files"]
    assert isinstance(files, list)
    return files


def _share_lines(path: Path) -> str:
    return str(json.loads(path.read_text())["share"])


def test_keygen_writes_a_sheet_and_a_file_per_trustee_readable_by_the_owner_only(split: dict[str, object]) -> None:
    folder = split["dir"]
    assert isinstance(folder, Path)
    sheets = sorted(folder.glob("net.share-*.html"))
    assert len(_files(split)) == len(sheets) == 5
    for path in [*_files(split), *sheets, folder / "net.key.pem"]:
        assert path.stat().st_mode & 0o777 == 0o600, path
    for path, name in zip(sheets, NAMES, strict=True):
        page = path.read_text()
        assert name in page and str(split["key_id"]) in page and "any 3 of the 5" in page
    for path in _files(split):  # no share is ever printed on the terminal
        for line in _share_lines(path).splitlines():
            assert line.split(": ", 1)[1] not in str(split["stdout"])


def test_every_k_subset_rebuilds_the_key_with_its_key_id(split: dict[str, object], tmp_path: Path) -> None:
    for subset in combinations(_files(split), 3):
        args = [a for f in subset for a in ("--share-file", f)]
        check = run_analyst("shares", "check", *args, "--key-id", str(split["key_id"]))
        assert check.returncode == 0, check.stderr
        assert f"rebuild key {split['key_id']}" in check.stdout
    texts = []
    for i, path in enumerate(_files(split)[2:], start=1):  # typed shares, from text
        texts.append(tmp_path / f"typed{i}.txt")
        texts[-1].write_text(_share_lines(path))
    out = tmp_path / "rebuilt"
    recovered = run_analyst("recover", *[a for t in texts for a in ("--share-text", t)], "--out-dir", out, "--name", "back")
    assert recovered.returncode == 0, recovered.stderr
    assert f"key id:      {split['key_id']}" in recovered.stdout
    key = out / "back.key.pem"
    assert "ENCRYPTED PRIVATE KEY" in key.read_text() and key.stat().st_mode & 0o777 == 0o600
    folder = split["dir"]
    assert isinstance(folder, Path)
    assert (out / "back.pub.pem").read_bytes() == (folder / "net.pub.pem").read_bytes()


def test_k_minus_one_shares_fail_with_a_clear_message(split: dict[str, object], tmp_path: Path) -> None:
    two = [a for f in _files(split)[:2] for a in ("--share-file", f)]
    result = run_analyst("recover", *two, "--out-dir", tmp_path)
    assert result.returncode == 2
    assert f"key {split['key_id']} needs 3 different shares of its 5; only 2 were given" in result.stderr
    assert not list(tmp_path.iterdir())


def test_a_share_with_one_changed_character_is_named(split: dict[str, object], tmp_path: Path) -> None:
    lines = _share_lines(_files(split)[1]).splitlines()
    prefix, body = lines[3].split(": ")
    changed = body[:5] + ("Z" if body[5] != "Z" else "Y") + body[6:]
    typed = tmp_path / "bob.txt"
    typed.write_text("\n".join([*lines[:3], f"{prefix}: {changed}", lines[4]]))
    ok = [a for f in (_files(split)[0], _files(split)[2]) for a in ("--share-file", f)]
    result = run_analyst("shares", "check", *ok, "--share-text", typed)
    assert result.returncode == 2
    assert "bob.txt: line 4: does not match its check characters" in result.stderr


def test_an_altered_share_file_is_named_even_with_valid_checksums(split: dict[str, object], tmp_path: Path) -> None:
    """A share re-encoded with another value (checksums recomputed) is caught by the file's public
    shares, and among more than K plain texts by the other shares."""
    from survey.analyst.key_shares import Share

    path = _files(split)[3]
    doc = json.loads(path.read_text())
    share = Share.from_text(doc["share"])
    forged = Share(share.mode, share.k, share.n, share.index, share.key_id, share.value + 1)
    doc["share"] = forged.text()
    bad = tmp_path / "dana.json"
    bad.write_text(json.dumps(doc))
    result = run_analyst("shares", "check", *[a for f in _files(split)[:2] for a in ("--share-file", f)], "--share-file", bad)
    assert result.returncode == 2 and "dana.json: share 4 is not the one its key's public shares expect" in result.stderr
    texts = []
    for i, text in enumerate([_share_lines(f) for f in _files(split)[:3]] + [forged.text()]):
        texts.append(tmp_path / f"t{i}.txt")
        texts[-1].write_text(text)
    result = run_analyst("shares", "check", *[a for t in texts for a in ("--share-text", t)])
    assert result.returncode == 2 and "share 4 from t3.txt does not fit the others" in result.stderr, result.stderr


def test_shares_of_another_key_are_refused(split: dict[str, object], other: dict[str, object]) -> None:
    mixed = [*_files(split)[:2], _files(other)[2]]
    result = run_analyst("shares", "check", *[a for f in mixed for a in ("--share-file", f)])
    assert result.returncode == 2
    assert f"is a share of key {other['key_id']}, not of key {split['key_id']}: it belongs to another key" in result.stderr
    same_other = run_analyst("shares", "check", *[a for f in _files(other)[:3] for a in ("--share-file", f)],
                             "--key-id", str(split["key_id"]))
    assert same_other.returncode == 2 and "belongs to another key" in same_other.stderr


def _sheet_qr(split: dict[str, object], index: int, tmp_path: Path) -> Path:
    folder = split["dir"]
    assert isinstance(folder, Path)
    [sheet] = folder.glob(f"net.share-{index}-*.html")
    data = re.search(r'src="data:image/png;base64,([^"]+)"', sheet.read_text())
    assert data is not None
    picture = tmp_path / f"sheet{index}.png"
    picture.write_bytes(base64.b64decode(data.group(1)))
    return picture


def test_the_sheets_qr_code_decodes_to_the_share(split: dict[str, object], tmp_path: Path) -> None:
    import zxingcpp

    for index, path in enumerate(_files(split), start=1):
        [code] = zxingcpp.read_barcodes(Image.open(_sheet_qr(split, index, tmp_path)))
        assert code.text == _share_lines(path)


def test_recover_reads_shares_from_photos_of_their_qr_codes(split: dict[str, object], tmp_path: Path) -> None:
    photos = []
    for index in (1, 3, 5):  # as a phone photo would be: bigger, greyer, JPEG
        png = Image.open(_sheet_qr(split, index, tmp_path)).convert("L").resize((900, 900))
        buffer = io.BytesIO()
        png.point(lambda v: 40 + v * 0.7).save(buffer, "JPEG", quality=70)
        photos.append(tmp_path / f"photo{index}.jpg")
        photos[-1].write_bytes(buffer.getvalue())
    result = run_analyst("shares", "check", *[a for p in photos for a in ("--qr", p)], "--key-id", str(split["key_id"]))
    assert result.returncode == 0, result.stderr
    assert "share 1 from the QR code in photo1.jpg" in result.stdout


def test_typed_shares_are_checked_line_by_line(split: dict[str, object]) -> None:
    import os
    import subprocess
    import sys

    typed = "\n\n".join(_share_lines(f) for f in _files(split)[1:4]) + "\n"
    env = {**os.environ, "SURVEY_ANALYST_PASSPHRASE": PASSPHRASE}
    result = subprocess.run([sys.executable, "-m", "survey.analyst.cli", "shares", "check", "--typed", "3"],
                            input=typed, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"rebuild key {split['key_id']}" in result.stdout


def test_threshold_keygen_keeps_no_whole_key(tmp_path: Path) -> None:
    made = _split(tmp_path, "--threshold", "2/3")
    folder = made["dir"]
    assert isinstance(folder, Path)
    assert not (folder / "net.key.pem").exists() and (folder / "net.pub.pem").exists()
    refused = run_analyst("keygen", "--out-dir", tmp_path / "x", "--threshold", "2/3", "--keep-key")
    assert refused.returncode == 2 and "no whole key" in refused.stderr


def test_shares_split_gives_new_shares_of_the_same_key_that_do_not_mix_with_the_old(
    split: dict[str, object], tmp_path: Path
) -> None:
    folder = split["dir"]
    assert isinstance(folder, Path)
    result = run_analyst("shares", "split", "--key", folder / "net.key.pem", "--shares", "2/3",
                         "--trustees", "Bob,Chidi,Fatima", "--out-dir", tmp_path, "--name", "net")
    assert result.returncode == 0, result.stderr
    assert f"key id:      {split['key_id']}" in result.stdout
    new = sorted(tmp_path.glob("net.share-*.json"))
    assert len(new) == 3 and all(p.stat().st_mode & 0o777 == 0o600 for p in new)
    check = run_analyst("shares", "check", "--share-file", new[0], "--share-file", new[2], "--key-id", str(split["key_id"]))
    assert check.returncode == 0, check.stderr
    old_and_new = [_share_lines(_files(split)[0]), _share_lines(new[1])]
    texts = []
    for i, text in enumerate(old_and_new):
        texts.append(tmp_path / f"mix{i}.txt")
        texts[-1].write_text(text)
    mixed = run_analyst("shares", "check", *[a for t in texts for a in ("--share-text", t)])
    assert mixed.returncode == 2
