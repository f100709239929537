#!/usr/bin/env python3
"""The forced command of the fake GitLab's SSH keys (fakegitlab/sshfront.py),
as GitLab Shell: runs `git upload-pack` for SSH_ORIGINAL_COMMAND="git-upload-pack 'group/p.git'"
on the repository the fake names for that project, answers
"git-lfs-authenticate group/p.git download" with an LFS endpoint and a
short-lived header, and refuses anything else with GitLab Shell's messages.

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


def ask(control_url, action, project):
    """The control endpoint's answer, or (None, GitLab's 403 message or None for a 404)."""
    req = urllib.request.Request(f"{control_url}/_fake/{action}",
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
            return json.load(resp), None
    except urllib.error.HTTPError as e:
        return None, json.load(e)["message"] if e.code == 403 else None


def project_of(path):
    project = path.strip("/")
    return project[:-4] if project.endswith(".git") else project


def lfs_authenticate(control_url, path, operation):
    """gitlab-shell internal/command/lfsauthenticate/lfsauthenticate.go:
    the access check of the operation's git command (download: upload-pack,
    upload: receive-pack, which the fake refuses), then the payload of
    GitLab's /internal/lfs_authenticate as one JSON line; when GitLab
    refuses that, nothing at all and success."""
    if operation == "upload":
        return refuse("ERROR: You are not allowed to push code to this project.")
    if operation != "download":
        return refuse(f"ERROR: Unknown operation: {operation}")
    answer, denied = ask(control_url, "lfs_authenticate", project_of(path))
    if denied:
        return refuse_boxed(denied)
    if answer is None:
        return refuse("ERROR: The project you were looking for could not be found or you "
                      "don't have permission to view it.")
    if answer["payload"] is not None:
        sys.stdout.write(json.dumps(answer["payload"]) + "\n")
    return 0


def main():
    try:
        words = shlex.split(os.environ.get("SSH_ORIGINAL_COMMAND", ""))
    except ValueError:
        words = []
    if len(words) not in (2, 3) or not words[0].startswith("git-"):
        return refuse("Welcome to the fake GitLab! This account runs git commands only.")
    if len(words) == 3 and words[0] == "git-lfs-authenticate":
        return lfs_authenticate(sys.argv[1], words[1], words[2])
    verb, path = words[0], words[1]
    if verb == "git-receive-pack":
        return refuse("ERROR: You are not allowed to push code to this project.")
    if verb != "git-upload-pack" or len(words) != 2:
        return refuse(f"ERROR: Unknown command: {verb}")
    answer, denied = ask(sys.argv[1], "repo_path", project_of(path))
    repo = answer and answer["path"]
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
