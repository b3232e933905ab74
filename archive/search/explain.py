"""Why did this match? A hit's score taken apart: which forms of the query matched in which field, what
each added, and what ranking by closeness (or a year's dated articles, or a passage's word order) added.

The parts are the query's scoring leaves as evaluated (a word's form or spelling key in one field, a
phrase), each with the score it gives the document, times the boosts above it; a leaf under an exclusion
(``AndNot``) counts where the exclusion lets the document through. What the leaves do not account for is
named by the rule that added it, so that the parts add up to the hit's score.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from archive.analysis.variants import VARIANT_PREFIX
from archive.index.query.evaluator import Evaluator
from archive.search.matching import Matched

#: Below this, what the leaves leave of a score is rounding, not a rule.
ROUNDING = 1e-6


@dataclass(frozen=True)
class Contribution:
    """One part of a hit's score: ``form`` matched in ``field`` (empty for a ranking rule) added ``score``."""

    field: str
    form: str
    score: float
    #: "form" (a form of a word or phrase searched), "spelling" (any spelling of a word: its variant key),
    #: "closeness", "dated" or "passage".
    kind: str
    #: For a ranking rule, which (``near``, ``adjacent``, ``dated``, ``order``): what a page translates.
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "form": self.form,
            "kind": self.kind,
            "rule": self.rule,
            "score": round(self.score, 4),
        }

    def describe(self, *, scored: bool = True) -> str:
        """For a reader: ``title: सरकार 6.21``, ``body: any spelling or form of सरकार 2.0``, ``words side by
        side +9.3`` (without the score, with ``scored=False``)."""
        form = f"any spelling or form of {self.form}" if self.kind == "spelling" else self.form
        text = f"{self.field}: {form}" if self.field else form
        if not scored:
            return text
        return f"{text} +{self.score:.4g}" if not self.field else f"{text} {self.score:.4g}"


def explanations(found: Matched, docs: Sequence[int]) -> dict[int, list[Contribution]]:
    """The parts of the scores of ``docs`` (document numbers of ``found``), largest first."""
    parts: dict[int, list[Contribution]] = {doc: [] for doc in docs}
    if found.expanded_query is None or not docs:
        return parts
    evaluator = Evaluator(found.searcher, found.values)
    if found.passage is not None:
        return _passage_parts(found, evaluator, docs)
    # an AND below the top counts only where all of it matches (a word of "भारतीय जनता पार्टी" alone is no
    # part of a score the phrase's synonym made): each such AND is evaluated once, as the leaves' gate
    gates: dict[int, Any] = {}
    for leaf, boost, within in _scoring_leaves(found.expanded_query, 1.0, (), top=True):
        matched = evaluator.scores(leaf)
        for node in within:
            if id(node) not in gates:
                gates[id(node)] = evaluator.docs(node)
        for doc in docs:
            if matched.mask[doc] and all(gates[id(node)][doc] for node in within):
                parts[doc].append(_contribution(leaf, float(matched.scores[doc]) * boost))
    closeness = found.closeness
    for doc in docs:
        if closeness is not None and closeness.near[doc]:
            parts[doc].append(Contribution("", "words near one another", closeness.step, "closeness", "near"))
            if closeness.adjacent[doc]:
                parts[doc].append(Contribution("", "words side by side", closeness.step, "closeness", "adjacent"))
        rest = float(found.matches.scores[doc]) - sum(part.score for part in parts[doc])
        if not parts[doc] and rest > ROUNDING:  # (a query of a year also lists the articles dated in it)
            parts[doc].append(Contribution("", "dated in the year asked", rest, "dated", "dated"))
        parts[doc].sort(key=lambda part: -part.score)
    return parts


def _passage_parts(found: Matched, evaluator: Evaluator, docs: Sequence[int]) -> dict[int, list[Contribution]]:
    """A passage scores one for each of its chosen words an article holds, then its order (as ranked)."""
    assert found.passage is not None
    parts: dict[int, list[Contribution]] = {doc: [] for doc in docs}
    for word in found.passage.chosen:
        held = evaluator.docs(wq.Term("body", word))
        for doc in docs:
            if held[doc]:
                parts[doc].append(Contribution("body", word, 1.0, "passage"))
    for doc in docs:
        rest = float(found.matches.scores[doc]) - len(parts[doc])
        if rest > ROUNDING:
            parts[doc].append(Contribution("", "the passage's words in its order, and BM25", rest, "passage", "order"))
        parts[doc].sort(key=lambda part: -part.score)
    return parts


def _scoring_leaves(
    node: Any, boost: float, within: tuple[Any, ...], *, top: bool = False
) -> Iterator[tuple[Any, float, tuple[Any, ...]]]:
    """The parts of a query whose scores make up a match's score, with the boost of the nodes above each and
    the ANDs it sits in, the query's own top AND left out: every result matches that one (Whoosh sums the
    scores of an AND's and an OR's parts, and a NOT adds nothing a reader can use)."""
    if isinstance(node, wq.AndNot):
        if isinstance(node.a, wq.Term | wq.Phrase):
            yield node, boost, within  # the form, where the exclusion lets it count
        else:
            yield from _scoring_leaves(node.a, boost * node.boost, within)
    elif isinstance(node, wq.And | wq.Or):
        gate = (*within, node) if isinstance(node, wq.And) and not top else within
        for sub in node.subqueries:
            if not isinstance(sub, wq.Not):
                yield from _scoring_leaves(sub, boost * node.boost, gate)
    elif not isinstance(node, wq.Not):
        yield node, boost, within


def _contribution(leaf: Any, score: float) -> Contribution:
    shown = leaf.a if isinstance(leaf, wq.AndNot) else leaf
    field = getattr(shown, "fieldname", "") or ""
    if isinstance(shown, wq.Term):
        text = str(shown.text)
        if text.startswith(VARIANT_PREFIX):
            return Contribution(field, text[len(VARIANT_PREFIX) :], score, "spelling")
        return Contribution(field, text, score, "form")
    if isinstance(shown, wq.Phrase):
        words = [w[len(VARIANT_PREFIX) :] if w.startswith(VARIANT_PREFIX) else w for w in shown.words]
        spelling = any(w.startswith(VARIANT_PREFIX) for w in shown.words)
        return Contribution(field, '"' + " ".join(words) + '"', score, "spelling" if spelling else "form")
    return Contribution(field, str(shown), score, "form")
