"""Threshold decryption end to end: responses sealed by the real server to a key split 3/5; three
trustees' partials give `report` and `decrypt` exactly what the whole key gives."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec

from survey.analyst import group, shamir
from survey.analyst.partial_file import ENTRY_SIZE, read
from survey.core import envelope, hpke_schedule
from survey.core.export_format import Record, RecordReader, record_line
from tests.conftest import AnalystKey, add_survey, build_app, export_survey, run_analyst
from tests.helpers import DEMO_FORM

NAMES = "Alice,Bob,Chidi,Dana,Emeka"


@dataclass(frozen=True)
class Custody:
    folder: Path
    key: AnalystKey
    shares: dict[int, Path]
    export: Path
    partials: dict[int, Path]


@pytest.fixture(scope="module")
def custody(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Custody]:
    base = tmp_path_factory.mktemp("threshold")
    made = run_analyst("keygen", "--out-dir", base / "offline", "--name", "net", "--shares", "3/5",
                       "--trustees", NAMES, "--keep-key")
    assert made.returncode == 0, made.stderr
    key_id = re.search(r"key id:\s+([0-9a-f ]+)", made.stdout)
    assert key_id is not None
    keys_dir = base / "keys"
    keys_dir.mkdir()
    shutil.copy(base / "offline" / "net.pub.pem", keys_dir)
    key = AnalystKey(keys_dir, base / "offline" / "net.key.pem", key_id.group(1).replace(" ", ""))
    app = build_app(base / "app", key)
    try:
        uid, token = add_survey(app)
        client = app.test_client()
        answers = [("yes", "34", "cost"), ("no", "51", "distance"), ("prefer_not_to_say", "29", "cost"),
                   ("yes", "40", "confidentiality")]
        for i in range(24):
            needed, age, barrier = answers[i % len(answers)]
            form = {**DEMO_FORM, "needed_treatment": needed, "age": age, "barriers": [barrier],
                    "comment": f"=HYPERLINK(\"x\") response {i}"}
            assert client.post(f"/s/{token}", data=form).status_code == 303
        export = _with_hostile_records(export_survey(app, uid, base / "export.jsonl"), uid)
    finally:
        app.extensions["survey_engine"].dispose()
    shares = {int(p.name.split("-")[1]): p for p in (base / "offline").glob("net.share-*.json")}
    partials = {}
    for index in (1, 3, 4, 5):
        partials[index] = base / f"partial-{index}.bin"
        done = run_analyst("partial", export, "--share", shares[index], "--out", partials[index], "--workers", "2")
        assert done.returncode == 0, done.stderr
    yield Custody(base, key, shares, export, partials)


def _with_hostile_records(export: Path, uid: str) -> Path:
    """The export plus what a hostile respondent or a broken sealer can put in one (sealed to
    another key, not opening, an encapsulated key off the curve, not a response document, not a
    record), with the manifest's count and digest made to match, as a forger would."""
    manifest, *records = export.read_bytes().splitlines(keepends=True)
    head = json.loads(manifest)
    public = envelope.load_public_key_pem((export.parent / "keys" / "net.pub.pem").read_bytes())
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    junk = bytearray(envelope.seal(b'{"f":1}', public, uid))
    junk[-1] ^= 1
    off_curve = bytearray(envelope.seal(b'{"f":1}', public, uid))
    off_curve[envelope.HEADER_SIZE + 5] ^= 1
    for env in (envelope.seal(b'{"f":1}', other, uid), bytes(junk), bytes(off_curve), envelope.seal(b"not json", public, uid)):
        records.append(record_line(Record("Street outreach", env)))
    records.append(b"not a record\n")
    head["records"] = len(records)
    head["records_sha256"] = hashlib.sha256(b"".join(records)).hexdigest()
    export.write_bytes(json.dumps(head).encode() + b"\n" + b"".join(records))
    return export


def _report(custody: Custody, out: Path, *how: str | Path) -> None:
    result = run_analyst("report", custody.export, *how, "--out", out, "--k", "2", "--workers", "2")
    assert result.returncode == 0, result.stderr


def test_three_partials_give_byte_identical_outputs_to_the_whole_key(custody: Custody, tmp_path: Path) -> None:
    _report(custody, tmp_path / "key", "--key", custody.key.private)
    _report(custody, tmp_path / "partials", "--partials", custody.partials[5], custody.partials[1], custody.partials[3])
    for name in ("responses.csv", "aggregates.csv", "scores.csv", "rejected.csv"):
        assert (tmp_path / "key" / name).read_bytes() == (tmp_path / "partials" / name).read_bytes(), name
    assert len((tmp_path / "key" / "responses.csv").read_text().splitlines()) == 25
    rejected = (tmp_path / "partials" / "rejected.csv").read_text()
    assert [rejected.count(r) for r in ("sealed to a key not given", "undecryptable", "plaintext is not", "malformed")] == [1, 2, 1, 1]
    assert "'=HYPERLINK" in (tmp_path / "partials" / "responses.csv").read_text()


