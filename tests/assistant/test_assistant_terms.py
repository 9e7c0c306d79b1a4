"""Treasury terms: abbreviations and synonyms meet their canonical term in the FAQ retrieval."""

from __future__ import annotations

import pytest

from treasury.assistant.faq import FaqBot, faq_bot
from treasury.assistant.terms import ABBREVIATIONS, SYNONYMS, canonical_terms, expand


@pytest.fixture(scope="module")
def bot() -> FaqBot:
    return faq_bot()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("surat perintah pencairan dana", ["sp2d"]),
        ("Kartu Kredit Pemerintah", ["kkp"]),
        ("nomor transaksi penerimaan negara", ["ntpn"]),
        ("lupa kata sandi", ["password"]),
        ("limit belanja", ["batas"]),
        ("vendor dan kontraktor", ["rekanan", "rekanan"]),
        ("berapa lama prosesnya", ["durasi"]),
        ("siapa yang mengesahkan", ["wewenang"]),
        ("kode billing expired", ["kedaluwarsa"]),
    ],
)
def test_phrases_name_their_canonical_term(text: str, expected: list[str]) -> None:
    assert canonical_terms(text) == expected


def test_longest_phrase_wins_and_words_are_not_counted_twice() -> None:
    # "tambahan uang persediaan" is TUP, not "uang persediaan" (UP) inside it.
    assert canonical_terms("syarat tambahan uang persediaan") == ["persyaratan", "tup"]
    assert canonical_terms("one time password") == ["otp"]


def test_expand_appends_only_terms_not_already_written() -> None:
    assert expand("no SP2D belum terbit") == "no SP2D belum terbit"
    assert expand("surat perintah pencairan dana") == "surat perintah pencairan dana sp2d"
    assert expand("resep nasi goreng") == "resep nasi goreng"


def test_every_canonical_term_is_one_word() -> None:
    for term in [*ABBREVIATIONS, *SYNONYMS]:
        assert term.isalnum() and term == term.lower(), term


def test_query_terms_carry_the_canonical_term(bot: FaqBot) -> None:
    assert "sp2d" in bot.terms("no surat perintah pencairan dana saya")
    assert "password" in bot.terms("lupa kata sandi")
    assert "kkp" in bot.terms("kartu kredit pemerintah")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # written for these tests; each one the bot before the terms list answered wrongly
        ("KKP maksimal berapa per transaksi", "HAI-029"),
        ("berkas apa aja buat salur dana desa", "HAI-043"),
        ("download data dashboard bisa ga", "HAI-094"),
        ("batas waktu minta refund pnbp", "HAI-064"),
        # and some it already answered, which must stay right
        ("no SP2D saya belum muncul, cek statusnya dimana", "HAI-017"),
        ("status surat perintah pencairan dana gimana ceknya", "HAI-017"),
        ("SLA penerbitan SP2D berapa lama", "HAI-014"),
        ("penyedia jasa mau tau tagihannya sudah dibayar belum", "HAI-084"),
        ("nomor transaksi penerimaan negara hilang", "HAI-056"),
        ("siapa yang mengesahkan revisi anggaran", "HAI-033"),
    ],
)
def test_abbreviations_and_synonyms_find_the_entry(
    bot: FaqBot, question: str, expected: str
) -> None:
    result = bot.answer(question)
    assert result.id == expected, (question, result.id, result.confidence)


@pytest.mark.parametrize(
    "question",
    [
        "lirik lagu indonesia raya",
        "jadwal pertandingan timnas indonesia",
        "harga tiket pesawat ke bali",
        "cara merawat kucing persia",
        "lowongan kerja bank bumn",
        "cuaca bandung hari ini",
        "rekomendasi laptop gaming murah",
    ],
)
def test_clearly_out_of_scope_questions_are_rejected(bot: FaqBot, question: str) -> None:
    result = bot.answer(question)
    assert result.id is None and result.confidence < bot.threshold, result.confidence
