"""What the archive tells a reader about a search, as messages a page can translate.

A :class:`Message` is the English sentence itself (a ``str``: the CLI prints it, JSON carries it, tests
compare it), and it also keeps its ``code`` and the ``values`` that vary, so that the web page can say the
same thing in Hindi (``archive.web.text``) instead of the English sentence, which sometimes names a CLI
option. Every code's English template is in :data:`ENGLISH`; a test holds the page's languages to it.
"""

from __future__ import annotations

from typing import Any

#: Every message's English template (``str.format`` fields are the message's values).
ENGLISH: dict[str, str] = {
    # the query's syntax
    "query_empty": "The query is empty; give one or more words to search for.",
    "query_too_long": "The query has {length:,} characters; at most {limit:,} are searched.",
    "query_surrogate": "The query has a broken character (a lone surrogate) at position {position}.",
    "query_control": "The query has a control character ({char}) at position {position}.",
    "query_too_deep": "Parentheses nest deeper than {limit} levels at position {position}.",
    "query_unmatched_close": "Unmatched ')' at position {position} in the query; remove it or add a '('.",
    "query_unclosed_quote": 'Unclosed quote at position {position} in the query; add the closing ".',
    "query_unclosed_group": "Unclosed parenthesis at position {position} in the query; add a ')'.",
    "query_unreadable": "Cannot read the query {query!r}: {reason}. See `archive search --help`.",
    "query_no_letters": (
        "Nothing to search for in {query!r}: it has no letters or digits (symbols and emoji are not indexed). "
        "Search for a word."
    ),
    "query_only_common": (
        "Nothing to search for in {query!r}: it has only very common words (such as का, की, और, है) that the "
        "index leaves out. Add a more specific word."
    ),
    "operator_nothing_after": (
        "{operator} at position {position} has nothing after it; add a word after it, or remove it (to search for "
        'the word itself, put it in quotes: "{word}").'
    ),
    "operator_nothing_before": (
        "{operator} at position {position} has nothing before it; add a word before it, or remove it (to search "
        'for the word itself, put it in quotes: "{word}").'
    ),
    "field_nothing_after": (
        "{field} at position {position} has nothing after it; write the word to find in that field straight after "
        "it (such as {field}चुनाव), or remove it."
    ),
    # the request's other parts
    "bad_sort": "Cannot sort by {sort!r}; use one of {choices}.",
    "bad_page": "--limit and --page must be at least 1.",
    "bad_facet": "Unknown facet {facets}; use {choices}.",
    "dates_reversed": "The dates are the wrong way round: --since {since} is after --until {until}; swap them.",
    "undated_with_dates": "Undated articles have no date to be --since or --until; drop one of the two.",
    "not_indexed_yet": "Article {id} is not in the index yet; run `archive reindex`.",
    # a concordance
    "bad_width": "A context of {width} words cannot be shown; give 1 to {limit} words on either side.",
    "bad_kwic_sort": "Cannot order a concordance by {sort!r}; use {choices}.",
    # what sets a result apart
    "bad_terms_limit": "Cannot list {limit} terms; ask for 1 to {most}.",
    # a trend
    "trend_too_many": "A trend compares at most {limit} queries; this one has {count}. Remove some.",
    "bad_granularity": "Unknown granularity {granularity!r}; use {choices}.",
    "trend_too_long": (
        "By {granularity}, this trend has {periods:,} periods; at most {limit:,} are drawn. Choose a longer "
        "period or narrow the dates."
    ),
    # notes shown with the results
    "note_lone_sign": (
        "Left out the {sign!r} standing alone at position {position}: join it to a word (-word leaves the word "
        "out, +word requires it)."
    ),
    "note_left_out_common": (
        "Left out {parts}: only very common words (such as का, की, और, है), which the index leaves out."
    ),
    "note_dated_in": "Also listed: {articles} dated in {year}, after those whose text says it.",
    "note_filters_left_nothing": "{articles} {verb} {query!r}; none {filters}.",
    "note_archive_filters_left_nothing": "The archive has {articles}; none {filters}.",
    "note_passage": (
        "Searched as a passage of {words} words: articles holding most of them rank first, those holding them "
        "in the same order before the rest."
    ),
    "note_meaning_partial": (
        "Searched by meaning among the {embedded} of {articles} articles embedded so far; `archive embed` adds the "
        "rest."
    ),
    "note_passage_unheld": "Searched as a passage of {words} words: the archive holds none of them.",
}


class Message(str):
    """An English sentence for a reader, which also keeps its ``code`` and ``values`` (see the module).

    >>> note = Message("note_dated_in", articles="3 articles", year=2015)
    >>> note, note.code, note.values["year"]
    ('Also listed: 3 articles dated in 2015, after those whose text says it.', 'note_dated_in', 2015)
    """

    code: str
    values: dict[str, Any]

    def __new__(cls, code: str, **values: Any) -> Message:
        message = super().__new__(cls, ENGLISH[code].format(**values))
        message.code = code
        message.values = values
        return message

    def __reduce__(self) -> Any:  # (a str subclass with attributes: pickled by its parts)
        return (_message, (self.code, self.values))

    def text(self, templates: dict[str, str]) -> str:
        """The message in other words: ``templates``' one for its code, else the English sentence."""
        template = templates.get(self.code)
        return template.format(**self.values) if template is not None else str(self)


def _message(code: str, values: dict[str, Any]) -> Message:
    return Message(code, **values)
