"""Random faults (--faults) and scripted hostile answers (overrides).

Fault kinds, drawn once per API request from one seeded generator:
  5xx       a 500 (JSON), 502 or 503 (nginx HTML) instead of the answer
  reset     the connection is reset (RST) before any byte is sent
  truncate  Content-Length larger than the bytes sent, then close
  badjson   200 with a JSON body cut in half
  slow      the body trickles out over --slow-ms

An override (POST /_fake/override) is a JSON object:
  path_regex  re.search against the encoded "path?query" (required)
  method      only this method (default any)
  times       how many requests it applies to (default: all)
  status      answer this status instead of running the route
  headers     {name: value} merged into the answer (null deletes); values may
              use {page} {next_page} {prev_page} {per_page} {base} {path}
  body        a string or a JSON value: the answer's body
  body_repeat {"prefix": s, "chunk": s, "count": n, "suffix": s}, streamed
  item_patch  deep-merged into every object of the real answer (or each
              list element matching item_match {field: value})
  fault       one of the fault kinds above
  delay_ms    wait before answering
  stall_ms    send the headers and half the body, wait, send the rest
Without status/body/body_repeat the real route answers and the override
patches that answer.
"""
import random
import re
import threading

from .http import Response

KINDS = ("5xx", "reset", "truncate", "badjson", "slow")


def parse_rates(text):
    rates = {}
    for item in filter(None, (s.strip() for s in (text or "").split(","))):
        k, sep, v = item.partition("=")
        if not sep or k not in KINDS:
            raise ValueError(f"--faults: bad item {item!r}; kinds: {', '.join(KINDS)}")
        rates[k] = float(v)
    return rates


def server_error(rnd_value):
    status = (500, 502, 503)[int(rnd_value * 3) % 3]
    if status == 500:
        return Response(500, {"message": "500 Internal Server Error"})
    text = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable"}[status]
    body = (f"<html>\r\n<head><title>{text}</title></head>\r\n<body>\r\n<center><h1>{text}"
            "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return Response(status, body=body.encode(), content_type="text/html")


class Faults:
    def __init__(self, rates=None, seed=0):
        self.lock = threading.Lock()
        self.rnd = random.Random(seed)
        self.rates = dict(rates or {})

    def set(self, rates, seed=None):
        with self.lock:
            for k in rates:
                if k not in KINDS:
                    raise ValueError(f"unknown fault kind {k!r}")
            self.rates = {k: float(v) for k, v in rates.items()}
            if seed is not None:
                self.rnd = random.Random(seed)

    def draw(self):
        """(kind or None, a second random number for the kind's details)."""
        with self.lock:
            if not self.rates:
                return None, 0.0
            r, detail = self.rnd.random(), self.rnd.random()
            acc = 0.0
            for k in KINDS:
                acc += self.rates.get(k, 0.0)
                if r < acc:
                    return k, detail
            return None, detail


def deep_merge(dst, patch):
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            deep_merge(dst[k], v)
        else:
            dst[k] = v


class Overrides:
    FIELDS = {"path_regex", "method", "times", "status", "headers", "body", "body_repeat",
              "item_patch", "item_match", "fault", "delay_ms", "stall_ms", "gzip",
              "chunked"}

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []
        self.next_id = 1

    def add(self, spec):
        unknown = set(spec) - self.FIELDS
        if unknown:
            raise ValueError(f"unknown override fields {sorted(unknown)}")
        if "path_regex" not in spec:
            raise ValueError("an override needs path_regex")
        if spec.get("fault") not in (None, *KINDS):
            raise ValueError(f"unknown fault {spec['fault']!r}")
        ov = dict(spec)
        ov["rx"] = re.compile(spec["path_regex"])
        with self.lock:
            ov["id"] = self.next_id
            self.next_id += 1
            self.items.append(ov)
        return ov["id"]

    def clear(self):
        with self.lock:
            self.items = []

    def take(self, method, target):
        """The first override matching, its use counted; None if none."""
        with self.lock:
            for ov in self.items:
                if ov.get("method") not in (None, method) or not ov["rx"].search(target):
                    continue
                if ov.get("times") is not None:
                    if ov["times"] <= 0:
                        continue
                    ov["times"] -= 1
                return ov
        return None

    def replaces(self, ov):
        return any(k in ov for k in ("status", "body", "body_repeat"))

    def answer(self, ov):
        """The override's own answer, when it replaces the route."""
        r = Response(ov.get("status", 200))
        if "body_repeat" in ov:
            br = ov["body_repeat"]
            prefix, chunk = br.get("prefix", "").encode(), br.get("chunk", "").encode()
            suffix, count = br.get("suffix", "").encode(), int(br.get("count", 0))

            def gen():
                yield prefix
                block = chunk * max(1, 65536 // max(1, len(chunk)))
                per = len(block) // max(1, len(chunk))
                left = count
                while left > 0:
                    n = min(left, per)
                    yield block if n == per else chunk * n
                    left -= n
                yield suffix
            r.stream = (len(prefix) + len(chunk) * count + len(suffix), gen())
        elif "body" in ov:
            if isinstance(ov["body"], str):
                r.body = ov["body"].encode()
            else:
                r.value = ov["body"]
        return r

    def patch(self, ov, r, req):
        """Apply headers, item_patch and timing/fault fields to a response."""
        if "item_patch" in ov and r.value is not None:
            match = ov.get("item_match") or {}
            targets = r.value if isinstance(r.value, list) else [r.value]
            for item in targets:
                if isinstance(item, dict) and all(item.get(k) == v for k, v in match.items()):
                    deep_merge(item, ov["item_patch"])
        page = req.page or req.integer("page", 1) or 1
        subst = {"{page}": str(page), "{next_page}": str(page + 1),
                 "{prev_page}": str(page - 1) if page > 1 else "",
                 "{per_page}": req.params.get("per_page", "20"), "{base}": req.base,
                 "{path}": req.raw_path}
        for k, v in (ov.get("headers") or {}).items():
            for old in [h for h in r.headers if h.lower() == k.lower()]:
                del r.headers[old]
            if v is None:
                continue
            v = str(v)
            for token, value in subst.items():
                v = v.replace(token, value)
            r.headers[k] = v
        if ov.get("fault"):
            r.fault = ov["fault"]
        if "gzip" in ov:
            r.gzip = bool(ov["gzip"])
        if "chunked" in ov:
            r.chunked = bool(ov["chunked"])
        r.delay_ms = max(r.delay_ms, int(ov.get("delay_ms", 0)))
        r.stall_ms = max(r.stall_ms, int(ov.get("stall_ms", 0)))
        return r
