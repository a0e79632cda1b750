"""What a declared world loads from, as one digest: a reset writes the last loaded world back while it holds."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def files_digest(paths: Iterable[Path]) -> str | None:
    """SHA-256 over the files' names and contents; None when one cannot be read (then it is loaded for real,
    and names its own problem)."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            content = Path(path).read_bytes()
        except OSError:
            return None
        digest.update(str(path).encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()
