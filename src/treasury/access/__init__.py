"""Access: who may see what, from where, and a record of what they saw.

- who: :class:`Principal`, :class:`Role`, :class:`OrgType`, :class:`Zone`, :class:`Action`
- from where: :func:`zone_for`, :func:`client_address`
- what: :func:`decide` -> :class:`Decision` (allowed, 401/403, row filter, masked columns) for a
  :class:`DatasetPolicyInfo`
- secrets: :mod:`treasury.access.passwords` (argon2id), :mod:`treasury.access.tokens`
- how often: :class:`RequestLimiter`, :class:`TokenBucket`
- in the app database: :func:`add_user`, :func:`authenticate` (throttled: :class:`LoginThrottled`),
  :func:`create_token`, :func:`resolve_token`, :func:`revoke_token`, :func:`identify`,
  :func:`seed_demo_users` (demo only); the audit log in :mod:`treasury.access.audit`

``README.md`` beside this file has the full matrix.
"""

from __future__ import annotations

from treasury.access.apitokens import create_token, list_tokens, resolve_token, revoke_token
from treasury.access.demo import DemoLogin, seed_demo_users
from treasury.access.errors import AccessError
from treasury.access.identify import InvalidToken, identify
from treasury.access.policy import Classification, DatasetPolicyInfo, Decision, decide
from treasury.access.principal import (
    ANONYMOUS_INTERNET,
    ANONYMOUS_INTRANET,
    RIGHT_PERSONAL_DATA,
    Action,
    OrgType,
    Principal,
    Role,
    Zone,
)
from treasury.access.ratelimit import RateLimiter, RateResult, RequestLimiter, TokenBucket
from treasury.access.settings import AccessSettings, get_access_settings
from treasury.access.throttle import LoginThrottled
from treasury.access.users import add_user, authenticate, get_user, principal_for_user
from treasury.access.zones import client_address, zone_for

__all__ = [
    "ANONYMOUS_INTERNET",
    "ANONYMOUS_INTRANET",
    "RIGHT_PERSONAL_DATA",
    "AccessError",
    "AccessSettings",
    "Action",
    "Classification",
    "DatasetPolicyInfo",
    "Decision",
    "DemoLogin",
    "InvalidToken",
    "LoginThrottled",
    "OrgType",
    "Principal",
    "RateLimiter",
    "RateResult",
    "RequestLimiter",
    "Role",
    "TokenBucket",
    "Zone",
    "add_user",
    "authenticate",
    "client_address",
    "create_token",
    "decide",
    "get_access_settings",
    "get_user",
    "identify",
    "list_tokens",
    "principal_for_user",
    "resolve_token",
    "revoke_token",
    "seed_demo_users",
    "zone_for",
]
