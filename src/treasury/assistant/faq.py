"""The FAQ bot: hybrid retrieval over the HAI DJPb knowledge base with a calibrated confidence.

Two retrievers score every entry: BM25 (bm25s) over Sastrawi-stemmed words without stopwords,
per field (whole entry, question+tags, answer), with unknown words corrected to the nearest
knowledge-base word (RapidFuzz) and treasury abbreviations and synonyms mapped to one term
(``terms.py``); and cosine similarity of multilingual-e5-small embeddings (question+tags,
question+answer, best answer sentence). Each score list is standardised over the entries and
fused by a weighted sum whose weights were fitted on the dev paraphrases (measured better than
reciprocal-rank fusion: see README); ``fusion="rrf"`` keeps reciprocal-rank fusion available. A
logistic function of three features (:meth:`FaqBot.features`) gives a confidence in 0..1; below
:data:`THRESHOLD` the bot does not answer and offers a hand-over to a service agent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from treasury.assistant.knowledge import Entry, Vectors, embed_query, entries, load_vectors
from treasury.assistant.terms import ABBREVIATIONS, expand
from treasury.assistant.wording import normalise
from treasury.catalog.text import analyze, stem, words

#: Ranking weights of the standardised signals of :meth:`FaqBot.entry_features`: cosine with
#: question+tags, with question+answer, with the best answer sentence; BM25 over the whole entry,
#: over question+tags, over the answer; RapidFuzz token-set similarity to the entry's question.
#: Fitted on the dev paraphrases by
#: ``python -m bench.assistant --fit`` (conditional logit; cross-validated figures in the bench).
RANKER = (0.361, 0.605, 0.237, 0.539, 0.405, 0.198, 0.197)
RRF_K = 60
#: Logistic calibration of the confidence: intercept, then one weight per :meth:`FaqBot.features`
#: (the winner's best cosine, share of words known, treasury words used, highest BM25 score).
#: Fitted on the dev paraphrases by ``python -m bench.assistant --fit`` and shifted so that the
#: F1-best rejection threshold sits at 0.5 (cross-validated figures in the bench results).
CALIBRATION = (-34.456, 37.702, 1.575, 0.279, 0.392)
#: Below this confidence the bot hands over to a service agent (chosen on the dev set).
THRESHOLD = 0.5
HANDOVER = {
    "id": (
        "Maaf, saya belum dapat menjawab pertanyaan tersebut. Apakah Anda ingin diteruskan ke "
        "petugas layanan HAI DJPb? Tekan \u201cHubungi petugas\u201d dan petugas kami akan "
        "membantu."
    ),
    "en": (
        "Sorry, I cannot answer that question yet. Would you like to be handed over to a HAI "
        "DJPb service agent? Press \u201cContact an agent\u201d and our staff will help you."
    ),
}


@dataclass(frozen=True)
class Candidate:
    """A knowledge-base entry and its fused score."""

    entry: Entry
    score: float


@dataclass(frozen=True)
class FaqAnswer:
    """The bot's answer: the entry id (None when it hands over), text, confidence, ranking."""

    id: str | None
    answer: str
    confidence: float
    question: str | None
    candidates: tuple[Candidate, ...]


def _standard(scores: np.ndarray) -> np.ndarray:
    spread = float(scores.std())
    return (scores - scores.mean()) / spread if spread > 1e-9 else np.zeros_like(scores)


