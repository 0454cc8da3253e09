#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu): it installs
# Python 3.11+ and the grader from /autograder/source (this project, unzipped).
set -euo pipefail
apt-get update -q
# bubblewrap isolates each student file; where the container forbids user namespaces, the grader
# falls back to an unprivileged uid of its own (setpriv, util-linux) and says so in the grade.
apt-get install -y -q bubblewrap util-linux
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PYTHON=python3
    apt-get install -y -q python3-venv
else
    PYTHON=python3.11
    apt-get install -y -q python3.11 python3.11-venv
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -e /autograder/source
