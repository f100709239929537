"""Rate limiting with GitLab's RateLimit-* headers and 429 answers."""
import math
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))

from fakegitlab.ratelimit import EndpointLimiter  # noqa: E402


def burst(fake, n, limit, period, headers=True):
    """n API answers from one fixed window of a fresh limiter (tried again if a
    window boundary fell inside the burst)."""
    for _ in range(3):
        fake.control("rate_limit", limit=limit, period=period, headers=headers)
        fake.reset_stats()
        answers = [fake.api("/version") for _ in range(n)]
        resets = {h["ratelimit-reset"] for _, h, _ in answers if "ratelimit-reset" in h}
        if len(resets) == 1:
            return answers
    raise AssertionError("no burst fitted in one rate-limit window")


def test_headers_and_429(start_fake):
    fake = start_fake(rate_limit="20/60")
    answers = burst(fake, 23, 20, 60)
    for n, (status, h, body) in enumerate(answers[:20], 1):
        assert status == 200
        assert h["ratelimit-limit"] == "20"
        assert h["ratelimit-name"] == "throttle_authenticated_api"
        assert h["ratelimit-observed"] == str(n)
        assert h["ratelimit-remaining"] == str(20 - n)
        reset = int(h["ratelimit-reset"])
        assert reset % 60 == 0 and 0 < reset - time.time() <= 60
    status, h, body = answers[20]
    assert status == 429
    assert h["content-type"] == "text/plain" and body is None
    assert h["ratelimit-remaining"] == "0" and h["ratelimit-observed"] == "21"
    assert 1 <= int(h["retry-after"]) <= 60
    assert "ratelimit-resettime" in h
    # control endpoints are not limited
    assert fake.truth()["user"]["username"] == "alice"
    stats = fake.stats()
    assert stats["throttled"] == 3
    assert stats["max_window"] >= 23
    assert stats["by_status"]["429"] == 3


def test_plain_text_body_of_429(start_fake):
    fake = start_fake(rate_limit="1/3600")
    burst(fake, 1, 1, 3600)
    status, _, data = fake.request("GET", "/api/v4/version",
                                   headers={"PRIVATE-TOKEN": fake.token})
    assert (status, data) == (429, b"Retry later\n")


def test_no_headers_option(start_fake):
    fake = start_fake(rate_limit="2/60", rate_limit_no_headers=True)
    assert "ratelimit-limit" not in fake.api("/version")[1]
    answers = burst(fake, 3, 2, 60, headers=False)
    assert all(not any(k.startswith("ratelimit") for k in h) for _, h, _ in answers[:2])
    assert answers[2][0] == 429 and "ratelimit-reset" in answers[2][1]


def test_limit_normalised_to_a_minute_and_set_by_control(start_fake):
    fake = start_fake()
    status, h, _ = fake.api("/version")
    assert "ratelimit-limit" not in h
    fake.control("rate_limit", limit=600, period=600)
    status, h, _ = fake.api("/version")
    assert h["ratelimit-limit"] == str(math.ceil(600 * 60 / 600))
    fake.control("rate_limit", limit=0)
    assert "ratelimit-limit" not in fake.api("/version")[1]


def test_per_route_limit(start_fake):
    # a day-long window: a burst of 3 requests does not straddle its end
    fake = start_fake(route_rate_limit=["GET /groups/:id/projects=2/86400"],
                      generate="groups=2,subgroups=0,depth=0,projects=1")
    answers = [fake.api("/groups/1/projects") for _ in range(3)]
    assert [a[0] for a in answers[:2]] == [200, 200]
    status, h, body = answers[2]
    assert status == 429
    assert body == {"message": {"error": "This endpoint has been requested too many times. "
                                         "Try again later."}}
    # Gitlab::ApplicationRateLimiter sends neither Retry-After nor RateLimit-* headers
    assert "retry-after" not in h and not any(k.startswith("ratelimit-") for k in h)
    # other routes are not limited
    assert all(fake.api("/groups/1")[0] == 200 for _ in range(3))
    assert fake.stats()["throttled"] == 1


def test_per_route_window_opens_at_the_first_request():
    """The counter expires a window after its first increment and throttled
    requests count too (an injected clock)."""
    now = [1000.5]
    limiter = EndpointLimiter(2, 60, clock=lambda: now[0])
    assert [limiter.hit() for _ in range(3)] == [True, True, False]
    now[0] += 59.9  # past a minute boundary of the clock, not past the window
    assert not limiter.hit()
    now[0] += 0.1
    assert [limiter.hit() for _ in range(3)] == [True, True, False]


def test_per_route_429_keeps_the_overall_headers(start_fake):
    fake = start_fake(route_rate_limit=["GET /groups=1/86400"], rate_limit="1000/60")
    fake.api("/groups")
    status, h, body = fake.api("/groups")
    assert status == 429 and body["message"]["error"]
    assert int(h["ratelimit-remaining"]) > 0 and "retry-after" not in h
