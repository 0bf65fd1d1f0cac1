"""The login: one user name and password (ASSISTANT_AUTH_USER, ASSISTANT_AUTH_PASSWORD), with
failed sign-ins rate-limited per user name (`LoginGuard`)."""

from __future__ import annotations

import hmac
import logging
import threading
import time

from fastapi import HTTPException

log = logging.getLogger(__name__)

LOGIN_MAX_FAILURES = 5  # failed sign-ins per user name within LOGIN_WINDOW_S ...
LOGIN_WINDOW_S = 60.0
LOGIN_LOCKOUT_S = 300.0  # ... refuse that name for this long
LOGIN_MESSAGE = (
    f"Sign in to the inspection findings assistant. After {LOGIN_MAX_FAILURES} failed sign-ins "
    f"within a minute, a user name is refused for {LOGIN_LOCKOUT_S / 60:.0f} minutes."
)


class LoginGuard:
    """Gradio's `auth` callable: one user name and password, failed sign-ins rate-limited.

    Gradio's login form checks a tuple as fast as requests arrive, so a password could be
    guessed at network speed. After LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_S for one
    user name, that name is refused for LOGIN_LOCKOUT_S, even with the right password (else the
    lock-out would tell a guesser when they hit it), with HTTP 429 and Retry-After.
    """

    _MAX_NAMES = 10_000  # names tracked at most: random names must not grow memory without end

    def __init__(self, user: str, password: str, *, clock=time.monotonic):
        self._user, self._password = user.encode(), password.encode()
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        key, now = (username or "").strip().casefold()[:256], self._clock()
        with self._lock:
            wait = self._locked_until.get(key, 0.0) - now
            if wait > 0:
                raise HTTPException(
                    status_code=429,
                    headers={"Retry-After": str(int(wait) + 1)},
                    detail=f"Too many failed sign-ins: wait {int(wait) // 60 + 1} minutes and "
                    "try again, or ask the administrator for the password",
                )
            # Both compared in constant time, so timing tells nothing about which one was wrong.
            right_user = hmac.compare_digest((username or "").strip().encode(), self._user)
            if hmac.compare_digest((password or "").encode(), self._password) and right_user:
                self._failures.pop(key, None)
                return True
            self._fail(key, now)
            return False

    def _fail(self, key: str, now: float) -> None:
        recent = [t for t in self._failures.get(key, []) if now - t < LOGIN_WINDOW_S] + [now]
        self._failures[key] = recent
        if len(recent) >= LOGIN_MAX_FAILURES:
            self._locked_until[key] = now + LOGIN_LOCKOUT_S
            self._failures.pop(key, None)
            log.warning(
                "%d failed sign-ins for user name %r within %.0f s: refused for %.0f s",
                len(recent),
                key,
                LOGIN_WINDOW_S,
                LOGIN_LOCKOUT_S,
            )
        if len(self._failures) + len(self._locked_until) > self._MAX_NAMES:
            self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        self._failures = {k: v for k, v in self._failures.items() if now - v[-1] < LOGIN_WINDOW_S}
        self._locked_until = {k: v for k, v in self._locked_until.items() if v > now}
