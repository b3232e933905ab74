"""Search by meaning: a judged cross-lingual set, and the added latency and memory of meaning and hybrid.

Run from the repository root::

    python -m benchmarks.semantic crosslingual HOME      # an embedded archive of the shared corpus
    python -m benchmarks.semantic latency HOME [--runs N] [--rounds R]
    python -m benchmarks.semantic borrow HOME --source EMBEDDED_HOME   # vectors for a latency run at 100,000

**The cross-lingual set** (:data:`TOPICS`): English questions a researcher types, each with the Hindi words an
article on its subject prints. The judging rule, written before any run and applied by code, never by
reading results: an article answers a question when its **title** holds one of the question's Hindi stems,
or its **title and body together hold them at least three times** (a passing mention is not coverage). A stem
matches as the start of a word (``किसान`` matches ``किसानों``), after NFC. Recall@100 is the share of the
judged articles among the first 100 results; precision@10 the share of the first 10 that are judged (of 10,
however many there are); with more than 100 judged, recall@100 cannot pass 100/judged, so the table gives
that ceiling too. Every mode runs the same English query; words mode is today's search (which reads
English and romanised words as Hindi where the archive's vocabulary allows: ``lockdown`` → लॉकडाउन).

**Latency**: words-only against hybrid (and meaning), alternating query by query in one warm process (as a
server answers), each query's vector computed afresh (its cache cleared), on the home given: p50 and p95
over every run, and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import re
import resource
import sqlite3
import statistics
import time
import unicodedata
from pathlib import Path

from archive.store.packing import unpack

#: (English question, the Hindi stems that mark an article on its subject).
TOPICS: list[tuple[str, tuple[str, ...]]] = [
    ("farmers protest", ("किसान",)),
    ("black money", ("काला धन", "काले धन", "कालाधन", "कालेधन")),
    ("election commission", ("चुनाव आयोग", "निर्वाचन आयोग")),
    ("air pollution", ("वायु प्रदूषण", "प्रदूषण")),
    ("unemployment", ("बेरोजगारी", "बेरोजगार", "बेरोज़गारी")),
    ("demonetisation", ("नोटबंदी", "नोटबन्दी", "विमुद्रीकरण")),
    ("migrant workers walking home", ("प्रवासी मजदूर", "प्रवासी श्रमिक", "प्रवासी कामगार")),
    ("stock market crash", ("शेयर बाजार", "सेंसेक्स", "निफ्टी")),
    ("terrorist attack", ("आतंकी हमल", "आतंकवादी हमल", "आतंकी", "आतंकवाद")),
    ("corruption", ("भ्रष्टाचार",)),
    ("women's safety and rape", ("बलात्कार", "दुष्कर्म", "महिला सुरक्षा", "महिलाओं की सुरक्षा")),
    ("drought and water shortage", ("सूखा", "सूखे", "पानी की किल्लत", "जल संकट", "पेयजल")),
    ("goods and services tax", ("जीएसटी", "वस्तु एवं सेवा कर")),
    ("doctors and nurses fighting the virus", ("डॉक्टर", "चिकित्सक", "नर्स", "स्वास्थ्यकर्मी")),
    ("border dispute with china", ("चीन",)),
]
MODES = ("words", "meaning", "hybrid")
DEPTH = 100


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def occurrences(text: str, stem: str) -> int:
    """Uses of ``stem`` at the start of a word.

    >>> occurrences("किसानों ने किसान आंदोलन किया", "किसान")
    2
    """
    return len(re.findall(r"(?<![\u0900-\u097F\w])" + re.escape(stem), text))


def judged(home: Path) -> dict[str, set[int]]:
    """The articles that answer each question, by the module's rule."""
    db = sqlite3.connect(home / "archive.db")
    truth: dict[str, set[int]] = {question: set() for question, _ in TOPICS}
    for article_id, title, body in db.execute("SELECT id, title, body FROM articles"):
        title, whole = _text(title), _text(title + " " + (unpack(body) or ""))
        for question, stems in TOPICS:
            if any(occurrences(title, s) for s in stems) or sum(occurrences(whole, s) for s in stems) >= 3:
                truth[question].add(article_id)
    return truth


def crosslingual(home: Path) -> None:
    from archive import Archive

    truth = judged(home)
    rows: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    print(f"{'question':<40} {'judged':>6}  " + "  ".join(f"{m:>14}" for m in MODES))
    with Archive(home) as archive:
        for question, _ in TOPICS:
            relevant = truth[question]
            cells = []
            for mode in MODES:
                found = archive.search(question, mode=mode, limit=DEPTH, snippets=False, collapse=False)
                ids = [hit.id for hit in found.hits]
                recall = len(relevant & set(ids)) / len(relevant) if relevant else 0.0
                precision = len(relevant & set(ids[:10])) / 10
                rows[mode].append((recall, precision))
                cells.append(f"R {recall:.2f} P {precision:.1f}")
            print(f"{question:<40} {len(relevant):>6}  " + "  ".join(f"{c:>14}" for c in cells))
    ceiling = statistics.mean(min(1.0, DEPTH / len(truth[q])) for q, _ in TOPICS if truth[q])
    print(f"(recall@100 can reach {ceiling:.2f} on average: some questions have more than {DEPTH} judged articles)")
    print(f"{'mean (recall@100, precision@10)':<40} {'':>6}  " + "  ".join(
        f"R {statistics.mean(r for r, _ in rows[m]):.2f} P {statistics.mean(p for _, p in rows[m]):.2f}".rjust(14)
        for m in MODES
    ))


