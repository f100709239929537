"""What the fake saw: counts by route and status, concurrency, every request."""
import collections
import math
import re
import threading
import time

SECRET_PARAMS = re.compile(r"((?:private_token|access_token|job_token)=)[^&]*", re.I)


def mask(path):
    return SECRET_PARAMS.sub(r"\1[MASKED]", path)


class Stats:
    def __init__(self, window_seconds=1.0):
        self.lock = threading.Lock()
        self.window_seconds = window_seconds
        self.reset()

    def reset(self):
        with self.lock:
            self.total = 0
            self.api_total = 0
            self.by_route = collections.Counter()
            self.by_status = collections.Counter()
            self.throttled = 0
            self.in_flight = 0
            self.max_in_flight = 0
            self.windows = collections.Counter()
            self.max_window = 0
            self.requests = []
            self.counters = collections.Counter()  # git_auth_failures, banned

    def set_window(self, seconds):
        """Count max_window over windows of this length from now on."""
        with self.lock:
            self.window_seconds = seconds
            self.windows = collections.Counter()
            self.max_window = 0

    def api_begin(self):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            w = math.floor(time.time() / self.window_seconds)
            self.windows[w] += 1
            self.max_window = max(self.max_window, self.windows[w])

    def count(self, name):
        with self.lock:
            self.counters[name] += 1

    def api_end(self):
        with self.lock:
            self.in_flight -= 1

    def record(self, method, path, status, ms, route, api, header_names):
        with self.lock:
            self.total += 1
            self.api_total += bool(api)
            self.by_route[f"{method} {route}"] += 1
            self.by_status[str(status)] += 1
            if status == 429:
                self.throttled += 1
            self.requests.append({"method": method, "path": mask(path), "status": status,
                                  "ms": round(ms, 1), "route": route, "api": bool(api),
                                  "headers": header_names,
                                  "answered": round(time.monotonic(), 4)})

    def snapshot(self):
        with self.lock:
            return {"total": self.total, "api_total": self.api_total,
                    "by_route": dict(self.by_route), "by_status": dict(self.by_status),
                    "throttled": self.throttled, "max_in_flight": self.max_in_flight,
                    "in_flight": self.in_flight, "max_window": self.max_window,
                    "window_seconds": self.window_seconds, "requests": list(self.requests),
                    "git_auth_failures": self.counters["git_auth_failures"],
                    "banned": self.counters["banned"],
                    "lfs_downloads_with_token": self.counters["lfs_downloads_with_token"],
                    "ssh_lfs_authenticate": self.counters["ssh_lfs_authenticate"],
                    "lfs_batch_with_ssh_token": self.counters["lfs_batch_with_ssh_token"],
                    "lfs_downloads_with_ssh_token":
                        self.counters["lfs_downloads_with_ssh_token"]}
