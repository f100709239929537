"""The /_fake/ control endpoints (no token needed).

GET  stats, tree, ssh ({port, user} of --ssh-host-key's front, or nulls);
POST repo_path {project} -> {path} (the bare repository; 404/403 when the spec
user may not see it or read its code), lfs_authenticate {project} -> {payload}
(git-lfs-authenticate's answer, null when ssh_lfs {enabled: false}), reset_stats, push {project, branch?, message?,
rewrite?, lfs? {path: size of a new LFS file}}, force_push {project, branch?}, delete_branch, default_branch {project, branch,
from?, delete_old?}, tag, update, rename, move {project|group,
to}, delete, archive, schedule_deletion {project}, create_project, create_group, share,
faults, override,
clear_overrides, rate_limit, lfs_rate_limit.  POST bodies are JSON objects; a project or
group is named by id or full path ("project": "a/b", "group": "a").

GET /_fake/stats answers {"total", "api_total", "by_route" {"GET /groups/:id":
n}, "by_status" {"200": n}, "throttled" (429s), "in_flight", "max_in_flight"
(concurrent API requests), "max_window" (most API requests in one rate-limit
window, 1 s without a limit), "window_seconds", "requests" [{"method", "path"
(query tokens masked), "status" (0 = reset), "ms", "route", "api",
"headers" (names only)}], "git_cache" {"hits", "misses", "entries", "bytes"}
(all 0 without --git-cache)}.  GET /_fake/tree answers the truth: "user",
"groups" [{id, name, path, full_path, full_name, parent_id, access_level (inherited),
visibility}], "projects" [{id, name, path, path_with_namespace,
namespace_full_path, namespace_kind, archived, empty, default_branch,
branches, tags, submodules {path: project}, shared_with (group full paths),
repository_access_level, marked_for_deletion_on (a date or null),
http_url_to_repo, repo_branches and repo_tags ({name: sha} once the
repository exists, else null)}].
"""
import base64
import re

from . import access, githttp, lfs, render, spec
from .http import ApiError, Response
from .model import EPOCH
from .ratelimit import RateLimiter


def _need(body, key):
    if key not in body:
        raise ApiError(400, {"error": f"{key} is missing"})
    return body[key]


def _project(ctx, body):
    p = ctx.model.find_project(_need(body, "project"))
    if p is None:
        raise ApiError(404, {"message": "404 Project Not Found"})
    return p


def _group(ctx, ref):
    g = ctx.model.find_group(ref)
    if g is None:
        raise ApiError(404, {"message": "404 Group Not Found"})
    return g


def truth_project(ctx, p):
    ns = p.namespace
    return {"id": p.id, "name": p.name, "path": p.path, "path_with_namespace": p.full_path,
            "name_with_namespace": p.name_with_namespace, "namespace_id": ns.id,
            "namespace_full_path": ns.full_path,
            "namespace_kind": "user" if ns is ctx.model.user.namespace else "group",
            "archived": p.archived, "empty": p.empty, "default_branch": p.default_branch,
            "visibility": p.visibility, "commits": p.commits, "branches": p.branches,
            "shared_with": [g.full_path for g, _ in p.shared_with],
            "http_url_to_repo": f"{ctx.base}/{p.full_path}.git",
            "tags": p.tags, "submodules": {w: t.full_path for w, t in p.submodules},
            "repository_access_level": p.repository_access_level,
            "marked_for_deletion_on": render.day(p.marked_for_deletion_seq),
            "repo_branches": ctx.repos.refs(p), "repo_tags": ctx.repos.refs(p, "tags")}


def truth(ctx):
    m = ctx.model
    return {
        "user": {"id": m.user.id, "username": m.user.username, "name": m.user.name,
                 "namespace_id": m.user.namespace.id},
        "groups": [{"id": g.id, "name": g.name, "path": g.path, "full_path": g.full_path,
                    "full_name": g.full_name, "parent_id": g.parent_id,
                    "access_level": g.access_level, "visibility": g.visibility}
                   for g in sorted(m.groups.values(), key=lambda g: g.id)],
        "projects": [truth_project(ctx, p) for p in sorted(m.projects.values(),
                                                            key=lambda p: p.id)],
    }


