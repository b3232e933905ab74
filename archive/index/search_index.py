"""The Whoosh index of an archive: opening, reading its counts, writing. Derived data: the database is
the truth (:mod:`archive.index.sync` keeps the two in step)."""

from __future__ import annotations

import contextlib
import gc
import json
import shutil
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.index import LockError

from archive.analysis import ANALYZER_VERSION
from archive.analysis.variants import VARIANT_PREFIX
from archive.config import IndexSettings, MergePolicy
from archive.errors import IndexBusyError, SearchIndexError, disk_full, is_disk_full
from archive.index.codec.whoosh3 import (
    latest_generation,
    move_segment,
    segment_documents,
    staged_segments,
    term_document_counts,
)
from archive.index.feed import UNFILLED, applied_position, record_position
from archive.index.merging import SegmentSize, next_merge
from archive.index.schema import SCHEMA_VERSION, VALUE_FIELDS, build_schema, document
from archive.index.swap import current_directory, fresh_directory_beside
from archive.index.vocabulary import Vocabulary

if TYPE_CHECKING:  # annotations only: a search process need not import SQLAlchemy
    from archive.models import Article

META_FILE = "archive-index.json"
T = TypeVar("T")


@dataclass(frozen=True)
class IndexInfo:
    documents: int
    size_bytes: int
    analyzer_version: str | None


#: The fields whose words make the vocabulary (a form counts the documents of the field it is most in).
VOCABULARY_FIELDS = ("title", "body")


def _document_counts(leaf: Any, fieldname: str) -> Iterator[tuple[bytes, int]]:
    """Every term of a field in one segment with its document count (as ``doc_frequency`` counts).

    Read straight from the segment's term table, not term by term through Whoosh's term infos: a
    vocabulary rebuild at the end of an ingest took a second for 4,500 articles that way."""
    counts = term_document_counts(leaf, fieldname)
    if counts is not None:
        yield from counts
        return
    for term, info in leaf.iter_field(fieldname):  # another kind of reader (an empty index's, say)
        yield (term if isinstance(term, bytes) else term.encode("utf-8")), info.doc_frequency()


