"""Keyword in context (a concordance): every occurrence of the forms a search matched, one line each, with
the words before and after it, in the search's result order (its filters and story rule).

The occurrences are what a search's snippets mark (:func:`archive.search.matched.marked_in`: a phrase as one, the
variants and inflections included), in the headline and the body. Contexts are whole words: text is cut
only at white space, so a Devanagari syllable (a grapheme cluster) is never broken, and a page or a
terminal aligns and wraps them by words.

Lines are made as they are read, a batch of articles at a time: a whole result set is never in memory, and
a page of 100 lines reads only the articles that hold them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from archive.errors import QueryError
from archive.messages import Message
from archive.search.damage import index_damage_reported
from archive.search.matched import marked_in
from archive.search.matching import Matched, match
from archive.search.request import SearchRequest, is_browse
from archive.search.searching import check_request
from archive.search.session import SearchSession
from archive.search.snippets import marked_text, words_starting_in

#: Words of context on either side by default, and at most (a line wider than a screen is no concordance).
DEFAULT_WIDTH = 6
MAX_WIDTH = 25
SORTS = ("none", "left", "right")
#: The columns of a concordance's sheet (:meth:`KwicLine.to_row`), for the CLI's CSV and the page's.
KWIC_FIELDS = ("id", "title", "source", "date", "field", "left", "match", "right")
#: Articles read at a time.
BATCH = 50
#: Characters of text looked at on either side of a match per word of context: a word longer than this is
#: no word of Hindi prose, and looking no further bounds the work of a line.
_CHARS_A_WORD = 40


@dataclass(frozen=True)
class KwicLine:
    """One occurrence: the article, the field it is in, the words before it, the matched form, the words
    after it."""

    id: int
    title: str
    source: str | None
    date: date | None
    field: str
    left: str
    match: str
    right: str

    def to_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "field": self.field,
            "left": self.left,
            "match": self.match,
            "right": self.right,
        }


def check_kwic(request: SearchRequest, width: int, sort: str = "none") -> None:
    """Refuse what a concordance cannot answer, before any work: no words, a width out of range, an order
    it does not know, and what a search refuses."""
    if is_browse(request.query):
        raise QueryError(Message("query_empty"))
    if not 1 <= width <= MAX_WIDTH:
        raise QueryError(Message("bad_width", width=width, limit=MAX_WIDTH))
    if sort not in SORTS:
        raise QueryError(Message("bad_kwic_sort", sort=sort, choices=", ".join(SORTS)))
    check_request(request)


def kwic_in(session: SearchSession, request: SearchRequest, width: int = DEFAULT_WIDTH) -> Iterator[KwicLine]:
    """Every occurrence of what ``request`` matches, in its result order (``page`` and ``limit`` ignored),
    made as they are read. The query is evaluated now: a bad one fails before the first line."""
    check_kwic(request, width)
    with session.reading():
        found = match(session, request)
    return _lines(session, found, width)


def _lines(session: SearchSession, found: Matched, width: int) -> Iterator[KwicLine]:
    with index_damage_reported(session.settings.index_dir):
        shown = found.shown()
        first_letters = found.query_forms.first_letters()
        while batch := list(islice(shown, BATCH)):
            fields = [found.searcher.stored_fields(d) for d in batch]
            ids = [int(f["id"]) for f in fields]
            texts = found.store.texts(ids)
            bodies = [texts.get(i, (None, ""))[1] for i in ids]
            every = [str(f.get("title") or "") for f in fields] + bodies
            words = words_starting_in(every, first_letters)
            matched = marked_in(found.query_forms, words, every)
            for stored, article_id, body in zip(fields, ids, bodies, strict=True):
                day = stored.get("date")
                head = (article_id, str(stored.get("title") or ""), stored.get("source"), day.date() if day else None)
                for field, text in (("title", head[1]), ("body", body)):
                    for left, form, right in occurrences(text, matched, width):
                        yield KwicLine(*head, field, left, form, right)


def occurrences(text: str, forms: Iterable[str], width: int) -> Iterator[tuple[str, str, str]]:
    """Each whole-word occurrence of ``forms`` in ``text`` with ``width`` words before and after it; white
    space in a context is one space.

    >>> list(occurrences("नदी में बाढ़ आई। फिर बाढ़", {"बाढ़"}, 2))
    [('नदी में', 'बाढ़', 'आई। फिर'), ('आई। फिर', 'बाढ़', '')]
    """
    chosen = set(forms)
    if not chosen:
        return
    reach = width * _CHARS_A_WORD
    position = 0
    for piece, marked in marked_text(text, chosen):
        start, position = position, position + len(piece)
        if not marked:
            continue
        yield _before(text, start, width, reach), piece, _after(text, position, width, reach)


def _before(text: str, start: int, width: int, reach: int) -> str:
    low = max(0, start - reach)
    words = text[low:start].split()
    if low > 0 and len(words) <= width and words:
        words = words[1:]  # (cut by the reach: its first word may be a part of one)
    return " ".join(words[-width:])


def _after(text: str, end: int, width: int, reach: int) -> str:
    high = min(len(text), end + reach)
    words = text[end:high].split()
    if high < len(text) and len(words) <= width and words:
        words = words[:-1]
    return " ".join(words[:width])


def sort_key(line: KwicLine, sort: str) -> tuple[Any, ...]:
    """A concordance's orders: by the words to the left, nearest first (``left``), or to the right
    (``right``), then by the form matched."""
    if sort == "left":
        return (line.left.split()[::-1], line.match)
    if sort == "right":
        return (line.right.split(), line.match)
    return ()


def sorted_lines(lines: Iterable[KwicLine], sort: str, most: int) -> tuple[list[KwicLine], bool]:
    """The first ``most`` lines, sorted by ``sort`` (``none``: as found), and whether there were more (then
    only those were sorted: a page bounds its work by what it shows, never by the whole result)."""
    taken = list(islice(lines, most + 1))
    more = len(taken) > most
    taken = taken[:most]
    if sort != "none":
        taken.sort(key=lambda line: sort_key(line, sort))
    return taken, more