def _rrf(lists: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    fused = np.zeros(len(lists[0]))
    for scores, weight in zip(lists, weights, strict=True):
        for rank, i in enumerate(np.argsort(-scores)):
            fused[i] += weight / (RRF_K + rank + 1)
    return fused


class FaqBot:
    """Answers service questions from the knowledge base.

    Examples
    --------
    >>> bot = FaqBot()  # doctest: +SKIP
    >>> bot.answer("syarat ngajuin TUP ke kppn").id  # doctest: +SKIP
    'HAI-025'
    """

    def __init__(
        self,
        kb: Sequence[Entry] | None = None,
        vectors: Vectors | None = None,
        fusion: Literal["z", "rrf"] = "z",
        threshold: float = THRESHOLD,
    ) -> None:
        self.kb = tuple(kb or entries())
        self.vectors = vectors or load_vectors()
        self.fusion = fusion
        self.threshold = threshold
        self._fields = {
            "entry": [
                f"{e.pertanyaan} {e.pertanyaan} {' '.join(e.tag)} {' '.join(e.tag)} {e.jawaban}"
                for e in self.kb
            ],
            "question": [f"{e.pertanyaan} {' '.join(e.tag)}" for e in self.kb],
            "answer": [e.jawaban for e in self.kb],
        }
        self._bm25: dict[str, bm25s.BM25] = {}
        vocabulary: set[str] = set()
        for field, texts in self._fields.items():
            corpus = [analyze(expand(t)) for t in texts]
            self._bm25[field] = index = bm25s.BM25()
            index.index(corpus, show_progress=False)
            vocabulary.update(t for doc in corpus for t in doc)
        self._vocabulary = frozenset(vocabulary)
        surface = {w for t in self._fields["entry"] for w in words(t)}
        self._surface = sorted(w for w in surface if len(w) >= 4 and not w.isdigit())
        self._asked = [normalise(e.pertanyaan) for e in self.kb]
        # Words that only a treasury question uses: the tags' words and the abbreviations.
        self._domain = frozenset(
            {t for e in self.kb for tag in e.tag for t in analyze(tag)}
            | {stem(a) for a in ABBREVIATIONS}
        )

    # retrieval ---------------------------------------------------------------------------

    def terms(self, question: str) -> list[str]:
        """Stemmed query terms; an unknown word becomes its nearest knowledge-base word, and
        treasury abbreviations and synonyms add their canonical term (see ``terms.py``)."""
        out: list[str] = []
        for word in words(expand(normalise(question))):
            term = stem(word)
            if term not in self._vocabulary and len(word) >= 4 and not word.isdigit():
                best = process.extractOne(word, self._surface, scorer=fuzz.ratio, score_cutoff=80)
                if best is not None:
                    term = stem(best[0])
            if term in self._vocabulary:
                out.append(term)
        return out

    def bm25_scores(self, question: str, field: str = "entry") -> np.ndarray:
        """BM25 score of every entry over one field: entry (all text), question, answer."""
        return self._bm25_of(self.terms(question), field)

    def _bm25_of(self, terms: list[str], field: str) -> np.ndarray:
        if not terms:
            return np.zeros(len(self.kb))
        return np.asarray(self._bm25[field].get_scores(terms), dtype=float)

    def vector(self, question: str) -> np.ndarray:
        """The question's embedding (as typed: spelling out abbreviations or chat words before
        embedding measured worse on the dev paraphrases)."""
        return embed_query(question)

    def cosine_scores(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cosine of the question with each entry's question, answer and best sentence."""
        v = self.vectors
        best = np.full(len(self.kb), -1.0)
        np.maximum.at(best, v.owner, v.sentences @ vector)
        return v.question @ vector, v.answer @ vector, best

    # answering ---------------------------------------------------------------------------

    def entry_features(self, question: str, vector: np.ndarray) -> np.ndarray:
        """One row per entry, one column per ranking signal (see :data:`RANKER`), each
        standardised over the entries."""
        terms = self.terms(question)
        return self._signals(
            question, terms, self.cosine_scores(vector), self._bm25_of(terms, "entry")
        )

    def _signals(
        self,
        question: str,
        terms: list[str],
        cosines: tuple[np.ndarray, np.ndarray, np.ndarray],
        bm25: np.ndarray,
    ) -> np.ndarray:
        signals = [
            *cosines,
            bm25,
            self._bm25_of(terms, "question"),
            self._bm25_of(terms, "answer"),
            process.cdist([normalise(question)], self._asked, scorer=fuzz.token_set_ratio)[0],
        ]
        return np.stack([_standard(np.asarray(x, dtype=float)) for x in signals], axis=1)

    def features(self, question: str, vector: np.ndarray) -> tuple[np.ndarray, list[float]]:
        """Fused scores of every entry, and the confidence features: the winner's best cosine
        (question or answer), the share of the question's words the knowledge base knows, how
        many treasury words (tags, abbreviations) the question uses, the highest BM25 score."""
        cosines = cq, ca, _ = self.cosine_scores(vector)
        terms = self.terms(question)
        bm25 = self._bm25_of(terms, "entry")
        if self.fusion == "rrf":
            fused = _rrf([cq, ca, bm25], (1.0, 1.0, 1.0)) * RRF_K * 10
        else:
            fused = self._signals(question, terms, cosines, bm25) @ np.asarray(RANKER)
        top = int(np.argmax(fused))
        known = len(terms) / max(1, len(words(normalise(question))))
        domain = sum(t in self._domain for t in terms)
        return fused, [float(max(cq[top], ca[top])), known, float(domain), float(bm25.max())]

    @staticmethod
    def confidence(features: Sequence[float]) -> float:
        """Calibrated confidence in 0..1 that the best entry answers the question."""
        z = CALIBRATION[0] + sum(w * x for w, x in zip(CALIBRATION[1:], features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def answer(
        self, question: str, lang: str = "id", vector: np.ndarray | None = None
    ) -> FaqAnswer:
        """The answer to ``question``, or a hand-over offer when confidence is too low."""
        vector = self.vector(question) if vector is None else vector
        fused, features = self.features(question, vector)
        order = np.argsort(-fused)[:10]
        candidates = tuple(Candidate(self.kb[i], float(fused[i])) for i in order)
        confidence = round(self.confidence(features), 4)
        best = candidates[0].entry
        if confidence < self.threshold:
            return FaqAnswer(None, HANDOVER.get(lang, HANDOVER["id"]), confidence, None, candidates)
        return FaqAnswer(best.id, best.jawaban, confidence, best.pertanyaan, candidates)


@cache
def faq_bot() -> FaqBot:
    """The process-wide bot (built once: the index takes about a second)."""
    return FaqBot()
