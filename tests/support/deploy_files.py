"""The deployment files read as Docker, Compose and Helm read them, and what each role's
process reads from the environment: what tests/unit/deploy/ compares.

No container engine runs the tests, so the files are parsed: the Dockerfile's stages and
instructions (continuation lines joined, comments dropped), ``.dockerignore``'s patterns
(as Docker matches them: from the context's root, ``**`` for any folders, a pattern that
matches a folder leaves out all of it, ``!`` takes a path back in, the last match wins),
the compose file and the Helm values (YAML, merge keys included).

What a role reads is found in its code: the project's modules its process runs (the
module it starts and every project module that imports, transitively; for the Rasa
server the modules its files name: ``credentials.yml``, ``endpoints.yml``,
``config.yml``) and the names in them shaped like environment variables (``FOO_BAR``), with
the ``${VAR}`` of Rasa's files. That over-counts (a constant's name is counted too), never
under-counts: a variable a service is given that no module of its role names is one it
does not read.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set

import yaml

from launcher import roles
from launcher.environment import RASA_FILES, variables_of
from tests.support.project import ROOT

DEPLOY = ROOT / "deploy"
#: The project's packages (a folder with ``__init__.py``), the tests' own left out.
PACKAGES = frozenset(
    p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"
)
#: Rasa's files that name project modules (``module.Class``) the Rasa server loads.
RASA_MODULE_FILES = (*RASA_FILES, ROOT / "config.yml")
_VARIABLE_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


def compose() -> Dict[str, Any]:
    """deploy/docker-compose.yml."""
    data: Dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return data


def helm_values() -> Dict[str, Any]:
    """deploy/helm-values.yml."""
    data: Dict[str, Any] = yaml.safe_load((DEPLOY / "helm-values.yml").read_text())
    return data


# The Dockerfile.


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str

    def words(self) -> List[str]:
        """The arguments split as a shell would (COPY's flags, ENV's pairs)."""
        return shlex.split(self.arguments)


@dataclass
class Stage:
    """One ``FROM`` of a Dockerfile and its instructions."""

    base: str
    name: str
    instructions: List[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> List[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def commands(self) -> Iterator[List[str]]:
        """Each simple command of the stage's ``RUN`` lines (split at ``&&``, ``||``,
        ``;`` and ``|``), as argument lists."""
        for run in self.all("RUN"):
            for command in re.split(r"&&|\|\||;|\|", run.arguments):
                words = shlex.split(command)
                if words:
                    yield words

    def env(self) -> Dict[str, str]:
        """What the stage's ``ENV`` lines set."""
        found: Dict[str, str] = {}
        for instruction in self.all("ENV"):
            for pair in instruction.words():
                name, _, value = pair.partition("=")
                found[name] = value
        return found

    def workdir(self) -> str:
        workdirs = self.all("WORKDIR")
        return workdirs[-1].arguments if workdirs else "/"

    def chowned(self) -> Set[str]:
        """The paths the stage's ``RUN chown`` commands give away (relative ones from the
        stage's working folder)."""
        paths: Set[str] = set()
        for words in self.commands():
            if words[0] != "chown":
                continue
            operands = [w for w in words[1:] if not w.startswith("-")]
            for target in operands[1:]:
                paths.add(str(Path(self.workdir()) / target))
        return paths