def push_time(seq):
    """After every initial commit (those use EPOCH + id * 1000 + n)."""
    return int(EPOCH.timestamp()) + seq * 1000 + 500


def _touch(ctx, p):
    p.activity_seq = ctx.model.next_seq()


def push(ctx, body):
    p = _project(ctx, body)
    branch = body.get("branch") or p.default_branch or "main"
    seq = ctx.model.next_seq()
    sha = ctx.repos.push(p, branch, body.get("message", f"push {seq}"), push_time(seq),
                         rewrite=bool(body.get("rewrite", False)),
                         lfs_files={str(k): int(v) for k, v in (body.get("lfs") or {}).items()})
    if p.empty:
        p.empty, p.default_branch = False, branch
    if branch not in p.branches and branch != p.default_branch:
        p.branches.append(branch)
    p.activity_seq = seq
    return {"commit": sha, "branch": branch, "project": p.full_path}


def delete_branch(ctx, body):
    p = _project(ctx, body)
    branch = _need(body, "branch")
    ctx.repos.delete_branch(p, branch)
    if branch in p.branches:
        p.branches.remove(branch)
    _touch(ctx, p)
    return {"deleted": branch}


def _target(ctx, body):
    if "project" in body:
        return _project(ctx, body)
    return _group(ctx, _need(body, "group"))


def tag(ctx, body):
    """{project, tag, ref?}: a lightweight tag at ref (default HEAD);
    {project, tag, delete: true} removes it."""
    p = _project(ctx, body)
    name = _need(body, "tag")
    try:
        sha = ctx.repos.tag(p, name, None if body.get("delete") else body.get("ref", "HEAD"))
    except ValueError as e:
        raise ApiError(400, {"error": str(e)}) from None
    if sha and name not in p.tags:
        p.tags.append(name)
    if not sha and name in p.tags:
        p.tags.remove(name)
    return {"tag": name, "commit": sha}


UPDATABLE = {"name", "path", "description", "visibility", "archived", "access_level",
             "repository_access_level"}


def update(ctx, body):
    """Set fields of a project or group: name, path, description, visibility,
    archived, repository_access_level (projects), access_level (groups: the
    user's own level, 0 = none)."""
    obj = _target(ctx, body)
    fields = set(body) - {"project", "group"}
    if fields - UPDATABLE:
        raise ApiError(400, {"error": f"cannot update {sorted(fields - UPDATABLE)}"})
    for key in fields:
        setattr(obj, key, body[key])
    ctx.model.reindex()
    if "project" in body:
        _touch(ctx, obj)
    return {"full_path": obj.full_path}


def rename(ctx, body):
    """update() limited to name and path."""
    return update(ctx, {k: v for k, v in body.items() if k in ("project", "group", "name",
                                                               "path")})


def force_push(ctx, body):
    """push() with rewrite: a new commit on the parent of the branch's tip,
    the ref moved with force (git push --force), the old tip unreachable."""
    return push(ctx, {**body, "rewrite": True})


def default_branch(ctx, body):
    """{project, branch, from?, delete_old?}: as PUT /projects/:id
    default_branch=... does: app/services/projects/update_service.rb calls
    Repository#change_head (app/models/repository.rb), which refuses a
    missing branch and writes HEAD of the bare repository; the API's
    default_branch is that HEAD (Repository#root_ref).  from: create the
    branch there first; delete_old: then delete the old default (GitLab
    refuses to delete the default branch, so only after the change), as a
    master -> main rename does."""
    p = _project(ctx, body)
    branch = _need(body, "branch")
    old = p.default_branch
    try:
        if body.get("from"):
            ctx.repos.create_branch(p, branch, body["from"])
        ctx.repos.set_head(p, branch)
    except ValueError as e:
        raise ApiError(400, {"error": str(e)}) from None
    if old and old != branch:
        p.branches.append(old)
    p.default_branch = branch
    if branch in p.branches:
        p.branches.remove(branch)
    if body.get("delete_old") and old and old != branch:
        delete_branch(ctx, {"project": p.id, "branch": old})
    return {"default_branch": branch}


