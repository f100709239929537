"""Git smart HTTP: /<full_path>.git/info/refs and /git-upload-pack.

Authentication as GitLab: HTTP Basic, the token as password, any user name
for a personal token and `oauth2` for an OAuth token (auth.git_token_valid).
Without credentials git gets 401 and `WWW-Authenticate: Basic realm="GitLab"`
and retries with them.  Public projects may be cloned anonymously.  A project
the caller cannot see is 404, one whose code they may not read 403
(access.read_code).  The answer comes from `git http-backend` run as a CGI on the lazily created
repository; pushing is refused.

The two requests of every clone and fetch (`info/refs?service=git-upload-pack`
and `POST git-upload-pack`) run `git upload-pack --stateless-rpc` directly, as
GitLab's Gitaly does: going through `git http-backend` costs one more process
per request, which on a 2-core machine made the server, not the client, the
bound of every parallel-clone measurement.  Anything else (the dumb protocol's
files) still goes through `git http-backend`.
"""
import base64
import gzip
import os
import re
import subprocess
from urllib.parse import unquote

from . import access, auth
from .http import Response
from .repos import git_env

GIT_PATH = re.compile(r"^/(?P<path>.+?)\.git/(?P<rest>info/refs|git-upload-pack|"
                      r"git-receive-pack|HEAD)$")


def match(raw_path):
    mo = GIT_PATH.match(unquote(raw_path))
    return (mo.group("path"), mo.group("rest")) if mo else None


def basic_credentials(headers):
    """(user name, password) of HTTP Basic, or (None, None)."""
    value = headers.get("Authorization", "")
    if not value.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(value[6:].strip()).decode()
    except (ValueError, UnicodeDecodeError):
        return None, None
    user, _, password = decoded.partition(":")
    return user, password


def unauthorized():
    r = Response(401, body=b"HTTP Basic: Access denied\n", content_type="text/plain")
    r.headers["WWW-Authenticate"] = 'Basic realm="GitLab"'
    return r


# lib/gitlab/git_access.rb ERROR_MESSAGES[:download];
# app/controllers/repositories/git_http_controller.rb renders a
# Gitlab::GitAccess::ForbiddenError's message as plain text with 403.
DOWNLOAD_DENIED = "You are not allowed to download code from this project."


def not_found():
    return Response(404, body=b"The project you were looking for could not be found or you "
                    b"don't have permission to view it.\n", content_type="text/plain")


def authorize(req, ctx, full_path, token_for=None):
    """(project, None) when the caller may read the project's code, else
    (None, the refusal).  token_for(user, password) gives the token a
    password stands for (the LFS tokens of lfs.py), as (user, token)."""
    user, password = basic_credentials(req.headers)
    if token_for and password is not None:
        user, password = token_for(user, password)
    with ctx.model.lock:
        project = ctx.model.find_project(full_path)
        public = project is not None and project.visibility == "public"
        if password is None and not public:
            return None, unauthorized()
        if password is not None and not auth.git_token_valid(ctx, user, password):
            ctx.stats.count("git_auth_failures")
            if ctx.ban:
                ctx.ban.fail()
            return None, unauthorized()
        req.anonymous = password is None
        req.admin = password in ctx.admin_tokens
        if project is None or not access.project_visible(project, req):
            return None, not_found()
        readable = access.read_code(project, req)
    if not readable:
        return None, Response(403, body=DOWNLOAD_DENIED.encode(), content_type="text/plain")
    return project, None


def handle(req, ctx, full_path, rest):
    """The Response for a git request (the model lock is not held here)."""
    if rest == "git-receive-pack" or req.params.get("service") == "git-receive-pack":
        project, refusal = authorize(req, ctx, full_path)
        return refusal or Response(403, body=b"You are not allowed to push code to this "
                                   b"project.\n", content_type="text/plain")
    project, refusal = authorize(req, ctx, full_path)
    if refusal:
        return refusal
    repo = ctx.repos.ensure(project)
    if rest == "git-upload-pack" or (rest == "info/refs"
                                     and req.params.get("service") == "git-upload-pack"):
        return upload_pack(req, repo, rest == "info/refs", ctx.git_cache)
    return http_backend(req, repo, rest)


def pkt_line(text):
    data = text.encode()
    return b"%04x" % (len(data) + 4) + data


def request_env(req):
    """git's environment for a request: the fake's, and the protocol the client asked for."""
    env = git_env()
    if req.headers.get("Git-Protocol"):
        env["GIT_PROTOCOL"] = req.headers["Git-Protocol"]
    return env


def upload_pack(req, repo, advertise, cache):
    """What `git http-backend` answers for upload-pack, without it; from
    cache (a GitCache or None) when it has the answer."""
    env = request_env(req)
    protocol = env.get("GIT_PROTOCOL", "")
    body = req.body
    if not advertise and req.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip"):
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError):
            return Response(400, body=b"bad gzip request body\n", content_type="text/plain")
    key = cache.key(repo, protocol, advertise, body) if cache else None
    out = cache.get(key) if cache else None
    if out is None:
        argv = ["git", "upload-pack", "--stateless-rpc"]
        if advertise:
            argv.append("--advertise-refs")
        proc = subprocess.run([*argv, repo], input=None if advertise else body, env=env,
                              capture_output=True)
        if proc.returncode != 0 and not proc.stdout:
            return Response(500, body=b"git upload-pack failed\n", content_type="text/plain")
        out = proc.stdout
        if cache and proc.returncode == 0:
            cache.put(key, out)
    kind = "advertisement" if advertise else "result"
    if advertise and "version=2" not in protocol:
        out = pkt_line("# service=git-upload-pack\n") + b"0000" + out
    r = Response(200, body=out, content_type=f"application/x-git-upload-pack-{kind}")
    r.headers["Cache-Control"] = "no-cache, max-age=0, must-revalidate"
    r.headers["Pragma"] = "no-cache"
    r.headers["Expires"] = "Fri, 01 Jan 1980 00:00:00 GMT"
    return r


def http_backend(req, repo, rest):
    """The answer of `git http-backend` run as a CGI."""
    env = request_env(req)
    env.update({
        "GIT_PROJECT_ROOT": os.path.dirname(repo), "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{os.path.basename(repo)}/{rest}",
        "QUERY_STRING": "&".join(f"{k}={v}" for k, v in req.query),
        "REQUEST_METHOD": req.method, "CONTENT_TYPE": req.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(req.body)), "REMOTE_USER": "fake", "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
    })
    if req.headers.get("Content-Encoding"):
        env["HTTP_CONTENT_ENCODING"] = req.headers["Content-Encoding"]
    proc = subprocess.run(["git", "http-backend"], input=req.body, env=env,
                          capture_output=True)
    head, sep, body = proc.stdout.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = proc.stdout.partition(b"\n\n")
    if not sep:
        return Response(500, body=b"git http-backend failed\n", content_type="text/plain")
    r = Response(200, body=body, content_type=None)
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        value = value.strip()
        if name.lower() == "status":
            r.status = int(value.split()[0])
        elif name:
            r.headers[name] = value
    return r
