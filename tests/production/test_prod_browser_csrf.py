"""In Chromium: pages run under the CSP without a violation, the login form works, and a form
posted from another site (same host, other port: the login cookie goes along) is refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def evil_site(live_url: str) -> Iterator[str]:
    """A page on another origin that posts a form to the portal as soon as it loads."""
    page = f"""<!doctype html><html><body>
<form id="f" method="post" action="{live_url}/tokens">
<input name="label" value="dicuri"><input name="days" value="30"></form>
<script>document.getElementById("f").submit()</script></body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_pages_run_under_the_csp_and_login_works(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    for path in ("/", "/data", "/data/apbn-belanja-2024"):
        page.goto(f"{live_url}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_url}/login")
    page.fill("input[name=name]", "analis.pusat")
    page.fill("input[name=password]", "analis.pusat-demo-2024")
    page.click("form[action='/login'] button[type=submit], form[action='/login'] [type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url
    assert "analis.pusat" in page.content()
    for path in ("/dashboards/apbn", "/analytics/cash"):  # plotly charts under the CSP
        response = page.goto(f"{live_url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert violations == []
    assert page.console_errors == []


def test_a_form_posted_from_another_site_is_refused(page, live_url: str, evil_site: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_url}/login")
    page.fill("input[name=name]", "analis.jatim")
    page.fill("input[name=password]", "analis.jatim-demo-2024")
    page.click("form[action='/login'] [type=submit]")
    page.wait_for_load_state("networkidle")
    with page.expect_navigation(url=f"{live_url}/tokens"):
        page.goto(evil_site)
    assert "Muat ulang halaman" in page.content()
    tokens_page = page.goto(f"{live_url}/tokens")
    assert tokens_page is not None and tokens_page.status == 200
    assert "dicuri" not in page.content()  # no token was created by the forged form
