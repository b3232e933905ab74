"""The vocabulary of an index: every word form it holds, grouped by variant key and by skeleton.

Derived from the index's lexicon after each change and kept beside it in a small SQLite file, so a
query can list the forms a variant key stands for, and reach Devanagari words from a romanised query,
with an indexed look-up instead of a scan of the lexicon.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archive.analysis.cached import variant_key  # the indexer has already keyed these forms: cached
from archive.analysis.variants import skeleton

FILE_NAME = "vocabulary.sqlite"
#: Forms asked about in one statement (SQLite allows 32,766 parameters; a few hundred keeps each quick).
_ASKED_AT_ONCE = 500


@dataclass(frozen=True)
class Form:
    text: str
    documents: int


class Vocabulary:
    """The vocabulary file of an index. With ``keep_open``, look-ups share one read-only connection
    (reopened when the file was replaced) instead of opening the file for each; :meth:`close` it."""

    def __init__(self, index_dir: Path, *, keep_open: bool = False) -> None:
        self.path = index_dir / FILE_NAME
        self.keep_open = keep_open
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def replace(self, forms: Iterable[tuple[str, int]]) -> int:
        """Replace the whole vocabulary with ``(form, document count)`` pairs; returns how many."""
        # a name of this call's own: two processes rebuilding at once must not delete each other's file
        # (a connection to a deleted file fails with "disk I/O error" or "readonly database")
        temporary = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex}.tmp")
        with sqlite3.connect(temporary) as db:
            db.execute(
                "CREATE TABLE forms "
                "(form TEXT PRIMARY KEY, key TEXT, skeleton TEXT, key_skeleton TEXT, documents INTEGER)"
            )
            _write(db, forms)
            db.execute("CREATE INDEX forms_key ON forms (key)")
            db.execute("CREATE INDEX forms_skeleton ON forms (skeleton)")
            db.execute("CREATE INDEX forms_key_skeleton ON forms (key_skeleton)")
            (count,) = db.execute("SELECT count(*) FROM forms").fetchone()
        db.close()
        temporary.replace(self.path)  # readers see the old file or the new one, never half of one
        return int(count)

    def update(self, forms: Iterable[tuple[str, int]]) -> None:
        """Set the document counts of some forms (adding new ones); a count of 0 removes the form."""
        rows = list(forms)
        with sqlite3.connect(self.path) as db:
            _write(db, ((form, count) for form, count in rows if count > 0))
            db.executemany("DELETE FROM forms WHERE form = ?", ((form,) for form, count in rows if count <= 0))
        db.close()

    def add_documents(self, added: dict[str, int]) -> None:
        """Count new documents: ``added`` maps forms to how many new documents hold them. A form already
        here only has its count raised (no keys computed again); a new one is added with its keys."""
        with sqlite3.connect(self.path) as db:
            db.execute("CREATE TEMP TABLE added (form TEXT PRIMARY KEY, documents INTEGER)")
            db.executemany("INSERT INTO added VALUES (?, ?)", added.items())
            db.execute(
                "UPDATE forms SET documents = documents + (SELECT documents FROM added WHERE added.form = forms.form) "
                "WHERE form IN (SELECT form FROM added)"
            )
            new = db.execute("SELECT form, documents FROM added WHERE form NOT IN (SELECT form FROM forms)").fetchall()
            _write(db, new)
        db.close()

    def state(self) -> tuple[int, int, int] | None:
        """What changes whenever the file does (its identity, time and size): for keeping what was read of it."""
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_mtime_ns, status.st_size

    def _query(self, sql: str, value: str) -> list[Form]:
        return [Form(text, documents) for text, documents in self._rows(sql, (value,))]

    def _rows(self, sql: str, values: tuple[object, ...]) -> list[tuple[str, int]]:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return []
        if not self.keep_open:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                return db.execute(sql, values).fetchall()
            finally:
                db.close()
        # replace() renames a new file over the old one: an open connection would go on reading the old
        identity = (status.st_dev, status.st_ino)
        if self._db is None or identity != self._identity:
            self.close()
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._identity = identity
        return self._db.execute(sql, values).fetchall()

    @classmethod
    def of(cls, forms: dict[str, int]) -> Vocabulary:
        """A vocabulary of these forms and document counts, in a temporary directory (for examples)."""
        import tempfile

        vocabulary = cls(Path(tempfile.mkdtemp(prefix="vocabulary-")))
        vocabulary.replace(forms.items())
        return vocabulary

    def counts(self, forms: Iterable[str]) -> dict[str, int]:
        """The document count of each of ``forms`` the index holds, asked a few hundred at a time (one
        look-up each in the index's term tables, segment by segment, cost 100 µs a form)."""
        wanted = list(dict.fromkeys(forms))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), _ASKED_AT_ONCE):
            part = tuple(wanted[start : start + _ASKED_AT_ONCE])
            marks = ",".join("?" * len(part))
            found.update(self._rows(f"SELECT form, documents FROM forms WHERE form IN ({marks})", part))
        return found

    def documents(self, form: str) -> int:
        """In how many documents ``form`` is (0: not a form of the index)."""
        found = self._query("SELECT form, documents FROM forms WHERE form = ?", form)
        return found[0].documents if found else 0

    def near(self, word: str, max_distance: int, *, min_documents: int = 1) -> list[tuple[Form, int]]:
        """Forms at most ``max_distance`` edits from ``word`` that start with its letter and are in at least
        ``min_documents`` documents, with their distance (for "did you mean": a look-up of one letter's
        forms of about the word's length, then C-speed edit distances, in a few milliseconds at any size)."""
        if not word:
            return []
        rows = self._rows(
            "SELECT form, documents FROM forms WHERE form >= ? AND form < ? AND length(form) BETWEEN ? AND ? "
            "AND documents >= ?",
            (word[0], word[0] + "\U0010ffff", len(word) - max_distance, len(word) + max_distance, min_documents),
        )
        # (imported here: only "did you mean" needs it, and its 47 modules cost every search process 5-10 ms)
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        forms = [form for form, _ in rows]
        found = process.extract(word, forms, scorer=Levenshtein.distance, score_cutoff=max_distance, limit=None)
        return [(Form(form, rows[index][1]), int(distance)) for form, distance, index in found]

    def with_key(self, key: str) -> list[Form]:
        """Forms whose variant key is ``key``, most frequent first."""
        return self._query("SELECT form, documents FROM forms WHERE key = ? ORDER BY documents DESC, form", key)

    def with_skeleton(self, letters: str) -> list[Form]:
        """Forms whose skeleton is ``letters`` (for romanised queries), most frequent first."""
        return self._query(
            "SELECT form, documents FROM forms WHERE skeleton = ? ORDER BY documents DESC, form", letters
        )

    def with_key_skeleton(self, letters: str) -> list[Form]:
        """Forms whose variant key has the skeleton ``letters`` (for spelling neighbours), most frequent first."""
        return self._query(
            "SELECT form, documents FROM forms WHERE key_skeleton = ? ORDER BY documents DESC, form", letters
        )


def _write(db: sqlite3.Connection, forms: Iterable[tuple[str, int]]) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO forms VALUES (?, ?, ?, ?, ?)",
        ((form, key, skeleton(form), skeleton(key), count) for form, count in forms for key in [variant_key(form)]),
    )