def move(ctx, body):
    to = body.get("to")
    if "project" in body:
        p = _project(ctx, body)
        ns = ctx.model.find_namespace(to) if to is not None else None
        if ns is None:
            raise ApiError(404, {"message": "404 Namespace Not Found"})
        ctx.model.move_project(p, ns)
        return {"full_path": p.full_path}
    g = _group(ctx, _need(body, "group"))
    try:
        ctx.model.move_group(g, _group(ctx, to) if to not in (None, "") else None)
    except ValueError as e:
        raise ApiError(400, {"message": str(e)}) from None
    return {"full_path": g.full_path}


def delete(ctx, body):
    if "project" in body:
        p = _project(ctx, body)
        ctx.model.delete_project(p)
        ctx.repos.delete(p)
        return {"deleted": p.full_path}
    g = _group(ctx, _need(body, "group"))
    doomed = [p for d in [g, *g.descendants()] for p in d.projects]
    ctx.model.delete_group(g)
    for p in doomed:
        ctx.repos.delete(p)
    return {"deleted": g.full_path}


def schedule_deletion(ctx, body):
    """{project}: what GitLab's delayed deletion does (model.schedule_deletion)."""
    p = _project(ctx, body)
    if p.marked_for_deletion_seq is not None:
        raise ApiError(400, {"error": "already marked for deletion"})
    ctx.model.schedule_deletion(p, ctx.model.next_seq())
    _touch(ctx, p)
    return {"full_path": p.full_path, "name": p.name,
            "marked_for_deletion_on": render.day(p.marked_for_deletion_seq)}


def archive(ctx, body):
    p = _project(ctx, body)
    p.archived = bool(body.get("archived", True))
    return {"archived": p.archived}


def create_project(ctx, body):
    ns = ctx.model.find_namespace(_need(body, "namespace"))
    if ns is None:
        raise ApiError(404, {"message": "404 Namespace Not Found"})
    name = _need(body, "name")
    seq = ctx.model.next_seq()
    p = ctx.model.add_project(name, body.get("path") or spec.slug(name), ns,
                              description=body.get("description", ""),
                              visibility=body.get("visibility", "private"),
                              archived=bool(body.get("archived", False)),
                              empty=bool(body.get("empty", False)),
                              default_branch=body.get("default_branch", "main"),
                              commits=body.get("commits", 1), branches=body.get("branches"))
    p.created_seq = p.activity_seq = seq
    return truth_project(ctx, p)


def create_group(ctx, body):
    parent = _group(ctx, body["parent"]) if body.get("parent") not in (None, "") else None
    name = _need(body, "name")
    g = ctx.model.add_group(name, body.get("path") or spec.slug(name), parent,
                            visibility=body.get("visibility", "private"),
                            access_level=body.get("access_level", 0 if parent else 50))
    g.created_seq = ctx.model.next_seq()
    return {"id": g.id, "full_path": g.full_path}


def share(ctx, body):
    p = _project(ctx, body)
    g = _group(ctx, _need(body, "group"))
    if all(sg is not g for sg, _ in p.shared_with):
        p.shared_with.append((g, int(body.get("access_level", 30))))
    return {"shared_with": [sg.full_path for sg, _ in p.shared_with]}


def faults(ctx, body):
    seed = body.pop("seed", None)
    try:
        ctx.faults.set(body, seed)
    except ValueError as e:
        raise ApiError(400, {"error": str(e)}) from None
    return {"faults": ctx.faults.rates}


def override(ctx, body):
    try:
        return {"id": ctx.overrides.add(body)}
    except (ValueError, re.error) as e:
        raise ApiError(400, {"error": str(e)}) from None


def clear_overrides(ctx, body):
    ctx.overrides.clear()
    return {"cleared": True}


def reset_stats(ctx, body):
    ctx.stats.reset()
    return {"reset": True}


