"""Regenerate the service models shipped inside the package from a named botocore release.

The emulator reads its protocol (operations, shapes, constraints, error shapes, auth types) from
``emulator/service_models/<service>.json``, never from whichever botocore happens to be installed. Updating
the protocol is a deliberate commit made with this script:

    python scripts/update_service_model.py 1.44.8          # fetch botocore 1.44.8 from PyPI, rewrite the files
    python scripts/update_service_model.py 1.44.8 --check  # exit 1 when the shipped files differ from it
    python scripts/update_service_model.py --compare       # how the shipped models differ from the installed
                                                            # botocore's (a report; always exits 0)

The release is downloaded as a wheel with ``pip download`` (nothing is installed) and the models are read from
inside it. Documentation strings are dropped: the emulator never shows them, and they are most of the size.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "emulator" / "service_models"
SERVICES = ("cognito-idp", "cognito-identity")
# Prose the emulator never shows; dropped wherever it appears in the model's structure.
PROSE = ("documentation", "documentationUrl")


def strip(model: dict[str, Any]) -> dict[str, Any]:
    """The parts of a botocore ``service-2`` model the emulator uses: everything but the prose."""

    def bare(spec: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in spec.items() if key not in PROSE}

    operations = {}
    for name, spec in model["operations"].items():
        operation = bare(spec)
        if "errors" in operation:
            operation["errors"] = [bare(error) for error in operation["errors"]]
        operations[name] = operation
    shapes = {}
    for name, spec in model["shapes"].items():
        shape = bare(spec)
        if "members" in shape:
            shape["members"] = {member: bare(value) for member, value in shape["members"].items()}
        for part in ("member", "key", "value"):
            if part in shape:
                shape[part] = bare(shape[part])
        shapes[name] = shape
    return {
        "version": model.get("version", "2.0"),
        "metadata": dict(model["metadata"]),
        "operations": operations,
        "shapes": shapes,
    }


def render(service: str, model: dict[str, Any], botocore_version: str) -> str:
    """The shipped file's text: the source first, then the stripped model, in botocore's order."""
    document = {"source": {"package": "botocore", "version": botocore_version, "service": service}}
    document.update(strip(model))
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _latest_model_path(names: Sequence[str], service: str) -> str:
    """The newest API version's ``service-2.json`` (or ``.json.gz``) of ``service`` among wheel paths."""
    pattern = re.compile(rf"^botocore/data/{re.escape(service)}/([^/]+)/service-2\.json(\.gz)?$")
    found = sorted((match.group(1), name) for name in names if (match := pattern.match(name)))
    if not found:
        raise SystemExit(f"no service-2 model of {service} in this botocore release")
    return found[-1][1]


def _decode(name: str, data: bytes) -> dict[str, Any]:
    return json.loads(gzip.decompress(data) if name.endswith(".gz") else data)


def models_from_wheel(wheel: Path, services: Sequence[str]) -> dict[str, dict[str, Any]]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        return {
            service: _decode(path, archive.read(path))
            for service in services
            for path in [_latest_model_path(names, service)]
        }


def download_wheel(version: str, directory: Path) -> Path:
    """botocore ``version``'s wheel from the package index, downloaded without installing anything."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
    command += ["--dest", str(directory), f"botocore=={version}"]
    subprocess.run(command, check=True)
    wheels = sorted(directory.glob(f"botocore-{version}-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not download a wheel of botocore {version}")
    return wheels[0]


def installed_models(services: Sequence[str]) -> tuple[str, dict[str, dict[str, Any]]] | None:
    """(version, models) of the installed botocore, or None when it is not installed."""
    try:
        import botocore
        import botocore.loaders
    except ImportError:
        return None
    loader = botocore.loaders.Loader()
    return botocore.__version__, {
        service: loader.load_service_model(service, "service-2") for service in services
    }


def shipped(service: str) -> dict[str, Any]:
    return json.loads((MODELS / f"{service}.json").read_text(encoding="utf-8"))


def differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Lines saying how two (stripped) models differ: operations added or removed, shapes changed."""
    theirs = strip(theirs)
    lines = []
    for kind in ("operations", "shapes"):
        mine, other = ours[kind], theirs[kind]
        added = sorted(set(other) - set(mine))
        removed = sorted(set(mine) - set(other))
        changed = sorted(name for name in set(mine) & set(other) if mine[name] != other[name])
        for label, names in (("new", added), ("gone", removed), ("changed", changed)):
            if names:
                lines.append(f"{kind} {label} ({len(names)}): {', '.join(names)}")
    if ours["metadata"] != theirs["metadata"]:
        lines.append("metadata changed")
    return lines


def compare(services: Sequence[str]) -> int:
    found = installed_models(services)
    if found is None:
        print("botocore is not installed: nothing to compare the shipped models with")
        return 0
    version, models = found
    for service in services:
        ours = shipped(service)
        lines = differences(ours, models[service])
        source = ours["source"]["version"]
        if not lines:
            print(
                f"{service}: the shipped model (botocore {source}) matches the installed botocore {version}"
            )
            continue
        print(
            f"{service}: the shipped model (botocore {source}) differs from the installed botocore {version}:"
        )
        for line in lines:
            print(f"  {line}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "version", nargs="?", help="the botocore release to take the models from, e.g. 1.44.8"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped files differ from it")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="report how the shipped models differ from the installed botocore",
    )
    parser.add_argument(
        "--wheel", type=Path, help="a botocore wheel already on disk (instead of downloading VERSION)"
    )
    parser.add_argument(
        "--service", action="append", dest="services", help=f"one service (default: {', '.join(SERVICES)})"
    )
    args = parser.parse_args(argv)
    services = tuple(args.services or SERVICES)
    if args.compare:
        return compare(services)
    if not args.version:
        parser.error("name the botocore release, e.g. 1.44.8 (or use --compare)")

    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel or download_wheel(args.version, Path(scratch))
        models = models_from_wheel(wheel, services)
    stale = []
    for service, model in models.items():
        path = MODELS / f"{service}.json"
        text = render(service, model, args.version)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if text == current:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(model['operations'])} operations)")
    if args.check and stale:
        for path in stale:
            print(f"{path.relative_to(ROOT)} differs from botocore {args.version}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
