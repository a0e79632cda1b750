"""A line in the test summary saying how the shipped service models differ from the installed botocore's.

A report, never a failure: AWS moving its API is news for a maintainer (who then runs
``scripts/update_service_model.py``), not a broken emulator.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import load_script


def _script() -> Any:
    return load_script("update_service_model")


def drift_report() -> list[str]:
    script = _script()
    found = script.installed_models(script.SERVICES)
    if found is None:
        return []
    version, models = found
    lines = []
    for service in script.SERVICES:
        shipped = script.shipped(service)
        changes = script.differences(shipped, models[service])
        if changes:
            source = shipped["source"]["version"]
            lines.append(
                f"{service}: the shipped model (botocore {source}) differs from the installed botocore "
                f"{version}: {'; '.join(changes)}"
            )
    return lines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    try:
        lines = drift_report()
    except Exception as exc:  # a report must never break the run
        lines = [f"could not compare the shipped service models with botocore's: {exc}"]
    if lines:
        terminalreporter.section("service models")
        for line in lines:
            terminalreporter.write_line(line[:2000])
        terminalreporter.write_line(
            "(a report, not a failure: see scripts/update_service_model.py --compare)"
        )
