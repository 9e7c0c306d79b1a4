"""Simulations API: round trip, preview, compare, export, bad input (nothing saved)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.testkit import bearer

SCENARIO = {
    "nama": "Rupiah melemah",
    "tahun_dasar": 2026,
    "asumsi": {"2026": {"kurs": 17500}, "2027": {"kurs": 18000}},
    "kebijakan": {"tarif_listrik_pct": 5},
    "draws": 2000,
    "seed": 9,
}


def _count(client: TestClient) -> int:
    return len(client.get("/api/v1/simulations").json()["data"])


def test_post_then_get_round_trip(api_client: TestClient, tokens: dict[str, str]) -> None:
    created = api_client.post(
        "/api/v1/simulations", json=SCENARIO, headers=bearer(tokens["analis.pusat"])
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["ok"] is True
    result = body["data"]
    assert result["nama"] == "Rupiah melemah" and result["seed"] == 9
    assert result["tahun"][0]["prob_defisit_di_atas_3pct"] >= 0
    # the base year starts from the marts; the landing uses year-to-date actuals
    assert result["posisi_awal"]["sumber"] == "mart_apbn_bulanan"
    landing = result["proyeksi_tahun_berjalan"]
    assert landing["tahun"] == 2026 and 1 <= landing["bulan_realisasi"] <= 11
    fetched = api_client.get(f"/api/v1/simulations/{result['id']}")
    assert fetched.status_code == 200
    saved = fetched.json()["data"]
    assert saved["dibuat_oleh"] == "analis.pusat"
    assert saved["skenario"]["asumsi"] == SCENARIO["asumsi"]
    assert saved["hasil"]["tahun"] == result["tahun"]
    again = api_client.post("/api/v1/simulations/preview", json=SCENARIO).json()["data"]
    assert again["fan_chart"] == result["fan_chart"]  # same seed, same draws


def test_compare_and_export(api_client: TestClient) -> None:
    ids = []
    for jenis, asumsi in (("baseline", {}), ("adverse", {"2026": {"icp": 100, "kurs": 18000}})):
        answer = api_client.post(
            "/api/v1/simulations",
            json={"nama": jenis, "jenis": jenis, "asumsi": asumsi, "draws": 500},
        )
        ids.append(answer.json()["data"]["id"])
    compared = api_client.get(f"/api/v1/simulations/compare?ids={ids[0]},{ids[1]}").json()["data"]
    assert compared["skenario"] == ["baseline", "adverse"]
    deficit = next(
        r for r in compared["baris"] if r["tahun"] == 2026 and r["indikator"] == "defisit"
    )
    assert deficit["nilai"][1] > deficit["nilai"][0]
    export = api_client.get(f"/api/v1/simulations/export.xlsx?ids={ids[0]},{ids[1]}")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    too_many = api_client.get("/api/v1/simulations/compare?ids=1,2,3,4,5")
    assert too_many.status_code == 400 and too_many.json()["ok"] is False


def test_bad_input_answers_400_per_field_and_saves_nothing(api_client: TestClient) -> None:
    before = _count(api_client)
    answer = api_client.post(
        "/api/v1/simulations",
        json={
            "asumsi": {"2026": {"kurs": -1, "icp": 0, "pertumbuhan_ekonomi": -25}, "1999": {}},
            "kebijakan": {"harga_bbm_pct": "banyak", "tidak_ada": 1},
            "draws": 10**9,
        },
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "bad_scenario"
    for field in (
        "asumsi.2026.kurs",
        "asumsi.2026.icp",
        "asumsi.2026.pertumbuhan_ekonomi",
        "asumsi.1999",
        "kebijakan.harga_bbm_pct",
        "kebijakan.tidak_ada",
        "draws",
    ):
        assert field in error["message"]
    assert _count(api_client) == before
    not_json = api_client.post(
        "/api/v1/simulations", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.json()["ok"] is False
    assert api_client.get("/api/v1/simulations/999999").status_code == 404
    big = api_client.post("/api/v1/simulations/preview", json={"draws": 20_000})
    assert big.status_code == 400 and "at most 10,000" in big.json()["error"]["message"]
    assert _count(api_client) == before


def test_sensitivity_endpoint(api_client: TestClient) -> None:
    rows = api_client.get("/api/v1/simulations/sensitivity").json()["data"]
    icp = next(r for r in rows if r["asumsi"] == "ICP")
    assert abs(icp["belanja_negara"] - 10.1) <= 1.01
