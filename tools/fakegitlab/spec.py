"""Loading an instance from a JSON spec.

Format (every key optional unless marked):

    {
      "user": {"id": 1, "username": "alice", "name": "Alice Example"},
      "groups": [                       # top-level groups
        {
          "name": "Équipe Données",     # required
          "path": "equipe-donnees",     # default: slug of the name
          "id": 10,                     # default: next free id
          "description": "", "visibility": "private",
          "access_level": 50,           # the user's own level here; 0 = not a member;
                                        # default: 0 below a group, 50 (owner) at the
                                        # top; a member of a group is a member of its
                                        # descendants at least at the same level
          "projects": [
            {
              "name": "Data Lake",      # required
              "path": "data-lake",      # default: slug of the name
              "id": 7,                  # default: next free id
              "description": "", "visibility": "private",
              "archived": false,
              "empty": false,           # empty repository, default_branch null
              "default_branch": "main",
              "commits": 1,             # commits on the default branch (1-3 is plenty)
              "branches": ["dev"],      # extra branches, each one commit ahead
              "shared_with": ["other-group/sub"],  # full paths of groups
              "tags": ["v1.0"],         # lightweight tags on the default branch
              "submodules": {"lib": "other-group/lib"},
                                        # path -> project; a relative URL in
                                        # .gitmodules; the submodule's project
                                        # must not have submodules itself
              "repository_access_level": "enabled",  # or "private" (Reporter and
                                        # above), "disabled" (nobody reads the code)
              "deletion_scheduled": false, # marked for deletion: renamed
                                        # <path>-deletion_scheduled-<id>, archived
              "lfs": {"model.bin": 4096},  # Git LFS files (path -> size) in the
                                        # last commit of the default branch
              "lfs_missing": ["model.bin"]  # of those, objects the server lacks
            }
          ],
          "subgroups": [ ...groups, any depth... ]
        }
      ],
      "user_projects": [ ...projects in the user's personal namespace... ]
    }

Group ids are assigned in document order (depth first) unless given, then
the user's namespace takes the next id; project ids follow the same order
(user projects last) unless given.
"""
import json
import re
import unicodedata

from .model import Model


def slug(name):
    """A GitLab-style path from a display name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_name).strip("-.").lower()
    return s or "x"


PROJECT_KEYS = {"name", "path", "id", "description", "visibility", "archived", "empty",
                "default_branch", "commits", "branches", "shared_with", "tags", "submodules",
                "repository_access_level", "deletion_scheduled", "lfs", "lfs_missing"}
REPOSITORY_LEVELS = ("enabled", "private", "disabled")
GROUP_KEYS = {"name", "path", "id", "description", "visibility", "access_level",
              "projects", "subgroups"}


def _check_keys(obj, allowed, what):
    if not isinstance(obj, dict) or "name" not in obj:
        raise ValueError(f"spec: every {what} needs a name: {obj!r}")
    unknown = set(obj) - allowed
    if unknown:
        raise ValueError(f"spec: unknown {what} keys {sorted(unknown)} in {obj['name']!r}")


def build(spec):
    """A Model from a spec dict."""
    m = Model()
    pending_projects = []  # (project spec, namespace), so group ids come first

    def add_group(gs, parent):
        _check_keys(gs, GROUP_KEYS, "group")
        level = gs.get("access_level", 0 if parent else 50)
        g = m.add_group(gs["name"], gs.get("path") or slug(gs["name"]), parent,
                        gid=gs.get("id"), description=gs.get("description", ""),
                        visibility=gs.get("visibility", "private"), access_level=level)
        for ps in gs.get("projects", []):
            pending_projects.append((ps, g))
        for sub in gs.get("subgroups", []):
            add_group(sub, g)

    for gs in spec.get("groups", []):
        add_group(gs, None)
    # groups take ids 1, 2, ...; the user's namespace comes after them
    u = spec.get("user", {})
    m.set_user(u.get("username", "alice"), u.get("name", "Alice Example"), u.get("id", 1))
    for ps in spec.get("user_projects", []):
        pending_projects.append((ps, m.user.namespace))
    shares, subs, scheduled = [], [], []
    for ps, ns in pending_projects:
        _check_keys(ps, PROJECT_KEYS, "project")
        p = m.add_project(ps["name"], ps.get("path") or slug(ps["name"]), ns,
                          pid=ps.get("id"), description=ps.get("description", ""),
                          visibility=ps.get("visibility", "private"),
                          archived=bool(ps.get("archived", False)),
                          empty=bool(ps.get("empty", False)),
                          default_branch=ps.get("default_branch", "main"),
                          commits=ps.get("commits", 1), branches=ps.get("branches"))
        p.tags = list(ps.get("tags", []))
        p.lfs = {str(k): int(v) for k, v in ps.get("lfs", {}).items()}
        p.lfs_missing = [m for m in ps.get("lfs_missing", []) if m in p.lfs]
        p.repository_access_level = ps.get("repository_access_level", "enabled")
        if p.repository_access_level not in REPOSITORY_LEVELS:
            raise ValueError(f"spec: {p.full_path}: repository_access_level must be one of "
                             f"{REPOSITORY_LEVELS}")
        if ps.get("deletion_scheduled"):
            scheduled.append(p)
        shares.extend((p, path) for path in ps.get("shared_with", []))
        subs.extend((p, where, path) for where, path in ps.get("submodules", {}).items())
    for p, path in shares:
        g = m.find_group(path)
        if g is None:
            raise ValueError(f"spec: {p.full_path} is shared with unknown group {path!r}")
        p.shared_with.append((g, 30))
    m.reindex()
    for p, where, path in subs:
        target = m.find_project(path)
        if target is None or target.empty or target is p:
            raise ValueError(f"spec: {p.full_path}: bad submodule project {path!r}")
        p.submodules.append((where, target))
    for p, _, _ in subs:
        if p.empty or any(t.submodules for _, t in p.submodules):
            raise ValueError(f"spec: {p.full_path}: empty, or its submodules have submodules")
    for p in scheduled:
        m.schedule_deletion(p, p.created_seq)
    m.reindex()
    return m


def load(path):
    with open(path, encoding="utf-8") as f:
        return build(json.load(f))
