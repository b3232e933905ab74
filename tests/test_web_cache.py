"""The answers a worker keeps (web/common.py: Cache): one computation for concurrent requests of the same
answer, the commit before's answer for those that arrive meanwhile, and never an answer of another commit
to a request alone."""

from __future__ import annotations

import threading

from archive.web.common import Cache


def test_a_request_alone_gets_the_current_commits_answer() -> None:
    cache = Cache()
    assert cache.kept_or("page", 1, lambda: "first") == "first"
    assert cache.kept_or("page", 1, lambda: "never computed") == "first"
    assert cache.kept_or("page", 2, lambda: "second") == "second"  # (a new commit: computed again)
    assert cache.kept_or("page", None, lambda: "not kept") == "not kept"


def test_requests_meanwhile_get_the_commit_befores_answer_and_compute_nothing() -> None:
    cache = Cache()
    cache.kept_or("page", 1, lambda: "old")
    started, release = threading.Event(), threading.Event()
    computed: list[str] = []

    def slow() -> str:
        computed.append("new")
        started.set()
        release.wait(timeout=30)
        return "new"

    first: list[str] = []
    worker = threading.Thread(target=lambda: first.append(cache.kept_or("page", 2, slow)))
    worker.start()
    assert started.wait(timeout=30)
    assert cache.kept_or("page", 2, lambda: "duplicate") == "old"  # (no second computation)
    release.set()
    worker.join(timeout=30)
    assert first == ["new"] and computed == ["new"]
    assert cache.kept_or("page", 2, lambda: "duplicate") == "new"


def test_without_an_answer_before_requests_wait_for_the_first() -> None:
    cache = Cache()
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(timeout=30)
        return "only"

    answers: list[str] = []
    first = threading.Thread(target=lambda: answers.append(cache.kept_or("page", 1, slow)))
    first.start()
    assert started.wait(timeout=30)
    second = threading.Thread(target=lambda: answers.append(cache.kept_or("page", 1, lambda: "duplicate")))
    second.start()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert answers == ["only", "only"]


def test_the_oldest_answers_leave_first() -> None:
    cache = Cache(entries=2)
    for key in ("a", "b", "c"):
        cache.kept_or(key, 1, lambda key=key: key)  # type: ignore[misc]
    assert len(cache) == 2 and cache.get("a", 1) is None and cache.get("c", 1) == "c"
