"""Security middleware: response headers, a Content-Security-Policy with nonces, CSRF tokens.

**Headers.** Every response gets ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
``Referrer-Policy: strict-origin-when-cross-origin``, ``Cross-Origin-Opener-Policy``, a
``Permissions-Policy`` and a Content-Security-Policy that allows scripts, styles, images, fonts
and connections from the portal itself only (no CDN) and no framing (``frame-ancestors 'none'``);
``Strict-Transport-Security`` is added when the request came over HTTPS.

**Inline scripts.** HTML responses are rewritten on the way out: each inline ``<script>`` (one
without ``src``) gets the response's random nonce, and inline event handlers (``onchange=...``)
are allowed by their SHA-256 hash. Templates are rendered with auto-escaping, so text coming from
users can never form a tag or an attribute and never receives the nonce.

**CSRF** (double-submit token). A browser gets a random token in the HTTP-only cookie
``tbd_csrf``; every ``<form method="post">`` in an HTML response gets a hidden ``csrf_token``
field with the same value (added here, so every product's forms are covered) and the page gets
``<meta name="csrf-token">`` for scripts, which send it as ``X-CSRF-Token``. A state-changing
request (POST, PUT, PATCH, DELETE) is refused with 403 ``csrf_failed`` unless

- it carries an API token (``Authorization`` or ``X-CKAN-API-Key``): a browser never adds those
  by itself, so a forged request cannot carry one;
- its body is JSON: a cross-site page cannot send that without a CORS preflight, which is denied;
- its token (field or header) equals its cookie (constant-time comparison);
- it is a same-origin script request (``Sec-Fetch-Site: same-origin`` and not a navigation):
  only the portal's own pages can make the browser send that;
- or it shows none of the headers every browser sends with a POST (``Origin``,
  ``Sec-Fetch-Site``, ``Referer``): it comes from a program, not from a victim's browser, and
  a forgery needs the victim's browser.

In a multipart body (uploads) only the first part is read for the token: the hidden field comes
first in the form, so a 200 MB upload is never buffered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "tbd_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The most of a form body read to find the token (urlencoded) or the first multipart part.
FORM_PREFIX_BYTES = 64 * 1024

CSRF_MESSAGE = (
    "The form could not be checked (its security token is missing or out of date, or it was "
    "sent from another site). Reload the page and send it again."
)
CSRF_MESSAGE_ID = (
    "Formulir tidak dapat diperiksa (token keamanannya hilang atau kedaluwarsa, atau dikirim "
    "dari situs lain). Muat ulang halaman lalu kirim kembali."
)

_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)(?![^>]*\bnonce\s*=)", re.IGNORECASE)
_HANDLER = re.compile(rb"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_POST_FORM = re.compile(rb"<form\b[^>]*\bmethod\s*=\s*[\"']?post\b[^>]*>", re.IGNORECASE)
_HEAD = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)


def content_security_policy(nonce: str | None = None, hashes: tuple[str, ...] = ()) -> str:
    """The CSP header value: same-origin only, the nonce and handler hashes for inline code."""
    script = ["'self'"]
    if nonce:
        script.append(f"'nonce-{nonce}'")
    if hashes:
        script.append("'unsafe-hashes'")
        script.extend(f"'sha256-{h}'" for h in hashes)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {' '.join(script)}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def tokens_match(sent: str | None, expected: str | None) -> bool:
    """Whether the CSRF token sent equals the cookie's (constant time; empty never matches)."""
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


