"""How the pipeline's workers open envelopes: with the analyst's whole private keys, or by
combining trustees' partial decryptions (threshold custody). Both are plain data, handed to each
worker process once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PyCryptodome is imported only when partials are given
    from survey.analyst.combine import PartialSet


@dataclass(frozen=True)
class WholeKeys:
    """The private keys given with ``--key``, as private values (not pickled key objects)."""

    private_values: tuple[int, ...]


@dataclass(frozen=True)
class Partials:
    """The partial decryptions given with ``--partials``, per export file path."""

    by_export: dict[str, PartialSet]


Unsealing = WholeKeys | Partials
