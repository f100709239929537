"""GitLab's JSON shapes for groups, projects, namespaces and the user.

`base` is the external URL (no trailing slash) that goes into web_url and
http_url_to_repo.
"""
from urllib.parse import urlsplit

from .model import Group, timestamp


# set once at start by server.main (--ssh-host-key, --ssh-url-host); host None:
# the external URL's host, as gitlab_shell.ssh_host defaults to gitlab.host
# (config/initializers/1_settings.rb)
SSH = {"user": "git", "port": 22, "host": None}


def ssh_host(base):
    return urlsplit(base).hostname or "localhost"


def ssh_url(base, full_path):
    """GitLab's ssh_url_to_repo: scp-like on port 22, an ssh:// URL otherwise."""
    host = SSH["host"] or ssh_host(base)
    if SSH["port"] == 22:
        return f"{SSH['user']}@{host}:{full_path}.git"
    return f"ssh://{SSH['user']}@{host}:{SSH['port']}/{full_path}.git"


def day(seq):
    """A date column (marked_for_deletion_at is one) as the API shows it."""
    return None if seq is None else timestamp(seq)[:10]


def namespace(ns, base):
    kind = "group" if isinstance(ns, Group) else "user"
    web = f"{base}/groups/{ns.full_path}" if kind == "group" else f"{base}/{ns.full_path}"
    return {"id": ns.id, "name": ns.name, "path": ns.path, "kind": kind,
            "full_path": ns.full_path, "parent_id": ns.parent_id, "avatar_url": None,
            "web_url": web}


def group(g, base):
    return {
        "id": g.id, "web_url": f"{base}/groups/{g.full_path}", "name": g.name,
        "path": g.path, "description": g.description, "visibility": g.visibility,
        "share_with_group_lock": False, "require_two_factor_authentication": False,
        "two_factor_grace_period": 48, "project_creation_level": "developer",
        "auto_devops_enabled": None, "subgroup_creation_level": "maintainer",
        "emails_disabled": False, "emails_enabled": True, "mentions_disabled": None,
        "lfs_enabled": True, "default_branch": None, "default_branch_protection": 2,
        "avatar_url": None, "request_access_enabled": True, "full_name": g.full_name,
        "full_path": g.full_path, "created_at": timestamp(g.created_seq),
        "parent_id": g.parent_id, "organization_id": 1, "shared_runners_setting": "enabled",
        "ldap_cn": None, "ldap_access": None, "marked_for_deletion_on": None,
    }


def project(p, base, simple=False, owner=None, code=True):
    """`code`: the caller may read_code; without it
    lib/api/entities/basic_project_details.rb leaves out default_branch,
    readme_url and forks_count."""
    ns = p.namespace
    d = {
        "id": p.id, "description": p.description, "name": p.name,
        "name_with_namespace": p.name_with_namespace, "path": p.path,
        "path_with_namespace": p.full_path, "created_at": timestamp(p.created_seq),
        "default_branch": p.default_branch, "tag_list": [], "topics": [],
        "ssh_url_to_repo": ssh_url(base, p.full_path),
        "http_url_to_repo": f"{base}/{p.full_path}.git",
        "web_url": f"{base}/{p.full_path}",
        "readme_url": (None if p.empty else
                       f"{base}/{p.full_path}/-/blob/{p.default_branch}/README.md"),
        "forks_count": 0, "avatar_url": None, "star_count": 0,
        "last_activity_at": timestamp(p.activity_seq),
        "namespace": namespace(ns, base),
    }
    if not code:
        for key in ("default_branch", "readme_url", "forks_count"):
            del d[key]
    if simple:
        return d
    d.update({
        "container_registry_image_prefix": f"registry.{ssh_host(base)}/{p.full_path}",
        "_links": {"self": f"{base}/api/v4/projects/{p.id}",
                   "repo_branches": f"{base}/api/v4/projects/{p.id}/repository/branches"},
        "packages_enabled": True, "empty_repo": p.empty, "archived": p.archived,
        "visibility": p.visibility, "resolve_outdated_diff_discussions": False,
        "issues_enabled": True, "merge_requests_enabled": True, "wiki_enabled": True,
        "jobs_enabled": True, "snippets_enabled": True,
        "repository_access_level": p.repository_access_level,
        "creator_id": 1, "import_status": "none", "open_issues_count": 0,
        "public_jobs": True, "shared_runners_enabled": True, "lfs_enabled": True,
        # lib/api/entities/project.rb: both are the date column marked_for_deletion_at
        "marked_for_deletion_at": day(p.marked_for_deletion_seq),
        "marked_for_deletion_on": day(p.marked_for_deletion_seq),
        "shared_with_groups": [
            {"group_id": g.id, "group_name": g.name, "group_full_path": g.full_path,
             "group_access_level": level, "expires_at": None}
            for g, level in p.shared_with],
        "only_allow_merge_if_pipeline_succeeds": False, "request_access_enabled": True,
    })
    if owner is not None:
        d["owner"] = owner
    return d


def user(u, base, admin=False):
    return {"id": u.id, "username": u.username, "name": u.name, "state": "active",
            "locked": False, "avatar_url": None, "web_url": f"{base}/{u.username}",
            "created_at": timestamp(0), "bio": "", "location": "", "public_email": None,
            "bot": False, "is_admin": admin, "can_create_group": True,
            "can_create_project": True, "two_factor_enabled": False, "external": False}


def user_brief(u, base):
    return {"id": u.id, "username": u.username, "name": u.name, "state": "active",
            "locked": False, "avatar_url": None, "web_url": f"{base}/{u.username}"}
