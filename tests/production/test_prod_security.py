"""Security headers, CSP nonces, CSRF on forms, login throttling, secrets never stored or logged
in plain text, constant-time comparisons."""

from __future__ import annotations

import ast
import hmac
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer, clear_caches
from typer.testing import CliRunner

from treasury.web import security

SRC = Path(__file__).resolve().parents[2] / "src" / "treasury"
BROWSER = {"Origin": "http://testserver", "Accept": "text/html"}


def form_token(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page's POST form carries (and the cookie the client now holds)."""
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the page's POST form has no csrf_token field"
    assert client.cookies.get(security.CSRF_COOKIE) == match.group(1)
    return match.group(1)


# -- headers and CSP -------------------------------------------------------------------------


def test_security_headers_on_pages_and_api(api_client: TestClient) -> None:
    for path in ("/", "/data", "/api/v1/datasets", "/healthz", "/no-such-page"):
        r = api_client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert not re.search(r"https?://", csp), "the CSP allows another host (a CDN?)"
        assert "unsafe-eval" not in csp
        assert "strict-transport-security" not in r.headers  # plain http


def test_hsts_only_over_https(od_home: Path) -> None:
    from treasury.web.app import create_app

    with TestClient(create_app(), base_url="https://testserver") as client:
        r = client.get("/healthz")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


def test_inline_scripts_carry_the_response_nonce(api_client: TestClient) -> None:
    r = api_client.get("/data/apbn-belanja-2024")
    nonce = re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"])
    assert nonce
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", r.text)
    assert inline, "the dataset page has inline scripts"
    assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)
    again = api_client.get("/data/apbn-belanja-2024").headers["content-security-policy"]
    assert nonce.group(1) not in again  # a fresh nonce per response


def test_rewrite_hashes_inline_handlers_and_leaves_escaped_text_alone() -> None:
    body = (
        b'<html><head></head><body><select onchange="this.form.submit()"></select>'
        b"<p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=&#34;x()&#34;</p>"
        b'<form method="POST" action="/x"></form><form method="get"></form>'
        b'<script src="/static/a.js"></script><script>go()</script></body></html>'
    )
    out, hashes = security.rewrite_html(body, "N0NCE", "TOKEN")
    assert out.count(b'nonce="N0NCE"') == 1  # the inline script only, not src= nor the text
    assert b"&lt;script&gt;alert(1)" in out
    assert out.count(b'name="csrf_token" value="TOKEN"') == 1  # POST forms only
    assert b'<meta name="csrf-token" content="TOKEN">' in out
    assert hashes == ("osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY=",)  # this.form.submit()


# -- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def portal(od_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client of the portal on the platform (logins never throttled here)."""
    from treasury.web.app import create_app

    monkeypatch.setenv("TREASURY_LOGIN_MAX_FAILURES", "1000")
    clear_caches()
    with TestClient(create_app()) as client:
        yield client


def test_every_post_form_gets_the_token(portal: TestClient) -> None:
    from tests.testkit import DEMO_USERS

    token = form_token(portal, "/login")
    assert len(token) >= 32
    login = portal.post(
        "/login",
        data={"csrf_token": token, "name": "admin", "password": "admin-demo-2024"},
        headers=BROWSER,
        follow_redirects=False,
    )
    assert login.status_code == 303
    for path in ("/tokens", "/permintaan", "/data/unggah"):
        page = portal.get(path)
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.{0,200})", page.text, re.I)
        assert forms, path
        assert all(f'name="csrf_token" value="{token}"' in f for f in forms), path
    del DEMO_USERS


def test_browser_post_without_or_with_a_wrong_token_is_403(portal: TestClient) -> None:
    token = form_token(portal)
    data = {"name": "admin", "password": "admin-demo-2024"}
    missing = portal.post("/login", data=data, headers=BROWSER)
    assert missing.status_code == 403
    assert "Reload the page and send it again" in missing.text
    assert "Muat ulang halaman" in missing.text
    wrong = portal.post("/login", data={**data, "csrf_token": token[:-2] + "xx"}, headers=BROWSER)
    assert wrong.status_code == 403
    cross = portal.post(
        "/login",
        data=data,
        headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
    )
    assert cross.status_code == 403
    api = portal.post("/api/v1/uploads", data={"x": "1"}, headers={"Origin": "http://evil.example"})
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "csrf_failed"
    ok = portal.post(
        "/login", data={**data, "csrf_token": token}, headers=BROWSER, follow_redirects=False
    )
    assert ok.status_code == 303


