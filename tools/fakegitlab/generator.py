"""Deterministic large instances: --generate groups=10,subgroups=5,depth=2,projects=20.

  groups     top-level groups
  subgroups  subgroups per group, at each of `depth` levels below the top
  depth      levels of subgroups (0 = top-level groups only)
  projects   projects in every group (top-level and subgroups)
  seed       random seed for the fractions below (default 1)
  archived   fraction of archived projects
  empty      fraction of empty repositories
  shared     fraction of projects also shared into another random group
  user_projects  personal projects of the user (default 2)

groups=10,subgroups=5,depth=2,projects=20 gives 10 + 50 + 250 groups and
6,200 projects.  Group ids are 1.. in depth-first order (group-0 is 1, its
first subgroup 2, ...), the user's namespace id follows; project ids are
1.. group by group, the personal projects last.  Every 7th project has a
display name with spaces and Unicode that differs from its path.
"""
import random

from .model import Model

DEFAULTS = {"groups": 3, "subgroups": 2, "depth": 1, "projects": 5, "seed": 1,
            "archived": 0.0, "empty": 0.0, "shared": 0.0, "user_projects": 2}


def parse(text):
    params = dict(DEFAULTS)
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or key not in DEFAULTS:
            raise ValueError(f"--generate: bad item {item!r}; keys: {', '.join(DEFAULTS)}")
        params[key] = float(value) if isinstance(DEFAULTS[key], float) else int(value)
    return params


def build(text):
    prm = parse(text)
    rnd = random.Random(prm["seed"])
    m = Model()
    all_groups = []

    def make(parent, label, level):
        g = m.add_group(f"Group {label}" if parent is None else f"Sub {label}",
                        f"group-{label}" if parent is None else f"sub-{label}", parent)
        all_groups.append(g)
        if level < prm["depth"]:
            for i in range(prm["subgroups"]):
                make(g, f"{label}-{i}", level + 1)

    for i in range(prm["groups"]):
        make(None, str(i), 0)
    m.set_user()  # its namespace id follows the groups'

    def project(ns):
        pid = m._next_pid
        fancy = pid % 7 == 0
        m.add_project(f"Projet Été {pid}" if fancy else f"project-{pid}", f"project-{pid}",
                      ns, archived=rnd.random() < prm["archived"],
                      empty=rnd.random() < prm["empty"], commits=1 + pid % 3)

    for g in all_groups:
        for _ in range(prm["projects"]):
            project(g)
    for _ in range(prm["user_projects"]):
        project(m.user.namespace)
    if prm["shared"] > 0 and len(all_groups) > 1:
        for p in list(m.projects.values()):
            if rnd.random() < prm["shared"]:
                target = all_groups[rnd.randrange(len(all_groups))]
                if target is not p.namespace:
                    p.shared_with.append((target, 30))
    m.reindex()
    return m
