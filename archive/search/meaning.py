"""Search by meaning: the query's vector against every article's, and what a search in meaning or hybrid mode
takes from it.

**The result set of meaning.** Every count a reader sees comes from one set, so "the nearest articles" must be
a set, not an endless ranking: the :data:`MEANING_LIMIT` articles nearest the query (of the whole archive,
before the filters, so that each facet's count is the total of the search with that value chosen), and of
those only the ones whose cosine is within :data:`MEANING_MARGIN` of the nearest article's (a query about
something the archive hardly covers keeps a short list, not a thousand loosely related articles). Filters,
sorts, paging, facets and exports then apply to it as to the articles words match.

**Hybrid** is the union of what the words match and that set, ranked by reciprocal rank fusion (Cormack et al.,
2009): each article scores ``1 / (RRF_K + rank)`` in each list it is in, ranks counted among the results the
filters leave. **Quoted parts stay exact**: in either mode a hit must hold every quoted phrase as typed and
none of the excluded (``-word``) parts; the rest of the query is what is embedded.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from archive.errors import ArchiveError
from archive.index.query.arrays import Floats, Ints, Mask
from archive.models import VectorModel
from archive.semantic.embedder import Embedder, Vectors, load_embedder
from archive.semantic.packing import unpack_vectors

if TYPE_CHECKING:
    from archive.index.query.values import DocValues
    from archive.store.readonly import ReadOnlyStore

MODES = ("words", "meaning", "hybrid", "auto")
#: At most this many articles are found by meaning (a page of 10 is 1% of it; an export is a long read).
MEANING_LIMIT = 1000
#: ... those within this cosine of the nearest one. e5-small's cosines are compressed (unrelated Hindi news
#: scores 0.72-0.78 against an English query, an answer 0.83-0.88): 0.06 below the best keeps the articles on
#: the subject of the judged cross-lingual queries and drops most of the rest (benchmarks/semantic.py).
MEANING_MARGIN = 0.06
#: Reciprocal rank fusion's constant (60, as in the paper and in Elasticsearch and OpenSearch).
RRF_K = 60
#: How long loaded vectors stand before the database is asked whether they changed.
VECTORS_SECONDS = 1.0

_QUOTED = re.compile(r'(?<!\S)-"[^"]*"|(?<!\S)-\S+|"[^"]*"')


class MeaningUnavailable(ArchiveError):
    """Search by meaning cannot run: nothing embedded, or vectors of another model than the configured one."""


def exact_parts(query: str) -> tuple[list[str], list[str], str]:
    """The quoted phrases, the excluded parts (``-word``, ``-"phrase"``) and the text left to embed.

    >>> exact_parts('"शिखर सम्मेलन" farmers protest -चीन')
    (['"शिखर सम्मेलन"'], ['चीन'], 'शिखर सम्मेलन farmers protest')
    """
    quoted, excluded = [], []
    for part in _QUOTED.findall(query):
        if part.startswith("-"):
            excluded.append(part[1:])
        else:
            quoted.append(part)
    kept = _QUOTED.sub(lambda m: "" if m.group().startswith("-") else m.group().strip('"'), query)
    return quoted, excluded, " ".join(kept.split())


@dataclass
class LoadedVectors:
    """The archive's current vectors, by article id (ascending), and the model they are of."""

    model: VectorModel | None
    ids: Ints
    matrix: Vectors
    articles: int
    stamp: tuple[int, ...]


class MeaningVectors:
    """A session's vectors: read once, read again only when the database says they changed (asked at most
    every :data:`VECTORS_SECONDS`), and the query's embedding started in a thread of its own, so that it runs
    on the second core while the words are searched."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._loaded: LoadedVectors | None = None
        self._asked = 0.0
        self._mapping: tuple[Any, Any, Ints, Mask] | None = None
        self._thread: ThreadPoolExecutor | None = None

    def loaded(self, reads: ReadOnlyStore) -> LoadedVectors:
        now = time.monotonic()
        if self._loaded is None or now - self._asked >= VECTORS_SECONDS:
            stamp = reads.vectors_stamp()
            if self._loaded is None or stamp != self._loaded.stamp:
                model = reads.vector_model()
                rows = list(reads.current_vectors())
                ids = np.fromiter((i for i, _ in rows), dtype=np.int64, count=len(rows))
                dimension = model.dimension if model else 0
                matrix = unpack_vectors([blob for _, blob in rows], dimension)
                self._loaded = LoadedVectors(model, ids, matrix, stamp[3] if len(stamp) > 3 else 0, stamp)
                self._mapping = None
            self._asked = now
        return self._loaded

    def start_query(self, text: str) -> Future[Vectors]:
        """The query's vector, computed in the background (``.result()`` waits for it)."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="embed-query")
        return self._thread.submit(query_vector, self.spec, text)

    def by_document(self, loaded: LoadedVectors, values: DocValues) -> tuple[Ints, Mask]:
        """For each document of the searcher, the row of its article's vector, and whether it has one."""
        if self._mapping is None or self._mapping[0] is not loaded or self._mapping[1] is not values:
            numbers = values.numbers("number")
            rows = np.searchsorted(loaded.ids, numbers)
            rows = np.minimum(rows, max(loaded.ids.size - 1, 0))
            has = (loaded.ids[rows] == numbers) & values.live() if loaded.ids.size else np.zeros(numbers.size, bool)
            self._mapping = (loaded, values, rows, has)
        return self._mapping[2], self._mapping[3]

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=False)
            self._thread = None