def test_header_token_json_bearer_and_same_origin_scripts_pass(
    portal: TestClient, tokens: dict[str, str]
) -> None:
    token = form_token(portal)
    data = {"name": "admin", "password": "salah-sekali"}
    by_header = portal.post("/login", data=data, headers={**BROWSER, "X-CSRF-Token": token})
    assert by_header.status_code == 401  # past the CSRF check, refused by the password
    same_origin = portal.post(
        "/login", data=data, headers={"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}
    )
    assert same_origin.status_code == 401
    evil = {"Origin": "http://evil.example"}
    as_json = portal.post("/api/v1/sql", json={"sql": "select 1"}, headers=evil)
    assert as_json.status_code == 401  # JSON cannot be forged cross-site; anonymous SQL is 401
    with_bearer = portal.post(
        "/api/v1/sql",
        content=b"sql=select+1",
        headers={**evil, **bearer(tokens["admin"]), "Content-Type": "text/plain"},
    )
    assert with_bearer.status_code != 403


def test_multipart_upload_reads_the_token_from_the_first_part(portal: TestClient) -> None:
    token = form_token(portal)
    portal.post(
        "/login",
        data={"csrf_token": token, "name": "analis.pusat", "password": "analis.pusat-demo-2024"},
        headers=BROWSER,
        follow_redirects=False,
    )
    big = b"kode,nilai\n" + b"1,2\n" * 40_000  # larger than what is read for the token
    files = {"file": ("data.csv", big, "text/csv")}
    refused = portal.post("/data/unggah", data={"title": "x"}, files=files, headers=BROWSER)
    assert refused.status_code == 403
    accepted = portal.post(
        "/data/unggah",
        data={"csrf_token": token, "title": "x"},
        files=files,
        headers=BROWSER,
    )
    assert accepted.status_code != 403  # the upload handler answered (its own checks)


# -- login throttling ------------------------------------------------------------------------


def test_login_is_throttled_after_repeated_failures(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from treasury.access import add_user
    from treasury.db import migrate
    from treasury.db.session import session_scope
    from treasury.web.app import create_app

    monkeypatch.setenv("TREASURY_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("TREASURY_ARGON2_MEMORY_KIB", "8192")
    monkeypatch.setenv("TREASURY_ARGON2_TIME_COST", "1")
    clear_caches()
    migrate()
    with session_scope() as session:
        add_user(session, "budi", "analyst", None, password="Rahasia-Budi-2024!")
    with TestClient(create_app(), client=("198.51.100.7", 4000)) as client:
        for _ in range(3):
            assert client.post("/login", data={"name": "budi", "password": "x"}).status_code == 401
        locked = client.post("/login", data={"name": "budi", "password": "Rahasia-Budi-2024!"})
        assert locked.status_code == 429  # even the right password, while locked
        assert "tbd_session" not in locked.headers.get("set-cookie", "")
    # from another address the name stays locked (guessing spread over many addresses)
    with TestClient(create_app(), client=("198.51.100.8", 4000)) as other:
        again = other.post("/login", data={"name": "budi", "password": "Rahasia-Budi-2024!"})
        assert again.status_code == 429
    clear_caches()


# -- secrets ---------------------------------------------------------------------------------


def test_passwords_and_tokens_never_stored_or_logged_in_plain_text(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from treasury.cli import app as cli
    from treasury.web.app import create_app

    monkeypatch.setenv("TREASURY_ARGON2_MEMORY_KIB", "8192")
    monkeypatch.setenv("TREASURY_ARGON2_TIME_COST", "1")
    clear_caches()
    caplog.set_level(logging.DEBUG)
    password = "Sangat-Rahasia-7731!"
    runner = CliRunner()
    added = runner.invoke(
        cli, ["users", "add", "siti", "--role", "analyst", "--password-stdin"], input=password
    )
    assert added.exit_code == 0, added.output
    created = runner.invoke(cli, ["tokens", "create", "--user", "siti"])
    assert created.exit_code == 0, created.output
    plain = re.search(r"tbd_[0-9a-f]{8}_\S+", created.output)
    assert plain, created.output
    secret = plain.group(0)
    with TestClient(create_app()) as client:
        assert client.get("/api/v1/datasets", headers=bearer(secret)).status_code in (200, 409)
        wrong = client.post("/login", data={"name": "siti", "password": password + "x"})
        assert wrong.status_code == 401
        right = client.post(
            "/login", data={"name": "siti", "password": password}, follow_redirects=False
        )
        assert right.status_code == 303
    stored = b"".join(p.read_bytes() for p in home.glob("app.db*"))
    assert stored, "no app database found"
    for value in (password, password + "x", secret, secret.split("_")[2]):
        assert value.encode() not in stored, "a secret is stored in plain text"
        assert value not in caplog.text, "a secret was logged"
    assert b"$argon2id$" in stored  # the password is there, as an argon2id hash


# -- constant-time comparison ----------------------------------------------------------------


def test_secret_comparisons_go_through_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    from treasury.access import tokens as access_tokens
    from treasury.access.http import session_user, sign_session
    from treasury.access.settings import AccessSettings

    calls: list[int] = []
    real = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    settings = AccessSettings()
    raw, _ = access_tokens.new_token()
    stored = access_tokens.token_digest(raw, settings)
    assert access_tokens.token_matches(raw, stored, settings)
    assert not access_tokens.token_matches(raw[:-1] + "A", stored, settings)
    assert len(calls) >= 2
    calls.clear()
    assert security.tokens_match("abc", "abc") and not security.tokens_match("abc", "abd")
    assert len(calls) == 2
    calls.clear()
    assert session_user(sign_session("siti")) == "siti"  # itsdangerous checks the signature
    assert calls


SECRET_WORDS = re.compile(r"digest|secret|password|passwd|token_hash|signature", re.I)
#: Comparisons that verify nothing: the password policy refusing a password equal to the name.
NOT_VERIFICATION = {"password.strip().lower() == name.strip().lower()"}


def test_no_secret_is_compared_with_equals() -> None:
    """Code review as a test: no ``==``/``!=`` with a digest, secret or password operand."""
    files = [*sorted((SRC / "access").glob("*.py")), SRC / "web" / "security.py"]
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                continue
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Constant) and o.value is None for o in operands):
                continue
            names = [ast.unparse(o) for o in operands]
            if ast.unparse(node) in NOT_VERIFICATION:
                continue
            if any(SECRET_WORDS.search(n) for n in names):
                offenders.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def test_head_keeps_headers_and_odd_methods_are_one_series(api_client: TestClient) -> None:
    head = api_client.head("/healthz")
    assert head.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in head.headers
    api_client.request("BREW", "/healthz")
    text = api_client.get("/metrics").text
    assert 'method="BREW"' not in text and 'method="OTHER"' in text