def test_decrypt_with_partials_writes_what_decrypt_with_the_key_writes(custody: Custody, tmp_path: Path) -> None:
    whole = run_analyst("decrypt", custody.export, "--key", custody.key.private, "--out", tmp_path / "a.csv")
    split = run_analyst("decrypt", custody.export, "--partials", *[custody.partials[i] for i in (3, 4, 5)],
                        "--out", tmp_path / "b.csv")
    assert whole.returncode == split.returncode == 0, split.stderr
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_two_partials_are_refused(custody: Custody, tmp_path: Path) -> None:
    result = run_analyst("report", custody.export, "--partials", custody.partials[1], custody.partials[4],
                         "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "needs the partials of 3 trustees of 5; 2 given (trustee 1 (Alice), trustee 4 (Dana))" in result.stderr
    assert not (tmp_path / "out").exists()


def _tampered(custody: Custody, tmp_path: Path, index: int, record: int) -> Path:
    """Trustee ``index``'s partial with the entry of ``record`` replaced by another valid point."""
    partial = read(custody.partials[index])
    data = bytearray(custody.partials[index].read_bytes())
    at = partial.entries_offset + (record - 1) * ENTRY_SIZE
    point = group.decode(bytes(data[at : at + ENTRY_SIZE]))
    data[at : at + ENTRY_SIZE] = group.encode(point + group.generator())  # on the curve, but wrong
    out = tmp_path / f"tampered-{index}.bin"
    out.write_bytes(bytes(data))
    return out


def test_a_tampered_partial_is_named_and_its_record_is_not_used(custody: Custody, tmp_path: Path) -> None:
    bad = _tampered(custody, tmp_path, 3, 7)
    result = run_analyst("report", custody.export, "--partials", custody.partials[1], bad, custody.partials[5],
                         "--out", tmp_path / "out", "--k", "2")
    assert result.returncode == 1, result.stderr
    assert "WARNING: trustee 3 (Chidi)'s partial decryption fails its proof" in result.stderr
    assert "trustee 1" not in result.stderr and "trustee 5" not in result.stderr
    # Record 7, and the junk record that shares its block (which cannot be told from it with
    # exactly K partials), are rejected as the trustee's; every other response is there.
    assert "2 rejected: a trustee's partial decryption is wrong" in result.stderr
    assert len((tmp_path / "out" / "responses.csv").read_text().splitlines()) == 24


def test_with_a_spare_partial_the_tampered_one_is_named_and_left_out(custody: Custody, tmp_path: Path) -> None:
    bad = _tampered(custody, tmp_path, 1, 7)
    _whole = run_analyst("decrypt", custody.export, "--key", custody.key.private, "--out", tmp_path / "a.csv")
    result = run_analyst("decrypt", custody.export, "--partials", bad, *[custody.partials[i] for i in (3, 4)],
                         custody.partials[5], "--out", tmp_path / "b.csv")
    assert result.returncode == 1 and "trustee 1 (Alice)'s partial decryption fails its proof" in result.stderr
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_partial_of_another_export_is_refused(custody: Custody, tmp_path: Path) -> None:
    lines = custody.export.read_bytes().splitlines(keepends=True)
    other = tmp_path / "other.jsonl"
    head = json.loads(lines[0])
    head["survey"]["uid"] = "another-survey"
    other.write_bytes(json.dumps(head).encode() + b"\n" + b"".join(lines[1:]))
    result = run_analyst("report", other, "--partials", *[custody.partials[i] for i in (1, 3, 4)], "--out", tmp_path / "o")
    assert result.returncode == 2 and "is a partial of another export" in result.stderr


def test_partials_alone_open_no_envelope(custody: Custody) -> None:
    """What an attacker holding the partial files (but fewer than K, or no Lagrange weights for a
    K−1 subset) can try: each partial as the DH value, and every pair combined as though K were 2.
    None opens a single envelope; the files do not hold any share either."""
    reader = RecordReader(custody.export)
    uid = reader.manifest["survey"]["uid"]
    files = {i: read(p) for i, p in custody.partials.items()}
    public = files[1].header.public
    for i, path in custody.partials.items():
        share = custody.shares[i].read_text()
        value = re.search(r'"share": "([^"]+)"', share)
        assert value is not None
        from survey.analyst.key_shares import Share

        secret = Share.from_text(value.group(1).encode().decode("unicode_escape")).value.to_bytes(32, "big")
        assert secret not in path.read_bytes()
    tried = 0
    for number, record in enumerate(reader, start=1):
        if number > 24:  # the genuine responses; the hostile records after them have no partials to try
            break
        assert record is not None
        env = record.envelope
        enc = env[envelope.HEADER_SIZE : envelope.HEADER_SIZE + envelope.ENC_SIZE]
        context = hpke_schedule.key_schedule_context(envelope.hpke_info(env[: envelope.HEADER_SIZE], uid))
        points = {}
        for i, f in files.items():
            with open(f.path, "rb") as fh:
                fh.seek(f.entries_offset + (number - 1) * ENTRY_SIZE)
                points[i] = group.decode(fh.read(ENTRY_SIZE))
        guesses = [group.x_bytes(p) for p in points.values()]
        for pair in itertools.combinations(points, 2):
            lam = shamir.integer_coefficients(pair, public.n)
            guesses.append(group.x_bytes(group.combination((group.PublicScalar(lam[i]), points[i]) for i in pair)))
        for dh in guesses:
            tried += 1
            with pytest.raises(InvalidTag):
                hpke_schedule.open_from_dh(dh, enc, public.public_key, context, env[envelope.HEADER_SIZE + envelope.ENC_SIZE :])
        triple = (1, 3, 4)  # and the test itself is right: three of them do open it
        lam = shamir.integer_coefficients(triple, public.n)
        dh = group.x_bytes(group.combination((group.PublicScalar(lam[i]), points[i]) for i in triple))
        assert hpke_schedule.open_from_dh(dh, enc, public.public_key, context, env[envelope.HEADER_SIZE + envelope.ENC_SIZE :])
    assert tried == 24 * (4 + 6)
