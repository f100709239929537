#!/usr/bin/env python3
"""The forced command of the fake GitLab's SSH keys (fakegitlab/sshfront.py),
as GitLab Shell: runs `git upload-pack` for SSH_ORIGINAL_COMMAND="git-upload-pack 'group/p.git'"
on the repository the fake names for that project, and refuses anything
else with GitLab Shell's messages.

    fake_gitlab_ssh_command.py CONTROL_URL
"""
import json
import os
import shlex
import ssl
import sys
import urllib.error
import urllib.request

# tools/ is sys.path[0] when this runs: the fake's own package.
from fakegitlab.repos import git_env


def refuse(msg):
    sys.stderr.write(f"{msg}\n")
    return 1


def refuse_boxed(msg):
    """GitLab Shell's way of showing an access error (internal/console,
    DisplayWarningMessage): the message between two rules, each line
    prefixed with `remote: `."""
    rule = "=" * 72
    for line in ("", rule, "", msg, "", rule, ""):
        sys.stderr.write(f"remote: {line}\n")
    return 1


def repo_path(control_url, project):
    req = urllib.request.Request(f"{control_url}/_fake/repo_path",
                                 data=json.dumps({"project": project}).encode(),
                                 headers={"Content-Type": "application/json"})
    # The fake's own control channel on 127.0.0.1; with --tls-cert it is the
    # fake's test certificate, not worth verifying here.
    ctx = None
    if control_url.startswith("https:"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(req, timeout=30, context=ctx) as resp:
            return json.load(resp)["path"], None
    except urllib.error.HTTPError as e:
        return None, json.load(e)["message"] if e.code == 403 else None


def main():
    try:
        words = shlex.split(os.environ.get("SSH_ORIGINAL_COMMAND", ""))
    except ValueError:
        words = []
    if len(words) != 2 or not words[0].startswith("git-"):
        return refuse("Welcome to the fake GitLab! This account runs git commands only.")
    verb, path = words
    if verb == "git-receive-pack":
        return refuse("ERROR: You are not allowed to push code to this project.")
    if verb != "git-upload-pack":
        return refuse(f"ERROR: Unknown command: {verb}")
    project = path.strip("/")
    if project.endswith(".git"):
        project = project[:-4]
    repo, denied = repo_path(sys.argv[1], project)
    if denied:
        return refuse_boxed(denied)
    if repo is None:
        return refuse("ERROR: The project you were looking for could not be found or you "
                      "don't have permission to view it.")
    env = git_env()
    if os.environ.get("GIT_PROTOCOL"):
        env["GIT_PROTOCOL"] = os.environ["GIT_PROTOCOL"]
    os.execvpe("git", ["git", "upload-pack", repo], env)
    return 1


if __name__ == "__main__":
    sys.exit(main())
