"""POST /_emulator/reset with start-up fixtures: fast (keys kept per pool id), honest about broken files."""

from __future__ import annotations

import shutil

import httpx

from emulator.config import Settings
from emulator.testing import ServerThread

DEMO_POOL = "us-east-1_Demo00001"


def test_reset_restores_fixture_pools_with_their_keys(tmp_path):
    settings = Settings(
        port=0, database=f"sqlite:///{tmp_path / 'db.sqlite'}", fixtures=["fixtures/signin-steps.yaml"]
    )
    with ServerThread(settings) as server, httpx.Client(base_url=server.endpoint) as http:
        before = http.get(f"/{DEMO_POOL}/.well-known/jwks.json").json()
        assert http.post("/_emulator/reset", json={}).json() == {}
        after = http.get(f"/{DEMO_POOL}/.well-known/jwks.json").json()
        assert {key["kid"] for key in after["keys"]} == {key["kid"] for key in before["keys"]}


def test_reset_with_a_broken_fixture_file_says_why(tmp_path):
    fixture = tmp_path / "world.yaml"
    shutil.copy("fixtures/signin-steps.yaml", fixture)
    settings = Settings(port=0, database=f"sqlite:///{tmp_path / 'db.sqlite'}", fixtures=[str(fixture)])
    with ServerThread(settings) as server, httpx.Client(base_url=server.endpoint) as http:
        fixture.write_text("pools: [{id: 42}]\n")
        response = http.post("/_emulator/reset", json={})
        assert response.status_code == 400
        assert response.json()["__type"] == "FixtureError"
        assert "pools[0]" in response.json()["message"]
        assert http.get("/_emulator/health").status_code == 200
