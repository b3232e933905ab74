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

from archive.analysis.acronyms import is_acronym
from archive.errors import QueryError
from archive.messages import Message

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
    phrase = f'{prefix}"{" ".join(parts)}"'
    joined = prefix + "".join(parts)
    return f"{sign}({phrase} OR {joined})"


def typed_query(query: str) -> TypedQuery:
    """The Whoosh text for ``query`` (whose quotes and parentheses :func:`check_syntax` has checked).

    >>> typed_query("जम्मू-कश्मीर -पाकिस्तान").text
    '("जम्मू कश्मीर" OR जम्मूकश्मीर) -पाकिस्तान'
    >>> typed_query("title:भारत-रूस C++").text
    '(title:"भारत रूस" OR title:भारतरूस) C'
    >>> typed_query("मोदी - शाह").notes[0].startswith("Left out the '-' standing alone at position 6")
    True
    """
    chunks = _chunks(query)
    _check_operators(chunks)
    notes: list[str] = []
    text = ""
    for i, chunk in enumerate(chunks):
        piece = chunk.text
        if chunk.kind == "word":
            piece = _rewrite_word(chunk, chunks[i + 1] if i + 1 < len(chunks) else None, notes)
        if piece:
            text += piece if chunk.glued or not text else " " + piece
    acronyms = {word.lower() for word in _ACRONYM_WORD.findall(query) if is_acronym(word)}
    return TypedQuery(text, notes, acronyms - {op.lower() for op in OPERATORS})
