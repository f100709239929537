"""The REST API v4 routes: /groups, /projects, /users, /user, /version.

Each handler takes (req, ctx, **route params) and returns a Response or
raises ApiError.  ctx carries the model, the pagination config and the
caller's identity (the fake has one user; a valid token is that user).
"""
import re
from urllib.parse import unquote

from . import access, pagination, render
from .http import ApiError, Response, not_found
from .model import OWNER

GROUP_ORDERS = {"name": lambda g: g.name.lower(), "path": lambda g: g.path.lower(),
                "id": lambda g: g.id, "similarity": lambda g: g.name.lower()}
PROJECT_ORDERS = {"id": lambda p: p.id, "name": lambda p: p.name.lower(),
                  "path": lambda p: p.path.lower(), "created_at": lambda p: p.created_seq,
                  "updated_at": lambda p: p.activity_seq,
                  "last_activity_at": lambda p: p.activity_seq,
                  "similarity": lambda p: p.name.lower(), "star_count": lambda p: 0}
VISIBILITIES = ("private", "internal", "public")


def _order(req, items, orders, default_by, default_sort, tie_asc=False):
    """Sorted as asked; ties broken by id in the same direction, or always
    ascending with tie_asc (GroupsFinder adds `id asc`)."""
    by = req.params.get("order_by") or default_by
    if by not in orders:
        raise ApiError(400, {"error": "order_by does not have a valid value"})
    sort = req.params.get("sort") or default_sort
    if sort not in ("asc", "desc"):
        raise ApiError(400, {"error": "sort does not have a valid value"})
    key = orders[by]
    if tie_asc:
        by_id = sorted(items, key=lambda o: o.id)
        return sorted(by_id, key=key, reverse=(sort == "desc"))  # stable
    return sorted(items, key=lambda o: (key(o), o.id), reverse=(sort == "desc"))


def _search(req, items):
    term = req.params.get("search")
    if not term:
        return items
    t = term.lower()
    return [o for o in items if t in o.name.lower() or t in o.path.lower()]


def _group_search(req, groups, include_parents):
    """Namespace.search (app/models/namespace.rb): name and path; with
    include_parents (GroupsFinder#by_search when no parent is given) the
    route's full name and full path, so a hit's descendants are hits too."""
    if not include_parents:
        return _search(req, groups)
    term = (req.params.get("search") or "").lower()
    return [g for g in groups if term in g.full_name.lower() or term in g.full_path.lower()]


def _visibility(req, items):
    v = req.params.get("visibility")
    if not v:
        return items
    if v not in VISIBILITIES:
        raise ApiError(400, {"error": "visibility does not have a valid value"})
    return [o for o in items if o.visibility == v]


def _find_group(req, ctx, ref):
    g = ctx.model.find_group(ref)
    if g is None or not access.group_visible(ctx.model, g, req):
        raise not_found("Group")
    return g


def _find_project(req, ctx, ref):
    p = ctx.model.find_project(ref)
    if p is None or not access.project_visible(p, req):
        raise not_found("Project")
    return p


def _project_json(req, ctx, p, simple=False):
    owner = None if simple else _owner_of(ctx, p)
    return render.project(p, ctx.base, simple=simple, owner=owner,
                          code=access.read_code(p, req))


def _owner_of(ctx, p):
    if p.namespace is ctx.model.user.namespace:
        return render.user_brief(ctx.model.user, ctx.base)
    return None


# -- lists ----------------------------------------------------------------------

def _group_filters(req, ctx, groups, parent=None):
    """GroupsFinder (app/finders/groups_finder.rb) as lib/api/groups.rb
    find_groups calls it: all_available defaults to
    can_read_all_resources? (admins only); owned/min_access_level win;
    without all_available a user gets authorized_ids (memberships, their
    descendants and ancestors); `parent` (subgroups, descendant_groups)
    narrows that same set."""
    owned = req.flag("owned", False)
    min_level = req.integer("min_access_level")
    if req.anonymous and (owned or min_level is not None):
        groups = []
    elif owned:
        groups = [g for g in groups if g.access_level >= OWNER]
    elif min_level is not None:
        # current_user.groups at that level .self_and_descendants: no ancestors
        groups = [g for g in groups if g.access_level >= min_level]
    elif req.admin and req.flag("all_available", True):
        pass  # Group.all
    else:
        ids = access.authorized_ids(ctx.model, req)
        # Group.public_to_user joins in with all_available, and for anonymous callers
        public = ("public",) if req.anonymous else ("public", "internal")
        everyone = req.anonymous or req.flag("all_available", False)
        groups = [g for g in groups if g.id in ids or (everyone and g.visibility in public)]
    skip = {v for k, v in req.query if k in ("skip_groups[]", "skip_groups")}
    if skip:
        groups = [g for g in groups if str(g.id) not in skip]
    if req.params.get("search"):
        groups = _group_search(req, groups, include_parents=parent is None)
    groups = _visibility(req, groups)
    return _order(req, groups, GROUP_ORDERS, "name", "asc", tie_asc=True)


