"""Synonyms at query time: a word or phrase of a group also searches the group's other members.

As in Elasticsearch's synonym sets, a group is words a reader takes for one (भाजपा, बीजेपी, BJP,
भारतीय जनता पार्टी). Members meet a query word by its variant key, so inflected and variant spellings of a
member reach the group too; a member of several words is searched as a phrase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archive.analysis import analyze
from archive.analysis.cached import variant_key
from archive.analysis.sources import joined_outlets, source_key


def member_key(words: Sequence[str]) -> tuple[str, ...]:
    """How a member (or a query's word or phrase) is matched: its words' variant keys (a Latin word as is)."""
    return tuple(word if word.isascii() else variant_key(word) for word in words)


@dataclass(frozen=True)
class Member:
    #: As the group lists it.
    text: str
    #: Its index words (normalised, common words left out).
    words: tuple[str, ...]


class SynonymIndex:
    """The groups, looked up by member key."""

    def __init__(self, groups: Sequence[Sequence[str]], merged: Sequence[tuple[str, str]] = ()) -> None:
        self.groups = tuple(tuple(g) for g in groups)
        #: (misprint, outlet): outlet names merged as misprints, which join outlets and nothing else
        self.merged = tuple(merged)
        self._of: dict[tuple[str, ...], list[Member]] = {}
        for group in self.groups:
            members = [Member(text, tuple(analyze(text))) for text in group]
            members = [m for m in members if m.words]
            for member in members:
                self._of.setdefault(member_key(member.words), []).extend(m for m in members if m is not member)
        #: outlet key -> the outlet keys that are one outlet with it (printed as Navbharat Times and as NBT):
        #: the rule `archive sources` merges outlets by (analysis/sources.py)
        joined = joined_outlets([*self.groups, *self.merged])
        outlets: dict[str, set[str]] = {}
        for key, outlet in joined.items():
            outlets.setdefault(outlet, set()).add(key)
        self._outlets = {key: frozenset(outlets[outlet]) for key, outlet in joined.items()}

    def outlet_keys(self, name: str) -> frozenset[str]:
        """The outlet keys ``--source name`` stands for: its own, and those of the other names of its group.

        >>> index = SynonymIndex([("Navbharat Times", "नवभारत टाइम्स", "NBT")])
        >>> index.outlet_keys("NBT") == index.outlet_keys("नवभारत टाइम्स") == index.outlet_keys("navbharat times")
        True
        >>> len(index.outlet_keys("NBT")), len(index.outlet_keys("अमर उजाला"))
        (2, 1)
        """
        return self.outlet_group(source_key(name))

    def outlet_group(self, key: str) -> frozenset[str]:
        """The outlet keys that are one outlet with ``key`` (itself, when no group names it)."""
        return self._outlets.get(key, frozenset({key}))

    def others(self, words: Sequence[str]) -> list[Member]:
        """The members that the word or phrase ``words`` (index words) also searches for.

        >>> index = SynonymIndex([("भाजपा", "बीजेपी", "BJP", "भारतीय जनता पार्टी")])
        >>> [m.text for m in index.others(["भाजपा"])]
        ['बीजेपी', 'BJP', 'भारतीय जनता पार्टी']
        >>> [m.text for m in index.others(["bjp"])], index.others(["कांग्रेस"])
        (['भाजपा', 'बीजेपी', 'भारतीय जनता पार्टी'], [])
        """
        return list(dict.fromkeys(self._of.get(member_key(words), [])))

    def __bool__(self) -> bool:
        return bool(self._of)


NO_SYNONYMS = SynonymIndex(())
