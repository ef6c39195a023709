"""The content security policy: images from any https: host, scripts only from the site."""

from __future__ import annotations

import pytest


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


@pytest.mark.django_db
def test_images_may_come_from_any_https_host_but_not_plain_http(client):
    policy = directives(client.get("/"))
    assert "https:" in policy["img-src"]
    assert "http:" not in policy["img-src"]
    assert "'self'" in policy["img-src"]


@pytest.mark.django_db
def test_scripts_still_come_only_from_the_site(client):
    policy = directives(client.get("/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
