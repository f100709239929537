"""Who sees what: the caller's view of groups, projects and code.

A caller is anything with `anonymous` and `admin` attributes (an API or git
Request, or Caller for the SSH front).  The fake has one user; a membership
is a group's access_level > 0 (inherited downwards, model.Group).
"""
REPORTER = 20


class Caller:
    """The spec user, neither anonymous nor admin (git over SSH)."""
    anonymous = False
    admin = False


def authorized_ids(model, caller):
    """Ids of the groups GroupsFinder lists without all_available: the
    user's groups with their descendants (`current_user.groups
    .self_and_descendants`) and their ancestors (`authorized_groups
    .self_and_ancestors`, include_ancestors defaults to true), as in
    app/finders/groups_finder.rb get_groups_for_user.  Computed once per
    caller (a request)."""
    cached = getattr(caller, "authorized", None)
    if cached is not None:
        return cached
    ids = set()
    if not caller.anonymous:
        for g in model.groups.values():
            if g.id not in ids and g.access_level > 0:
                ids.add(g.id)
                ids.update(a.id for a in g.ancestors())
    caller.authorized = ids
    return ids


def group_visible(model, g, caller):
    """GroupPolicy read_group (app/policies/group_policy.rb): admins read
    every group (can_read_all_resources?), anyone a public one, a signed-in
    user an internal one, a member their group (inherited downwards), and
    anyone a group with a project they can see below it (has_projects:
    GroupProjectsFinder with include_subgroups)."""
    if caller.admin:
        return True
    if caller.anonymous:
        return g.visibility == "public"
    if g.visibility in ("public", "internal") or g.access_level > 0:
        return True
    return any(project_visible(p, caller) for d in (g, *g.descendants()) for p in d.projects)


def project_level(p, caller):
    """The user's level in a project: its namespace's, or a share's
    (capped at the share's group_access, app/models/project_group_link.rb)."""
    if caller.anonymous:
        return 0
    levels = [p.namespace.access_level]
    levels += [min(share, g.access_level) for g, share in p.shared_with if g.access_level > 0]
    return max(levels)


def project_member(p, caller):
    return project_level(p, caller) > 0


def project_visible(p, caller):
    if caller.admin:
        return True
    if caller.anonymous:
        return p.visibility == "public"
    return project_member(p, caller) or p.visibility in ("public", "internal")


def read_code(p, caller):
    """ProjectPolicy read_code/download_code: never with the repository
    feature disabled; only Reporter and above when it is "private"
    (ProjectFeature::PRIVATE_FEATURES_MIN_ACCESS_LEVEL); otherwise anyone
    who sees a public or internal project, and Reporter and above on a
    private one (a Guest sees the project, not its code)."""
    if p.repository_access_level == "disabled":
        return False
    if caller.admin:
        return True
    level = project_level(p, caller)
    if p.repository_access_level == "private" or p.visibility == "private":
        return level >= REPORTER
    return p.visibility == "public" or not caller.anonymous
