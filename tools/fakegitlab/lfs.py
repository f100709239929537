"""Git LFS over HTTP, as GitLab serves it: the batch API and object downloads.

  POST /<full_path>.git/info/lfs/objects/batch
       app/controllers/repositories/lfs_api_controller.rb #batch (Git LFS
       spec docs/api/batch.md): each object GitLab has gets
       actions.download {href: <http_url_to_repo>/gitlab-lfs/objects/<oid>,
       header: {Authorization: Gitlab::LfsToken#basic_encoding}}, one it
       lacks error {code: 404}; an empty list is 404 (render_lfs_not_found).
  GET  /<full_path>.git/gitlab-lfs/objects/<oid>
       app/controllers/repositories/lfs_storage_controller.rb #download: the
       object as application/octet-stream, 404 when missing.

Authentication and access as for git (githttp.authorize, from
GitHttpClientController, which LfsApiController inherits): 401 without
credentials on a private project.  The Authorization of a download may be
the LFS token the batch answer gave (lib/gitlab/lfs_token.rb: user name and
a token of its own, valid where the user's token is).  Uploads are refused
as pushes are (lfs_request.rb render_lfs_forbidden).  Faults: the overrides
of faults.py match these paths like any other.

Rate limit (POST /_fake/lfs_rate_limit {limit, period}): GitLab's "Rate
limits on Git LFS" (docs: administration/settings/git_lfs_rate_limits and
rate_limits/git): Rack::Attack's throttle_authenticated_git_lfs
(lib/gitlab/rack_attack.rb, git_lfs_path? in lib/gitlab/rack_attack/request.rb)
counts every request to info/lfs/ and gitlab-lfs/, batch and downloads
alike (on GitLab.com the authenticated web limit does the same), in
epoch-aligned windows; a throttled request gets Rack::Attack's 429 with
Retry-After and the RateLimit-* headers, which answered requests do not
carry.
"""
import base64
import hashlib
import json
import re
import secrets
import threading
import time
from urllib.parse import unquote

from . import access, githttp, ratelimit
from .http import Response

LFS_PATH = re.compile(r"^/(?P<path>.+?)\.git/(?:(?P<batch>info/lfs/objects/batch)|"
                      r"gitlab-lfs/objects/(?P<oid>[0-9a-f]{64}))$")
CONTENT_TYPE = "application/vnd.git-lfs+json"  # LfsRequest::CONTENT_TYPE
NOT_FOUND_MSG = "Object does not exist on the server or you don't have permissions to access it"

_tokens_lock = threading.Lock()


def match(raw_path):
    """(full path, oid or None for the batch endpoint) or None."""
    mo = LFS_PATH.match(unquote(raw_path))
    return (mo.group("path"), mo.group("oid")) if mo else None


def _lfs_json(status, value):
    return Response(status, body=json.dumps(value).encode(), content_type=CONTENT_TYPE)


def _lfs_tokens(ctx):
    """{LFS token: the token it was made for}, kept on the server context."""
    with _tokens_lock:
        if not hasattr(ctx, "lfs_tokens"):
            ctx.lfs_tokens = {}
        return ctx.lfs_tokens


def _lfs_token_for(ctx, token):
    lfs_token = "lfs-" + hashlib.sha256(f"lfs:{token}".encode()).hexdigest()[:32]
    tokens = _lfs_tokens(ctx)
    with _tokens_lock:
        tokens[lfs_token] = token
    return lfs_token


def _token_for(ctx):
    """githttp.authorize's token_for: an LFS token stands for its token."""
    def token_for(user, password):
        real = _lfs_tokens(ctx).get(password)
        return (user, real) if real is not None else (user, password)
    return token_for


# lib/gitlab/lfs_token.rb DEFAULT_EXPIRE_TIME: what git-lfs-authenticate's expires_in says.
SSH_TOKEN_SECONDS = 7200


