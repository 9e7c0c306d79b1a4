"""The /simulation page in Chromium: sliders move, fan charts redraw, no console errors."""

from __future__ import annotations

#: Generous waits: the machine running the suite may be busy (no timing is asserted).
LOADED = 120_000


def _redraws(chart: str, op: str, n: int) -> str:
    """A predicate (a function, so Playwright needs no eval under the page's CSP)."""
    return f"() => Number(document.getElementById('{chart}').dataset.redraws) {op} {n}"


def _count(page, chart: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate(f"() => Number(document.getElementById('{chart}').dataset.redraws)"))


def _debt_2030(page) -> float:  # type: ignore[no-untyped-def]
    cell = page.locator("#sim-table tbody tr").nth(4).locator("td").nth(7).inner_text()
    return float(cell.replace("%", "").replace(".", "").replace(",", "."))


def test_sliders_redraw_the_fan_charts(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_default_timeout(LOADED)
    page.goto(f"{live_url}/simulation")
    page.wait_for_function(_redraws("fan-deficit", ">=", 1))
    page.wait_for_function(_redraws("fan-debt", ">=", 1))
    assert page.locator("input[type=range]").count() == 7 + 12
    assert page.locator("#fan-deficit .main-svg").count() >= 1
    assert page.locator("#sim-table tbody tr").count() == 5
    assert page.locator("#sim-sensitivity tbody tr").count() == 5
    assert "Harga minyak mentah Indonesia (ICP)" in page.locator("#sim-sensitivity").inner_text()
    # untouched sliders are the budget law: 2026 deficit Rp 689,1 T
    deficit = page.locator("#sim-table tbody tr").first.locator("td").nth(3).inner_text()
    assert abs(float(deficit.replace(".", "").replace(",", ".")) - 689.1) < 0.06
    before = _debt_2030(page)
    first = _count(page, "fan-debt")
    page.locator("#a-kurs").fill("20000")
    page.wait_for_function(_redraws("fan-debt", ">", first))
    page.wait_for_function(
        "() => !document.getElementById('sim-status').textContent.includes('...')"
    )
    assert page.locator("#o-kurs").inner_text() == "20000"
    assert _debt_2030(page) > before  # a weaker rupiah raises the debt ratio
    assert "UU 17/2003" in page.content() or "17/2003" in page.locator("h2").all_inner_texts()[0]
    # a lever slider redraws too
    count = _count(page, "fan-deficit")
    page.locator("#k-harga_bbm_pct").fill("50")
    page.wait_for_function(_redraws("fan-deficit", ">", count))
    assert page.console_errors == []


def test_bad_value_shows_a_form_message(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_default_timeout(LOADED)
    page.goto(f"{live_url}/simulation?lang=en")
    page.wait_for_function(_redraws("fan-deficit", ">=", 1))
    page.evaluate(
        """() => { const el = document.getElementById('a-icp'); el.min = -10; el.value = -5;
        el.dispatchEvent(new Event('input')); }"""
    )
    page.wait_for_function("() => document.getElementById('sim-error').textContent.length > 0")
    message = page.locator("#sim-error").inner_text()
    assert "icp" in message and "greater than 0" in message
    assert [e for e in page.console_errors if "400" not in e] == []
    page.goto(f"{live_url}/simulation?lang=id")
    page.wait_for_function(_redraws("fan-deficit", ">=", 1))
    page.evaluate(
        """() => { const el = document.getElementById('a-lifting_minyak'); el.min = -10;
        el.value = -5; el.dispatchEvent(new Event('input')); }"""
    )
    page.wait_for_function("() => document.getElementById('sim-error').textContent.length > 0")
    assert "tidak boleh negatif" in page.locator("#sim-error").inner_text()


def test_save_and_compare(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_default_timeout(LOADED)
    page.goto(f"{live_url}/simulation")
    page.wait_for_function(_redraws("fan-deficit", ">=", 1))
    page.locator("#sim-name").fill("Uji halaman")
    page.locator("#sim-save").click()
    page.wait_for_function(
        "() => document.getElementById('sim-saved-msg').textContent.includes('#')"
    )
    page.wait_for_function(
        "() => document.getElementById('sim-saved-list').textContent.includes('Uji halaman')"
    )
    page.locator("#sim-saved-list label", has_text="Uji halaman").first.locator("input").check()
    page.locator("#sim-compare").click()
    page.wait_for_selector("#sim-compare-table")
    assert "Uji halaman" in page.locator("#sim-compare-table").inner_text()
    assert (
        page.locator("#sim-export")
        .get_attribute("href")
        .startswith("/api/v1/simulations/export.xlsx?ids=")
    )
    assert page.console_errors == []
