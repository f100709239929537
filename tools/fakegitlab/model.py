"""The fake instance's data: groups, projects and the one user.

Everything is in memory.  Ids and timestamps are deterministic (derived from
the creation order) so a spec or a generator seed always yields the same
instance.  Every access goes through Model.lock: the server is threaded and
control endpoints mutate while API requests read.
"""
import datetime
import threading

EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
OWNER = 50


def timestamp(seq):
    """GitLab's ISO 8601 form, one minute per sequence number."""
    t = EPOCH + datetime.timedelta(minutes=seq)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Group:
    def __init__(self, gid, name, path, parent=None, description="",
                 visibility="private", access_level=OWNER):
        self.id = gid
        self.name = name
        self.path = path
        self.parent = parent
        self.description = description
        self.visibility = visibility
        self.access_level = access_level
        self.created_seq = gid
        self.children = []
        self.projects = []
        self.full_path = ""
        self.full_name = ""

    @property
    def parent_id(self):
        return self.parent.id if self.parent else None

    @property
    def access_level(self):
        """The user's level here (0 = not a member).  A membership is
        inherited by every descendant and cannot be lowered there (GitLab
        docs user/project/members/index.md, "Inherited membership";
        GroupsFinder's `current_user.groups.self_and_descendants`), so it is
        the highest of this group's own level and its ancestors'."""
        return max(self.own_access_level, self.parent.access_level if self.parent else 0)

    @access_level.setter
    def access_level(self, level):
        self.own_access_level = int(level)

    def ancestors(self):
        g = self.parent
        while g:
            yield g
            g = g.parent

    def descendants(self):
        """Every group below this one, depth first."""
        for c in self.children:
            yield c
            yield from c.descendants()


class UserNamespace:
    """A user's personal namespace (kind "user")."""

    def __init__(self, nid, user):
        self.id = nid
        self.user = user
        self.projects = []

    name = property(lambda self: self.user.name)
    path = property(lambda self: self.user.username)
    full_path = property(lambda self: self.user.username)
    full_name = property(lambda self: self.user.name)
    parent = None
    parent_id = None
    visibility = "public"
    access_level = OWNER


class User:
    def __init__(self, uid, username, name):
        self.id = uid
        self.username = username
        self.name = name
        self.namespace = None


class Project:
    def __init__(self, pid, name, path, namespace, description="",
                 visibility="private", archived=False, empty=False,
                 default_branch="main", commits=1, branches=None):
        self.id = pid
        self.name = name
        self.path = path
        self.namespace = namespace
        self.description = description
        self.visibility = visibility
        self.archived = archived
        self.empty = empty
        self.default_branch = None if empty else (default_branch or "main")
        self.commits = max(1, int(commits))
        self.branches = list(branches or [])
        # lib/api/entities/project.rb: "enabled", "private" (members only) or "disabled"
        self.repository_access_level = "enabled"
        # the day Projects::MarkForDeletionService ran, as a sequence number; None if not
        self.marked_for_deletion_seq = None
        self.shared_with = []  # [(group, access_level)]
        self.submodules = []  # [(path in the repository, Project)]
        self.tags = []  # lightweight tags on the default branch's tip
        self.lfs = {}  # Git LFS files of the last commit: path -> size in bytes
        self.lfs_missing = []  # paths of self.lfs whose object the server lacks
        self.created_seq = pid
        self.activity_seq = pid

    @property
    def full_path(self):
        return f"{self.namespace.full_path}/{self.path}"

    @property
    def name_with_namespace(self):
        return f"{self.namespace.full_name} / {self.name}"