def dockerfile_stages(text: str) -> List[Stage]:
    """The stages of a Dockerfile, in order."""
    lines: List[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    stages: List[Stage] = []
    for line in lines:
        keyword, _, arguments = line.partition(" ")
        keyword, arguments = keyword.upper(), " ".join(arguments.split())
        if keyword == "FROM":
            words = arguments.split()
            name = words[2] if len(words) > 2 and words[1].upper() == "AS" else ""
            stages.append(Stage(base=words[0], name=name))
        elif stages:
            stages[-1].instructions.append(Instruction(keyword, arguments))
    return stages


def _ignore_pattern(pattern: str) -> re.Pattern[str]:
    regex, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex, index = regex + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif pattern[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif pattern[index] == "?":
            regex, index = regex + "[^/]", index + 1
        else:
            regex, index = regex + re.escape(pattern[index]), index + 1
    return re.compile(regex + r"\Z")


def dockerignored(path: str, patterns: Sequence[str]) -> bool:
    """Whether ``.dockerignore``'s ``patterns`` leave ``path`` (relative to the context)
    out of the image's build context."""
    parts = path.strip("/").split("/")
    # A pattern that matches a folder leaves out everything in it.
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for line in patterns:
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        exception = pattern.startswith("!")
        regex = _ignore_pattern(pattern.lstrip("!").strip().strip("/"))
        if any(regex.match(candidate) for candidate in candidates):
            ignored = not exception
    return ignored


# What each role reads.


def _module_file(name: str) -> Optional[Path]:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(name: str, path: Path) -> Iterator[str]:
    """The modules ``path`` (module ``name``) imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def modules_run(entries: Iterable[str]) -> Dict[str, Path]:
    """The project's modules that run with ``entries``: they, their packages and every
    project module they import, transitively; by name."""
    found: Dict[str, Path] = {}
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in found or name.split(".")[0] not in PACKAGES:
            continue
        path = _module_file(name)
        if path is None:  # a name imported from a module, not a module
            continue
        found[name] = path
        parts = name.split(".")
        todo += [".".join(parts[:n]) for n in range(1, len(parts))]
        todo += list(_imported(name, path))
    return found


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def modules_named_by_rasas_files() -> Set[str]:
    """The project's modules Rasa's files name (``stores.tracker.ClinicTrackerStore``,
    ``channels.rest.ClinicRestInput``, ``components.safety_guard.SafetyGuard``, ...)."""
    named: Set[str] = set()
    for path in RASA_MODULE_FILES:
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            module = text.rpartition(".")[0]
            if module.split(".")[0] in PACKAGES and _module_file(module):
                named.add(module)
    return named


def role_entries(role: str) -> Set[str]:
    """The modules a role's process starts from."""
    if role == "rasa":
        return modules_named_by_rasas_files()
    entry = roles.MODULES[role]
    if _module_file(f"{entry}.__main__"):  # python -m web runs web/__main__.py
        entry = f"{entry}.__main__"
    if role == "actions":  # rasa_sdk's app loads every module of the actions package
        return {entry} | {f"actions.{p.stem}" for p in (ROOT / "actions").glob("*.py")}
    if role == "staff":  # make forget and make purge run in its container (the docs)
        return {entry, "staff.forget", "stores.retention"}
    return {entry}


def names_in(paths: Iterable[Path]) -> Set[str]:
    """The strings of these modules shaped like environment variables' names."""
    names: Set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(_VARIABLE_NAME.findall(node.value))
    return names


#: Settings of Sanic, which every role's server runs on and which reads them itself: who the
#: proxy in front is, so that the client's address is the one it forwards
#: (docs/operations.md).
SANIC_SETTINGS = frozenset(
    {"SANIC_PROXIES_COUNT", "SANIC_REAL_IP_HEADER", "SANIC_FORWARDED_SECRET"}
)


def variables_read_by_role(role: str) -> Set[str]:
    """The environment variables the process of ``role`` may read (module doc).

    The Rasa server's also include the ``${VAR}`` of its files and what the launcher reads
    to make its command line (``launcher/settings.py``: host, port, API token, model).
    Every role's include Sanic's own (:data:`SANIC_SETTINGS`).
    """
    read = names_in(modules_run(role_entries(role)).values()) | SANIC_SETTINGS
    if role == "rasa":
        read |= names_in([ROOT / "launcher" / "settings.py"])
        for path in RASA_FILES:
            read |= set(variables_of(path))
    return read


# Compose's interpolation.

_INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """``value`` with its ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?message}`` filled
    from ``env``, as Compose fills them.

    Raises:
        KeyError: a ``${NAME:?message}`` whose NAME is unset or empty (Compose refuses the
            file, with the message).
    """

    def fill(found: re.Match[str]) -> str:
        name, operator, argument = found.groups()
        given = env.get(name, "")
        if operator == ":?" and not given:
            raise KeyError(f"{name}: {argument}")
        if operator == ":-" and not given:
            return str(argument)
        return given

    return _INTERPOLATION.sub(fill, value)


def required_variables(text: str) -> Set[str]:
    """The variables a compose file cannot start without (``${NAME:?message}``)."""
    return set(re.findall(r"\$\{(\w+):\?", text))
