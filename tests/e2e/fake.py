"""FakeGitLab: run tools/fake_gitlab.py as a subprocess and talk to it.

    fake = FakeGitLab(spec={...} or "file.json", generate="groups=2,...",
                      rate_limit="60/10", faults="5xx=0.1", seed=1, tls=True, ...)
    fake.url, fake.token, fake.port
    fake.api("/groups?per_page=2")        -> (status, headers, json or None)
    fake.control("push", project="a/b")   -> json answer of POST /_fake/push
    fake.stats(), fake.reset_stats(), fake.truth(), fake.clone_url("a/b")
    fake.log_lines()                      -> the --log lines so far
    fake.kill()                           -> SIGKILL (a GitLab that vanishes)
    fake.stop()                           -> RuntimeError if the fake crashed or
                                             hit a bug of its own

    fake.request(method, path, body, headers) -> (status, lower-case headers, bytes)

    FakeGitLab(ssh=True): git over SSH too (sshd -i per connection, with
    keys made here): fake.ssh_port, fake.ssh_user, fake.ssh_key (the client's
    private key, ed25519), fake.ssh_host_line (a known_hosts line).
    fake.workdir (repos/, requests.log, server.stderr), fake.proc

Keyword options become command-line options (rate_limit="60/10" ->
--rate-limit 60/10; True -> a bare flag; a list repeats the option); see
`tools/fake_gitlab.py --help`.  Those that make the fake less kind, as GitLab
is: admin_token=, oauth_token=, no_read_api_token= (a token or a list),
external_url="http://gitlab.invalid", ssh_url_host="localhost".  The spec format is documented in
tools/fakegitlab/spec.py, overrides and faults in faults.py, control actions
and the stats/tree JSON in control.py.  A server that does not start is an
error, never a skip.  Also here: DEMO_SPEC (tools/demo-tree.json),
link_rels(header) -> {rel: url}, stop_all(fakes).
"""
import http.client
import json
import pathlib
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "fake_gitlab.py"
DEMO_SPEC = ROOT / "tools" / "demo-tree.json"
DEFAULT_TOKEN = "glpat-fake-token-0123456789"
# tls=True: HTTPS with a certificate for 127.0.0.1 signed by TLS_CA (tests/tls/README.md).
TLS_DIR = ROOT / "tests" / "tls"
TLS_CA = TLS_DIR / "ca.pem"
OWN_TOKEN = object()  # api(): use the fake's token
BUG_MARKER = "FAKE-GITLAB-BUG"  # printed by tools/fakegitlab/server.py


def link_rels(header):
    """{rel: url} from a Link header."""
    rels = {}
    for part in (header or "").split(","):
        url, sep, params = part.strip().partition(">;")
        if sep and "rel=" in params:
            rels[params.split("rel=", 1)[1].strip().strip('"')] = url.lstrip("<")
    return rels


def stop_all(fakes):
    """Stop every fake, then report the first failure."""
    errors = []
    for fake in fakes:
        try:
            fake.stop()
        except RuntimeError as e:
            errors.append(e)
    if errors:
        raise errors[0]


