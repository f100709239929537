"""The HTTP server, request dispatch and the command line.

HTTP/1.1 with keep-alive (HTTPS with --tls-cert), one thread per connection,
TCP_NODELAY on every accepted socket.  Dispatch: /_fake/* control endpoints; then overrides; then
/api/v4/* (rate limit, authentication, route, faults, latency) or git smart
HTTP; anything else is 404.
"""
import argparse
import itertools
import json
import os
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import traceback
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import (auth, control, faults, generator, gitcache, githttp, lfs, pagination, ratelimit,
               render, routes, spec, sshfront)
from .http import ApiError, Request, Response
from .model import Model
from .repos import Repos
from .stats import Stats, mask

DEFAULT_TOKEN = "glpat-fake-token-0123456789"
BUG_MARKER = "FAKE-GITLAB-BUG"  # tests/e2e/fake.py fails the test when it sees this
GITLAB_HEADERS = {"Cache-Control": "max-age=0, private, must-revalidate", "Vary": "Origin",
                  "X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN",
                  "X-Gitlab-Meta": '{"correlation_id":"fake","version":"1"}'}


class Context:
    """Everything a request handler needs; one per server."""

    def __init__(self, model, repos, tokens, forbidden=(), admin=(), oauth=(),
                 no_read_api=()):
        self.model = model
        self.repos = repos
        self.tokens = set(tokens)
        self.forbidden = set(forbidden)
        self.admin_tokens = set(admin)  # personal tokens of an administrator
        self.oauth_tokens = set(oauth)  # OAuth access tokens: Bearer or oauth2:T only
        self.no_read_api_tokens = set(no_read_api)  # scope read_repository only
        self.cfg = pagination.Config()
        self.base = ""
        self.prefix = ""  # the external URL's path (relative URL root), e.g. /gitlab
        self.limiter = None
        self.lfs_limiter = None  # RateLimiter of Git LFS requests (lfs.throttle)
        self.route_limiters = {}  # "GET /groups/:id/projects" -> RateLimiter
        self.ban = None  # ratelimit.AuthBan
        self.gzip = False  # gzip API answers for clients that accept it
        self.anonymous = False  # callers without a token see public content
        self.stats = Stats()
        self.faults = faults.Faults()
        self.overrides = faults.Overrides()
        self.latency_ms = 0
        self.slow_ms = 2000
        self.git_cache = None  # gitcache.GitCache with --git-cache
        self.ssh = None  # sshfront.SshFront with --ssh-host-key
        self.log = None
        self.log_lock = threading.Lock()
        self.request_ids = itertools.count(1)