def rewrite_html(body: bytes, nonce: str, csrf_token: str) -> tuple[bytes, tuple[str, ...]]:
    """Add the nonce to inline scripts and the CSRF field to POST forms; hash inline handlers.

    Returns the new body and the base64 SHA-256 hashes of the inline event handlers.
    """
    body = _SCRIPT.sub(b'<script nonce="' + nonce.encode() + b'"', body)
    field = f'<input type="hidden" name="{CSRF_FIELD}" value="{html.escape(csrf_token)}">'.encode()
    body = _POST_FORM.sub(lambda m: m.group(0) + field, body)
    meta = f'<meta name="csrf-token" content="{html.escape(csrf_token)}">'.encode()
    body = _HEAD.sub(lambda m: m.group(0) + meta, body, count=1)
    handlers = {
        html.unescape((m.group(1) or m.group(2) or b"").decode("utf-8", "replace"))
        for m in _HANDLER.finditer(body)
    }
    hashes = tuple(
        sorted(base64.b64encode(hashlib.sha256(h.encode()).digest()).decode() for h in handlers)
    )
    return body, hashes


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is simply no cookie
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def _multipart_token(prefix: bytes, content_type: str) -> str | None:
    """The ``csrf_token`` field among the complete parts of a multipart body's first bytes."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        return None
    delimiter = b"--" + match.group(1).encode()
    for part in prefix.split(delimiter)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        if re.search(rb'name="' + CSRF_FIELD.encode() + rb'"', head):
            return value.removesuffix(b"\r\n").decode("utf-8", "replace")
    return None


def _from_browser(headers: Headers) -> bool:
    """Whether the request shows a header every browser sends with a POST."""
    return any(headers.get(h) for h in ("origin", "sec-fetch-site", "referer"))


class SecurityMiddleware:
    """Security headers and CSP on every response; the CSRF check on state-changing requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie_token = _cookie(headers, CSRF_COOKIE)
        if scope["method"] in UNSAFE_METHODS and not self._exempt(headers):
            allowed, receive = await self._check_token(headers, cookie_token, receive)
            if not allowed:
                await self._refuse(scope, headers, send)
                return
        token = cookie_token or secrets.token_urlsafe(32)
        https = scope.get("scheme") == "https"
        await self.app(
            scope,
            receive,
            _Rewriter(
                send,
                token,
                set_cookie=not cookie_token,
                https=https,
                head=scope["method"] == "HEAD",
            ),
        )

    @staticmethod
    def _exempt(headers: Headers) -> bool:
        if headers.get("authorization") or headers.get("x-ckan-api-key"):
            return True
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/json" or media.endswith("+json"):
            return True
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site == "same-origin" and headers.get("sec-fetch-mode") != "navigate":
            return True
        return not _from_browser(headers)

    @staticmethod
    async def _check_token(
        headers: Headers, cookie_token: str | None, receive: Receive
    ) -> tuple[bool, Receive]:
        """Whether the token sent matches the cookie; and a ``receive`` replaying what was read."""
        if tokens_match(headers.get(CSRF_HEADER), cookie_token):
            return True, receive
        if not cookie_token:
            return False, receive
        content_type = headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        if media not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return False, receive
        read: list[Message] = []
        size = 0
        more = True
        while more and size < FORM_PREFIX_BYTES:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = bool(message.get("more_body"))
        prefix = b"".join(m.get("body", b"") for m in read if m["type"] == "http.request")
        if media == "multipart/form-data":
            sent = _multipart_token(prefix, content_type)
        else:
            values = parse_qs(prefix.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
            sent = values[0] if values else None
        pending = list(read)

        async def replay() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        return tokens_match(sent, cookie_token), replay

    @staticmethod
    async def _refuse(scope: Scope, headers: Headers, send: Send) -> None:
        path = str(scope.get("path", ""))
        wants_html = "text/html" in headers.get("accept", "") and not path.startswith("/api/")
        if wants_html:
            body = (
                '<!doctype html><html lang="id"><head><meta charset="utf-8">'
                "<title>403</title></head><body><h1>403</h1>"
                f'<p>{CSRF_MESSAGE_ID}</p><p lang="en">{CSRF_MESSAGE}</p></body></html>'
            ).encode()
            media = b"text/html; charset=utf-8"
        else:
            body = json.dumps(
                {
                    "ok": False,
                    "error": {
                        "status": 403,
                        "code": "csrf_failed",
                        "message": CSRF_MESSAGE,
                        "hint": "send the csrf_token field (or X-CSRF-Token header) from the "
                        "tbd_csrf cookie's page, or use an API token",
                    },
                }
            ).encode()
            media = b"application/json"
        response_headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
        response_headers += [(k.encode(), v.encode()) for k, v in static_headers(False).items()]
        await send({"type": "http.response.start", "status": 403, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})


def static_headers(https: bool) -> dict[str, str]:
    """The headers every response carries (CSP aside)."""
    out = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if https:
        out["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return out


class _Rewriter:
    """A ``send`` that adds the headers, and rewrites HTML bodies (nonce, CSRF field)."""

    def __init__(
        self, send: Send, token: str, set_cookie: bool, https: bool, head: bool = False
    ) -> None:
        self.send = send
        self.head = head
        self.token = token
        self.set_cookie = set_cookie
        self.https = https
        self.start: Message | None = None
        self.html = False
        self.chunks: list[bytes] = []

    def _headers(self, headers: MutableHeaders, policy: str) -> None:
        for name, value in static_headers(self.https).items():
            if name not in headers:
                headers[name] = value
        if "content-security-policy" not in headers:
            headers["Content-Security-Policy"] = policy

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            # HEAD answers carry the GET's length and no body: headers only, nothing to rewrite
            self.html = headers.get("content-type", "").startswith("text/html") and not self.head
            if not self.html:
                self._headers(headers, content_security_policy())
                await self.send(message)
                return
            self.start = message
            return
        if message["type"] != "http.response.body" or not self.html or self.start is None:
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        nonce = secrets.token_urlsafe(16)
        body, hashes = rewrite_html(b"".join(self.chunks), nonce, self.token)
        headers = MutableHeaders(scope=self.start)
        self._headers(headers, content_security_policy(nonce, hashes))
        headers["content-length"] = str(len(body))
        if self.set_cookie:
            secure = "; Secure" if self.https else ""
            headers.append(
                "set-cookie", f"{CSRF_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Lax{secure}"
            )
        await self.send(self.start)
        await self.send({"type": "http.response.body", "body": body})
