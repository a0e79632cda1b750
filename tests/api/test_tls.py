"""``serve --tls``: the HTTPS listener with the local CA's certificate (verified for real), the JSON API and the
pool domains on it, the CA command, the settings' one-line errors, and the listener in forked workers."""

from __future__ import annotations

import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from emulator.config import Settings
from emulator.crypto import local_ca
from emulator.testing import ServerThread
from emulator.testing.server import free_port
from tests.api.test_cli import ROOT, Served
from tests.api.test_cli_start import assert_one_line, serve
from tests.conftest import make_boto_client


@pytest.fixture(scope="module")
def tls_server() -> Iterator[ServerThread]:
    with ServerThread(Settings(port=0, database="sqlite://"), tls=True) as running:
        yield running


def test_the_https_listener_is_verified_with_the_local_ca(tls_server: ServerThread):
    assert tls_server.tls_endpoint and tls_server.tls_endpoint.startswith("https://localhost:")
    with httpx.Client(verify=tls_server.ssl_context()) as client:
        assert client.get(tls_server.tls_endpoint + "/").json()["service"] == "cognito-emulator"
        port = tls_server.settings.tls_port
        assert client.get(f"https://127.0.0.1:{port}/_emulator/health").status_code == 200
    # Without the CA, verification fails: the certificate is no public CA's.
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(tls_server.tls_endpoint + "/")
    # The plain listener stays plain.
    assert httpx.get(tls_server.endpoint + "/").status_code == 200


def test_the_json_api_and_pool_domains_answer_on_the_https_port(tls_server: ServerThread):
    assert tls_server.ca_path is not None
    cognito = make_boto_client(tls_server.tls_endpoint or "")
    cognito._endpoint.http_session._verify = str(tls_server.ca_path)  # botocore: verify= of the client
    pool = cognito.create_user_pool(PoolName="tls")["UserPool"]["Id"]
    cognito.create_user_pool_domain(UserPoolId=pool, Domain="tls-login")
    assert make_boto_client(tls_server.endpoint).describe_user_pool(UserPoolId=pool)["UserPool"]["Domain"]
    with httpx.Client(verify=tls_server.ssl_context()) as client:
        # A domain path that its routes do not have: the domain site's 404, not the server's.
        response = client.get(f"{tls_server.tls_endpoint}/tls-login/no-such-page")
        assert response.status_code == 404
        port = tls_server.settings.tls_port
        # The *.auth.<region>.localhost names are in the certificate.
        response = client.get(
            f"https://127.0.0.1:{port}/no-such-page",
            headers={"Host": f"tls-login.auth.us-east-1.localhost:{port}"},
        )
        assert response.status_code == 404


