"""Submission pacing: a token bucket that backs off when the SMSC says it is throttling us."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """At most ``rate`` takes per second (0: unlimited), with bursts of up to ``burst``.

    :meth:`throttled` (the SMSC answered ``ESME_RTHROTTLED`` or ``ESME_RMSGQFUL``) halves the
    current rate, down to ``min_rate``, and pauses all takes for ``pause`` seconds; the rate then
    climbs back to the configured one linearly over ``recovery`` seconds (AIMD, as TCP does).
    """

    def __init__(self, rate: float, burst: float | None = None, min_rate: float = 1.0, recovery: float = 10.0) -> None:
        self.max_rate = float(rate)
        self.rate = float(rate)
        self.min_rate = min_rate
        self.recovery = recovery
        self.burst = burst if burst is not None else max(1.0, self.max_rate / 10)
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.throttle_events = 0

    def _refill(self, now: float) -> None:
        elapsed = now - self._stamp
        self._stamp = now
        if self.rate < self.max_rate:
            self.rate = min(self.max_rate, self.rate + self.max_rate * elapsed / self.recovery)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)

    async def take(self) -> None:
        """Wait for a token (callers are served in arrival order)."""
        if self.max_rate <= 0 and not self._paused_until:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                self._paused_until = 0.0
                if self.max_rate <= 0:
                    return
                self._refill(now)
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)

    def throttled(self, pause: float) -> None:
        """The SMSC pushed back: slow down and pause."""
        self.throttle_events += 1
        now = time.monotonic()
        if self.max_rate > 0 and now >= self._paused_until:
            # Responses to submits sent before the pause also come back throttled: slow down once per pause.
            self._refill(now)
            self.rate = max(self.min_rate, self.rate / 2)
            self._tokens = 0.0
        self._paused_until = max(self._paused_until, now + pause)
