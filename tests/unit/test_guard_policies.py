"""The origin and Host policies of emulator.guard, on their own."""

from __future__ import annotations

import pytest

from emulator.guard.hosts import HostPolicy
from emulator.guard.origins import OriginPolicy, origin_of


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173",
        "https://localhost",
        "http://LOCALHOST:3000",
        "http://app.localhost:8080",
        "http://127.0.0.1:9229",
        "http://127.1.2.3:80",
        "http://[::1]:3000",
    ],
)
def test_loopback_origins_are_allowed_by_default(origin):
    assert OriginPolicy([]).allows(origin)


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example",
        "http://evil.example:9229",
        "null",
        "file://",
        "ftp://localhost",
        "http://192.168.1.10:3000",
        "",
    ],
)
def test_other_origins_are_refused_by_default(origin):
    assert not OriginPolicy([]).allows(origin)


def test_named_and_wildcard_origins():
    policy = OriginPolicy(["https://app.example.com", "https://*.preview.example.com", "http://10.0.0.5:*"])
    assert policy.allows("https://app.example.com")
    assert policy.allows("https://APP.example.com/")
    assert policy.allows("https://pr-12.preview.example.com")
    assert policy.allows("https://a.b.preview.example.com")
    assert policy.allows("http://10.0.0.5:3000")
    assert not policy.allows("http://app.example.com")  # another scheme is another origin
    assert not policy.allows("https://app.example.com:8443")
    assert not policy.allows("https://preview.example.com.evil.example")
    assert not policy.allows("https://evilpreview.example.com")
    assert not policy.allows("https://x.preview.example.com.evil.example")
    assert not policy.allows("http://10.0.0.5:3000/path")
    assert policy.allows("http://localhost:1234")  # loopback stays allowed


def test_star_allows_every_origin():
    policy = OriginPolicy(["*"])
    assert policy.any and policy.allows("https://evil.example") and policy.allows("null")


def test_the_public_url_is_an_allowed_origin():
    assert OriginPolicy([], public_url="https://cognito.dev.example.com/").allows(
        "https://cognito.dev.example.com"
    )


def test_origin_of_a_referer():
    assert origin_of("http://localhost:3000/some/page?x=1") == "http://localhost:3000"
    assert origin_of("https://user:pw@evil.example/x") == "https://evil.example"
    assert origin_of("not a url") is None


@pytest.mark.parametrize(
    "host",
    [
        "localhost:9229",
        "LOCALHOST",
        "app.localhost:9229",
        "127.0.0.1:9229",
        "127.9.9.9",
        "[::1]:9229",
        "192.168.1.20:9229",
        "[fe80::1]:9229",
        "10.0.0.2",
    ],
)
def test_loopback_names_and_ip_addresses_are_served(host):
    assert HostPolicy([]).allows(host)


@pytest.mark.parametrize(
    "host",
    ["evil.example:9229", "evil.example", "localhost.evil.example", "127.0.0.1.nip.io:9229", "cognito", ""],
)
def test_other_host_names_are_refused(host):
    assert not HostPolicy([]).allows(host)


def test_allowed_hosts_public_url_and_bind_address():
    policy = HostPolicy(
        ["cognito", "*.dev.example.com"], public_url="https://auth.example.org/base", bind_host="myhost.lan"
    )
    for host in ("cognito:9229", "a.dev.example.com", "auth.example.org", "myhost.lan:9229"):
        assert policy.allows(host), host
    assert not policy.allows("dev.example.com.evil.example")
    assert not policy.allows("evil.example")
    assert HostPolicy(["*"]).allows("evil.example")
    assert not HostPolicy([], bind_host="0.0.0.0").allows("evil.example")
