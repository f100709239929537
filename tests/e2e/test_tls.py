"""HTTPS end to end: the fake serves TLS with a certificate for 127.0.0.1
signed by tests/tls/ca.pem.  The crawl (libcurl) and the clones (libgit2
over glmirror's own TCP stream) both verify it: trusted with --cacert,
refused without it, accepted with --insecure only."""
import json
import subprocess

import pytest
from connectproxy import ConnectProxy
from fake import DEMO_SPEC, TLS_CA

from synctree import project_paths, tree_from_truth, write_tree


def head(repo):
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.fixture
def tls_fake(fake_gitlab):
    return fake_gitlab(spec=DEMO_SPEC, tls=True)


def test_crawl_and_clone_over_https_with_cacert(tls_fake, run_glmirror, tmp_path):
    assert tls_fake.url.startswith("https://")
    dest = tmp_path / "dest"
    proc = run_glmirror(["-u", tls_fake.url, "--cacert", TLS_CA, "-m", "http",
                         "--tree-out", tmp_path / "tree.json", dest],
                        env={"GITLAB_TOKEN": tls_fake.token})
    assert proc.returncode == 0, proc.stderr
    assert tls_fake.token not in proc.stderr + proc.stdout
    truth = {p["path_with_namespace"]: p for p in tls_fake.truth()["projects"]}
    tree = tree_from_truth(tls_fake.truth(), tls_fake.url)
    cloned = 0
    for full, rel in project_paths(tree).items():
        p = truth[full]
        if p["empty"]:
            continue
        assert head(dest / rel.lstrip("/")) == p["repo_branches"][p["default_branch"]], full
        cloned += 1
    assert cloned >= 5
    # updating over HTTPS too: a push, then a second run fetches it
    sha = tls_fake.control("push", project="acme/website", message="tls")["commit"]
    proc = run_glmirror(["-f", tmp_path / "tree.json", "--cacert", TLS_CA, "-m", "http", dest],
                        env={"GITLAB_TOKEN": tls_fake.token})
    assert proc.returncode == 0, proc.stderr
    assert head(dest / project_paths(tree)["acme/website"].lstrip("/")) == sha


def test_untrusted_certificate_is_refused_by_crawl_and_clone(tls_fake, run_glmirror, tmp_path):
    proc = run_glmirror(["-u", tls_fake.url, "-m", "http", tmp_path / "a"],
                        env={"GITLAB_TOKEN": tls_fake.token})
    assert proc.returncode == 3, proc.stderr
    assert "certificate" in proc.stderr.lower()
    # the clones alone (tree file, no API call): every project fails, none is written
    tree_file = write_tree(tmp_path, tree_from_truth(tls_fake.truth(), tls_fake.url))
    proc = run_glmirror(["-f", tree_file, "-m", "http", "--report", tmp_path / "r.json",
                         tmp_path / "b"], env={"GITLAB_TOKEN": tls_fake.token})
    assert proc.returncode == 1, proc.stderr
    assert "TLS certificate of 127.0.0.1 is not trusted" in proc.stderr
    results = [json.loads(line)["result"] for line in (tmp_path / "r.json").open()]
    assert results and set(results) == {"failed"}, results
    assert not any(p.name == ".git" for p in (tmp_path / "b").rglob(".git"))
    assert tls_fake.token not in proc.stderr


def test_insecure_accepts_the_certificate_and_warns(tls_fake, run_glmirror, tmp_path):
    tree_file = write_tree(tmp_path, tree_from_truth(tls_fake.truth(), tls_fake.url))
    proc = run_glmirror(["-f", tree_file, "-m", "http", "--insecure", "-i", "/Acme Corp/Website",
                         tmp_path / "d"], env={"GITLAB_TOKEN": tls_fake.token})
    assert proc.returncode == 0, proc.stderr
    assert "insecure" in proc.stderr.lower()
    truth = {p["path_with_namespace"]: p for p in tls_fake.truth()["projects"]}
    assert head(tmp_path / "d/Acme Corp/Website") == truth["acme/website"]["repo_branches"]["main"]


def test_https_proxy_from_the_environment_carries_crawl_and_clones(tls_fake, run_glmirror,
                                                                   tmp_path):
    proxy = ConnectProxy()
    try:
        env = {"GITLAB_TOKEN": tls_fake.token, "https_proxy": f"http://127.0.0.1:{proxy.port}",
               "no_proxy": "", "NO_PROXY": ""}
        proc = run_glmirror(["-u", tls_fake.url, "--cacert", TLS_CA, "-m", "http", "-c", "2",
                             "-i", "/Acme Corp/Website,/Partners/Partner Portal",
                             tmp_path / "d"], env=env)
        assert proc.returncode == 0, proc.stderr
        agents = proxy.agents()
    finally:
        proxy.close()
    truth = {p["path_with_namespace"]: p for p in tls_fake.truth()["projects"]}
    assert head(tmp_path / "d/Acme Corp/Website") == truth["acme/website"]["repo_branches"]["main"]
    # both the API client and libgit2 went through the tunnel
    assert any("libgit2" in ua for ua in agents), agents
    assert any("glmirror" in ua for ua in agents), agents


def test_no_proxy_is_honoured_by_crawl_and_clones(tls_fake, run_glmirror, tmp_path):
    # the proxy named does not exist: only bypassing it can work
    env = {"GITLAB_TOKEN": tls_fake.token, "https_proxy": "http://127.0.0.1:1",
           "no_proxy": "127.0.0.1"}
    proc = run_glmirror(["-u", tls_fake.url, "--cacert", TLS_CA, "-m", "http",
                         "-i", "/Acme Corp/Website", tmp_path / "d"], env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "d/Acme Corp/Website/.git").is_dir()
