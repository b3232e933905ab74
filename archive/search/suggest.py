""" "Did you mean": for the words of a query the archive does not hold, the forms it holds often that are
spelt nearly the same.

Candidates come from the vocabulary (forms of the same first letter and about the same length, an
indexed look-up) and are measured with a C edit distance, so that a suggestion costs milliseconds however
large the archive; it never scans the lexicon. Frequency decides among them: a form the archive holds
often is what the reader meant, a rare near spelling is usually someone else's typo (प्रधानमंंत्री).
"""

from __future__ import annotations

from collections.abc import Iterable

from archive.analysis.variants import VARIANT_PREFIX
from archive.index.vocabulary import Vocabulary

SUGGESTIONS = 3
#: Edits between a typed word and a suggestion.
MAX_DISTANCE = 2
#: Words of one query looked at (the first the archive lacks): a suggestion is for a mistyped word, not
#: for every word of a pasted paragraph.
WORDS_LOOKED_AT = 3
#: A suggestion is in at least this share of the documents of the best one (rarer near spellings are typos).
SHARE_OF_BEST = 0.05


def suggestions(vocabulary: Vocabulary, words: Iterable[str]) -> list[str]:
    """Up to :data:`SUGGESTIONS` forms for the words the archive lacks, the most frequent first.

    >>> vocabulary = Vocabulary.of({"प्रधानमंत्री": 900, "प्रधानमंंत्री": 2, "प्रधानंत्री": 1, "मंत्री": 700})
    >>> suggestions(vocabulary, ["प्रधानमंत्रि"])
    ['प्रधानमंत्री']
    >>> suggestions(vocabulary, ["मंत्री"])
    []
    """
    absent = [word for word in dict.fromkeys(words) if word and vocabulary.documents(word) == 0]
    found: dict[str, int] = {}
    for word in absent[:WORDS_LOOKED_AT]:
        for form, _ in vocabulary.near(word, MAX_DISTANCE, min_documents=1):
            if not form.text.startswith(VARIANT_PREFIX) and form.text != word:
                found[form.text] = max(found.get(form.text, 0), form.documents)
    if not found:
        return []
    best = max(found.values())
    kept = [form for form, documents in found.items() if documents >= SHARE_OF_BEST * best]
    return sorted(kept, key=lambda form: (-found[form], form))[:SUGGESTIONS]
