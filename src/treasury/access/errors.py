"""The one error type of the access layer."""

from __future__ import annotations


class AccessError(ValueError):
    """A request to the access layer that cannot be done; the message says why and what to do."""
