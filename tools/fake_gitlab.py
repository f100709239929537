#!/usr/bin/env python3
"""A fake GitLab for glmirror's tests: REST API v4 + git smart HTTP.

Usage: fake_gitlab.py (--spec FILE | --generate SPEC) [--port 0] [--port-file F]
       [--repos-dir D] [--token T] [--rate-limit 60/10] [--faults 5xx=0.1 --seed 1] ...
`--help` lists every option; tools/fakegitlab/ holds the implementation
(spec.py documents the --spec format, faults.py the overrides).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fakegitlab.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
