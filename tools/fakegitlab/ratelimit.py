"""GitLab's Rack::Attack throttle: fixed, epoch-aligned windows.

Every API request counts, throttled ones included.  Per-endpoint limits
(--route-rate-limit, like GitLab.com's Groups and Projects API limits) are
Gitlab::ApplicationRateLimiter's (EndpointLimiter below).  Headers as
Gitlab::RackAttack::RequestThrottleData: RateLimit-Name, RateLimit-Limit
(normalised to one minute), RateLimit-Observed, RateLimit-Remaining,
RateLimit-Reset (epoch seconds of the window's end); a 429 adds Retry-After
and RateLimit-ResetTime and has the plain-text body "Retry later".
"""
import email.utils
import math
import threading
import time

from .http import Response


def parse(text):
    """'60/10' -> (60, 10.0)."""
    try:
        n, _, s = text.partition("/")
        limit, period = int(n), float(s or 60)
        if limit < 1 or period <= 0:
            raise ValueError
    except ValueError:
        raise ValueError(f"--rate-limit: expected N/SECONDS, got {text!r}") from None
    return limit, period


def parse_route(text):
    """'GET /groups/:id/projects=600/60' -> ('GET /groups/:id/projects', 600, 60.0)."""
    route, sep, rate = text.rpartition("=")
    if not sep or " " not in route.strip():
        raise ValueError(f"--route-rate-limit: expected 'METHOD ROUTE=N/SECONDS', got {text!r}")
    method, _, pattern = route.strip().partition(" ")
    return (f"{method.upper()} {pattern.strip()}", *parse(rate))


class RateLimiter:
    def __init__(self, limit, period, send_headers=True, clock=time.time,
                 name="throttle_authenticated_api"):
        self.name = name
        self.limit = limit
        self.period = period
        self.send_headers = send_headers
        self.clock = clock
        self.lock = threading.Lock()
        self.window = None
        self.count = 0

    def hit(self):
        """(allowed, headers for the response, requests in this window)."""
        now = self.clock()
        window = math.floor(now / self.period)
        with self.lock:
            if window != self.window:
                self.window, self.count = window, 0
            self.count += 1
            observed = self.count
        reset = (window + 1) * self.period
        allowed = observed <= self.limit
        headers = {}
        if self.send_headers or not allowed:
            headers = {
                "RateLimit-Name": self.name,
                "RateLimit-Limit": str(math.ceil(self.limit * 60 / self.period)),
                "RateLimit-Observed": str(observed),
                "RateLimit-Remaining": str(max(self.limit - observed, 0)),
                "RateLimit-Reset": str(int(math.ceil(reset))),
            }
        if not allowed:
            headers["Retry-After"] = str(max(1, int(math.ceil(reset - now))))
            headers["RateLimit-ResetTime"] = email.utils.formatdate(reset, usegmt=True)
        return allowed, headers, observed


def retry_later(headers):
    """Rack::Attack's throttled_responder (lib/gitlab/rack_attack.rb): 429,
    the plain-text body "Retry later", the throttle's headers."""
    r = Response(429, body=b"Retry later\n", content_type="text/plain")
    r.headers.update(headers)
    return r


class EndpointLimiter:
    """Gitlab::ApplicationRateLimiter as lib/api/helpers/rate_limiter.rb uses
    it for GitLab.com's per-endpoint limits (check_rate_limit_by_user_or_ip!
    in lib/api/groups.rb, lib/api/projects.rb): every request increments a
    Redis counter that expires `period` seconds after its first increment
    (lib/gitlab/application_rate_limiter/increment_per_action.rb), so the
    window opens at the first request, not on the clock; a request is
    throttled when the count exceeds the limit, and throttled requests count
    too.  The 429 is render_api_error!'s JSON, {"message": {"error": ...}},
    with no RateLimit-* headers and no Retry-After."""

    MESSAGE = "This endpoint has been requested too many times. Try again later."

    def __init__(self, limit, period, clock=time.monotonic):
        self.limit = limit
        self.period = period
        self.clock = clock
        self.lock = threading.Lock()
        self.expires = 0.0
        self.count = 0

    def hit(self):
        """Whether the request may go on."""
        now = self.clock()
        with self.lock:
            if now >= self.expires:
                self.count, self.expires = 0, now + self.period
            self.count += 1
            return self.count <= self.limit


class AuthBan:
    """GitLab.com's fail2ban for Git: `limit` failed authentications within
    `period` seconds ban the client (every request gets 403, no rate-limit
    headers) for `ban_seconds`."""

    def __init__(self, limit, period=60.0, ban_seconds=900.0, clock=time.monotonic):
        self.limit = limit
        self.period = period
        self.ban_seconds = ban_seconds
        self.clock = clock
        self.lock = threading.Lock()
        self.failures = []
        self.banned_until = 0.0

    def fail(self):
        now = self.clock()
        with self.lock:
            self.failures = [t for t in self.failures if t > now - self.period] + [now]
            if len(self.failures) >= self.limit:
                self.banned_until = now + self.ban_seconds

    def active(self):
        return self.clock() < self.banned_until
