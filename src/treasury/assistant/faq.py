"""The FAQ bot: hybrid retrieval over the HAI DJPb knowledge base with a calibrated confidence.

Two retrievers score every entry: BM25 (bm25s) over Sastrawi-stemmed words without stopwords,
with unknown words corrected to the nearest knowledge-base word (RapidFuzz), and cosine
similarity of multilingual-e5-small embeddings (question+tags, question+answer, best answer
sentence). Each score list is standardised over the entries and fused by a weighted sum
(measured better than reciprocal-rank fusion on the dev paraphrases: see README); ``fusion="rrf"``
keeps reciprocal-rank fusion available. A logistic function of six features of the winner
(:meth:`FaqBot.features`) gives a confidence in 0..1; below :data:`THRESHOLD` the bot does not
answer and offers a hand-over to a service agent.
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
from treasury.assistant.wording import normalise
from treasury.catalog.text import analyze, stem, words

#: Fusion weights of the standardised scores: question, answer, best sentence, BM25.
WEIGHTS = (0.5, 1.0, 0.3, 0.8)
RRF_K = 60
#: Logistic calibration of the confidence: intercept, then one weight per :meth:`FaqBot.features`
#: (fused score, margin, best cosine, BM25 maximum, share of words known, best sentence cosine).
#: Fitted on the dev paraphrases by ``python -m bench assistant --fit`` and shifted so that the
#: F1-best rejection threshold sits at 0.5 (cross-validated figures in the bench results).
CALIBRATION = (-17.408, 0.652, -0.331, 6.462, 0.663, 2.977, 5.502)
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
        texts = [
            f"{e.pertanyaan} {e.pertanyaan} {' '.join(e.tag)} {' '.join(e.tag)} {e.jawaban}"
            for e in self.kb
        ]
        corpus = [analyze(t) for t in texts]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocabulary = frozenset(t for doc in corpus for t in doc)
        surface = {w for t in texts for w in words(t)}
        self._surface = sorted(w for w in surface if len(w) >= 4 and not w.isdigit())

    # retrieval ---------------------------------------------------------------------------

    def terms(self, question: str) -> list[str]:
        """Stemmed query terms; an unknown word becomes its nearest knowledge-base word."""
        out: list[str] = []
        for word in words(normalise(question)):
            term = stem(word)
            if term not in self._vocabulary and len(word) >= 4 and not word.isdigit():
                best = process.extractOne(word, self._surface, scorer=fuzz.ratio, score_cutoff=80)
                if best is not None:
                    term = stem(best[0])
            if term in self._vocabulary:
                out.append(term)
        return out

    def bm25_scores(self, question: str) -> np.ndarray:
        """BM25 score of every entry."""
        terms = self.terms(question)
        if not terms:
            return np.zeros(len(self.kb))
        return np.asarray(self._bm25.get_scores(terms), dtype=float)

    def cosine_scores(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cosine of the question with each entry's question, answer and best sentence."""
        v = self.vectors
        best = np.full(len(self.kb), -1.0)
        np.maximum.at(best, v.owner, v.sentences @ vector)
        return v.question @ vector, v.answer @ vector, best

    # answering ---------------------------------------------------------------------------

    def features(self, question: str, vector: np.ndarray) -> tuple[np.ndarray, list[float]]:
        """Fused scores of every entry, and the confidence features of the winner."""
        cq, ca, cs = self.cosine_scores(vector)
        bm25 = self.bm25_scores(question)
        lists = [cq, ca, cs, bm25]
        fused = np.zeros(len(self.kb))
        if self.fusion == "rrf":
            fused += _rrf(lists[:2] + lists[3:], (1.0, 1.0, 1.0)) * RRF_K * 10
        else:
            for weight, scores in zip(WEIGHTS, lists, strict=True):
                fused += weight * _standard(scores)
        top = int(np.argmax(fused))
        ordered = np.sort(fused)[::-1]
        margin = float(ordered[0] - ordered[1]) if len(ordered) > 1 else 0.0
        known = len(self.terms(question)) / max(1, len(words(normalise(question))))
        cosine = float(max(cq[top], ca[top]))
        return fused, [float(ordered[0]), margin, cosine, float(bm25.max()), known, float(cs.max())]

    @staticmethod
    def confidence(features: Sequence[float]) -> float:
        """Calibrated confidence in 0..1 that the best entry answers the question."""
        z = CALIBRATION[0] + sum(w * x for w, x in zip(CALIBRATION[1:], features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def answer(
        self, question: str, lang: str = "id", vector: np.ndarray | None = None
    ) -> FaqAnswer:
        """The answer to ``question``, or a hand-over offer when confidence is too low."""
        vector = embed_query(question) if vector is None else vector
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