LATENCY_QUERIES = [
    "farmers protest", "black money", "election commission", "air pollution", "unemployment",
    "सरकार की नीति", "चुनाव परिणाम", "कोरोना वायरस", "शिक्षा व्यवस्था", "महंगाई",
    "rural health care", "monsoon rain", "cricket world cup", "नोटबंदी का असर", "बैंक कर्ज",
]  # fmt: skip


def latency(home: Path, runs: int, rounds: int) -> None:
    from archive import Archive
    from archive.search.meaning import query_vector

    timings: dict[str, list[float]] = {mode: [] for mode in MODES}
    cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
    with Archive(home) as archive:
        for mode in MODES:  # warm-up: the session, the vectors, the model
            archive.search("सरकार", mode=mode)
        for _ in range(rounds):
            for query in LATENCY_QUERIES:
                for _ in range(runs):
                    for mode in MODES:
                        query_vector.cache_clear()
                        start, used = time.perf_counter(), time.process_time()
                        archive.search(query, mode=mode)
                        timings[mode].append((time.perf_counter() - start) * 1000)
                        cpu[mode].append((time.process_time() - used) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base = statistics.median(timings["words"])
    for mode in MODES:
        values = sorted(timings[mode])
        p50, p95 = statistics.median(values), values[int(0.95 * (len(values) - 1))]
        used = statistics.median(cpu[mode])
        print(
            f"{mode:<8} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (+{p50 - base:.1f} ms p50)  "
            f"CPU p50 {used:5.1f} ms (+{used - statistics.median(cpu['words']):.1f})  {len(values)} searches"
        )
    parts(home)
    print(f"peak resident memory of the searching process: {peak:.0f} MB")


def borrow(home: Path, source: Path) -> None:
    """Give every article of ``home`` a real vector of ``source``'s (cycled), for a latency run at a size
    that cannot be embedded here in the time: the search's cost depends on the number of vectors and their
    dimension, not on which article each came from."""
    with sqlite3.connect(source / "archive.db") as db:
        model = db.execute("SELECT id, name, version, dimension, passage FROM embedding_model").fetchone()
        vectors = [blob for (blob,) in db.execute("SELECT vector FROM article_vectors ORDER BY id")]
    with sqlite3.connect(home / "archive.db") as db:
        db.execute("DELETE FROM article_vectors")
        db.execute("DELETE FROM embedding_model")
        db.execute("INSERT INTO embedding_model VALUES (?, ?, ?, ?, ?)", model)
        rows = db.execute("SELECT id, content_hash FROM articles ORDER BY id").fetchall()
        db.executemany(
            "INSERT INTO article_vectors (article_id, content_hash, vector) VALUES (?, ?, ?)",
            ((i, h, vectors[n % len(vectors)]) for n, (i, h) in enumerate(rows)),
        )
    print(f"{len(rows):,} articles given {len(vectors):,} real vectors of {source}, cycled")


def parts(home: Path, runs: int = 30) -> None:
    """What meaning adds, part by part, each timed alone (medians): embedding a query, and comparing it with
    every vector (the CPU time of each, which a busy machine inflates less than the wall clock)."""
    from archive.config import resolve_settings
    from archive.search.meaning import MeaningVectors, query_vector, similarities
    from archive.store.readonly import ReadOnlyStore

    reads = ReadOnlyStore.sqlite(home / "archive.db")
    assert reads is not None
    vectors = MeaningVectors(resolve_settings(home).embedding_model)
    loaded = vectors.loaded(reads)
    rows = __import__("numpy").arange(loaded.ids.size)
    has = rows >= 0
    embed_ms, compare_ms = [], []
    for n in range(runs):
        query_vector.cache_clear()
        used = time.process_time()
        vector = query_vector(vectors.spec, LATENCY_QUERIES[n % len(LATENCY_QUERIES)])
        embed_ms.append((time.process_time() - used) * 1000)
        used = time.process_time()
        similarities(loaded, rows, has, vector)
        compare_ms.append((time.process_time() - used) * 1000)
    print(
        f"parts (CPU, median of {runs}): a query's vector {statistics.median(embed_ms):.1f} ms; compared with "
        f"{loaded.ids.size:,} vectors {statistics.median(compare_ms):.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("crosslingual", "latency", "borrow"))
    parser.add_argument("home", type=Path)
    parser.add_argument("--source", type=Path, help="borrow: the embedded archive whose vectors are lent")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if args.what == "crosslingual":
        crosslingual(args.home)
    elif args.what == "borrow":
        borrow(args.home, args.source)
    else:
        latency(args.home, args.runs, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