def rate_limit(ctx, body):
    """{"limit": N, "period": S} sets the limiter; {"limit": 0} removes it."""
    limit = int(body.get("limit", 0))
    if limit <= 0:
        ctx.limiter = None
    else:
        ctx.limiter = RateLimiter(limit, float(body.get("period", 60)),
                                  bool(body.get("headers", True)))
        ctx.stats.set_window(ctx.limiter.period)
    return {"limit": limit}


def lfs_rate_limit(ctx, body):
    """{"limit": N, "period": S} throttles Git LFS requests (lfs.py); {"limit": 0} lifts it."""
    limit = int(body.get("limit", 0))
    lfs.set_rate_limit(ctx, limit, float(body.get("period", 60)))
    return {"limit": limit}


def stats(ctx):
    out = ctx.stats.snapshot()
    out["git_cache"] = (ctx.git_cache.snapshot() if ctx.git_cache else
                        {"hits": 0, "misses": 0, "entries": 0, "bytes": 0})
    return out


def repo_path(ctx, body):
    """The bare repository of a project (created if missing), for
    fake_gitlab_ssh_command.py, whose keys are the spec user's: 404 for a
    project they cannot see, 403 with GitLab's message for one whose code
    they may not read."""
    p = _project(ctx, body)
    caller = access.Caller()
    if not access.project_visible(p, caller):
        raise ApiError(404, {"message": "404 Project Not Found"})
    if not access.read_code(p, caller):
        raise ApiError(403, {"message": githttp.DOWNLOAD_DENIED})
    return {"path": ctx.repos.ensure(p)}


def lfs_authenticate(ctx, body):
    """What GitLab Shell's git-lfs-authenticate prints, for
    fake_gitlab_ssh_command.py: the access check of repo_path, then
    lib/api/internal/base.rb lfs_authenticate's payload (Gitlab::LfsToken
    #authentication_payload: Basic auth of the user and an LFS token,
    the repository's HTTP URL + "/info/lfs", expires_in).  With
    {"enabled": false} in ssh_lfs the internal API fails and GitLab Shell
    prints nothing (internal/command/lfsauthenticate/lfsauthenticate.go)."""
    p = _project(ctx, body)
    repo_path(ctx, body)
    ctx.stats.count("ssh_lfs_authenticate")
    if not getattr(ctx, "ssh_lfs_enabled", True):
        return {"payload": None}
    token = lfs.issue_ssh_token(ctx, p)
    basic = base64.b64encode(f"{ctx.model.user.username}:{token}".encode()).decode()
    return {"payload": {"header": {"Authorization": f"Basic {basic}"},
                        "href": f"{ctx.base}/{p.full_path}.git/info/lfs",
                        "expires_in": lfs.SSH_TOKEN_SECONDS}}


def ssh_lfs(ctx, body):
    """{"enabled": false}: git-lfs-authenticate answers nothing, as GitLab
    Shell does when GitLab refuses it; true restores it."""
    ctx.ssh_lfs_enabled = bool(body.get("enabled", True))
    return {"enabled": ctx.ssh_lfs_enabled}


def ssh(ctx):
    front = ctx.ssh
    return {"port": front.port, "user": front.user} if front else {"port": None, "user": None}


GET = {"stats": stats, "tree": truth, "ssh": ssh}
POST = {f.__name__: f for f in (
    push, force_push, delete_branch, default_branch, tag, update, rename, move, delete, archive,
    schedule_deletion,
    create_project, create_group, share, faults, override, clear_overrides, reset_stats,
    rate_limit, lfs_rate_limit, repo_path, lfs_authenticate, ssh_lfs)}


def handle(ctx, method, action, body):
    """The Response for /_fake/<action>."""
    try:
        if method == "GET" and action in GET:
            with ctx.model.lock:
                return Response(200, GET[action](ctx))
        if method == "POST" and action in POST:
            if not isinstance(body, dict):
                raise ApiError(400, {"error": "the body must be a JSON object"})
            with ctx.model.lock:
                return Response(200, POST[action](ctx, body))
        return Response(404, {"error": f"no control action {method} {action}"})
    except ApiError as e:
        return Response.error(e)
    except (ValueError, RuntimeError, OSError) as e:
        return Response(500, {"error": f"{action}: {e}"})
