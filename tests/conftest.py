"""Shared fixtures: a real archive home in a temp dir and the CLI driven through Typer's runner."""

from __future__ import annotations

import gzip
import json
import os
import random
import socket
import subprocess
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from typer.testing import CliRunner, Result

from archive.cli.app import app
from archive.config import Settings, resolve_settings

Run = Callable[..., Result]

#: A PostgreSQL server where the tests may create databases (`.ci/run` starts one); its tests skip without.
PG_SERVER = os.environ.get("ARCHIVE_TEST_PG_URL")

# No deadlines for property tests: they are about answers, not speed (no test asserts a time). Hypothesis's
# default of 200 ms failed whenever a first example paid for a lazy import on a busy machine.
# Randomised: every run draws new examples from a seed it prints (at the top and the end of the run;
# ARCHIVE_HYPOTHESIS_SEED=N draws the same again for the same selection of tests), and a failure prints its
# example and blob (`print_blob`). The failures found are kept in tests/hypothesis-examples (committed), which
# every later run, here and in CI, tries first: regression examples for free.
EXAMPLES = Path(__file__).resolve().parent / "hypothesis-examples"
SEED_ENV = "ARCHIVE_HYPOTHESIS_SEED"
settings.register_profile(
    "archive", deadline=None, print_blob=True, database=DirectoryBasedExampleDatabase(str(EXAMPLES))
)
settings.load_profile("archive")


def _hypothesis_seed() -> int:
    """The run's seed, which Hypothesis draws each test's seed from. (Hypothesis's own --hypothesis-seed gives
    every test one seed and turns its database of failures off; this keeps the database.)"""
    from random import Random, SystemRandom

    from hypothesis import core

    seed = int(os.environ.get(SEED_ENV) or SystemRandom().randrange(2**32))
    core.threadlocal._hypothesis_global_random = Random(seed)
    return seed


HYPOTHESIS_SEED = _hypothesis_seed()


def pytest_report_header() -> str:
    return f"hypothesis: examples drawn from seed {HYPOTHESIS_SEED} (the same again: {SEED_ENV}={HYPOTHESIS_SEED})"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        f"hypothesis: examples drawn from seed {HYPOTHESIS_SEED} (the same again: {SEED_ENV}={HYPOTHESIS_SEED})"
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path) -> Settings:
    return resolve_settings(home)


class Cli:
    """``cli("search", "लावरोव")`` runs ``archive --home <home> search लावरोव`` through Typer's runner, with
    ``ARCHIVE_HOME`` and ``ARCHIVE_DB_URL`` unset."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._runner = CliRunner(env={"ARCHIVE_HOME": None, "ARCHIVE_DB_URL": None})

    def __call__(self, *args: str) -> Result:
        return self._runner.invoke(app, ["--home", str(self.home), *args], catch_exceptions=False)


@pytest.fixture
def run(home: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``run("search", "लावरोव")`` runs ``archive --home <tmp> search लावरोव``."""
    monkeypatch.delenv("ARCHIVE_HOME", raising=False)
    monkeypatch.delenv("ARCHIVE_DB_URL", raising=False)
    return Cli(home)


def ingested(tmp_path_factory: pytest.TempPathFactory, name: str, records: Iterable[dict[str, Any]]) -> Cli:
    """An archive of these records, made once for a module whose tests only read it (a module-scoped
    fixture calls this): one ingest, not one per test."""
    folder = tmp_path_factory.mktemp(name)
    cli = Cli(folder / "home")
    result = cli("ingest", str(write_jsonl(folder / f"{name}.jsonl", records)))
    assert result.exit_code == 0, result.output
    return cli


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Wait until ``condition()`` is true (and return it): a readiness signal, for a state another process
    reaches (a process started, a batch stored, an index committed), never a fixed sleep that races it."""
    import time

    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.02)
    return found


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(lines.encode("utf-8")))
    else:
        path.write_text(lines, encoding="utf-8")
    return path


@pytest.fixture
def articles_file(tmp_path: Path) -> Path:
    """Four short articles written for the tests, with urls, sources and dates."""
    return write_jsonl(
        tmp_path / "articles.jsonl",
        [
            {
                "title": "दिल्ली में बारिश से राहत",
                "body": "राजधानी दिल्ली में आज तेज बारिश हुई। गर्मी से लोगों को राहत मिली।",
                "url": "https://example.org/1",
                "source": "दैनिक जागरण",
                "category": "मौसम",
                "date": "2016-01-25",
            },
            {
                "title": "क्रिकेट: भारत ने मैच जीता",
                "body": "भारत की टीम ने रोमांचक मुकाबले में ऑस्ट्रेलिया को हराया। कप्तान ने बारिश का जिक्र किया।",
                "url": "https://example.org/2",
                "source": "अमर उजाला",
                "date": "2016-02-01",
            },
            {
                "title": "नई शिक्षा नीति पर चर्चा",
                "body": "सरकार ने नई शिक्षा नीति पर विशेषज्ञों से बातचीत की।",
                "source": "जनसत्ता",
            },
            {
                "title": "संसद का सत्र",
                "summary": "संसद का शीतकालीन सत्र शुरू।",
                "body": "संसद के शीतकालीन सत्र में कई विधेयक पेश होंगे।",
                "url": "https://example.org/4",
            },
        ],
    )


#: Slow tests in files whose owners mark them there later (the web's and the search edges'); every other slow
#: test carries ``@pytest.mark.slow`` itself.
SLOW_ELSEWHERE = {
    "test_web_load.py::test_twenty_clients_for_thirty_seconds_while_an_ingest_writes",
    "test_web_browser.py::test_search_filter_open_go_back_download_and_without_javascript",
    "test_search_edges.py::test_quoting_never_widens_a_result",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Whoosh contract first: when a new whoosh-reloaded changes what the codec relies on, its message
    (which name, which version) comes before the failures that follow from it. And the slow tier:
    ``pytest -m "not slow"`` is the inner loop (subprocesses, kills at random moments, generated queries by
    the hundred, load and browser tests left to the full run, which CI makes)."""
    items.sort(key=lambda item: item.path.name != "test_whoosh_contract.py")
    for item in items:
        name = item.originalname if isinstance(item, pytest.Function) else item.name
        if f"{item.path.name}::{name}" in SLOW_ELSEWHERE:
            item.add_marker(pytest.mark.slow)