def test_the_server_certificate_names_localhost_and_the_auth_names(tls_server: ServerThread):
    assert tls_server.ca_path is not None
    cert = x509.load_pem_x509_certificate((tls_server.ca_path.parent / local_ca.LEAF_CERT).read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = names.get_values_for_type(x509.DNSName)
    assert "localhost" in dns and "*.auth.us-east-1.localhost" in dns and "*.auth.eu-west-1.localhost" in dns
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    ca = x509.load_pem_x509_certificate(tls_server.ca_path.read_bytes())
    assert cert.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True


def test_the_ca_is_made_once_and_the_server_key_kept(tmp_path: Path):
    names = ["localhost", "127.0.0.1"]
    first = local_ca.ensure_leaf(tmp_path, names)
    ca_pem, key_pem = first.ca_cert.read_bytes(), first.key.read_bytes()
    spki = local_ca.spki_hash(first.cert.read_bytes())
    assert (first.ca_key.stat().st_mode & 0o777) == 0o600 and (first.key.stat().st_mode & 0o777) == 0o600
    # Other names: a new server certificate from the same CA, with the same key (the SPKI pin still holds).
    second = local_ca.ensure_leaf(tmp_path, [*names, "cognito.test"])
    assert second.ca_cert.read_bytes() == ca_pem and second.key.read_bytes() == key_pem
    assert local_ca.spki_hash(second.cert.read_bytes()) == spki
    sans = x509.load_pem_x509_certificate(second.cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert "cognito.test" in sans.value.get_values_for_type(x509.DNSName)


def test_the_ca_command_prints_the_path_and_the_ways_to_trust_it(tmp_path: Path):
    def ca(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "emulator", "ca", "--database", str(tmp_path / "emulator.db"), *args],
            cwd=tmp_path,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )

    result = ca()
    assert result.returncode == 0, result.stderr
    path = tmp_path / "tls" / local_ca.CA_CERT
    assert f"CA certificate: {path}" in result.stdout
    assert f"NODE_EXTRA_CA_CERTS={path}" in result.stdout
    spki = local_ca.spki_hash((tmp_path / "tls" / local_ca.LEAF_CERT).read_bytes())
    assert f"--ignore-certificate-errors-spki-list={spki}" in result.stdout
    assert "update-ca-certificates" in result.stdout
    assert ca("--path").stdout.strip() == str(path)
    # The CA is kept: a second run prints the same certificate.
    before = path.read_bytes()
    assert ca().returncode == 0 and path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--tls-cert", "x.pem"], {}, "--tls-cert and --tls-key are for the HTTPS listener: add --tls"),
        (["--tls", "--tls-port", "70000"], {}, "tls-port 70000 is out of range"),
        (["--tls", "--port", "9555", "--tls-port", "9555"], {}, "tls-port 9555 is also --port"),
        (["--tls", "--tls-cert", "missing.pem"], {}, "--tls-cert 'missing.pem': no such file"),
        (["--tls", "--tls-key", "key.pem"], {}, "--tls-key needs --tls-cert"),
        (["--tls", "--tls-cert", "bad.pem"], {}, "not a PEM certificate and its private key"),
        (
            [],
            {"COGNITO_EMULATOR_TLS": "1", "COGNITO_EMULATOR_TLS_PORT": "x"},
            "COGNITO_EMULATOR_TLS_PORT='x'",
        ),
        ([], {"COGNITO_EMULATOR_TLS": "yes", "COGNITO_EMULATOR_TLS_CERT": "missing.pem"}, "no such file"),
    ],
)
def test_bad_tls_settings_are_one_line(tmp_path: Path, args, env, expected):
    (tmp_path / "bad.pem").write_text("not a certificate\n")
    assert_one_line(serve(["--port", "0", "--database", "sqlite://", *args], tmp_path, env=env), expected)


def test_serve_tls_with_forked_workers_and_your_own_certificate(tmp_path: Path):
    # The user's own certificate: one made by another CA (here the local CA code, in another directory).
    own = local_ca.ensure_leaf(tmp_path / "own", ["localhost", "127.0.0.1"])
    port, tls_port = free_port(), free_port()
    process = Served(
        tmp_path,
        [
            "--port", str(port), "--tls", "--tls-port", str(tls_port), "--workers", "2",
            "--tls-cert", str(own.cert), "--tls-key", str(own.key), "--database", str(tmp_path / "db.sqlite"),
        ],
        cwd=tmp_path,
    )  # fmt: skip
    try:
        process.wait_until_ready(port)
        assert f"https://localhost:{tls_port}" in process.banner
        context = ssl.create_default_context(cafile=str(own.ca_cert))
        with httpx.Client(verify=context) as client:
            for _ in range(4):  # whichever worker takes it
                assert client.get(f"https://localhost:{tls_port}/_emulator/health").status_code == 200
        # No local CA was made: the user's certificate is used as given.
        assert not (tmp_path / "tls").exists()
        assert process.interrupt() == 0
    finally:
        process.process.kill()


def test_chromium_accepts_the_certificate_by_its_spki_hash(tls_server: ServerThread):
    from tests.real_clients import chromium

    browser = chromium()
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom"]
    url = f"{tls_server.tls_endpoint}/_emulator/health"
    trusted = subprocess.run(
        [*base[:-1], f"--ignore-certificate-errors-spki-list={tls_server.spki_hash()}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert '"status":"ok"' in trusted.stdout, trusted.stderr[-2000:]
    untrusted = subprocess.run([*base, url], capture_output=True, text=True, timeout=60)
    assert '"status":"ok"' not in untrusted.stdout


def test_local_emulator_with_tls_restarts_on_a_fresh_ca():
    from emulator.testing import LocalEmulator

    emulator = LocalEmulator(tls=True)
    for _ in range(2):
        with emulator:
            assert emulator.tls_endpoint and emulator.ca_path and emulator.ca_path.exists()
            context = ssl.create_default_context(cafile=str(emulator.ca_path))
            assert httpx.get(emulator.tls_endpoint + "/_emulator/health", verify=context).status_code == 200
            used = emulator.ca_path
        assert not used.exists()
