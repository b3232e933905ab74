"""What of an article is embedded: its title and lead, as one passage.

A vector says what an article is about; a news report says that in its headline and first paragraphs, and
e5-small reads 512 tokens at most. The measurement that chose :data:`LEAD_CHARS` is in
``benchmarks/semantic.py``'s notes (the team's report): longer leads cost time in proportion and found no
more of the judged articles.
"""

from __future__ import annotations

#: Characters of the body after the title (about 70 tokens of Hindi for e5's tokenizer).
LEAD_CHARS = 200


def passage_text(title: str, body: str, lead_chars: int = LEAD_CHARS) -> str:
    """The title, then the body's first ``lead_chars`` characters, cut at a space.

    >>> passage_text("शीर्षक", "पहला वाक्य। दूसरा वाक्य।", lead_chars=14)
    'शीर्षक। पहला वाक्य।'
    """
    lead = " ".join(body.split())
    if len(lead) > lead_chars:
        cut = lead.rfind(" ", 0, lead_chars + 1)
        lead = lead[: cut if cut > 0 else lead_chars]
    title = " ".join(title.split())
    return f"{title}। {lead}" if title and lead else title or lead
