"""Expected trees for the crawl tests, computed from the fake's truth, and
the same shape read back from a glmirror tree file.

    shape = tree_shape(json.loads(tree_out.read_text()))
    want = expected_shape(fake.truth(), shared=False, archived="include")
    assert shape == want

A shape is a set of (kind, id, full_path, parent full_path, shared) tuples,
kind "group" or "project"; a top group has parent "".
"""


def tree_shape(doc):
    out = set()

    def walk(node, parent):
        for child in node.get("children", []):
            kind = "project" if child["type"] == "project" else "group"
            out.add((kind, child["id"], child["full_path"], parent, bool(child.get("shared"))))
            walk(child, child["full_path"])
    walk(doc.get("root", doc), "")
    return out


def gitlabber_calls(truth, shared=True):
    """gitlabber's API calls for the tree: 1 + ceil(G/20) + 3T + 4S (2T + 3S without shares)."""
    groups = truth["groups"]
    top = sum(1 for g in groups if g["parent_id"] is None)
    sub = len(groups) - top
    pages = -(-len(groups) // 20)
    return 1 + pages + (3 * top + 4 * sub if shared else 2 * top + 3 * sub)


def expected_shape(truth, shared=False, archived="include", top=None, user=False):
    """top: full paths of the groups to crawl (--group / -g), None = all."""
    groups = {g["id"]: g for g in truth["groups"]}
    by_path = {g["full_path"]: g for g in truth["groups"]}

    def under(path, roots):
        return any(path == r or path.startswith(r + "/") for r in roots)

    def keep_project(p):
        if archived == "exclude" and p["archived"]:
            return False
        return not (archived == "only" and not p["archived"])

    out = set()
    if user:
        home = f"{truth['user']['username']}-personal-projects"
        out.add(("group", 0, home, "", False))
        for p in truth["projects"]:
            if p["namespace_kind"] == "user" and keep_project(p):
                out.add(("project", p["id"], p["path_with_namespace"], home, False))
        return out
    roots = top if top is not None else [g["full_path"] for g in truth["groups"]]
    kept = {g["full_path"] for g in truth["groups"] if under(g["full_path"], roots)}
    for path in kept:
        g = by_path[path]
        parent = groups.get(g["parent_id"]) if g["parent_id"] else None
        ppath = parent["full_path"] if parent and parent["full_path"] in kept else ""
        out.add(("group", g["id"], path, ppath, False))
    for p in truth["projects"]:
        if not keep_project(p):
            continue
        if p["namespace_kind"] == "group" and p["namespace_full_path"] in kept:
            out.add(("project", p["id"], p["path_with_namespace"], p["namespace_full_path"],
                     False))
        if shared:
            for g in p["shared_with"]:
                if g in kept:
                    out.add(("project", p["id"], p["path_with_namespace"], g, True))
    return out
