"""``archive embed``: the vectors of every article without a current one, on every core, saved a batch at a
time (a kill loses at most the batches in flight; the next run goes on from what is saved).

The vectors are the database's, shared by every node: the model that made them is recorded there, and a
run with another model configured stops and asks for ``--rebuild`` (vectors of two models cannot be compared).
Worker processes are started with ``spawn`` (everywhere the same; a fork of a process holding the model's
threads is unsafe), each loading the model once and using one core.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from archive.config import EMBED_BATCH, WORKER_PARENT_POLL, Settings
from archive.errors import ArchiveError
from archive.models import EmbedReport, PendingPassage, VectorModel
from archive.semantic.embedder import Embedder, load_embedder
from archive.semantic.packing import pack_vector
from archive.semantic.passages import LEAD_CHARS, passage_text
from archive.store.database import Store

#: What of an article is embedded, recorded with the model: another rule needs a rebuild too.
PASSAGE_RULE = f"title+lead{LEAD_CHARS}"

#: (id, content hash, packed vector) of a batch.
Packed = list[tuple[int, str, bytes]]


class ModelChanged(ArchiveError):
    """The configured model is not the one the archive's vectors are of."""


def vector_model(embedder: Embedder) -> VectorModel:
    return VectorModel(embedder.name, embedder.version, embedder.dimension, PASSAGE_RULE)


def model_changed(recorded: VectorModel, configured: VectorModel) -> ModelChanged:
    return ModelChanged(
        f"The archive's vectors are of {recorded.describe()}, and the configured model is "
        f"{configured.describe()}. Run `archive embed --rebuild` to embed every article again with it "
        "(or set ARCHIVE_EMBEDDING_MODEL back)."
    )


def embed_batch(embedder: Embedder, batch: list[PendingPassage]) -> Packed:
    vectors = embedder.embed_passages([passage_text(p.title, p.body) for p in batch])
    return [(p.id, p.content_hash, pack_vector(v)) for p, v in zip(batch, vectors, strict=True)]


_worker_model: Embedder | None = None


def _start_worker(spec: str) -> None:
    global _worker_model
    _worker_model = load_embedder(spec, threads=1)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()


def _end_with(parent: int) -> None:
    """End this worker when the process that started it is gone (killed: nothing else would tell it, and it
    would wait for work forever). A poll of ``getppid``: the same on every system."""
    while os.getppid() == parent:
        time.sleep(WORKER_PARENT_POLL)
    os._exit(1)


def _worker_identity() -> VectorModel:
    assert _worker_model is not None
    return vector_model(_worker_model)


def _worker_batch(batch: list[PendingPassage]) -> Packed:
    assert _worker_model is not None
    return embed_batch(_worker_model, batch)


_local_models: dict[str, Embedder] = {}


def _in_process(spec: str) -> Embedder:
    """The model for embedding in this process, loaded once (``serve --embed`` asks every few seconds), on one
    core (the other serves)."""
    if spec not in _local_models:
        _local_models[spec] = load_embedder(spec, threads=1)
    return _local_models[spec]


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def embed_archive(
    settings: Settings,
    *,
    limit: int | None = None,
    workers: int | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> EmbedReport:
    """Embed the articles without a current vector (at most ``limit``), with ``workers`` processes (one: in
    this process); ``rebuild`` first deletes every vector, for a new model. ``progress(done, total)``."""
    workers = workers or default_workers()
    store = Store.open(settings, create=False)
    try:
        if workers == 1:
            embedder = _in_process(settings.embedding_model)
            model = vector_model(embedder)
            return _run(store, model, lambda b: embed_batch(embedder, b), None, 1, limit, rebuild, progress)
        context = get_context("spawn")
        try:
            with ProcessPoolExecutor(workers, context, _start_worker, (settings.embedding_model,)) as pool:
                model = pool.submit(_worker_identity).result()
                return _run(store, model, None, pool, workers, limit, rebuild, progress)
        except BrokenProcessPool:
            # (a worker could not load the model: loading it here raises its own message, naming the fix)
            load_embedder(settings.embedding_model)
            raise
    finally:
        store.close()


def _run(
    store: Store,
    model: VectorModel,
    embed: Callable[[list[PendingPassage]], Packed] | None,
    pool: ProcessPoolExecutor | None,
    workers: int,
    limit: int | None,
    rebuild: bool,
    progress: Callable[[int, int], None] | None,
) -> EmbedReport:
    recorded = store.vectors.model()
    if rebuild or recorded is None:
        store.vectors.start(model)
    elif recorded != model:
        raise model_changed(recorded, model)
    total = store.vectors.pending_count()
    todo = total if limit is None else min(total, max(0, limit))
    done = 0
    if progress:
        progress(0, todo)
    batches = _batches(store, todo)
    try:
        if pool is None:
            assert embed is not None
            for batch in batches:
                done += store.vectors.save(embed(batch))
                if progress:
                    progress(done, todo)
        else:
            in_flight: set[Future[Packed]] = set()
            for batch in batches:
                in_flight.add(pool.submit(_worker_batch, batch))
                # (two batches a worker queued: none waits idle while the other's are saved)
                while len(in_flight) >= 2 * workers:
                    finished, in_flight = _saved(store, in_flight)
                    done += finished
                    if progress:
                        progress(done, todo)
            while in_flight:
                finished, in_flight = _saved(store, in_flight)
                done += finished
                if progress:
                    progress(done, todo)
    except KeyboardInterrupt:
        current, articles = store.vectors.coverage()
        return EmbedReport(done, current, articles, model, interrupted=True)
    current, articles = store.vectors.coverage()
    return EmbedReport(done, current, articles, model)


def _saved(store: Store, in_flight: set[Future[Packed]]) -> tuple[int, set[Future[Packed]]]:
    finished, waiting = wait(in_flight, return_when=FIRST_COMPLETED)
    return sum(store.vectors.save(future.result()) for future in finished), set(waiting)


def _batches(store: Store, todo: int) -> Iterator[list[PendingPassage]]:
    after, given = 0, 0
    while given < todo:
        batch = store.vectors.pending(after, min(EMBED_BATCH, todo - given))
        if not batch:
            return
        after = batch[-1].id
        given += len(batch)
        yield batch
