"""Tree files for the sync tests, written from the fake GitLab's truth, so
that the sync is tested without the crawl.

    tree = tree_from_truth(fake.truth(), fake.url)      # a dict
    path = write_tree(tmp_path, tree)                   # tree.json
    project_paths(tree)                                 # ["/Group 0/project-1", ...] (-n name)
"""
import json
import urllib.parse


def _ssh_url(base, full_path):
    host = urllib.parse.urlsplit(base).hostname
    return f"git@{host}:{full_path}.git"


def tree_from_truth(truth, base, edit=None):
    """Groups and group projects of the truth as a glmirror tree file (dict).
    edit(project_node) may change a project node before it is added."""
    groups = {g["id"]: {"type": "group", "id": g["id"], "parent_id": g["parent_id"] or 0,
                        "gitlab_name": g["name"], "gitlab_path": g["path"],
                        "full_path": g["full_path"],
                        "web_url": f"{base}/groups/{g['full_path']}", "children": []}
              for g in truth["groups"]}
    root = {"glmirror_tree": 1, "type": "root", "url": base, "children": []}
    for g in sorted(truth["groups"], key=lambda g: g["id"]):
        parent = groups.get(g["parent_id"]) if g["parent_id"] else None
        (parent or root)["children"].append(groups[g["id"]])
    for p in truth["projects"]:
        if p["namespace_kind"] != "group":
            continue
        node = {"type": "project", "id": p["id"], "parent_id": p["namespace_id"],
                "gitlab_name": p["name"], "gitlab_path": p["path"],
                "full_path": p["path_with_namespace"],
                "web_url": f"{base}/{p['path_with_namespace']}",
                "http_url": p["http_url_to_repo"],
                "ssh_url": _ssh_url(base, p["path_with_namespace"]),
                "archived": p["archived"], "empty_repo": p["empty"]}
        if p["default_branch"]:
            node["default_branch"] = p["default_branch"]
        if edit is not None:
            edit(node)
        groups[p["namespace_id"]]["children"].append(node)
    return root


def write_tree(directory, tree, name="tree.json"):
    path = directory / name
    path.write_text(json.dumps(tree), encoding="utf-8")
    return path


def project_paths(tree, naming="name"):
    """{full_path: root_path} of every project (folders named per naming)."""
    out = {}

    def walk(node, prefix):
        for child in node.get("children", []):
            path = f"{prefix}/{child['gitlab_' + naming]}"
            if child["type"] == "project":
                out[child["full_path"]] = path
            else:
                walk(child, path)
    walk(tree, "")
    return out
