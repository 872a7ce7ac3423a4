"""Telling the demo analyst key apart: `make run` makes a key pair whose private half sits in
demo-analyst-key/ under a passphrase printed in the Makefile, so anything sealed to it is readable
by anyone who has that folder or can make it again. The console warns while such a key is in
keys/, and refuses a new survey on it unless the admin says it is a demo.

The signal is a marker file `make demo-key` writes next to the public key, ``keys/<name>.demo``,
holding the demo key's key id (a few comment lines explain it). Why a marker and not something else:

- the key id binds the marker to the key itself: renaming the .pub.pem keeps the warning, and a
  real key added beside it is not marked;
- the server never reads private key files (keyring.py refuses to start when one is in keys/), and
  may run where demo-analyst-key/ is not, so "the private file opens with the published
  passphrase" is not something it can or should check;
- it travels with keys/ when that folder is copied to another machine.

Keys that `make run` made before markers existed have no marker; their file name,
``demo-analyst.pub.pem`` (only `make demo-key` writes it), marks them too.

``python -m survey.server.demo_key keys/demo-analyst.pub.pem`` writes the marker (the Makefile
runs it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from survey.core.envelope import key_id, load_public_key_pem

MARKER_SUFFIX = ".demo"
#: The file name `make demo-key` gives the demo public key.
MAKE_RUN_NAME = "demo-analyst.pub.pem"
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_EXPLANATION = """\
# DEMO KEY. The private half of the public key with the id below was made by `make run` and is
# kept in demo-analyst-key/ under a published passphrase: anyone can read what is sealed to it.
# The console warns on every page while this key is in keys/ and makes no survey on it unless
# an admin says it is a demo. Before collecting real answers, remove the key AND this file, and
# put the analyst's own public key here.
"""


def is_marker(path: Path) -> bool:
    return path.name.endswith(MARKER_SUFFIX)


def marked_ids(directory: Path) -> set[str]:
    """The key ids the markers in ``directory`` name."""
    ids: set[str] = set()
    for marker in directory.iterdir():
        if marker.is_file() and is_marker(marker):
            for line in marker.read_text(encoding="utf-8", errors="replace").splitlines():
                if _KEY_ID.fullmatch(line.strip()):
                    ids.add(line.strip())
    return ids


def is_demo(path: Path, kid: str, marked: set[str]) -> bool:
    return kid in marked or path.name == MAKE_RUN_NAME


def write_marker(public_key: Path) -> Path:
    """Write ``<name>.demo`` next to ``public_key`` (``<name>.pub.pem``), naming its key id."""
    kid = key_id(load_public_key_pem(public_key.read_bytes()))
    name = public_key.name.removesuffix(".pem").removesuffix(".pub")
    marker = public_key.with_name(name + MARKER_SUFFIX)
    marker.write_text(_EXPLANATION + kid + "\n", encoding="utf-8")
    return marker


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m survey.server.demo_key keys/demo-analyst.pub.pem\n")
        return 2
    marker = write_marker(Path(argv[0]))
    sys.stdout.write(f"marked {argv[0]} as the DEMO key ({marker})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
