"""The service models shipped inside the package: what they hold, how they are made, and that nothing at run
time needs botocore."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emulator.protocol import service_model
from tests.helpers import load_script

ROOT = Path(__file__).resolve().parents[2]


script = load_script("update_service_model")


def test_the_cognito_idp_model_is_botocore_1_44_8_with_153_operations():
    assert service_model.source() == "botocore 1.44.8"
    assert service_model.target_prefix() == "AWSCognitoIdentityProviderService"
    assert len(service_model.operation_names()) == 153
    assert {"ListClientMetadataURLs", "UpdateClientMetadataURLState", "CreateCIMDPolicy"} <= set(
        service_model.operation_names()
    )


def test_the_loader_takes_a_service_name():
    assert service_model.source("cognito-identity") == "botocore 1.44.8"
    assert service_model.target_prefix("cognito-identity") == "AWSCognitoIdentityService"
    assert len(service_model.operation_names("cognito-identity")) == 23
    assert service_model.input_shape_name("GetId", "cognito-identity") == "GetIdInput"
    with pytest.raises(LookupError, match="no service model is shipped for 'cognito-sync'"):
        service_model.load("cognito-sync")


def test_validation_works_for_the_second_service():
    from emulator.protocol.errors import InvalidParameterException

    with pytest.raises(InvalidParameterException) as excinfo:
        service_model.validate_request("GetId", {}, "cognito-identity")
    assert excinfo.value.message == (
        "1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_the_shipped_files_hold_no_prose():
    for service in script.SERVICES:
        text = (ROOT / "emulator" / "protocol" / "service_models" / f"{service}.json").read_text(
            encoding="utf-8"
        )
        assert '"documentation"' not in text
        assert '"documentationUrl"' not in text


def test_strip_keeps_structure_and_constraints_and_drops_documentation():
    model = {
        "version": "2.0",
        "documentation": "<p>The service.</p>",
        "metadata": {"targetPrefix": "Demo", "protocol": "json"},
        "operations": {
            "Go": {
                "name": "Go",
                "input": {"shape": "GoRequest"},
                "errors": [{"shape": "Oops", "documentation": "<p>why</p>"}],
                "authtype": "none",
                "documentation": "<p>Goes.</p>",
                "documentationUrl": "https://example.invalid",
            }
        },
        "shapes": {
            "GoRequest": {
                "type": "structure",
                "required": ["Name"],
                "members": {"Name": {"shape": "Name", "documentation": "<p>a name</p>"}},
                "documentation": "<p>input</p>",
            },
            "Name": {"type": "string", "max": 3, "pattern": "[a-z]+", "sensitive": True},
            "Names": {"type": "list", "member": {"shape": "Name", "documentation": "x"}},
            "Oops": {"type": "structure", "members": {}, "exception": True},
        },
    }
    stripped = script.strip(model)
    assert "documentation" not in json.dumps(stripped)
    assert stripped["operations"]["Go"] == {
        "name": "Go",
        "input": {"shape": "GoRequest"},
        "errors": [{"shape": "Oops"}],
        "authtype": "none",
    }
    assert stripped["shapes"]["GoRequest"] == {
        "type": "structure",
        "required": ["Name"],
        "members": {"Name": {"shape": "Name"}},
    }
    assert stripped["shapes"]["Name"] == model["shapes"]["Name"]
    assert stripped["shapes"]["Names"] == {"type": "list", "member": {"shape": "Name"}}
    text = script.render("demo", model, "9.9.9")
    assert json.loads(text)["source"] == {"package": "botocore", "version": "9.9.9", "service": "demo"}
    assert list(json.loads(text)) == ["source", "version", "metadata", "operations", "shapes"]


def test_differences_name_new_gone_and_changed_parts():
    ours = script.strip(
        {
            "metadata": {"targetPrefix": "Demo"},
            "operations": {"A": {"name": "A"}, "B": {"name": "B"}},
            "shapes": {"S": {"type": "string"}},
        }
    )
    theirs = {
        "metadata": {"targetPrefix": "Demo"},
        "operations": {"A": {"name": "A", "documentation": "prose does not count"}, "C": {"name": "C"}},
        "shapes": {"S": {"type": "string", "max": 5}},
    }
    assert script.differences(ours, theirs) == [
        "operations new (1): C",
        "operations gone (1): B",
        "shapes changed (1): S",
    ]
    assert (
        script.differences(ours, {**theirs, "operations": ours["operations"], "shapes": ours["shapes"]}) == []
    )


def test_the_update_script_reproduces_the_shipped_files_from_their_botocore_release(tmp_path):
    """The files are exactly what the script makes of the release they name: from the installed botocore when
    it is that release, else from that release's wheel (pip download, cached by pip)."""
    version = json.loads(
        (ROOT / "emulator" / "protocol" / "service_models" / "cognito-idp.json").read_text()
    )["source"]["version"]
    installed = script.installed_models(script.SERVICES)
    if installed is not None and installed[0] == version:
        for service, model in installed[1].items():
            shipped = (ROOT / "emulator" / "protocol" / "service_models" / f"{service}.json").read_text(
                encoding="utf-8"
            )
            assert script.render(service, model, version) == shipped
        return
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_service_model.py"), version, "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_the_emulator_serves_and_validates_without_botocore():
    """In a fresh interpreter where botocore and boto3 cannot be imported: the server starts, answers, validates
    against the shipped model (also an operation that only the newest models have), and never tried to import
    botocore."""
    program = textwrap.dedent(
        """
        import importlib.abc, json, sys, urllib.error, urllib.request

        class NoBotocore(importlib.abc.MetaPathFinder):
            tried = []
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("botocore", "boto3"):
                    self.tried.append(name)
                    raise ImportError(f"{name} is blocked in this test")
                return None

        blocker = NoBotocore()
        sys.meta_path.insert(0, blocker)

        from emulator.config import Settings
        from emulator.testing import ServerThread

        def call(endpoint, operation, body):
            request = urllib.request.Request(
                endpoint, data=json.dumps(body).encode(), method="POST",
                headers={"Content-Type": "application/x-amz-json-1.1",
                         "X-Amz-Target": "AWSCognitoIdentityProviderService." + operation},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        with ServerThread(Settings(port=0, database="sqlite://")) as server:
            results = {
                "created": call(server.endpoint, "CreateUserPool", {"PoolName": "no-botocore"}),
                "invalid": call(server.endpoint, "CreateUserPool", {"PoolName": ""}),
                "new": call(server.endpoint, "ListClientMetadataURLs", {}),
            }
        results["tried"] = blocker.tried
        results["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in ("botocore", "boto3"))
        print(json.dumps(results))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout.strip().splitlines()[-1])
    status, created = results["created"]
    assert status == 200 and created["UserPool"]["Name"] == "no-botocore"
    status, invalid = results["invalid"]
    assert status == 400 and invalid["__type"] == "InvalidParameterException"
    assert (
        "at 'poolName' failed to satisfy constraint: Member must have length greater than or equal to 1"
        in (invalid["message"])
    )
    # ListClientMetadataURLs is only in the newest models (botocore 1.44.x): its required members come from there.
    status, new = results["new"]
    assert status == 400 and new["__type"] == "InvalidParameterException"
    assert (
        "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null" in new["message"]
    )
    assert results["tried"] == [] and results["loaded"] == []


def test_the_summary_reports_drift_from_the_installed_botocore(monkeypatch):
    from tests import model_drift

    module = model_drift._script()
    installed = {
        "cognito-idp": {
            "metadata": {},
            "operations": {"NewOperation": {"name": "NewOperation"}},
            "shapes": {},
        },
        "cognito-identity": module.shipped("cognito-identity"),
    }
    monkeypatch.setattr(module, "installed_models", lambda services: ("9.9.9", installed))
    [line] = model_drift.drift_report()
    assert line.startswith(
        "cognito-idp: the shipped model (botocore 1.44.8) differs from the installed botocore 9.9.9:"
    )
    assert "operations new (1): NewOperation" in line
    assert "operations gone (153)" in line
