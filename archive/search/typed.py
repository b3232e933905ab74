"""What a user typed, made into the text Whoosh's parser reads without misreading it.

Whoosh reads a ``-`` or ``+`` anywhere before a word as NOT or MUST, so ``जम्मू-कश्मीर`` became
``जम्मू NOT कश्मीर``, and it reads an operator or a field with nothing to act on as a word (a trailing
``AND`` searched for आंड़, a bare ``title:`` for टीला). Here, outside quotes:

* a word joined by ``-`` or ``+`` to the word before it is one hyphenated word, searched as the phrase
  of its parts (which finds ``जम्मू कश्मीर`` and ``जम्मू-कश्मीर``) or the parts written together
  (``जम्मूकश्मीर``); a ``-`` or ``+`` at a word's end is part of its text (``C++``);
* ``-word`` and ``+word`` after a space or at the start still exclude or require the word;
* ``-`` or ``+`` standing alone is left out, with a note;
* an operator with nothing on one side, or a field with nothing after it, is an error naming its position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.analysis import analyze
from archive.analysis.acronyms import is_acronym
from archive.analysis.compounds import join_compounds
from archive.analysis.tokenizer import tokenize
from archive.errors import QueryError
from archive.messages import Message

#: Put before a phrase the user quoted, for the parser (:mod:`archive.search.parsing`) to search it exactly; a
#: control character, which no query may hold (``check_syntax``).
EXACT_MARK = "\x1e"
#: Typed before a quoted phrase, searches it in any spelling and inflection, as quotes did before they were exact.
LOOSE_MARK = "~"
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
#: Operators that join two things (NOT only needs something after it).
BINARY = OPERATORS - {"NOT"}

# a quoted phrase, a parenthesis, or a run of anything else that is not a space
_CHUNK = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
_FIELD = re.compile(r"^([A-Za-z_]+):")
_JOIN = re.compile(r"[-+]+")
_ACRONYM_WORD = re.compile(r"(?<![A-Za-z])[A-Z]+(?![A-Za-z])")


@dataclass
class TypedQuery:
    #: The query in Whoosh's syntax.
    text: str
    #: What was left out of what the user typed, and why (shown with the results).
    notes: list[str] = field(default_factory=list)
    #: The words typed as acronyms (``GST``), lower-cased as the index holds them.
    acronyms: set[str] = field(default_factory=set)


@dataclass
class _Chunk:
    text: str
    position: int  # 1-based, as the messages count
    kind: str  # "phrase", "open", "close", "operator", "word"
    #: Written straight after the chunk before it, with no space (``title:"…"``, ``-(…)``).
    glued: bool = False
    #: A phrase after ``~``: searched as unquoted words are, not exactly.
    loose: bool = False


def _chunks(query: str) -> list[_Chunk]:
    found: list[_Chunk] = []
    for match in _CHUNK.finditer(query):
        text = match.group()
        if text.startswith('"'):
            kind = "phrase"
        elif text in "()":
            kind = "open" if text == "(" else "close"
        elif text in OPERATORS:
            kind = "operator"
        else:
            kind = "word"
        glued = bool(found) and match.start() > 0 and not query[match.start() - 1].isspace()
        found.append(_Chunk(text, match.start() + 1, kind, glued))
    return found


def _check_operators(chunks: list[_Chunk]) -> None:
    """An operator needs something on each side it joins: ``मोदी AND``, ``OR शाह``, ``(AND मोदी)``, ``NOT``."""
    for i, chunk in enumerate(chunks):
        if chunk.kind != "operator":
            continue
        before = chunks[i - 1].kind if i > 0 else None
        after = chunks[i + 1].kind if i + 1 < len(chunks) else None
        if after in (None, "close", "operator") and not (after == "operator" and chunks[i + 1].text == "NOT"):
            raise QueryError(
                Message("operator_nothing_after", operator=chunk.text, position=chunk.position, word=chunk.text.lower())
            )
        if chunk.text in BINARY and before in (None, "open", "operator"):
            raise QueryError(
                Message(
                    "operator_nothing_before", operator=chunk.text, position=chunk.position, word=chunk.text.lower()
                )
            )


def _rewrite_word(chunk: _Chunk, following: _Chunk | None, notes: list[str]) -> str:
    text = chunk.text
    next_kind = following.kind if following is not None and following.glued else None
    sign = ""
    if text[0] in "-+":
        body = text.lstrip("-+")
        if not body and next_kind in ("phrase", "open"):
            return text[0]  # -"a phrase", -(a group)
        if not body:
            notes.append(Message("note_lone_sign", sign=text, position=chunk.position))
            return ""
        sign, text = text[0], body
    prefix = ""
    field_match = _FIELD.match(text)
    if field_match:
        prefix, text = field_match.group(), text[field_match.end() :]
        if not text and next_kind not in ("phrase", "open"):
            raise QueryError(Message("field_nothing_after", field=prefix, position=chunk.position))
    parts = [part for part in _JOIN.split(text) if part]
    if len(parts) <= 1:
        # a sign at the word's end is part of its text (C++), which the analyzer leaves out anyway
        return sign + prefix + (parts[0] if parts else "")
    # (the hyphen stays in the phrase: the analyzer keeps a pair with a stopword in it as one word)
    phrase = f'{prefix}"{"-".join(parts)}"'
    joined = prefix + "".join(parts)
    return f"{sign}({phrase} OR {joined})"


def typed_query(query: str) -> TypedQuery:
    """The Whoosh text for ``query`` (whose quotes and parentheses :func:`check_syntax` has checked).

    A phrase in quotes is marked to be searched exactly as typed (:data:`EXACT_MARK`); one after ``~``
    (``~"शिखर सम्मेलन"``) in any spelling and inflection, as every unquoted word is.

    >>> typed_query("जम्मू-कश्मीर -पाकिस्तान").text
    '("जम्मू-कश्मीर" OR जम्मूकश्मीर) -पाकिस्तान'
    >>> typed_query("title:भारत-रूस C++").text
    '(title:"भारत-रूस" OR title:भारतरूस) C'
    >>> typed_query("मोदी - शाह").notes[0].startswith("Left out the '-' standing alone at position 6")
    True
    >>> typed_query('"सूत्र" ~"शिखर सम्मेलन"').text == EXACT_MARK + '"सूत्र" "शिखर सम्मेलन"'
    True
    >>> typed, = [typed_query("साथ साथ चले में")]; typed.text, typed.notes
    ('साथसाथ चले', ["Left out 'में': only very common words (such as का, की, और, है), which the index leaves out."])
    """
    chunks = _chunks(query)
    _check_operators(chunks)
    notes: list[str] = []
    chunks = _without_common_words(_reduplicated_joined(chunks), notes)
    text = ""
    for i, chunk in enumerate(chunks):
        piece = chunk.text
        following = chunks[i + 1] if i + 1 < len(chunks) else None
        if chunk.kind == "word":
            if chunk.text.endswith(LOOSE_MARK) and following is not None and following.kind == "phrase":
                piece = chunk.text[: -len(LOOSE_MARK)]  # ~"a phrase": as unquoted words are
                following.loose = True
                following.glued = following.glued and (bool(piece) or chunk.glued)
            else:
                piece = _rewrite_word(chunk, following, notes)
        elif chunk.kind == "phrase" and not chunk.loose:
            piece = EXACT_MARK + chunk.text
        if piece:
            text += piece if chunk.glued or not text else " " + piece
    acronyms = {word.lower() for word in _ACRONYM_WORD.findall(query) if is_acronym(word)}
    return TypedQuery(text, notes, acronyms - {op.lower() for op in OPERATORS})


def _reduplicated_joined(chunks: list[_Chunk]) -> list[_Chunk]:
    """A stopword typed twice (``साथ साथ``) as the one word the index keeps for it (``साथसाथ``)."""
    kept: list[_Chunk] = []
    for chunk in chunks:
        before = kept[-1] if kept else None
        if (
            before is not None
            and chunk.kind == before.kind == "word"
            and chunk.text == before.text
            and not chunk.glued
            and join_compounds(f"{before.text} {chunk.text}") == before.text + chunk.text
        ):
            kept[-1] = _Chunk(before.text + chunk.text, before.position, "word", before.glued)
            continue
        kept.append(chunk)
    return kept


def _searchable(chunk: _Chunk) -> str:
    """The words of a word or phrase chunk, without its sign, field and quotes."""
    text = chunk.text.lstrip("-+")
    field_match = _FIELD.match(text)
    if field_match:
        text = text[field_match.end() :]
    return text.strip('"')


def _without_common_words(chunks: list[_Chunk], notes: list[str]) -> list[_Chunk]:
    """The chunks less those of only very common words (which the index leaves out: they would match
    nothing, and take a whole query down with them), each named in a note, and the operators left with
    nothing to join. A query of nothing else is an error."""
    kept: list[_Chunk] = []
    left_out: list[str] = []
    for i, chunk in enumerate(chunks):
        words = _searchable(chunk) if chunk.kind in ("word", "phrase") else ""
        joined_to_next = i + 1 < len(chunks) and chunks[i + 1].glued
        if words and not joined_to_next and _only_common(words):
            left_out.append(repr(chunk.text))
            if kept and kept[-1].kind == "operator" and kept[-1].text in ("NOT", "AND"):
                # (its operator goes with it: a NOT left behind would exclude the next word instead)
                kept.pop()
            continue
        kept.append(chunk)
    if left_out:
        notes.append(Message("note_left_out_common", parts=", ".join(dict.fromkeys(left_out))))
    changed = True
    while changed:  # operators and groups left with nothing on a side
        changed = False
        for i, chunk in enumerate(kept):
            before = kept[i - 1].kind if i > 0 else None
            after = kept[i + 1].kind if i + 1 < len(kept) else None
            dangling = chunk.kind == "operator" and (
                after in (None, "close", "operator") or (chunk.text in BINARY and before in (None, "open", "operator"))
            )
            empty_group = chunk.kind == "open" and after == "close"
            if dangling or empty_group:
                del kept[i : i + (2 if empty_group else 1)]
                changed = True
                break
    if chunks and not any(chunk.kind in ("word", "phrase") for chunk in kept):
        raise QueryError(Message("query_only_common", query=" ".join(chunk.text for chunk in chunks)))
    return kept


def _only_common(words: str) -> bool:
    """Whether ``words`` has letters or digits, all of them in very common words."""
    return any(True for _ in tokenize(words)) and not analyze(join_compounds(words))