def api_answer(req, ctx):
    """(Response, route pattern) for an /api/v4 request."""
    matched = routes.match(req.method, req.raw_path)
    route = matched[0] if matched else "unknown"
    req.route = route
    rate_headers = {}
    if ctx.limiter:
        allowed, rate_headers, _ = ctx.limiter.hit()
        if not allowed:
            return ratelimit.retry_later(rate_headers), route
    route_limiter = ctx.route_limiters.get(f"{req.method} {route}")
    if route_limiter and not route_limiter.hit():
        # lib/api/helpers/rate_limiter.rb: render_api_error!({error: ...}, 429), no headers
        r = Response(429, {"message": {"error": ratelimit.EndpointLimiter.MESSAGE}})
        r.headers.update(rate_headers)
        return r, route
    token, bearer = auth.token_of(req)
    refused = auth.authenticate(req, ctx, token, bearer) if matched else None
    if matched is None:
        # Grape matches routes before any endpoint authenticates
        r = Response(404, {"error": "404 Not Found"})
    elif refused:
        r = refused
    else:
        try:
            with ctx.model.lock:
                r = matched[1](req, ctx, *matched[2])
        except ApiError as e:
            r = Response.error(e)
    r.headers.update(rate_headers)
    r.headers.update(GITLAB_HEADERS)
    r.headers["X-Request-Id"] = f"fake{next(ctx.request_ids):012d}"
    r.delay_ms += ctx.latency_ms
    r.gzip = ctx.gzip
    kind, detail = ctx.faults.draw()
    if kind == "5xx":
        r = faults.server_error(detail)
    elif kind:
        r.fault = kind
    return r, route


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY on every accepted socket
    sys_version = ""
    timeout = 300  # an idle keep-alive connection is dropped after this

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()

    def version_string(self):
        return "nginx"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def dispatch(self):
        ctx = self.server.ctx
        start = time.monotonic()
        raw_path, _, qs = self.path.partition("?")
        if ctx.prefix and (raw_path + "/").startswith(ctx.prefix + "/"):
            raw_path = raw_path[len(ctx.prefix):] or "/"
        try:
            body = self.read_body()
        except ValueError:
            self.close_connection = True
            self.send_answer(Response(400, body=b"bad request body\n", content_type="text/plain"))
            return
        if raw_path.startswith("/_fake/"):
            try:
                payload = json.loads(body) if body.strip() else {}
            except ValueError:
                payload = None
            self.send_answer(control.handle(ctx, self.command, raw_path[7:], payload))
            return
        req = Request(self.command, raw_path, parse_qsl(qs, keep_blank_values=True),
                      self.headers, ctx.base)
        req.body = body
        api = raw_path == routes.PREFIX or raw_path.startswith(routes.PREFIX + "/")
        if api:
            ctx.stats.api_begin()
        status = 0
        route = "unknown"
        try:
            try:
                r, route = self.answer(req, ctx, api, self.path)
            except Exception:  # a bug in the fake: say so loudly, answer 500
                print(f"{BUG_MARKER} while answering {req.method} {mask(req.raw_path)}",
                      file=sys.stderr)
                traceback.print_exc()
                r = Response(500, {"message": "500 Internal Server Error (fake bug)"})
            status = self.send_answer(r)
        finally:
            if api:
                ctx.stats.api_end()
            ms = (time.monotonic() - start) * 1000
            ctx.stats.record(self.command, self.path, status, ms, route, api,
                             sorted({k for k in self.headers.keys()}))
            if ctx.log:
                with ctx.log_lock:
                    ctx.log.write(f"{self.command} {mask(self.path)} {status} {ms:.1f}\n")
                    ctx.log.flush()

    def answer(self, req, ctx, api, target):
        if ctx.ban and ctx.ban.active():
            ctx.stats.count("banned")
            return Response(403, body=b"Forbidden\n", content_type="text/plain"), "banned"
        ov = ctx.overrides.take(req.method, target)
        if ov and ctx.overrides.replaces(ov):
            matched = routes.match(req.method, req.raw_path) if api else None
            return ctx.overrides.patch(ov, ctx.overrides.answer(ov), req), (
                matched[0] if matched else "override")
        if api:
            r, route = api_answer(req, ctx)
        else:
            git = githttp.match(req.raw_path)
            lfs_req = lfs.match(req.raw_path)
            if lfs_req:
                route = "lfs object" if lfs_req[1] else "lfs batch"
                r = lfs.throttle(ctx) or lfs.handle(req, ctx, *lfs_req)
            elif git:
                route = f"git {git[1]}"
                r = githttp.handle(req, ctx, *git)
            else:
                route = "unknown"
                r = Response(404, body=b"404 Not Found\n", content_type="text/plain")
        if ov:
            ctx.overrides.patch(ov, r, req)
        return r, route

    @staticmethod
    def compress(r):
        """gzip the body (as nginx in front of GitLab does); a streamed body is
        compressed chunk by chunk, so a gzip bomb costs little memory."""
        z = zlib.compressobj(6, zlib.DEFLATED, 31)
        if r.stream:
            parts = [z.compress(c) for c in r.stream[1]]
            r.stream = None
            r.body = b"".join(parts) + z.flush()
        else:
            r.body = z.compress(r.payload()) + z.flush()
        r.headers["Content-Encoding"] = "gzip"
        r.headers["Vary"] = "Accept-Encoding"

    def write_chunked(self, r, body, stream):
        """Transfer-Encoding: chunked; truncate stops halfway without the last chunk."""
        if stream is None:
            if r.fault == "truncate":
                body = body[:len(body) // 2]
            stream = (body[i:i + 65536] for i in range(0, len(body), 65536))
        for piece in stream:
            if piece:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if r.fault == "truncate":
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.wfile.write(b"0\r\n\r\n")

    def send_answer(self, r):
        """Write the response; its status, or 0 when the connection was reset."""
        if r.delay_ms:
            time.sleep(r.delay_ms / 1000)
        try:
            if r.fault == "reset":
                self.close_connection = True
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                return 0
            if r.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                self.compress(r)
            if r.stream:
                length, chunks = r.stream
                body = None
            else:
                body = r.payload()
                if r.fault == "badjson":
                    body = body[:len(body) // 2] + b"\x00{\"broken"
                length = len(body)
            self.send_response(r.status)
            for k, v in r.headers.items():
                self.send_header(k, v)
            if r.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif r.fault == "truncate":
                self.send_header("Content-Length", str(length + 1000))
            else:
                self.send_header("Content-Length", str(length))
            if r.close or r.fault == "truncate":
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command == "HEAD":
                return r.status
            if r.chunked:
                self.write_chunked(r, body, None if body is not None else chunks)
            elif body is None:
                for c in chunks:
                    self.wfile.write(c)
            elif r.fault == "truncate":
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            elif r.fault == "slow":
                step = max(1, -(-len(body) // 10))
                for i in range(0, max(1, len(body)), step):
                    self.wfile.write(body[i:i + step])
                    self.wfile.flush()
                    time.sleep(self.server.ctx.slow_ms / 10000)
            elif r.stall_ms:
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                time.sleep(r.stall_ms / 1000)
                self.wfile.write(body[len(body) // 2:])
            else:
                self.wfile.write(body)
            return r.status
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
            return r.status


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        """Clients that hang up, or refuse the TLS certificate, are normal
        here; anything else is a fake bug."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        print(BUG_MARKER, file=sys.stderr)
        traceback.print_exc()


def write_port_file(path, port):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="fake_gitlab.py",
        description="A fake GitLab (REST API v4 + git smart HTTP) for glmirror's tests. "
        "Prints its URL on stdout when ready. Control endpoints under /_fake/ "
        "(tools/fakegitlab/control.py); overrides and faults: faults.py.")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--spec", help="JSON spec file (format: tools/fakegitlab/spec.py)")
    src.add_argument("--generate", help="groups=10,subgroups=5,depth=2,projects=20[,seed=1,"
                     "archived=0.1,empty=0.05,shared=0.05,user_projects=2]")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the port here (atomically) once listening")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM)")
    ap.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    ap.add_argument("--ssh-host-key", help="also serve git over SSH (sshd -i per connection) "
                    "with this host key; clone URLs become ssh://USER@HOST:PORT/...")
    ap.add_argument("--ssh-authorized-keys", help="public keys allowed to clone over SSH")
    ap.add_argument("--ssh-user", help="the account in SSH clone URLs (default: the user "
                    "running the fake)")
    ap.add_argument("--repos-dir", help="bare repositories (default: a temporary directory)")
    ap.add_argument("--git-cache", action="store_true",
                    help="keep upload-pack answers and serve them again while the refs "
                         "are unchanged, as Gitaly's caches do (for benchmarks)")
    ap.add_argument("--eager-repos", action="store_true",
                    help="create every repository at start instead of on first clone")
    ap.add_argument("--token", action="append", help=f"valid token (repeatable; default "
                    f"{DEFAULT_TOKEN})")
    ap.add_argument("--forbidden-token", action="append", default=[],
                    help="a token answered with 403 Forbidden")
    ap.add_argument("--admin-token", action="append", default=[],
                    help="an administrator's personal token: all_available defaults to true, "
                    "every group, project and repository is visible (repeatable)")
    ap.add_argument("--oauth-token", action="append", default=[],
                    help="an OAuth access token: valid only as 'Authorization: Bearer' or "
                    "access_token=, and for git with user name oauth2 (repeatable)")
    ap.add_argument("--no-read-api-token", action="append", default=[],
                    help="a personal token without the api/read_api scopes: every API call "
                    "gets 403 insufficient_scope; git still works (repeatable)")
    ap.add_argument("--anonymous", action="store_true",
                    help="callers without a token see public groups and projects "
                    "(else 401)")
    ap.add_argument("--external-url", help="base URL put in web_url, http_url_to_repo, Link "
                    "(its path, if any, is also accepted as a prefix on the listening "
                    "address)")
    ap.add_argument("--ssh-url-host", help="host name in ssh_url_to_repo (GitLab's "
                    "gitlab_shell.ssh_host; default: the external URL's host)")
    ap.add_argument("--rate-limit", help="N/SECONDS on API routes, e.g. 60/10")
    ap.add_argument("--route-rate-limit", action="append", default=[],
                    metavar="'METHOD ROUTE=N/SECONDS'",
                    help="a per-endpoint limit like GitLab.com's, e.g. "
                    "'GET /groups/:id/projects=600/60' (repeatable); its 429 has a JSON body")
    ap.add_argument("--rate-limit-no-headers", action="store_true",
                    help="RateLimit-* headers only on 429 answers")
    ap.add_argument("--git-auth-ban", type=int, default=0, metavar="N",
                    help="after N failed Git authentications in a minute, answer every "
                    "request 403 for --ban-seconds (GitLab.com: 300)")
    ap.add_argument("--ban-seconds", type=float, default=900)
    ap.add_argument("--gzip", action="store_true",
                    help="gzip API answers when the client sends Accept-Encoding: gzip")
    ap.add_argument("--latency", type=float, default=0, help="ms added to every API answer")
    ap.add_argument("--faults", help="5xx=0.1,reset=0.05,truncate=0.02,badjson=0.02,slow=0.01")
    ap.add_argument("--seed", type=int, default=0, help="seed of the fault generator")
    ap.add_argument("--slow-ms", type=int, default=2000, help="duration of a 'slow' answer")
    ap.add_argument("--totals-limit", type=int, default=10000,
                    help="omit X-Total/X-Total-Pages above this many records")
    ap.add_argument("--max-offset", type=int, default=50000,
                    help="405 for project lists when page*per_page exceeds this; 0 = off")
    ap.add_argument("--log", help="append one line per request: method path status ms")
    return ap.parse_args(argv)


def build_model(args):
    if args.spec:
        return spec.load(args.spec)
    if args.generate:
        return generator.build(args.generate)
    m = Model()
    m.set_user()
    m.reindex()
    return m


def main(argv=None):
    args = parse_args(argv)
    try:
        model = build_model(args)
        rates = faults.parse_rates(args.faults)
        limit = ratelimit.parse(args.rate_limit) if args.rate_limit else None
        route_limits = [ratelimit.parse_route(text) for text in args.route_rate_limit]
        if args.ssh_host_key and not args.ssh_authorized_keys:
            raise ValueError("--ssh-host-key needs --ssh-authorized-keys")
    except (ValueError, OSError) as e:
        print(f"fake_gitlab: {e}", file=sys.stderr)
        return 2
    temp_repos = None
    if args.repos_dir is None:
        temp_repos = tempfile.mkdtemp(prefix="fake-gitlab-repos-")
    ctx = Context(model, Repos(args.repos_dir or temp_repos), args.token or [DEFAULT_TOKEN],
                  args.forbidden_token, args.admin_token, args.oauth_token,
                  args.no_read_api_token)
    ctx.cfg.totals_limit = args.totals_limit
    ctx.cfg.max_offset = args.max_offset
    ctx.faults = faults.Faults(rates, args.seed)
    ctx.latency_ms = args.latency
    ctx.gzip = args.gzip
    ctx.anonymous = args.anonymous
    ctx.slow_ms = args.slow_ms
    if limit:
        ctx.limiter = ratelimit.RateLimiter(*limit, send_headers=not args.rate_limit_no_headers)
        ctx.stats.set_window(limit[1])
    if args.git_auth_ban > 0:
        ctx.ban = ratelimit.AuthBan(args.git_auth_ban, ban_seconds=args.ban_seconds)
    for route, n, period in route_limits:
        ctx.route_limiters[route] = ratelimit.EndpointLimiter(n, period)
    if args.git_cache:
        ctx.git_cache = gitcache.GitCache()
    if args.eager_repos:
        for p in list(model.projects.values()):
            ctx.repos.ensure(p)
    if args.log:
        ctx.log = open(args.log, "a", encoding="utf-8")
    server = Server((args.host, args.port), Handler)
    server.ctx = ctx
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        # The handshake runs in each connection's thread (Handler.setup),
        # so a slow or refusing client does not hold up accept().
        server.socket = tls.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    port = server.server_address[1]
    own = f"{'https' if args.tls_cert else 'http'}://{args.host}:{port}"
    ctx.base = (args.external_url or own).rstrip("/")
    ctx.prefix = urlsplit(ctx.base).path.rstrip("/")
    render.SSH["host"] = args.ssh_url_host
    ssh_dir = None
    if args.ssh_host_key:
        ssh_dir = tempfile.mkdtemp(prefix="fake-gitlab-ssh-")
        try:
            ctx.ssh = sshfront.SshFront(args.host, args.ssh_host_key, args.ssh_authorized_keys,
                                        ssh_dir, own, args.ssh_user)
        except OSError as e:
            print(f"fake_gitlab: {e}", file=sys.stderr)
            shutil.rmtree(ssh_dir, ignore_errors=True)
            return 2
        render.SSH.update(user=ctx.ssh.user, port=ctx.ssh.port)

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        if args.port_file:
            write_port_file(args.port_file, port)
        print(own, flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if ctx.ssh:
            ctx.ssh.close()
            shutil.rmtree(ssh_dir, ignore_errors=True)
        if temp_repos:
            shutil.rmtree(temp_repos, ignore_errors=True)
    return 0
