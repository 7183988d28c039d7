"""Set up and run the dashboard or its tests with nothing but Python 3.11+.

python3 dev.py run     # create .venv, install requirements, open the dashboard on the sample data (this computer only)
python3 dev.py serve   # the same with the production settings, for a server behind a reverse proxy (docs/operations.md)
python3 dev.py test    # create .venv, install test requirements, run ruff and the whole test suite (in parallel)

Options after the command go to `streamlit run`, e.g. `python3 dev.py run --server.address 0.0.0.0 --server.port 8600`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
AXE_CORE = "4.14.1"  # the accessibility checker the browser test runs on every page (npm package axe-core, pinned)
AXE_DIR = VENV / "axe-core"
PARALLEL = ["-n", "auto", "--dist", "loadgroup"]  # pytest-xdist: a worker per core; the browser tests share one


def ensure_environment(requirements: str) -> None:
    """Create the virtual environment and install the pinned requirements when they have changed."""
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} …", flush=True)
        venv.create(VENV, with_pip=True)
    files = [ROOT / requirements, ROOT / "requirements.txt"]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"Installing {requirements} …", flush=True)
    subprocess.run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", files[0]], check=True
    )
    stamp.write_text(digest)


def ensure_axe_core() -> None:
    """Install the pinned axe-core with npm into .venv/axe-core; without npm the browser test says what is missing."""
    stamp = AXE_DIR / f".installed-{AXE_CORE}"
    if stamp.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the browser test needs axe-core (apt-get install npm, or install Node.js).", flush=True)
        return
    print(f"Installing axe-core {AXE_CORE} …", flush=True)
    command = [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "--save-exact", "--silent"]
    subprocess.run([*command, f"axe-core@{AXE_CORE}"], check=True)
    stamp.write_text(AXE_CORE)


PRODUCTION = [
    "--server.headless", "true",  # no browser opened, no e-mail prompt
    "--server.runOnSave", "false",
    "--server.fileWatcherType", "none",  # the code is not watched for changes
    "--global.developmentMode", "false",
    "--client.showErrorDetails", "none",  # as in .streamlit/config.toml, whatever a local config says
    "--client.toolbarMode", "viewer",
]  # fmt: skip


def run(args: list[str]) -> int:
    """The dashboard (serve.py: dashboard.py behind its guard) with .streamlit/config.toml: on this computer only."""
    ensure_environment("requirements.txt")
    return subprocess.call([PYTHON, "-m", "streamlit", "run", str(ROOT / "serve.py"), *args], cwd=ROOT)


def serve(args: list[str]) -> int:
    """As ``run``, with the production settings; options given after ``serve`` win."""
    return run([*PRODUCTION, *args])


def test(args: list[str]) -> int:
    ensure_environment("requirements-dev.txt")
    ensure_axe_core()
    for check in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        if subprocess.call([PYTHON, "-m", *check], cwd=ROOT):
            return 1
    return subprocess.call([PYTHON, "-m", "pytest", *PARALLEL, *args], cwd=ROOT)


if __name__ == "__main__":
    commands = {"run": run, "serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    sys.exit(commands[sys.argv[1]](sys.argv[2:]))
