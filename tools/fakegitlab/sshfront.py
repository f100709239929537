"""git over SSH, as GitLab Shell: --ssh-host-key KEY --ssh-authorized-keys FILE.

A second listening socket on the fake's host; each connection is handed to
`sshd -i` (OpenSSH in inetd mode, one process per connection), so there is
no sshd daemon, no port of its own to pick and nothing left running when
the fake stops.  Every authorized key is forced (as GitLab Shell does) to
run tools/fake_gitlab_ssh_command.py, which allows `git-upload-pack` of a
project the fake knows and refuses everything else.  Clone URLs then look like GitLab's with
a non-standard SSH port: ssh://USER@HOST:PORT/group/project.git, where USER
is the account sshd logs in (default: the one running the fake; there is
no `git` account on a test machine).
"""
import getpass
import os
import shlex
import socket
import subprocess
import sys
import threading

SSHD = "/usr/sbin/sshd"
# Outside the package folder: its http.py would shadow the standard library's.
COMMAND = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "fake_gitlab_ssh_command.py")


class SshFront:
    def __init__(self, host, host_key, authorized_keys, workdir, control_url, user=None):
        self.user = user or getpass.getuser()
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        if not os.access(SSHD, os.X_OK):
            raise OSError(f"{SSHD} not found: install openssh-server (tools/install-deps)")
        if os.geteuid() == 0:
            # sshd's privilege separation directory, made at boot on a real host
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        forced = (f"command=\"{shlex.quote(sys.executable)} {shlex.quote(COMMAND)} "
                  f"{shlex.quote(control_url)}\",no-port-forwarding,no-X11-forwarding,"
                  "no-agent-forwarding,no-pty")
        self.keys_file = os.path.join(self.workdir, "authorized_keys")
        with open(authorized_keys, encoding="ascii") as src, \
                open(self.keys_file, "w", encoding="ascii") as dst:
            for line in src:
                if line.strip() and not line.startswith("#"):
                    dst.write(f"{forced} {line.strip()}\n")
        self.config = os.path.join(self.workdir, "sshd_config")
        with open(self.config, "w", encoding="ascii") as f:
            f.write(f"HostKey {os.path.abspath(host_key)}\n"
                    f"AuthorizedKeysFile {self.keys_file}\n"
                    f"AllowUsers {self.user}\n"
                    "PubkeyAuthentication yes\nPasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
                    "PermitRootLogin prohibit-password\nPidFile none\nPrintMotd no\n"
                    "LogLevel VERBOSE\n")
        self.log = os.path.join(self.workdir, "sshd.log")
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            try:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                proc = subprocess.Popen([SSHD, "-i", "-f", self.config, "-E", self.log],
                                        stdin=conn, stdout=conn, stderr=subprocess.DEVNULL)
            except OSError as e:
                print(f"fake_gitlab: sshd: {e}", file=sys.stderr)
                proc = None
            finally:
                conn.close()
            if proc is not None:
                threading.Thread(target=proc.wait, daemon=True).start()

    def close(self):
        self.sock.close()