def issue_ssh_token(ctx, project):
    """The LFS token GitLab Shell's git-lfs-authenticate hands out
    (lib/api/internal/base.rb lfs_authenticate: Gitlab::LfsToken of the
    key's user for that project): here good for project alone, for
    SSH_TOKEN_SECONDS."""
    token = "lfsssh-" + secrets.token_hex(16)
    with _tokens_lock:
        if not hasattr(ctx, "ssh_lfs_tokens"):
            ctx.ssh_lfs_tokens = {}
        ctx.ssh_lfs_tokens[token] = (project.full_path, time.monotonic() + SSH_TOKEN_SECONDS)
    return token


def _ssh_project(ctx, full_path, password):
    """The project when password is an unexpired git-lfs-authenticate token
    issued for full_path and the spec user (whose SSH keys they are) may
    read its code; None otherwise (then the request is judged as any)."""
    with _tokens_lock:
        issued = getattr(ctx, "ssh_lfs_tokens", {}).get(password)
    if issued is None or issued[0] != full_path or time.monotonic() >= issued[1]:
        return None
    with ctx.model.lock:
        project = ctx.model.find_project(full_path)
        caller = access.Caller()
        if project is None or not access.project_visible(project, caller) or \
                not access.read_code(project, caller):
            return None
    return project


def set_rate_limit(ctx, limit, period):
    """limit 0 lifts the throttle."""
    ctx.lfs_limiter = (ratelimit.RateLimiter(limit, period, send_headers=False,
                                             name="throttle_authenticated_git_lfs")
                       if limit > 0 else None)


def throttle(ctx):
    """Rack::Attack's answer when the Git LFS throttle refuses; None to go on."""
    limiter = ctx.lfs_limiter
    if limiter is None:
        return None
    allowed, headers, _ = limiter.hit()
    return None if allowed else ratelimit.retry_later(headers)


def handle(req, ctx, full_path, oid):
    _, password = githttp.basic_credentials(req.headers)
    project = _ssh_project(ctx, full_path, password)
    via_ssh = project is not None
    if via_ssh:
        # not GitLab's: the tests see that git-lfs-authenticate's header came back
        ctx.stats.count("lfs_batch_with_ssh_token" if oid is None else
                        "lfs_downloads_with_ssh_token")
    else:
        project, refusal = githttp.authorize(req, ctx, full_path, _token_for(ctx))
        if refusal:
            return refusal
    if oid is not None:
        # not GitLab's: the tests see whether a client sent its own token here
        _, password = githttp.basic_credentials(req.headers)
        if password is not None and password not in _lfs_tokens(ctx) and not via_ssh:
            ctx.stats.count("lfs_downloads_with_token")
        path = ctx.repos.lfs_object(project, oid)
        if path is None:
            return _lfs_json(404, {"message": "Not found."})
        with open(path, "rb") as f:
            data = f.read()
        return Response(200, body=data, content_type="application/octet-stream")
    if req.method != "POST":
        return _lfs_json(404, {"message": "Not found."})
    try:
        request = json.loads(req.body or b"{}")
    except ValueError:
        return _lfs_json(400, {"message": "bad JSON"})
    if request.get("operation") != "download":
        return _lfs_json(403, {"message": "Access forbidden. Check your access level."})
    objects = request.get("objects") or []
    if not objects:
        return _lfs_json(404, {"message": "Not found."})
    ctx.repos.ensure(project)
    user, password = githttp.basic_credentials(req.headers)
    header = {}
    if via_ssh:
        # the LFS token git-lfs-authenticate gave stands for itself
        header["Authorization"] = req.headers.get("Authorization")
    elif password is not None:
        real = _lfs_tokens(ctx).get(password, password)
        lfs = f"{ctx.model.user.username}:{_lfs_token_for(ctx, real)}"
        header["Authorization"] = "Basic " + base64.b64encode(lfs.encode()).decode()
    out = []
    for obj in objects:
        o = {"oid": obj.get("oid"), "size": obj.get("size")}
        if isinstance(o["oid"], str) and ctx.repos.lfs_object(project, o["oid"]):
            o["actions"] = {"download": {
                "href": f"{req.base}/{project.full_path}.git/gitlab-lfs/objects/{o['oid']}",
                "header": header}}
            if project.visibility == "public":
                o["authenticated"] = True
        else:
            o["error"] = {"code": 404, "message": NOT_FOUND_MSG}
        out.append(o)
    return _lfs_json(200, {"objects": out})
