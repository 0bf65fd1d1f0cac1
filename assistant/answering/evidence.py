"""How well the retrieved passages cover a question: the figure abstention compares with a threshold.

    evidence = best sentence cosine            (the closest single sentence of the top passages)
             + coverage                        (IDF-weighted share of the question's own content
                                                words found: half by the best sentence of the top
                                                passages with its neighbours, half by the top
                                                passages together; a word the corpus never uses
                                                counts at the highest IDF)
             - unknown_name_penalty if the question names something the corpus never mentions
                                               (a capitalised name, acronym or year: a council,
                                                "EHCP", "2023")
             - unseen_word_penalty x the share of focus words the corpus never uses

The penalties and `abstain_threshold` (the cut) are settings; see their descriptions for what
they were chosen on.
"""

from __future__ import annotations

import numpy as np

from assistant.core.settings import Settings
from assistant.core.text import terms
from assistant.core.types import Hit, Query
from assistant.core.weights import idf_share, idf_weights, unseen_idf
from assistant.store import Index


def evidence(query: Query, hits: list[Hit], index: Index, settings: Settings) -> float:
    """The evidence figure described in the module docstring."""
    if not hits:
        return 0.0
    vector = query.vector
    idf = index.lexical.idf
    # What the question is about: its focus (not the words that say what kind of answer it
    # wants, nor a council's name, which says whose documents).
    authorities = {t for info in index.docs.values() for t in terms(info.local_authority)}
    own = [t for t in query.focus if t not in authorities]
    weights = idf_weights(own, idf, unseen_idf(len(index.chunks)))
    best = coverage = 0.0
    union: set[str] = set()
    for hit in hits[: settings.evidence_passages]:
        union |= set(terms(hit.chunk.passage))
        passage = index.passages.get(hit.chunk.passage_id)
        if passage is None or not passage.rows:
            continue
        best = max(best, float(np.max(index.sentence_vectors[passage.rows] @ vector)))
        # Coverage by one sentence and its neighbours, not by five passages together: words
        # scattered over several passages do not make an answer.
        spans = passage.spans
        for i in range(len(spans)):
            window = hit.chunk.passage[spans[max(0, i - 1)][0] : spans[min(len(spans) - 1, i + 1)][1]]
            present = set(terms(window))
            coverage = max(coverage, idf_share((t for t in weights if t in present), weights))
    # A question across documents is answered by several passages: part of the figure is the
    # coverage by the top passages together.
    share = settings.evidence_window_share
    coverage = share * coverage + (1 - share) * idf_share((t for t in weights if t in union), weights)
    if not weights:
        # A question that only names documents ("what were Blackpool's grades in 2026?") has
        # nothing of its own to cover: the closeness of the best sentence decides.
        coverage = 1.0
    unseen = sum(1 for t in own if t not in idf) / max(1, len(own))
    vocabulary = index.vocabulary
    names = [
        w
        for w in (query.intent.names if query.intent else ())
        if not {w.lower(), w.lower().rstrip("s"), w.lower() + "s"} & vocabulary
    ]
    return best + coverage - (settings.unknown_name_penalty if names else 0.0) - settings.unseen_word_penalty * unseen