def read_quietly(read: Callable[[], T]) -> tuple[T | None, Exception | None]:
    """``read()``, or the error it raised, with the files a failed read of a damaged index left open
    collected quietly. Whoosh retries opening a damaged segment ten times and leaves each try's files to
    the garbage collector (and to the traceback that holds them): the damage itself is what is reported,
    so the error comes back with its traceback cleared."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return read(), None
        except Exception as error:
            failure = error
            traceback.clear_frames(error.__traceback__)
            failure.__traceback__ = None
        gc.collect()  # (only on failure: a search's heap is large, and a collection costs milliseconds)
        return None, failure


def unreadable(path: Path, error: BaseException) -> str:
    """What a search and ``archive check`` say of an index whose files could not be read."""
    return f"The search index at {path} could not be read ({type(error).__name__}: {error}); it may be damaged."


#: What to do about it.
REPAIR = (
    "`archive check` examines it, and `archive check --repair` rebuilds it from the database (nothing stored is lost)."
)


class SearchIndex:
    """A Whoosh index in a directory, with a small JSON file recording how it was built."""

    def __init__(self, path: Path, settings: IndexSettings | None = None) -> None:
        self.path = path
        self.settings = settings or IndexSettings()
        self._ix: Any = None
        #: The directory the open index was opened in (``directory`` may stand for another one since).
        self._opened_in = path

    # --- opening ------------------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        """The directory the index is in: ``path`` itself, or the one it stands for (:mod:`archive.index.swap`)."""
        return current_directory(self.path)

    def exists(self) -> bool:
        """Whether there is an index here (perhaps a damaged one, which :meth:`open` names)."""
        directory = self.directory
        if not directory.is_dir():
            return False
        found, failure = read_quietly(lambda: bool(whoosh_index.exists_in(str(directory))))
        if failure is not None:  # a damaged table of contents: an index all the same
            return any(directory.glob("*.toc"))
        return bool(found)

    def meta(self) -> dict[str, str]:
        try:
            data = json.loads((self.directory / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def is_current(self) -> bool:
        meta = self.meta()
        return meta.get("analyzer_version") == ANALYZER_VERSION and meta.get("schema_version") == SCHEMA_VERSION

    def create(self) -> None:
        """Make a new, empty index here, replacing whatever was in the directory."""
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        # before the table of contents: whoever opens it finds it unfilled (see archive.index.feed)
        record_position(self.path, 0, UNFILLED, UNFILLED)
        self._ix = whoosh_index.create_in(str(self.path), build_schema())
        self._opened_in = self.path
        meta = {"analyzer_version": ANALYZER_VERSION, "schema_version": SCHEMA_VERSION}
        (self.path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    def open(self) -> Any:
        if self._ix is None:
            if not self.exists():
                raise SearchIndexError(f"No search index at {self.path}. Run `archive reindex` to build it.")
            if not self.is_current():
                raise SearchIndexError(
                    f"The search index at {self.path} was built by another version of the analyzer "
                    f"({self.meta().get('analyzer_version', 'unknown')}, now {ANALYZER_VERSION}). "
                    "Run `archive reindex` to rebuild it from the database."
                )
            # (Whoosh raises many unrelated types for a damaged index)
            directory = self._opened_in = self.directory
            self._ix, failure = read_quietly(lambda: whoosh_index.open_dir(str(directory)))
            if failure is not None:
                raise SearchIndexError(f"{unreadable(self.path, failure)} {REPAIR}")
        return self._ix

    def close(self) -> None:
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    # --- reading ------------------------------------------------------------------------------

    def info(self) -> IndexInfo:
        if not self.exists():
            return IndexInfo(0, 0, None)
        size = sum(f.stat().st_size for f in self.directory.iterdir() if f.is_file())
        documents = self.open().doc_count() if self.is_current() else 0
        return IndexInfo(documents, size, self.meta().get("analyzer_version"))

    def stored_hashes(self) -> dict[int, str]:
        """Article id -> content hash of every document in the index, after reading every segment's stored
        fields and its whole term table (what a search reads first): a damaged file raises
        :class:`SearchIndexError` naming it, as a search would trip over it."""
        ix = self.open()  # (a SearchIndexError of its own, naming the fix)

        def read() -> dict[int, str]:
            with ix.reader() as reader:
                hashes = {int(fields["id"]): fields.get("content_hash", "") for fields in reader.all_stored_fields()}
                for leaf, _ in reader.leaf_readers():
                    for field in leaf.indexed_field_names():
                        for _ in _document_counts(leaf, field):
                            pass
                return hashes

        # a damaged segment surfaces as whatever its decoder trips over: read_quietly collects what it left open
        hashes, failure = read_quietly(read)
        if failure is not None or hashes is None:
            raise SearchIndexError(unreadable(self.path, failure or ValueError("nothing read")))
        return hashes

    def applied_position(self) -> int:
        """How far this index has applied the database's change feed (as of its latest commit)."""
        directory = self.directory
        return applied_position(directory, latest_generation(str(directory)))

    @property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.directory)

    def rebuild_vocabulary(self) -> int:
        """Refresh the vocabulary from the lexicon of the text fields; returns the number of forms."""
        counts: dict[str, int] = {}
        with self.open().reader() as reader:
            for field in VOCABULARY_FIELDS:
                in_field: dict[bytes, int] = {}
                for leaf, _ in reader.leaf_readers():
                    for term, documents in _document_counts(leaf, field):
                        in_field[term] = in_field.get(term, 0) + documents
                for term, documents in in_field.items():
                    text = term.decode("utf-8")
                    if not text.startswith(VARIANT_PREFIX) and documents > counts.get(text, 0):
                        counts[text] = documents
        return self.vocabulary.replace(counts.items())

    def update_vocabulary(self, writer: IndexWriter) -> None:
        """Refresh the vocabulary for the word forms of the articles a writer just committed only, so that
        a small change does not cost a scan of the whole lexicon. When the writer only added articles, its
        own counts are added to the vocabulary's; when it replaced some, every form it indexed is looked up
        in the index (26,714 look-ups across three segments took 2.5 s for 200 articles)."""
        if not self.vocabulary.path.exists():
            self.rebuild_vocabulary()
            return
        added = writer.added_form_documents()
        if added is not None and not writer.replaced:
            self.vocabulary.add_documents(added)
            return
        with self.open().reader() as reader:
            counts = [
                (form, max(reader.doc_frequency("title", form), reader.doc_frequency("body", form)))
                for form in writer.indexed_forms()
            ]
        self.vocabulary.update(counts)

    @contextmanager
    def searcher(self) -> Iterator[Any]:
        with self.open().searcher() as searcher:
            yield searcher

    # --- writing ------------------------------------------------------------------------------

    def segment_sizes(self) -> list[tuple[int, int]]:
        """Each segment's documents: (not deleted, all), as the latest commit has them."""
        with self.open().reader() as reader:
            return [(leaf.doc_count(), leaf.doc_count_all()) for leaf, _ in reader.leaf_readers()]

    def due_merge(self, sizes: list[tuple[int, int]]) -> list[int]:
        """The merge the policy would make next of segments of these sizes (none: within its bound)."""
        return next_merge([SegmentSize(*size) for size in sizes], self.settings.merges)

    def has_deletions(self) -> bool:
        return any(live != stored for live, stored in self.segment_sizes())

    def merge(self, articles_of: ArticlesOf | None = None) -> list[int]:
        """Run every merge the policy has due, one commit each (so a command waiting for the index waits for
        one merge at most); returns the documents each read. Given ``articles_of`` (the database's articles
        by id), each merge writes its segments' articles afresh (:meth:`IndexWriter.rewrite`), else it reads
        them back through Whoosh. The vocabulary is rebuilt after them: merges drop deleted documents,
        whose words it still counted."""
        done: list[int] = []
        # (asked before the writer too: a writer that has nothing to do still commits)
        while articles_of is not None and self.due_merge(self.segment_sizes()):
            with self.writer() as writer:
                merged = writer.rewrite(self.due_merge, articles_of)
            self.close()
            if not merged:
                break
            done.append(merged)
        while articles_of is None:
            sizes = self.segment_sizes()
            chosen = tuple(self.due_merge(sizes))
            if not chosen:
                break
            with self.writer() as writer:
                writer.merging = lambda _sizes, picked=chosen: picked
            self.close()
            done.append(sum(sizes[number][1] for number in chosen))
        if done:
            self.rebuild_vocabulary()
            self.close()
        return done

    @contextmanager
    def writer(self, timeout: float | None = None) -> Iterator[IndexWriter]:
        """A writer that commits when the block ends and discards everything if it raises; it waits up to
        ``timeout`` seconds (by default the settings' ``lock_timeout``) for another command's lock."""
        if timeout is None:
            timeout = self.settings.lock_timeout
        try:
            # only writers need it: searches start faster
            from archive.index.codec.segment_writer import FastSegmentWriter

            raw = FastSegmentWriter(
                self.open(),
                timeout=timeout,
                settings=self.settings.writer,
                values=VALUE_FIELDS,
                vocabulary_fields=VOCABULARY_FIELDS,
            )
        except LockError as error:
            raise IndexBusyError(
                f"The search index at {self.path} is being written by another archive command; "
                "try again when it has finished."
            ) from error
        base = raw.generation - 1  # the generation this writer started from (read under its lock)
        start = applied_position(self._opened_in, base)
        writer = IndexWriter(raw, self.settings, start)
        try:
            yield writer
        except BaseException as error:
            if not is_disk_full(error):
                raw.cancel()
                raise
            with contextlib.suppress(Exception):  # (cancelling writes what it holds too, and fails the same way)
                raw.cancel()
            with contextlib.suppress(Exception):
                raw.writelock.release()
            raise disk_full(self.path, "writing the search index", self._room_for(raw.docnum)) from error
        else:
            policy = self.settings.merges
            added = raw.docnum + sum(segment_documents(segment) for segment in writer.adopted)
            try:
                # the position goes with the commit (see archive.index.feed)
                record_position(self._opened_in, raw.generation, writer.position, start)
                # an ingest's commit merges small segments only (commit_merge_documents): large merges are
                # left to `archive optimize` (`archive serve` merges nothing), so no update waits for one
                if writer.dropping:
                    raw.commit_dropping(writer.dropping, writer.adopted)
                else:
                    raw.commit_merging(
                        writer.merging
                        or (lambda sizes: _with_new_segment(sizes, added, policy, policy.commit_merge_documents)),
                        writer.adopted,
                    )
            except OSError as error:
                # (the table of contents is written last: the generation before this one stays in force, and
                # this one's files are the next commit's to clean up)
                if is_disk_full(error):
                    with contextlib.suppress(Exception):  # (releases the lock; may find half a commit done)
                        raw.cancel()
                    with contextlib.suppress(Exception):
                        raw.writelock.release()
                    raise disk_full(self.path, "committing the search index", self._room_for(added)) from error
                raise

    def _room_for(self, documents: int) -> int:
        """About how many bytes ``documents`` more take in this index (its size per document so far; 20 KB a
        document in an empty one: the shared corpus's index holds about 11 KB a document)."""
        try:
            info = self.info()
        except Exception:  # (an index that cannot be read now: the estimate for an empty one)
            info = IndexInfo(0, 0, None)
        each = info.size_bytes / info.documents if info.documents else 20_000
        return int(each * max(documents, 1) * 1.2)


