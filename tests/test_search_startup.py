"""What a search process loads: "did you mean"'s edit distances (rapidfuzz) only when a search needs a
suggestion, and no progress bar (rich's, ~50 ms) for the commands registered beside `search` that draw one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
from archive import Archive
archive = Archive(sys.argv[1])
found = archive.search(sys.argv[2])
print(json.dumps({"total": found.total, "suggested": list(found.suggestions), "loaded": "rapidfuzz" in sys.modules}))
"""


def _search(home: Path, query: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(home), query], capture_output=True, text=True, check=True)
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_edit_distances_are_loaded_only_for_a_suggestion(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-m", "archive", "--home", str(home), "ingest", "-q"], check=True)

    found = _search(home, "लावरोव")
    assert (found["total"], found["loaded"]) == (1, False)

    misspelt = _search(home, "लावरोब")
    assert misspelt["total"] == 0
    assert misspelt["loaded"] is True
    assert "लावरोव" in str(misspelt["suggested"])


COMMAND = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.startswith("rich")))))
from archive.cli.app import main
sys.argv = ["archive", "--home", sys.argv[1], "search", "लावरोव"]
main()
"""


def test_the_search_command_loads_no_progress_bar(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-m", "archive", "--home", str(home), "ingest", "-q"], check=True)
    done = subprocess.run([sys.executable, "-c", COMMAND, str(home)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert "rich.progress" not in loaded and "rich.console" not in loaded, loaded
