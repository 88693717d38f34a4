"""Request rate limits for the API, counted in fixed windows.

DRF's own throttles keep, per user, the list of every request time in the last period: each
request reads that list from the cache, trims it and writes it back whole (at 1,200/min, up
to 1,200 timestamps pickled twice per request, and carried over the network when the cache
is Redis). Here each user (or anonymous client) has one counter per window, created with the
window and incremented atomically: constant cost, whatever the rate. A client may send up to
twice the rate across a window boundary, the usual price of fixed windows; the token endpoint
keeps DRF's exact sliding window (config.api_urls), since it guards passwords.
"""

from rest_framework import throttling


class FixedWindowMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        # add() creates the counter only if absent; incr() is atomic in Redis and locmem.
        self.cache.add(key, 0, self.duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # expired between the two calls
            self.cache.set(key, 1, self.duration + 1)
            count = 1
        if count > self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def throttle_success(self):
        return True

    def wait(self):
        return max(0.0, self.window_ends_at - self.now)


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    """Per signed-in user (token or session), `THROTTLE_USER` (default 1200/min)."""


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    """Per client address for requests without credentials, `THROTTLE_ANON` (default 60/min)."""