def _list(req, ctx, items, render_one, extra=(), capped=False):
    chunk, headers = pagination.offset(req, items, ctx.cfg, extra, capped)
    r = Response(200, [render_one(o) for o in chunk])
    r.headers.update(headers)
    return r


def get_groups(req, ctx):
    groups = list(ctx.model.groups.values())
    if req.flag("top_level_only", False):
        groups = [g for g in groups if g.parent is None]
    groups = _group_filters(req, ctx, groups)
    # Keyset for /groups exists for anonymous callers only; GitLab serves an
    # authenticated caller offset pages whatever `pagination` says.
    return _list(req, ctx, groups, lambda g: render.group(g, ctx.base))


def get_group(req, ctx, gid):
    g = _find_group(req, ctx, gid)
    d = render.group(g, ctx.base)
    d.update({"shared_with_groups": [], "runners_token": None,
              "prevent_sharing_groups_outside_hierarchy": False,
              "shared_runners_minutes_limit": None,
              "extra_shared_runners_minutes_limit": None,
              "prevent_forking_outside_group": None, "membership_lock": False})
    if req.flag("with_projects", True):
        own = [p for p in g.projects if access.project_visible(p, req)]
        shared = [p for p in ctx.model.shared_into(g) if access.project_visible(p, req)]
        d["projects"] = [render.project(p, ctx.base, code=access.read_code(p, req)) for p in
                         sorted(own, key=lambda p: p.id, reverse=True)[:100]]
        d["shared_projects"] = [render.project(p, ctx.base, code=access.read_code(p, req))
                                for p in sorted(shared, key=lambda p: p.id, reverse=True)[:100]]
    return Response(200, d)


def get_subgroups(req, ctx, gid):
    g = _find_group(req, ctx, gid)
    groups = _group_filters(req, ctx, list(g.children), parent=g)
    return _list(req, ctx, groups, lambda s: render.group(s, ctx.base), {"id": gid})


def get_descendant_groups(req, ctx, gid):
    g = _find_group(req, ctx, gid)
    groups = _group_filters(req, ctx, list(g.descendants()), parent=g)
    return _list(req, ctx, groups, lambda s: render.group(s, ctx.base), {"id": gid})


def _archived(req, projects):
    archived = req.flag("archived")
    if archived is None:
        return projects
    return [p for p in projects if p.archived == archived]


def _project_list(req, ctx, projects, extra=(), keyset_ok=False):
    projects = _visibility(req, _search(req, _archived(req, projects)))
    after, before = req.integer("id_after"), req.integer("id_before")
    if after is not None:
        projects = [p for p in projects if p.id > after]
    if before is not None:
        projects = [p for p in projects if p.id < before]
    simple = req.flag("simple", False)

    def one(p):
        return _project_json(req, ctx, p, simple)
    if req.params.get("pagination") == "keyset":
        if not keyset_ok or req.params.get("order_by", "created_at") != "id":
            raise pagination.keyset_refused()
        if req.params.get("sort", "desc") not in ("asc", "desc"):
            raise ApiError(400, {"error": "sort does not have a valid value"})
        if "sort" not in req.params:
            req.params["sort"] = "desc"
        chunk, headers = pagination.keyset(req, projects, extra)
        r = Response(200, [one(p) for p in chunk])
        r.headers.update(headers)
        return r
    projects = _order(req, projects, PROJECT_ORDERS, "created_at", "desc")
    return _list(req, ctx, projects, one, extra, capped=True)


def get_group_projects(req, ctx, gid):
    g = _find_group(req, ctx, gid)
    groups = [g, *g.descendants()] if req.flag("include_subgroups", False) else [g]
    seen = set()
    projects = []
    for sg in groups:
        for p in sg.projects:
            if access.project_visible(p, req) and p.id not in seen:
                seen.add(p.id)
                projects.append(p)
    if req.flag("with_shared", True):
        # only projects shared into this very group, never into its subgroups
        for p in ctx.model.shared_into(g):
            if access.project_visible(p, req) and p.id not in seen:
                seen.add(p.id)
                projects.append(p)
    projects = _access_filters(req, projects)
    return _project_list(req, ctx, projects, {"id": gid})


