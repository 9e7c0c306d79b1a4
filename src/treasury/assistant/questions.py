"""What a question must look like before the assistant reads it: not empty, not too long, text."""

from __future__ import annotations

import unicodedata

MAX_CHARS = 2000


class BadQuestion(ValueError):
    """A question the assistant will not read; ``message`` says why in plain words."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def clean_question(text: object) -> str:
    """The question stripped of surrounding space, or :class:`BadQuestion`.

    Examples
    --------
    >>> clean_question("  syarat TUP?  ")
    'syarat TUP?'
    >>> clean_question("")
    Traceback (most recent call last):
    ...
    treasury.assistant.questions.BadQuestion: the question is empty
    """
    if not isinstance(text, str):
        raise BadQuestion("bad_question", "the question must be text", 'send {"question": "..."}')
    question = text.strip()
    if not question:
        raise BadQuestion("empty_question", "the question is empty", "type a question")
    if len(question) > MAX_CHARS:
        raise BadQuestion(
            "question_too_long",
            f"the question is {len(question):,} characters long; the limit is {MAX_CHARS:,}",
            "ask a shorter question",
        )
    controls = sum(
        1
        for c in question
        if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and c not in "\n\t\r"
    )
    replacement = question.count("\ufffd")
    if controls or replacement > 2:
        raise BadQuestion(
            "binary_question",
            "the question contains binary data or control characters, not readable text",
            "type the question as plain text",
        )
    return question
