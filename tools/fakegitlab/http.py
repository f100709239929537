"""Request and response objects shared by routes, faults and the server."""
import json


class ApiError(Exception):
    """An API error answered with GitLab's JSON body."""

    def __init__(self, status, body):
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


def not_found(what=None):
    if what is None:
        return ApiError(404, {"error": "404 Not Found"})
    return ApiError(404, {"message": f"404 {what} Not Found"})


def bad_param(name):
    return ApiError(400, {"error": f"{name} is invalid"})


class Request:
    def __init__(self, method, raw_path, query, headers, base):
        self.method = method
        self.raw_path = raw_path  # still percent-encoded
        self.query = query  # [(key, value)] in request order
        self.headers = headers  # email.message.Message (case-insensitive)
        self.base = base  # external URL, no trailing slash
        self.params = {}
        for k, v in query:
            self.params[k] = v
        self.body = b""
        self.route = None  # route pattern name once matched
        self.page = None  # offset page asked for, for header templates
        self.anonymous = False  # no token, and the fake lets anonymous callers in
        self.admin = False  # an --admin-token: can_read_all_resources?
        self.authorized = None  # access.authorized_ids, once computed

    def flag(self, name, default=None):
        """A Grape Boolean parameter; ApiError 400 if not a boolean."""
        v = self.params.get(name)
        if v is None or v == "":
            return default
        lv = v.lower()
        if lv in ("true", "1", "t", "yes", "y", "on"):
            return True
        if lv in ("false", "0", "f", "no", "n", "off"):
            return False
        raise bad_param(name)

    def integer(self, name, default=None):
        v = self.params.get(name)
        if v is None or v == "":
            return default
        try:
            return int(v)
        except ValueError:
            raise bad_param(name) from None


class Response:
    def __init__(self, status=200, value=None, body=None, content_type="application/json"):
        self.status = status
        self.value = value  # JSON value, serialised at the end (overrides may patch it)
        self.body = body  # bytes, wins over value
        self.stream = None  # (length, iterator of bytes) for huge bodies
        self.headers = {}
        if content_type:
            self.headers["Content-Type"] = content_type
        self.fault = None  # "reset" | "truncate" | "badjson" | "slow"
        self.gzip = False  # compress if the client accepts gzip
        self.chunked = False  # Transfer-Encoding: chunked, no Content-Length
        self.delay_ms = 0
        self.stall_ms = 0
        self.close = False

    @classmethod
    def error(cls, err):
        return cls(err.status, err.body)

    def payload(self):
        """The body bytes (not for streamed bodies)."""
        if self.body is None:
            self.body = b"" if self.value is None else json.dumps(
                self.value, ensure_ascii=False, separators=(",", ":")).encode()
        return self.body