#: The articles of these ids that exist (the database's), for a merge that writes them afresh.
ArticlesOf = Callable[[Sequence[int]], Iterable["Article"]]


class IndexWriter:
    """Adds, replaces and removes articles; the only way the rest of the archive writes to Whoosh."""

    def __init__(self, raw: Any, settings: IndexSettings, position: int = 0) -> None:
        self._raw = raw
        self.settings = settings
        #: The change feed's position this writer's commit will have applied.
        self.position = position
        #: Documents of earlier commits that the articles put replaced (an article indexed again).
        self.replaced = 0
        #: Which segments the commit merges (indices into (live, stored) document counts), when not the
        #: merge policy's choice for a commit.
        self.merging: Callable[[list[tuple[int, int]]], Sequence[int]] | None = None
        #: Segments written by ingest workers, moved into this index, that the commit adds (:meth:`adopt`).
        self.adopted: list[Any] = []
        #: Segments the commit leaves out unread, their articles written afresh here (:meth:`rewrite`).
        self.dropping: tuple[int, ...] = ()

    def applied(self, position: int) -> None:
        """Every change of the feed up to ``position`` has been put or removed here."""
        self.position = max(self.position, position)

    def put(self, articles: Iterable[Article]) -> None:
        # Whoosh's update_document (delete by the unique field, then add), telling how many it replaced,
        # with one searcher for the batch where update_document opens one per article
        with self._raw.searcher() as searcher:
            for article in articles:
                fields = document(article)
                self.replaced += self._raw.delete_by_term("id", fields["id"], searcher=searcher)
                self._raw.add_document(**fields)

    def added_form_documents(self) -> dict[str, int] | None:
        """Once committed: per word form of the articles put, how many of them hold it (None: not known)."""
        counts: dict[str, int] | None = self._raw.added_form_documents()
        return counts

    def indexed_forms(self) -> set[str]:
        """The word forms of the articles put (their text fields' exact terms), known once they are written."""
        forms: set[str] = self._raw.indexed_forms()
        return forms

    def remove(self, article_ids: Iterable[int]) -> None:
        for article_id in article_ids:
            self._raw.delete_by_term("id", str(article_id))

    def remove_committed(self, article_ids: Iterable[int]) -> int:
        """Delete these articles from the segments of earlier commits (one searcher for them all); returns
        how many documents were deleted."""
        deleted = 0
        with self._raw.searcher() as searcher:
            for article_id in article_ids:
                deleted += self._raw.delete_by_term("id", str(article_id), searcher=searcher)
        self.replaced += deleted
        return deleted

    def rewrite(self, choose: Callable[[list[tuple[int, int]]], Sequence[int]], articles_of: ArticlesOf) -> int:
        """Merge by writing afresh: the articles of the segments ``choose`` picks (of this writer's, which its
        lock keeps as they are) are read from the database (``articles_of``: those of these ids that exist)
        and written into this writer's segment, and the commit leaves those segments out unread. Reading
        every document back through Whoosh, a merge's other way, went at 130 documents a second. An
        article changed or deleted in the database since the index's position is written as it is now (or
        not at all): the feed's change after the position applies it again, to the same effect. Returns
        the documents merged."""
        sizes = self._raw.segment_sizes()
        chosen = tuple(choose(sizes))
        if not chosen:
            return 0
        ids = [int(value) for value in self._raw.stored_values(chosen, "id")]
        for start in range(0, len(ids), self.settings.batch):
            for article in articles_of(ids[start : start + self.settings.batch]):
                self._raw.add_document(**document(article))  # (its only document: in a segment left out)
        self.dropping = chosen
        return sum(sizes[number][1] for number in chosen)

    @property
    def folder(self) -> Path:
        """The directory of the index this writer writes."""
        return Path(self._raw.storage.folder)

    def adopt(self, staging: Path) -> int:
        """Move the segments of the index a worker committed in ``staging`` (its own directory, on this
        index's file system) into this index, for this writer's commit to add; returns their documents.
        Its articles must be :meth:`remove_committed` from earlier segments first, as :meth:`put` does."""
        target = str(self._raw.storage.folder)
        documents = 0
        for segment in staged_segments(str(staging)):
            move_segment(segment, str(staging), target)
            self.adopted.append(segment)
            documents += segment_documents(segment)
        return documents


def _with_new_segment(sizes: list[tuple[int, int]], added: int, policy: MergePolicy, limit: int | None) -> list[int]:
    """The policy's next merge, the segment this commit adds (``added`` documents) counted among the rest."""
    everything = [SegmentSize(*size) for size in sizes] + ([SegmentSize(added, added)] if added else [])
    return [number for number in next_merge(everything, policy, limit) if number < len(sizes)]


def new_index_beside(link: Path, settings: IndexSettings | None = None) -> SearchIndex:
    """An empty index in a fresh directory next to ``link`` (``index-<random>``), not yet in use."""
    fresh = SearchIndex(fresh_directory_beside(link), settings)
    fresh.create()
    return fresh