class Model:
    def __init__(self):
        self.lock = threading.RLock()
        self.groups = {}  # id -> Group
        self.projects = {}  # id -> Project
        self.roots = []
        self.user = None
        self._next_gid = 1
        self._next_pid = 1
        self._next_seq = 0
        self.by_path = {}  # lower-case full path -> Group|UserNamespace|Project

    # -- construction -----------------------------------------------------

    def set_user(self, username="alice", name="Alice Example", uid=1):
        self.user = User(uid, username, name)
        self.user.namespace = UserNamespace(self._take_gid(), self.user)
        return self.user

    def _take_gid(self, wanted=None):
        gid = wanted if wanted is not None else self._next_gid
        self._next_gid = max(self._next_gid, gid + 1)
        return gid

    def add_group(self, name, path, parent=None, gid=None, **kw):
        gid = self._take_gid(gid)
        if gid in self.groups:
            raise ValueError(f"duplicate group id {gid}")
        g = Group(gid, name, path, parent, **kw)
        self.groups[gid] = g
        (parent.children if parent else self.roots).append(g)
        self._name_group(g)
        return g

    def add_project(self, name, path, namespace, pid=None, **kw):
        pid = pid if pid is not None else self._next_pid
        if pid in self.projects:
            raise ValueError(f"duplicate project id {pid}")
        self._next_pid = max(self._next_pid, pid + 1)
        p = Project(pid, name, path, namespace, **kw)
        self.projects[pid] = p
        namespace.projects.append(p)
        self.by_path[p.full_path.lower()] = p
        return p

    def _name_group(self, g):
        if g.parent:
            g.full_path = f"{g.parent.full_path}/{g.path}"
            g.full_name = f"{g.parent.full_name} / {g.name}"
        else:
            g.full_path = g.path
            g.full_name = g.name
        self.by_path[g.full_path.lower()] = g

    def reindex(self):
        """Recompute full paths and the path index after a rename or move."""
        self.by_path = {}
        if self.user:
            self.by_path[self.user.namespace.full_path.lower()] = self.user.namespace

        def walk(g):
            self._name_group(g)
            for c in g.children:
                walk(c)
        for r in self.roots:
            walk(r)
        for p in self.projects.values():
            self.by_path[p.full_path.lower()] = p

    def next_seq(self):
        """A creation time after everything that exists."""
        top = max([g.created_seq for g in self.groups.values()] +
                  [p.activity_seq for p in self.projects.values()] + [0])
        return top + 1

    # -- lookups ----------------------------------------------------------

    def _find(self, ref, by_id, kind):
        """By numeric id or full path (case-insensitive), of that kind, else None."""
        ref = str(ref)
        if ref.isdigit():
            return by_id.get(int(ref))
        obj = self.by_path.get(ref.lower())
        return obj if isinstance(obj, kind) else None

    def find_group(self, ref):
        return self._find(ref, self.groups, Group)

    def find_project(self, ref):
        return self._find(ref, self.projects, Project)

    def find_namespace(self, ref):
        """A group, or the user's namespace by username; None if unknown."""
        if self.user and str(ref) in (self.user.username, str(self.user.namespace.id)):
            return self.user.namespace
        return self.find_group(ref)

    def shared_into(self, group):
        """Projects shared into exactly this group."""
        return [p for p in self.projects.values()
                if any(g is group for g, _ in p.shared_with)]

    # -- mutations (control endpoints) ---------------------------------------

    def delete_project(self, p):
        p.namespace.projects.remove(p)
        del self.projects[p.id]
        self.reindex()

    def delete_group(self, g):
        doomed = [g, *g.descendants()]
        for d in doomed:
            for p in d.projects:
                del self.projects[p.id]
            del self.groups[d.id]
        gone = {id(d) for d in doomed}
        for p in self.projects.values():
            p.shared_with = [(sg, a) for sg, a in p.shared_with if id(sg) not in gone]
        (g.parent.children if g.parent else self.roots).remove(g)
        self.reindex()

    def schedule_deletion(self, p, seq):
        """Projects::MarkForDeletionService
        (app/services/projects/mark_for_deletion_service.rb): archived, name
        and path suffixed with -deletion_scheduled-<id>, marked_for_deletion_at
        set; the project stays listed until it is really deleted."""
        suffix = f"-deletion_scheduled-{p.id}"
        p.name += suffix
        p.path += suffix
        p.archived = True
        p.marked_for_deletion_seq = seq
        self.reindex()

    def move_project(self, p, namespace):
        p.namespace.projects.remove(p)
        p.namespace = namespace
        namespace.projects.append(p)
        self.reindex()

    def move_group(self, g, parent):
        if parent is g or (parent and g in parent.ancestors()):
            raise ValueError("cannot move a group below itself")
        if parent is None:
            # Groups::TransferService#add_owner_on_transferred_group: who moves a
            # group to the top keeps it (the fake's user keeps their level)
            g.access_level = g.access_level
        (g.parent.children if g.parent else self.roots).remove(g)
        g.parent = parent
        (parent.children if parent else self.roots).append(g)
        self.reindex()