def get_group_shared_projects(req, ctx, gid):
    g = _find_group(req, ctx, gid)
    projects = [p for p in ctx.model.shared_into(g) if access.project_visible(p, req)]
    return _project_list(req, ctx, _access_filters(req, projects), {"id": gid})


def _access_filters(req, projects):
    """owned / min_access_level; an anonymous caller has no access at all."""
    if req.anonymous and (req.flag("owned", False) or "min_access_level" in req.params):
        return []
    if req.flag("owned", False):
        projects = [p for p in projects if p.namespace.access_level >= OWNER]
    level = req.integer("min_access_level")
    if level is not None:
        # authorized projects at that level: a group share counts too
        projects = [p for p in projects if access.project_level(p, req) >= level]
    return projects


def get_projects(req, ctx):
    projects = [p for p in ctx.model.projects.values() if access.project_visible(p, req)]
    if req.anonymous and (req.flag("membership", False) or req.flag("owned", False)):
        projects = []
    if req.flag("membership", False):
        projects = [p for p in projects if access.project_member(p, req)]
    if req.flag("owned", False):
        projects = [p for p in projects if p.namespace is ctx.model.user.namespace]
    level = req.integer("min_access_level")
    if level is not None:
        projects = [p for p in projects if access.project_level(p, req) >= level]
    return _project_list(req, ctx, projects, keyset_ok=True)


def get_project(req, ctx, pid):
    p = _find_project(req, ctx, pid)
    d = _project_json(req, ctx, p)
    d["permissions"] = {"project_access": None,
                        "group_access": {"access_level": p.namespace.access_level,
                                         "notification_level": 3}}
    return Response(200, d)


def _find_user(ctx, ref):
    u = ctx.model.user
    if str(ref) not in (str(u.id), u.username):
        raise not_found("User")
    return u


def get_user_projects(req, ctx, uid):
    u = _find_user(ctx, uid)
    return _project_list(req, ctx, list(u.namespace.projects), {"user_id": uid})


def get_users(req, ctx):
    u = ctx.model.user
    users = [u]
    if req.params.get("username") not in (None, u.username):
        users = []
    if req.params.get("search") and req.params["search"].lower() not in (
            u.username.lower() + " " + u.name.lower()):
        users = []
    return _list(req, ctx, users, lambda x: render.user_brief(x, ctx.base))


def get_users_one(req, ctx, uid):
    return Response(200, render.user_brief(_find_user(ctx, uid), ctx.base))


def get_user(req, ctx):
    if req.anonymous:
        raise ApiError(401, {"message": "401 Unauthorized"})
    return Response(200, render.user(ctx.model.user, ctx.base, admin=req.admin))


def get_version(req, ctx):
    return Response(200, {"version": "17.6.0-ee", "revision": "fake0000",
                          "kas": {"enabled": False, "externalUrl": None, "version": None},
                          "enterprise": True})


ROUTES = [
    ("GET", "/version", get_version),
    ("GET", "/user", get_user),
    ("GET", "/users", get_users),
    ("GET", "/users/:id", get_users_one),
    ("GET", "/users/:id/projects", get_user_projects),
    ("GET", "/groups", get_groups),
    ("GET", "/groups/:id", get_group),
    ("GET", "/groups/:id/subgroups", get_subgroups),
    ("GET", "/groups/:id/descendant_groups", get_descendant_groups),
    ("GET", "/groups/:id/projects", get_group_projects),
    ("GET", "/groups/:id/projects/shared", get_group_shared_projects),
    ("GET", "/projects", get_projects),
    ("GET", "/projects/:id", get_project),
]
_COMPILED = []
for _method, _pattern, _fn in ROUTES:
    _rx = "^" + re.sub(r":(\w+)", r"(?P<\1>[^/]+)", _pattern) + "$"
    _COMPILED.append((_method, re.compile(_rx), _pattern, _fn))

PREFIX = "/api/v4"


def match(method, raw_path):
    """(route pattern, handler, [route parameters]) for an /api/v4 path, else None.

    Matching is done on the encoded path, so `a/b` as an id must arrive as
    `a%2Fb`, as in GitLab."""
    rest = raw_path[len(PREFIX):]
    for m_, rx, pattern, fn in _COMPILED:
        mo = rx.match(rest)
        if mo and m_ == method:
            return pattern, fn, [unquote(v) for v in mo.groups()]
    return None

