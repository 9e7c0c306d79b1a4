"""Document numbers and account numbers built from integer arrays, without Python loops.

Numbers that must be unique (SP2D, NTPN) are bijections of (chunk, row) keys; numbers that
must look random but stay stable (payee bank accounts) are hashes of what identifies the payee.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from treasury.sources.allocate import IntArray

_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)


def mix64(*parts: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """A splitmix64-style hash of integer columns (same inputs, same output).

    Examples
    --------
    >>> int(mix64([1])[0]) == int(mix64([1])[0]) != int(mix64([2])[0])
    True
    """
    h = np.zeros(np.broadcast(*[np.asarray(p) for p in parts]).shape, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for p in parts:
            h ^= np.asarray(p).astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
            h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            h ^= h >> np.uint64(31)
    return h


def digits(values: npt.ArrayLike, width: int) -> pa.Array:
    """Non-negative integers as zero-padded decimal strings of ``width`` characters.

    Examples
    --------
    >>> digits([7, 42], 3).to_pylist()
    ['007', '042']
    """
    text = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    return pc.utf8_lpad(text, width=width, padding="0")


def bank_account(*parts: npt.ArrayLike) -> pa.Array:
    """A 10-16 digit bank account number derived from the payee's identifying integers."""
    h = mix64(*parts)
    length = (h % np.uint64(7)).astype(np.int64) + 10
    low = 10 ** (length - 1)
    body = (h >> np.uint64(8)) % (9 * low).astype(np.uint64)
    return pc.cast(pa.array(body.astype(np.int64) + low), pa.string())


def fixed_width(chars: npt.NDArray[np.uint8]) -> pa.Array:
    """Rows of a ``(n, width)`` uint8 matrix of ASCII codes as a string array."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(np.ascontiguousarray(chars).tobytes())
    )


def base36(values: IntArray, width: int) -> npt.NDArray[np.uint8]:
    """Non-negative integers as ``width`` base-36 digits (0-9, A-Z), most significant first."""
    out = np.empty((len(values), width), dtype=np.uint8)
    v = np.asarray(values, dtype=np.int64).copy()
    for pos in range(width - 1, -1, -1):
        out[:, pos] = _ALPHABET[v % 36]
        v //= 36
    return out


def permute(values: IntArray, half: int, key: int) -> IntArray:
    """A keyed bijection of ``[0, half**2)`` (a four-round Feistel network).

    Unique inputs give unique outputs that look random.
    """
    v = np.asarray(values, dtype=np.int64)
    left, right = v // half, v % half
    for r in range(4):
        f = (right * 1_000_003 + key * 7_919 + r * 104_729) % half
        left, right = right, (left + f * f % half + f) % half
    return left * half + right
