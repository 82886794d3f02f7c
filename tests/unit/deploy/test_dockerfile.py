"""deploy/Dockerfile and .dockerignore: what the image holds and who may change it.

- The build context leaves out the repository (.git), the local set-up and state (.venv,
  models, var, node_modules, results) and what only development uses (tests, bench), and
  keeps every other file of the project.
- Compilers and npm stay in the build stage: the runtime stage copies the virtual
  environment and the built assets (the spaCy pipeline, the widget, the model) from it.
- The application's files are root's: the runtime user owns only the folders the roles
  write (the compose file's volumes), so a compromised server cannot rewrite the code, the
  model it serves or the safety rules.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import List, Set

from tests.support.deploy_files import DEPLOY, Stage, compose, dockerfile_stages, dockerignored
from tests.support.project import ROOT
from tests.support.staff_data import DATA_FILES

#: Debian's packages that build software (compilers, headers, npm).
BUILD_TOOLS = {"build-essential", "gcc", "g++", "make", "cmake", "pkg-config", "nodejs", "npm"}
#: What scripts/setup.sh and scripts/train.sh build, which the runtime stage takes.
BUILT = {"/app/.venv", "/app/nlp/build", "/app/web/node_modules", "/app/models"}
#: Tracked files the image does not need: the tests, the benchmark, the documentation, CI.
LEFT_OUT = ("tests/", "bench/", "docs/", ".ci/")


def stages() -> List[Stage]:
    return dockerfile_stages((DEPLOY / "Dockerfile").read_text())


def apt_packages(stage: Stage) -> Set[str]:
    """The Debian packages the stage installs."""
    packages: Set[str] = set()
    for words in stage.commands():
        if words[:2] == ["apt-get", "install"]:
            packages |= {w for w in words[2:] if not w.startswith("-")}
    return packages


def writable_folders() -> Set[str]:
    """Where the role services' volumes are mounted: what the roles write."""
    folders: Set[str] = set()
    for name, service in compose()["services"].items():
        if service.get("command", [""])[0] != "bash":  # PostgreSQL, Redis, nginx
            continue
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            assert not source.startswith((".", "/")), f"{name}: a named volume, not {source}"
            folders.add(target)
    return folders


def test_the_build_tools_stay_in_the_build_stage() -> None:
    found = stages()
    assert len(found) == 2, "a build stage and a runtime stage"
    build, runtime = found
    assert build.name and runtime.base == build.base  # the venv's python is the base's
    built = [words[:2] for words in build.commands()]
    assert ["bash", "scripts/setup.sh"] in built and ["bash", "scripts/train.sh"] in built
    assert BUILD_TOOLS & apt_packages(build)
    installed = apt_packages(runtime)
    assert not installed & BUILD_TOOLS, installed & BUILD_TOOLS
    assert not [p for p in installed if p.endswith("-dev")]
    for words in runtime.commands():
        assert words[0] not in {"pip", "npm", "npx", "gcc", "make"}, words
        assert "scripts/setup.sh" not in words and "pip" not in words, words
    taken = {
        words[-2]
        for copy in runtime.all("COPY")
        if f"--from={build.name}" in (words := copy.words())
    }
    assert taken == BUILT
    # scripts/staff.sh runs the set-up first: in the image it finds everything in place and
    # must not try to install a browser or nginx.
    assert {"SETUP_BROWSER": "0", "SETUP_NGINX": "0"}.items() <= runtime.env().items()


def test_the_runtime_user_owns_only_the_folders_the_roles_write() -> None:
    runtime = stages()[-1]
    user = runtime.all("USER")[-1].arguments
    assert user not in ("root", "0")
    for copy in runtime.all("COPY") + runtime.all("ADD"):
        assert not [w for w in copy.words() if w.startswith("--chown")], copy
    writable = writable_folders()
    assert "/app/models/published" in writable and "/app/var" in writable
    # Each volume starts as the user's (Docker fills a new volume from the image's
    # folder, owner included); nothing else is.
    assert runtime.chowned() == writable
    # A publish trains in the staff app: Rasa's training cache goes in a writable folder.
    cache = Path(runtime.env()["RASA_CACHE_DIRECTORY"])
    assert any(cache.is_relative_to(folder) for folder in writable), cache


def test_the_staff_app_edits_a_copy_of_the_data_that_the_runtime_user_owns() -> None:
    runtime = stages()[-1]
    staff = compose()["services"]["staff"]
    data_root = staff["environment"]["STAFF_DATA_ROOT"]
    assert f"staff-data:{data_root}" in staff["volumes"]
    assert data_root in runtime.chowned()
    # The copy holds what the staff app edits and checks (tests/support/staff_data.py: the
    # files of a data root), taken from the image's own.
    copies = [w for w in runtime.commands() if w[0] == "cp" and w[-1].rstrip("/") == data_root]
    assert len(copies) == 1, copies
    assert {w for w in copies[0][1:-1] if not w.startswith("-")} == set(DATA_FILES)


def test_the_build_context_leaves_out_git_and_local_state() -> None:
    patterns = (ROOT / ".dockerignore").read_text().splitlines()
    for path in (
        ".git", ".git/HEAD", ".venv/bin/python", "models/clinic-0.tar.gz", "var/staff.db",
        "web/node_modules/rasa-webchat/lib/index.js", "nlp/build/en_clinic/meta.json",
        "results/understanding.json", "bench/work/run.log", ".rasa/cache/x",
        "tests/unit/deploy/test_dockerfile.py", "staff/__pycache__/app.cpython-310.pyc",
        "deploy/.env", "deploy/tls/privkey.pem", "deploy/tls/fullchain.pem",
    ):  # fmt: skip
        assert dockerignored(path, patterns), path
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
    ).stdout.split()
    needed = [path for path in tracked if not path.startswith(LEFT_OUT)]
    assert {"deploy/start.sh", "scripts/setup.sh", "requirements.txt", "domain.yml"} <= set(needed)
    dropped = [path for path in needed if dockerignored(path, patterns)]
    assert not dropped