class FakeGitLab:
    def __init__(self, spec=None, generate=None, token=DEFAULT_TOKEN, workdir=None,
                 start_timeout=60, tls=False, ssh=False, **options):
        self._tmp = None
        self.tls = tls
        if tls:
            options.update(tls_cert=TLS_DIR / "server.pem", tls_key=TLS_DIR / "server.key")
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="fake-gitlab-")
            workdir = self._tmp.name
        self.workdir = pathlib.Path(workdir)
        if ssh:
            options.update(self._ssh_keys())
        self.token = token
        self.log_path = self.workdir / "requests.log"
        args = [sys.executable, str(SCRIPT), "--token", token,
                "--port-file", str(self.workdir / "port"),
                "--repos-dir", str(self.workdir / "repos"), "--log", str(self.log_path)]
        if isinstance(spec, dict):
            path = self.workdir / "spec.json"
            path.write_text(json.dumps(spec), encoding="utf-8")
            spec = path
        if spec is not None:
            args += ["--spec", str(spec)]
        if generate is not None:
            args += ["--generate", generate]
        for key, value in options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                args.append(flag)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    args += [flag, str(v)]
            elif value is not None and value is not False:
                args += [flag, str(value)]
        self.stderr_path = self.workdir / "server.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self._stderr)
        port_file = self.workdir / "port"
        deadline = time.monotonic() + start_timeout
        while not port_file.exists():
            if self.proc.poll() is not None:
                self._fail(f"fake GitLab exited with {self.proc.returncode}")
            if time.monotonic() > deadline:
                self.proc.kill()
                self._fail("fake GitLab did not start in time")
            time.sleep(0.02)
        self.port = int(port_file.read_text().strip())
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._conn = None
        self._killed = False
        if ssh:
            info = self._get_control("ssh")
            self.ssh_port, self.ssh_user = info["port"], info["user"]
            host_pub = (self.workdir / "ssh_host_key.pub").read_text().split()
            self.ssh_host_line = f"[127.0.0.1]:{self.ssh_port} {host_pub[0]} {host_pub[1]}"

    def _ssh_keys(self):
        """A host key and a client key (ed25519: libssh2 1.10 signs RSA with
        SHA-1 only, which OpenSSH 9 refuses)."""
        for name in ("ssh_host_key", "ssh_user_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f",
                            str(self.workdir / name)], check=True, capture_output=True)
        self.ssh_key = self.workdir / "ssh_user_key"
        return {"ssh_host_key": self.workdir / "ssh_host_key",
                "ssh_authorized_keys": self.workdir / "ssh_user_key.pub"}

    def _fail(self, what):
        self._stderr.close()
        err = self.stderr_path.read_text(errors="replace")
        raise RuntimeError(f"{what}: {err}")

    # -- HTTP -------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, headers dict with lower-case names, raw body bytes)."""
        for attempt in (1, 2):
            if self._conn is None and self.tls:
                self._conn = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, timeout=timeout,
                    context=ssl.create_default_context(cafile=str(TLS_CA)))
            elif self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                self._conn.request(method, path, body=body, headers=headers or {})
                resp = self._conn.getresponse()
                data = resp.read()
                hdrs = {k.lower(): v for k, v in resp.getheaders()}
                if resp.will_close:
                    self._close_conn()
                return resp.status, hdrs, data
            except (http.client.HTTPException, ConnectionError):
                self._close_conn()
                if attempt == 2:
                    raise

    def _close_conn(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def api(self, path, token=OWN_TOKEN, headers=None):
        """GET /api/v4<path>: (status, headers, parsed JSON or None).

        token=None sends no credentials; the default is the fake's token."""
        if token is OWN_TOKEN:
            token = self.token
        if not path.startswith("/api/"):
            path = "/api/v4" + path
        h = dict(headers or {})
        if token is not None:
            h["PRIVATE-TOKEN"] = token
        status, hdrs, data = self.request("GET", path, headers=h)
        try:
            value = json.loads(data) if data else None
        except ValueError:
            value = None
        return status, hdrs, value

    def control(self, action, **body):
        """POST /_fake/<action> with a JSON body; the JSON answer (error if not 200)."""
        status, _, data = self.request("POST", f"/_fake/{action}",
                                       body=json.dumps(body).encode(),
                                       headers={"Content-Type": "application/json"})
        value = json.loads(data)
        if status != 200:
            raise RuntimeError(f"/_fake/{action}: {status} {value}")
        return value

    def _get_control(self, what):
        status, _, data = self.request("GET", f"/_fake/{what}")
        assert status == 200, (what, status, data)
        return json.loads(data)

    def stats(self):
        return self._get_control("stats")

    def reset_stats(self):
        return self.control("reset_stats")

    def truth(self):
        return self._get_control("tree")

    def clone_url(self, full_path):
        return f"{self.url}/{urllib.parse.quote(full_path)}.git"

    def log_lines(self):
        return self.log_path.read_text(encoding="utf-8").splitlines()

    def stop(self):
        """Stop the server; RuntimeError if it crashed or hit a bug of its own."""
        self._close_conn()
        crashed = None if self._killed else self.proc.poll()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._stderr.closed:
            self._stderr.close()
        err = self.stderr_path.read_text(errors="replace")
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        if crashed is not None or BUG_MARKER in err:
            raise RuntimeError(f"the fake GitLab failed (exit {crashed}):\n{err}")

    def kill(self):
        """SIGKILL the server, as a test of a GitLab that vanishes; stop() still cleans up."""
        self._killed = True
        self._close_conn()
        self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