_query_models: dict[str, Embedder] = {}


def query_embedder(spec: str) -> Embedder:
    """The model that embeds queries, loaded once a process, on one core: two cores cut a short query from 14 ms
    to 7 on an idle machine, but on a busy one the engine's threads wait for each other (OpenMP spins): 2.8 s
    a query against 0.1 s on one, measured here under a load of 15."""
    if spec not in _query_models:
        _query_models[spec] = load_embedder(spec, threads=1)
    return _query_models[spec]


@lru_cache(maxsize=256)
def query_vector(spec: str, text: str) -> Vectors:
    """A query's vector (remembered: the next page, a facet, an export of the same query embed nothing)."""
    vector: Vectors = query_embedder(spec).embed_queries([text])[0]
    return vector


def check_model(loaded: LoadedVectors, spec: str) -> None:
    """Stop when vectors of another model would be compared with the query's."""
    if loaded.model is None or not loaded.ids.size:
        raise MeaningUnavailable(
            "No article has a vector yet, so nothing can be searched by meaning. Run `archive embed` "
            "(or search with --mode words)."
        )
    embedder = query_embedder(spec)
    if (embedder.name, embedder.version, embedder.dimension) != (
        loaded.model.name,
        loaded.model.version,
        loaded.model.dimension,
    ):
        raise MeaningUnavailable(
            f"The archive's vectors are of {loaded.model.describe()}, and the configured model is {embedder.name} "
            f"({embedder.version}). Run `archive embed --rebuild` to embed the archive with it (or set "
            "ARCHIVE_EMBEDDING_MODEL back)."
        )


def similarities(loaded: LoadedVectors, rows: Ints, has: Mask, query: Vectors) -> Floats:
    """Each document's cosine with the query (-inf for one without a vector)."""
    by_vector = loaded.matrix @ query
    found = np.full(rows.size, -np.inf)
    found[has] = by_vector[rows[has]]
    return found


def meaning_set(similarity: Floats, allowed: Mask) -> Mask:
    """The articles found by meaning: the :data:`MEANING_LIMIT` nearest among ``allowed``, within
    :data:`MEANING_MARGIN` of the nearest.

    >>> meaning_set(np.array([0.9, 0.8, 0.86, -np.inf]), np.array([True, True, True, True])).tolist()
    [True, False, True, False]
    """
    candidates = np.flatnonzero(allowed & np.isfinite(similarity))
    chosen = np.zeros(similarity.size, dtype=bool)
    if not candidates.size:
        return chosen
    values = similarity[candidates]
    if candidates.size > MEANING_LIMIT:
        top = np.argpartition(-values, MEANING_LIMIT - 1)[:MEANING_LIMIT]
        candidates, values = candidates[top], values[top]
    chosen[candidates[values >= values.max() - MEANING_MARGIN]] = True
    return chosen


def rank_fused(words: Floats, words_mask: Mask, similarity: Floats, meaning_mask: Mask, result: Mask) -> Floats:
    """Reciprocal rank fusion of the words' ranking and the meaning's, ranks counted among ``result``.

    >>> scores = rank_fused(np.array([2.0, 1.0, 0.0]), np.array([True, True, False]),
    ...     np.array([0.1, 0.9, 0.8]), np.array([False, True, True]), np.array([True, True, True]))
    >>> [round(s * 61 * 62) for s in scores]  # (1/61 + 0, 1/62 + 1/61, 1/62)
    [62, 123, 61]
    """
    fused = np.zeros(words.size)
    for scores, mask in ((words, words_mask & result), (similarity, meaning_mask & result)):
        chosen = np.flatnonzero(mask)
        order = chosen[np.lexsort((chosen, -scores[chosen]))]
        fused[order] += 1.0 / (RRF_K + np.arange(1, order.size + 1))
    return fused


#: Nearest articles by vector that ``similar`` blends with those sharing the article's distinctive words.
SIMILAR_NEAREST = 100


def nearest_to_article(
    vectors: MeaningVectors, reads: ReadOnlyStore, values: DocValues, article_id: int
) -> Floats | None:
    """Each document's cosine with the article's own vector (None when it has no current one: nothing embedded,
    or the article changed since)."""
    loaded = vectors.loaded(reads)
    if loaded.model is None or not loaded.ids.size:
        return None
    row = int(np.searchsorted(loaded.ids, article_id))
    if row >= loaded.ids.size or loaded.ids[row] != article_id:
        return None
    rows, has = vectors.by_document(loaded, values)
    return similarities(loaded, rows, has, loaded.matrix[row])


def top_by_similarity(similarity: Floats, allowed: Mask, count: int = SIMILAR_NEAREST) -> Mask:
    """The ``count`` documents of ``allowed`` nearest by ``similarity``."""
    candidates = np.flatnonzero(allowed & np.isfinite(similarity))
    chosen = np.zeros(similarity.size, dtype=bool)
    if candidates.size > count:
        candidates = candidates[np.argpartition(-similarity[candidates], count - 1)[:count]]
    chosen[candidates] = True
    return chosen
