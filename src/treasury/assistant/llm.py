"""Optional LLM rewording through an OpenAI-compatible chat endpoint (off by default).

Only when ``TREASURY_ASSISTANT_LLM_URL`` is set (and optionally ``TREASURY_ASSISTANT_LLM_MODEL``,
``TREASURY_ASSISTANT_LLM_KEY``), a question the rules cannot read is sent to the model to be
reworded as a short Indonesian data question, which the rules then parse again. The model never
writes SQL and never sees data, so it cannot widen anyone's access. Any failure is ignored.
"""

from __future__ import annotations

import os

PROMPT = (
    "Rewrite the user's question as one short Indonesian question about Indonesian state budget "
    "data (realisasi belanja, pagu, penyerapan, penerimaan pajak/PNBP, transfer ke daerah, "
    "subsidi, waktu SP2D) with the year, months, region and ministry it names. Answer with the "
    "question only. If it is not about such data, answer NONE."
)


def configured() -> bool:
    """True when an endpoint is configured."""
    return bool(os.environ.get("TREASURY_ASSISTANT_LLM_URL"))


def reword(question: str, timeout: float = 8.0) -> str | None:
    """The model's rewording of ``question``, or None (not configured, NONE, or any error)."""
    url = os.environ.get("TREASURY_ASSISTANT_LLM_URL")
    if not url:
        return None
    import httpx

    headers = {}
    key = os.environ.get("TREASURY_ASSISTANT_LLM_KEY")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = {
        "model": os.environ.get("TREASURY_ASSISTANT_LLM_MODEL", "default"),
        "messages": [
            {"role": "system", "content": PROMPT},
            {"role": "user", "content": question[:2000]},
        ],
        "temperature": 0,
    }
    try:
        response = httpx.post(
            url.rstrip("/") + "/chat/completions", json=body, headers=headers, timeout=timeout
        )
        response.raise_for_status()
        text = str(response.json()["choices"][0]["message"]["content"]).strip()
    except Exception:  # the rules answer without the model
        return None
    return None if not text or text.upper().startswith("NONE") else text[:500]