def with_array_terms(settings: Settings, **thresholds: Any) -> Settings:
    """``settings`` whose index writer gives plain arrays to other terms (see :class:`archive.config.ArrayTerms`)."""
    from dataclasses import replace

    from archive.config import ArrayTerms

    writer = settings.index.writer._replace(arrays=ArrayTerms()._replace(**thresholds))
    return replace(settings, index=settings.index._replace(writer=writer))


def without_commit_merges(settings: Settings) -> Settings:
    """``settings`` whose commits merge nothing: each ingest stays a segment of its own (a commit merges
    tiny segments by default, and the small ingests of tests are tiny)."""
    from dataclasses import replace

    merges = settings.index.merges._replace(commit_merge_documents=0)
    return replace(settings, index=settings.index._replace(merges=merges))


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped afterwards."""
    import psycopg

    assert PG_SERVER
    name = f"archive_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


# --- shared data: the newsroom articles, and index documents built from the seeds --------------------------

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NEWSROOM_SOURCES = ["दैनिक जागरण", "अमर उजाला", "नई दुनिया", "नईदुनिया"]  # the last two are one outlet
NEWSROOM_CATEGORIES = ["राजनीति", "खेल", "अर्थ"]
NEWSROOM_START = date(2015, 1, 10)

WIRE = (
    "राज्य में बाढ़ से हजारों लोग बेघर हो गए हैं और राहत शिविरों में भोजन की भारी कमी बताई जा रही है। "
    "प्रशासन ने सेना से मदद मांगी है तथा नावों से लोगों को सुरक्षित स्थानों पर पहुंचाया जा रहा है। "
    "मौसम विभाग ने अगले तीन दिनों तक भारी बारिश की चेतावनी दी है और नदियों का जलस्तर खतरे के निशान से ऊपर है। "
    "मुख्यमंत्री ने प्रभावित जिलों का हवाई सर्वेक्षण किया और पीड़ितों को हर संभव सहायता देने का भरोसा दिलाया। "
    "स्कूलों को एक सप्ताह के लिए बंद कर दिया गया है तथा रेल और सड़क यातायात पर भी असर पड़ा है। "
    # long enough that a sentence more or less moves the signature by a bit or two (for any hash)
    "जिला प्रशासन के अनुसार अब तक दो सौ से अधिक गांव पानी में डूब चुके हैं और कई पुल बह गए हैं। "
    "राहत दलों ने बताया कि दूरदराज के इलाकों तक पहुंचना कठिन है क्योंकि अधिकतर सड़कें टूट गई हैं। "
    "स्वास्थ्य विभाग ने शिविरों में डॉक्टरों की टीमें भेजी हैं ताकि बीमारियों को फैलने से रोका जा सके। "
    "पीने के पानी की आपूर्ति बाधित होने से लोगों को टैंकरों पर निर्भर रहना पड़ रहा है। "
    "किसानों का कहना है कि खड़ी फसलें पूरी तरह नष्ट हो गई हैं और उन्हें भारी नुकसान उठाना पड़ा है। "
    "विपक्षी दलों ने सरकार पर राहत कार्यों में देरी का आरोप लगाया और मुआवजे की मांग की। "
    "केंद्र सरकार ने राज्य को अतिरिक्त सहायता राशि जारी करने की घोषणा की है। "
    "आपदा प्रबंधन बल के जवान दिन रात बचाव अभियान में जुटे हुए हैं और अब तक हजारों लोगों को बचाया गया है। "
    "कई परिवारों ने अपने मवेशियों को ऊंचे स्थानों पर पहुंचाया है लेकिन चारे की कमी बनी हुई है। "
    "बिजली विभाग ने सुरक्षा के कारण कई क्षेत्रों में आपूर्ति रोक दी है जिससे अंधेरा छाया हुआ है। "
    "स्वयंसेवी संगठन भोजन के पैकेट और कपड़े बांट रहे हैं तथा बच्चों के लिए दूध की व्यवस्था कर रहे हैं। "
    "विशेषज्ञों का मानना है कि नदियों के किनारे अवैध निर्माण ने इस बार बाढ़ को और गंभीर बना दिया है। "
    "मौसम साफ होने के बाद नुकसान का सही आकलन किया जाएगा और पुनर्वास की योजना बनाई जाएगी। "
    "लोगों ने प्रशासन से मांग की है कि स्थायी तटबंध बनाए जाएं ताकि हर साल ऐसी तबाही न हो।"
)


def make_articles() -> list[dict[str, Any]]:
    articles = []
    for i in range(30):
        words = ["चुनाव" if i % 2 == 0 else "मतदाता", "क्रिकेट" if i % 3 == 1 else "संसद"]
        if i % 5 == 0:
            words.append("महंगाई")
        articles.append(
            {
                "title": f"खबर {i}: {words[0]}",
                "body": f"आज की खबर संख्या {i} में " + " और ".join(words) + " की चर्चा हुई। विशेष विवरण {i}।",
                "url": f"https://news.example/{i}",
                "source": NEWSROOM_SOURCES[i % 4],
                "category": NEWSROOM_CATEGORIES[i % 3],
                "date": (NEWSROOM_START + timedelta(days=45 * i)).isoformat(),
            }
        )
    # one wire story printed by three outlets with small edits, and an article on another subject
    for n, outlet in enumerate(["दैनिक जागरण", "अमर उजाला", "जनसत्ता"]):
        body = WIRE + (" अधिकारियों ने स्थिति पर नजर रखी।" if n == 1 else "")
        articles.append({"title": f"बाढ़ का कहर ({outlet})", "body": body, "source": outlet, "date": "2017-07-01"})
    return articles


#: The newsroom fixture (tests/test_search_features.py and others): article ``i`` gets id ``i + 1``.
ARTICLES = make_articles()


def index_documents(count: int) -> list[dict[str, Any]]:
    """Articles recombined from the seed's sentences: many rare terms, some common ones, repeats."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    sentences = [s.strip() for s in text.replace("\n", "।").split("।") if s.strip()]
    rng = random.Random(7)
    docs = []
    for number in range(count):
        body = "। ".join(rng.choices(sentences, k=rng.randint(1, 12))) + f" शब्द{number % 5} अद्वितीय{number}"
        docs.append(
            {
                "id": str(number),
                "title": rng.choice(sentences)[:60],
                "body": body,
                "source": rng.choice(["जनसत्ता", "नवभारत टाइम्स", "Dainik Jagran"]),
                "source_key": rng.choice(["jansatta", "nbt"]),
                "category": rng.choice(["देश", "विदेश"]),
                "date": datetime(2015 + number % 5, 1 + number % 12, 1 + number % 28),
                "year": str(2015 + number % 5),
                "cluster": str(number // 3),
                "number": number,
                "content_hash": f"h{number}",
            }
        )
    return docs


def build_index(path: Path, writer_factory: Any, docs: list[dict[str, Any]]) -> Any:
    path.mkdir()
    from whoosh import index as whoosh_index

    from archive.index.schema import build_schema

    ix = whoosh_index.create_in(str(path), build_schema())
    half = len(docs) // 2
    for batch in (docs[:half], docs[half:]):  # two commits: the second merges the first segment
        writer = writer_factory(ix)
        for doc in batch:
            writer.update_document(**doc)
        writer.commit()
    writer = writer_factory(ix)  # replace and delete some, then merge everything
    writer.update_document(**{**docs[3], "body": "नया पाठ लावरोव"})
    writer.delete_by_term("id", "5")
    writer.commit(optimize=True)
    return whoosh_index.open_dir(str(path))  # a stock Whoosh opens it


def all_postings(ix: Any) -> dict[tuple[str, bytes], list[tuple[str, float, bytes | None, int]]]:
    """Every posting by stored article id (document numbers may differ), with the field length."""
    found: dict[tuple[str, bytes], list[tuple[str, float, bytes | None, int]]] = {}
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for fieldname, btext in reader.all_terms():
            matcher = reader.postings(fieldname, btext)
            rows = []
            while matcher.is_active():
                docnum = matcher.id()
                if docnum in ids:
                    length = reader.doc_field_length(docnum, fieldname)
                    # a field with no values (dates, ids) reads as None from a block and "" from inline postings
                    rows.append((ids[docnum], matcher.weight(), matcher.value() or None, length))
                matcher.next()
            found[(fieldname, btext)] = sorted(rows)
    return found


def with_closeness(searcher: Any, parsed: Any, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Stock Whoosh's ``(docnum, score)`` hits of a query, best first, reordered by the archive's closeness
    rule (:mod:`archive.search.closeness`), with stock Whoosh finding the phrases: the oracle of that rule."""
    from archive.search.closeness import RANKED, closeness_queries

    queries = closeness_queries(parsed)
    if queries is None or not hits:
        return hits
    best = {doc for doc, _ in sorted(hits, key=lambda hit: (-hit[1], hit[0]))[:RANKED]}
    step = max(score for doc, score in hits if doc in best)
    raised = dict(hits)
    for query in queries:
        for doc in {hit.docnum for hit in searcher.search(query, limit=None)} & best:
            raised[doc] += step
    return sorted(raised.items(), key=lambda hit: (-hit[1], hit[0]))


# --- a server process: `archive serve` as users start it ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def env() -> dict[str, str]:
    values = {**os.environ}
    values.pop("ARCHIVE_HOME", None)
    values.pop("ARCHIVE_DB_URL", None)
    return values


def get_json(address: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(address, timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def wait_until_up(address: str, process: subprocess.Popen[str]) -> None:
    """Ready when the server accepts a connection on its port (or fails: asserted)."""
    port = int(address.split(":")[2].split("/")[0])

    def accepting() -> bool:
        assert process.poll() is None, process.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            return False
        return True

    wait_for(accepting, f"{address} to answer")


TREND_OUTLETS = ("जनसत्ता", "अमर उजाला", "दैनिक जागरण")


def trend_news() -> list[dict[str, Any]]:
    """Flood and drought articles over two years, some undated, one story printed by two outlets a month
    apart, one article about neither (tests/test_trend.py, test_web_trend.py)."""
    records: list[dict[str, Any]] = []
    dates = ["2019-01-03", "2019-01-20", "2019-02-11", "2019-04-30", "2019-07-04", "2019-07-05", "2020-03-15"]
    for n, day in enumerate(dates):
        records.append(
            {
                "title": f"बाढ़ की खबर {n}",
                "body": f"नदी {n} में बाढ़ आई और गाँव {n} डूब गया। राहत दल {n} पहुँचा।",
                "source": TREND_OUTLETS[n % 3],
                "date": day,
                "url": f"https://example.org/flood/{n}",
            }
        )
    for n, day in enumerate(["2019-01-09", "2019-07-20", "2020-03-02", "2020-03-03"]):
        records.append(
            {
                "title": f"सूखे की मार {n}",
                "body": f"खेत {n} में सूखा पड़ा; किसान {n} परेशान हैं, बादल {n} नहीं आए।",
                "source": TREND_OUTLETS[n % 3],
                "date": day,
                "url": f"https://example.org/drought/{n}",
            }
        )
    for n in range(2):
        records.append(
            {
                "title": f"बिना तिथि की बाढ़ {n}",
                "body": f"पहाड़ {n} पर बाढ़ से सड़क टूटी।",
                "source": TREND_OUTLETS[n],
                "url": f"https://example.org/undated/{n}",
            }
        )
    # one story printed twice: the same long text in two outlets, a month apart (a copy, collapsed)
    story = (
        "मुख्यमंत्री ने बाढ़ प्रभावित जिलों का हवाई सर्वेक्षण किया और राहत शिविरों में भोजन, दवा और पानी की व्यवस्था "
        "करने के निर्देश दिए। उन्होंने कहा कि हर परिवार को सहायता राशि दी जाएगी और टूटे पुलों की मरम्मत जल्द होगी। "
    )
    records.append({"title": "हवाई सर्वेक्षण", "body": story * 3, "source": TREND_OUTLETS[0], "date": "2019-08-01"})
    copy = {"title": "हवाई सर्वेक्षण किया", "body": story * 3 + "अंत।", "date": "2019-09-02"}
    records.append({**copy, "source": TREND_OUTLETS[1]})
    # published, but about neither: the normaliser counts it
    records.append({"title": "क्रिकेट", "body": "भारत ने मैच जीता।", "source": TREND_OUTLETS[2], "date": "2019-01-25"})
    return records


# PostgreSQL clusters of the tests' own (a primary and its standby), shared by the replica, restart and backup tests
from tests.clusters import pg_clusters, pg_pair  # noqa: E402, F401
