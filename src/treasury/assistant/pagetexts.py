"""Texts of the assistant pages, Bahasa Indonesia (``id``) and English (``en``)."""

from __future__ import annotations

_T = {
    "title": ("Asisten HAI DJPb", "HAI DJPb Assistant"),
    "intro": (
        "Tanyakan layanan perbendaharaan (FAQ) atau data APBN (Digital Assistance BOT).",
        "Ask about treasury services (FAQ) or state budget data (Digital Assistance BOT).",
    ),
    "tab_faq": ("Tanya layanan (FAQ)", "Service questions (FAQ)"),
    "tab_data": ("Tanya data", "Data questions"),
    "placeholder_faq": ("Contoh: syarat pengajuan TUP ke KPPN", "E.g. requirements for TUP"),
    "placeholder_data": (
        "Contoh: berapa realisasi belanja modal Jawa Timur tahun 2023?",
        "E.g. what was capital spending in East Java in 2023?",
    ),
    "send": ("Kirim", "Send"),
    "you": ("Anda", "You"),
    "bot": ("Asisten", "Assistant"),
    "helpful": ("Membantu", "Helpful"),
    "not_helpful": ("Tidak membantu", "Not helpful"),
    "thanks": ("Terima kasih atas masukan Anda.", "Thank you for your feedback."),
    "handover": ("Hubungi petugas", "Contact an agent"),
    "handover_done": (
        "Permintaan Anda diteruskan ke petugas layanan HAI DJPb. Petugas akan menghubungi Anda "
        "melalui kanal layanan resmi.",
        "Your request was passed to a HAI DJPb service agent, who will contact you through the "
        "official service channels.",
    ),
    "confidence": ("keyakinan", "confidence"),
    "sql": ("Kueri yang dijalankan", "Query run"),
    "login_for_data": (
        "Masuk sebagai pengguna internal untuk bertanya data.",
        "Log in as an internal user to ask data questions.",
    ),
    "desk_title": ("Log percakapan asisten", "Assistant conversation log"),
    "desk_forbidden": (
        "Halaman ini khusus petugas layanan (steward/admin).",
        "This page is for the service desk (stewards and admins).",
    ),
    "turns": ("Percakapan", "Turns"),
    "handovers": ("Diteruskan ke petugas", "Handed over"),
    "all": ("Semua", "All"),
    "when": ("Waktu", "When"),
    "kind": ("Jenis", "Kind"),
    "user": ("Pengguna", "User"),
    "question": ("Pertanyaan", "Question"),
    "answer": ("Jawaban", "Answer"),
    "feedback": ("Masukan", "Feedback"),
    "anonymous": ("anonim", "anonymous"),
    "error": ("Terjadi kesalahan", "Something went wrong"),
}
TEXTS: dict[str, dict[str, str]] = {k: {"id": i, "en": e} for k, (i, e) in _T.items()}
