"""Follow an inspection's findings: finding -> action-plan rows -> progress -> later inspections.

What links, and how (nothing names a council or a document; kinds come from the taxonomy):

- The findings followed are the passages of an inspection (a kind with `inspection = true`) in
  a section that calls for action (`improvement_sections`: "Areas for improvement", "What needs
  to improve", ...).
- An action plan (a document with parsed rows) answers the inspection of its council, dated no
  later than it, whose findings its rows match best.
- By reference: a plan's priority heading that repeats a finding's words links every row under
  it to that finding.
- By similarity: a finding is scored against what a row sets out to do, its action, reason and
  impact cells (not its progress notes, leads or dates): closeness of meaning of their sentences
  (`trace_pairing`: each finding sentence's closest row sentence, averaged, and the same from the
  row's side), with `trace_lexical_weight` of the finding's rare words the cells use. Words are
  compared through the taxonomy's `[vocabulary]` (data): an abbreviation and the words it stands
  for count as one word ("CAMHS" in a finding, "specialist mental health services" in a row).
  A finding and a row are linked when the score reaches `trace_link_threshold` and either the
  finding is among the row's `trace_row_rank` best findings (a row answers few findings) or the
  row is among the finding's `trace_finding_rank` best rows (a finding is answered somewhere),
  under any priority. These numbers were chosen on the tuning part of tests/data/trace_gold.toml
  (scripts/tune_trace.py); the held-out part only measures them.
- Each linked row shows its latest progress note and the paragraph of a progress report (a kind
  with `progress = true` that holds no rows: a scrutiny report) that reports on it: the row's
  best paragraph, when the row is also among that paragraph's `trace_report_rank` best rows.
- The theme is followed into each later inspection of the council: its sentence closest in
  meaning to the finding, when at least `trace_later_threshold`.

Every quote is a sentence or cell verbatim from the cited passage, like an answer's.
assistant/answering/traced.py turns a trace into the chat's answer to "what happened to the finding on ...?".
"""

from __future__ import annotations

import logging
import re
import tomllib
import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.core.errors import IndexDamaged
from assistant.core.settings import Settings
from assistant.core.taxonomy import TAXONOMY_FILE, load_taxonomy
from assistant.core.text import sentence_spans, stem, terms
from assistant.core.types import ActionRow, Chunk, Citation, DocumentInfo, Trace, TraceStep
from assistant.store import Index
from assistant.views.tracker import priority_name, row_chunk, verbatim

log = logging.getLogger(__name__)

_REFERENCE_OVERLAP = 0.6  # share of words a priority heading and a finding must share to be the same text
_QUOTED_WORDS = 8  # words running in both a finding and a row: the row quotes the finding
_QUOTE_SENTENCES = 2  # sentences quoted from a progress note or report paragraph
_EVEN = 0.5  # meaning and shared words weighed evenly where nothing was tuned (topic match, report paragraphs)
_MIN_LATER_WORDS = 6  # a later report's sentence shorter than this is a heading, not a finding


@dataclass
class _Finding:
    chunk: Chunk
    rows: list[int]  # sentence rows of its passage


def trace(index: Index, about: str = "", *, settings: Settings | None = None) -> tuple[Trace, ...]:
    """Follow findings into action plans, progress reports and later inspections.

    Args:
        index: an open index.
        about: what the finding is about ("CAMHS waiting times"): the trace of the finding that
            matches it best. Empty for every finding that an action plan answers.
        settings: thresholds and weights (`trace_*`); defaults when None.
    Returns:
        The traces, in the findings' document order (one, when `about` is given; none when no
        finding matches or no plan answers any inspection).
    """
    settings = settings or Settings()
    plans = _plans(index, settings)
    traces: list[Trace] = []
    wanted = _best_finding(index, about, plans, settings) if about.strip() else None
    for plan_id, (_source_id, findings, links) in plans.items():
        for fi, finding in enumerate(findings):
            if wanted is not None and finding.chunk.passage_id != wanted:
                continue
            steps = [_step(index, row, score, by, plan_id, settings) for row, score, by in links[fi]]
            traces.append(
                Trace(
                    finding=Citation(1, finding.chunk, _finding_quote(finding.chunk)),
                    steps=tuple(steps),
                    later=tuple(_later(index, finding, plan_id, settings)),
                )
            )
    if wanted is not None and not traces:
        log.debug("trace %r: the best finding is not answered by a plan", about)
    return tuple(traces)


# --- linking ----------------------------------------------------------------------------------


def _plans(index: Index, settings: Settings) -> dict[str, tuple[str, list[_Finding], list[list[tuple]]]]:
    """plan doc id -> (source inspection id, its findings, per finding the linked (row, score, by))."""
    cache_key = (
        "trace",
        settings.trace_link_threshold,
        settings.trace_lexical_weight,
        settings.trace_row_rank,
        settings.trace_finding_rank,
        settings.trace_pairing,
    )
    cached = _cache(index).get("plans")
    if cached and cached[0] == cache_key:
        return cached[1]
    rows_by_plan: dict[str, list[ActionRow]] = {}
    for row in index.actions.values():
        rows_by_plan.setdefault(row.doc_id, []).append(row)
    result = {}
    for plan_id, rows in rows_by_plan.items():
        plan = index.docs.get(plan_id)
        best = None
        for doc in _inspections(index, plan, before=True):
            findings = _findings(index, doc.doc_id)
            if not findings:
                continue
            scores = _scores_cached(index, doc.doc_id, plan_id, findings, rows, settings)
            refs = _by_reference(findings, rows)
            fit = (sum(len(r) for r, _ in refs), float(scores.max(axis=0).mean()))
            if best is None or fit > best[0]:
                best = (fit, doc.doc_id, findings, scores, refs)
        if best is None:
            continue
        _, source_id, findings, scores, refs = best
        result[plan_id] = (source_id, findings, _links(findings, rows, scores, refs, settings))
        log.debug("plan %s answers %s (%d findings)", plan_id, source_id, len(findings))
    _cache(index)["plans"] = (cache_key, result)
    return result


_CACHES: dict[int, tuple] = {}  # id(index) -> (weak reference to it, its cache)


def _cache(index: Index) -> dict:
    """What has been worked out for this index (scores, links, report tables): computed once per
    loaded index, forgotten with it (an id is only trusted while its index is alive)."""
    entry = _CACHES.get(id(index))
    if entry is None or entry[0]() is not index:
        for key in [k for k, (ref, _) in _CACHES.items() if ref() is None]:
            del _CACHES[key]
        entry = (weakref.ref(index), {})
        _CACHES[id(index)] = entry
    return entry[1]


def _inspections(index: Index, doc: DocumentInfo | None, *, before: bool) -> list[DocumentInfo]:
    """Inspections of `doc`'s council dated no later than it (before) or after it; undated ones
    count as before, never as after."""
    taxonomy = load_taxonomy()
    council = taxonomy.authority_key(doc.local_authority) if doc and doc.local_authority else ""
    date = doc.published if doc else ""
    found = []
    for other in index.docs.values():
        if not taxonomy.kind(other.doc_type).inspection or (doc and other.doc_id == doc.doc_id):
            continue
        if council and other.local_authority and taxonomy.authority_key(other.local_authority) != council:
            continue
        if before and (not date or not other.published or other.published <= date):
            found.append(other)
        elif not before and date and other.published and other.published > date:
            found.append(other)
    return sorted(found, key=lambda d: d.published)


def _findings(index: Index, doc_id: str) -> list[_Finding]:
    taxonomy = load_taxonomy()
    found: dict[str, _Finding] = {}
    for position in index.doc_chunks.get(doc_id, ()):  # the document's own chunks, in order
        chunk = index.chunks[position]
        if chunk.kind in ("heading", "judgement", "note") or chunk.passage_id in found:
            continue
        passage = index.passages.get(chunk.passage_id)
        # A list's lead-in ("... need to take swift and decisive action to ensure that:") is no finding.
        if (
            passage
            and passage.rows
            and taxonomy.is_improvement_section(chunk.section)
            and not chunk.passage.rstrip().endswith(":")
        ):
            found[chunk.passage_id] = _Finding(chunk, list(passage.rows))
    return sorted(found.values(), key=lambda f: f.chunk.start)


def _row_sentences(index: Index, row: ActionRow) -> list[int]:
    chunk = row_chunk(index, row)
    passage = index.passages.get(chunk.passage_id) if chunk else None
    return list(passage.rows) if passage else []


def _cells(row: ActionRow) -> str:
    """What a row sets out to do: its action, reason and impact cells."""
    return f"{row.action} {row.reason} {row.impact}"


def _cell_sentences(index: Index, row: ActionRow) -> list[int]:
    """The sentence rows of the row's action, reason and impact cells (all of its sentences when
    the cells cannot be found in its passage)."""
    chunk = row_chunk(index, row)
    passage = index.passages.get(chunk.passage_id) if chunk else None
    if chunk is None or not passage:
        return []
    spans = []
    for cell in (row.action, row.reason, row.impact):
        found = verbatim(cell, chunk.passage)
        if found:
            at = chunk.passage.index(found)
            spans.append((at, at + len(found)))
    inside = [r for (a, b), r in zip(passage.spans, passage.rows) if any(a < end and b > start for start, end in spans)]
    return inside or list(passage.rows)


def _scores_cached(index: Index, source_id: str, plan_id: str, findings, rows, settings: Settings) -> np.ndarray:
    key = ("scores", source_id, plan_id, settings.trace_lexical_weight, settings.trace_pairing)
    cache = _cache(index)
    if key not in cache:
        cache[key] = _scores(index, findings, rows, settings)
    return cache[key]


def _scores(index: Index, findings: list[_Finding], rows: list[ActionRow], settings: Settings) -> np.ndarray:
    """findings x rows: (1 - w) * closeness of the finding's sentences and the row's cell sentences
    (`trace_pairing`) + w * the share of the finding's rare words (idf-weighted) the cells use,
    words compared through the taxonomy's vocabulary."""
    vectors = index.sentence_vectors
    w = settings.trace_lexical_weight
    idf = _idf(index)
    row_sents = [_cell_sentences(index, r) for r in rows]
    row_words = [_words(_cells(r)) for r in rows]
    out = np.zeros((len(findings), len(rows)))
    for i, f in enumerate(findings):
        fv = vectors[f.rows]
        words = _words(f.chunk.passage)
        weight = sum(idf.get(t, 0.0) for t in words) or 1.0
        for j in range(len(rows)):
            dense = _closeness(fv @ vectors[row_sents[j]].T, settings.trace_pairing) if row_sents[j] else 0.0
            lexical = sum(idf.get(t, 0.0) for t in words & row_words[j]) / weight
            out[i, j] = (1 - w) * dense + w * lexical
    return out


def _closeness(pairs: np.ndarray, pairing: str) -> float:
    """One number from finding sentences x row sentences cosines: "mean" averages each finding
    sentence's closest row sentence; "sym" also each row sentence's closest finding sentence, and
    takes the mean of the two; "max" is the best sentence pair."""
    if pairing == "max":
        return float(pairs.max())
    finding_side = float(pairs.max(axis=1).mean())
    if pairing == "sym":
        return (finding_side + float(pairs.max(axis=0).mean())) / 2
    return finding_side


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[tuple[re.Pattern[str], tuple[str, ...], str], ...]:
    """The taxonomy's `[vocabulary]`: per abbreviation, a pattern finding it as written, the words
    it stands for (normalised, space-padded) and the one word both count as."""
    data = tomllib.loads(TAXONOMY_FILE.read_text(encoding="utf-8")).get("vocabulary", {})
    return tuple(
        (
            re.compile(r"(?<![\w&])" + re.escape(short) + r"(?![\w&])"),
            tuple(f" {_plain(long)} " for long in longs),
            _TERM + short.lower(),
        )
        for short, longs in data.items()
    )


_TERM = "="  # opens the word an abbreviation and its long forms count as (no text word holds it)


def _plain(text: str) -> str:
    """Lower-case words separated by single spaces ("Well-being" -> "well being")."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", "")))


def _words(text: str) -> set[str]:
    """A text's search terms and the vocabulary words it uses, as an abbreviation or spelt out."""
    found = set(terms(text))
    plain = f" {_plain(text)} "
    for pattern, longs, word in _vocabulary():
        if pattern.search(text) or any(long in plain for long in longs):
            found.add(word)
    return found


def _idf(index: Index) -> dict[str, float]:
    """The index's idf, with each vocabulary word weighted as its abbreviation is (or, when the
    corpus never writes it, as the rarest word of its long forms)."""
    cache = _cache(index)
    if "idf" not in cache:
        idf = dict(index.lexical.idf)
        for _, longs, word in _vocabulary():
            short = word[len(_TERM) :]
            spelt = [idf.get(t, 0.0) for long in longs for t in terms(long)]
            idf[word] = idf.get(stem(short)) or idf.get(short) or max(spelt, default=0.0)
        cache["idf"] = idf
    return cache["idf"]


def _overlap(a: str, b: str) -> float:
    """The smaller of the two shares of words each text shares with the other."""
    ta, tb = set(terms(a)), set(terms(b))
    if not ta or not tb:
        return 0.0
    return min(len(ta & tb) / len(ta), len(ta & tb) / len(tb))


def _by_reference(findings: list[_Finding], rows: list[ActionRow]) -> list[tuple[list[int], bool]]:
    """Per finding, the rows that cite it: those under a priority heading that repeats the
    finding's words, or whose own cells quote a stretch of it (`_QUOTED_WORDS` words running);
    and whether they came by the heading (then they are the finding's whole answer)."""
    headings = {priority_name(r.priority).split(":", 1)[-1] for r in rows if r.priority}
    row_shingles = [_shingles(f"{r.action} {r.reason} {r.impact}") for r in rows]
    out = []
    for f in findings:
        matched = {h for h in headings if _overlap(f.chunk.passage, h) >= _REFERENCE_OVERLAP}
        under = [j for j, r in enumerate(rows) if r.priority and priority_name(r.priority).split(":", 1)[-1] in matched]
        quoting = [] if under else [j for j, sh in enumerate(row_shingles) if sh & _shingles(f.chunk.passage)]
        out.append((under, True) if under else (quoting, False))
    return out


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Every run of `_QUOTED_WORDS` words of `text`, lower-cased, punctuation dropped."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))
    return {tuple(words[i : i + _QUOTED_WORDS]) for i in range(len(words) - _QUOTED_WORDS + 1)}


def _links(
    findings, rows, scores: np.ndarray, refs: list[tuple[list[int], bool]], settings: Settings
) -> list[list[tuple]]:
    # Ranks are counted among the findings that no priority heading repeats (those are linked by
    # reference instead): a row's best findings (`trace_row_rank`) and a finding's best rows
    # (`trace_finding_rank`); either lets a link through that reaches `trace_link_threshold`.
    heading = [bool(r) and by_heading for r, by_heading in refs]
    open_scores = np.where(np.array(heading)[:, None], -np.inf, scores)
    row_rank = np.argsort(np.argsort(-open_scores, axis=0), axis=0)  # the finding's place among the row's
    finding_rank = np.argsort(np.argsort(-open_scores, axis=1), axis=1)  # the row's place among the finding's
    links = []
    for i in range(len(findings)):
        cited = refs[i][0]
        if heading[i]:
            links.append([(rows[j], 1.0, "reference") for j in cited])
            continue
        chosen = [(rows[j], 1.0, "reference") for j in cited]
        chosen += sorted(
            (
                (rows[j], float(scores[i, j]), "similarity")
                for j in range(len(rows))
                if j not in cited
                and scores[i, j] >= settings.trace_link_threshold
                and (row_rank[i, j] < settings.trace_row_rank or finding_rank[i, j] < settings.trace_finding_rank)
            ),
            key=lambda x: -x[1],
        )
        links.append(chosen)
    return links


# --- the parts of a step --------------------------------------------------------------------


def _step(index: Index, row: ActionRow, score: float, by: str, plan_id: str, settings: Settings) -> TraceStep:
    chunk = row_chunk(index, row)
    if chunk is None:  # every indexed row is chunked; one without its passage is a broken index
        raise IndexDamaged(index.settings.index_dir, f"action row {row.doc_id} {row.ref} has no passage")
    action = Citation(1, chunk, (verbatim(row.action, chunk.passage) or chunk.passage.split("\n", 1)[0],))
    latest = row.latest_progress()
    progress = None
    if latest is not None:
        note = verbatim(f"{latest.label} {latest.text}", chunk.passage) or verbatim(latest.text, chunk.passage)
        if note:
            at = chunk.passage.index(note)
            progress = Citation(1, chunk, _sentences_in(chunk.passage, at, at + len(note)))
    return TraceStep(
        row=row, action=action, progress=progress, report=_report(index, row, plan_id, settings), score=score, by=by
    )


def _sentences_in(passage: str, start: int, end: int) -> tuple[str, ...]:
    """The first few sentences of `passage` inside [start, end), verbatim."""
    spans = [(max(a, start), min(b, end)) for a, b in sentence_spans(passage) if b > start and a < end]
    return tuple(passage[a:b].strip() for a, b in spans[:_QUOTE_SENTENCES] if passage[a:b].strip())


def _report(index: Index, row: ActionRow, plan_id: str, settings: Settings) -> Citation | None:
    """The paragraph of a progress report that reports on the row: the row's best paragraph, when
    the row is also among that paragraph's `trace_report_rank` best rows (mutual nearest)."""
    table = _report_table(index, plan_id, settings)
    if table is None or row.ref not in table[0]:
        return None
    refs, paragraphs, scores, per_sentence = table
    i = refs.index(row.ref)
    j = int(np.argmax(scores[i]))
    rank = int((scores[:, j] > scores[i, j]).sum())
    if rank >= settings.trace_report_rank:
        return None
    chunk, passage = paragraphs[j]
    # A title or heading line ("Report to: ... Committee", "(Children's Services and Safeguarding)")
    # reports on nothing.
    said = [
        len(chunk.passage[a:b].split()) >= _MIN_LATER_WORDS
        and chunk.passage[a:b].strip().lower() not in chunk.section.lower()
        for a, b in passage.spans
    ]
    closeness = np.where(said, per_sentence[(i, j)], -np.inf)
    if not np.isfinite(closeness).any():
        return None
    top = int(np.argmax(closeness))
    picked = [k for k in (top, top + 1) if k < len(said) and said[k]][:_QUOTE_SENTENCES]
    return Citation(1, chunk, tuple(chunk.passage[a:b] for a, b in (passage.spans[k] for k in picked)))


def _report_table(index: Index, plan_id: str, settings: Settings):
    """(row refs, report paragraphs, rows x paragraphs scores, sentence closeness) for a plan, cached."""
    key = ("report", plan_id)
    cache = _cache(index)
    if key in cache:
        return cache[key]
    taxonomy = load_taxonomy()
    plan = index.docs.get(plan_id)
    council = taxonomy.authority_key(plan.local_authority) if plan and plan.local_authority else ""
    with_rows = {r.doc_id for r in index.actions.values()}
    reports = {
        d.doc_id
        for d in index.docs.values()
        if taxonomy.kind(d.doc_type).progress
        and d.doc_id not in with_rows
        and (not council or not d.local_authority or taxonomy.authority_key(d.local_authority) == council)
    }
    rows = [r for r in index.actions.values() if r.doc_id == plan_id]
    paragraphs = []
    seen = set()
    for chunk in index.chunks:
        if chunk.doc_id in reports and chunk.passage_id not in seen and chunk.kind != "heading":
            seen.add(chunk.passage_id)
            passage = index.passages.get(chunk.passage_id)
            if passage and passage.rows:
                paragraphs.append((chunk, passage))
    if not rows or not paragraphs:
        cache[key] = None
        return None
    vectors, idf, w = index.sentence_vectors, index.lexical.idf, _EVEN
    scores = np.zeros((len(rows), len(paragraphs)))
    per_sentence = {}
    para_terms = [set(terms(c.passage)) for c, _ in paragraphs]
    for i, row in enumerate(rows):
        rv = vectors[_row_sentences(index, row)] if _row_sentences(index, row) else None
        row_terms = set(terms(_cells(row)))
        for j, (_chunk, passage) in enumerate(paragraphs):
            if rv is None:
                continue
            closeness = vectors[passage.rows] @ rv.T  # paragraph sentences x row sentences
            per_sentence[(i, j)] = closeness.max(axis=1)
            dense = (float(closeness.max(axis=1).mean()) + float(closeness.max(axis=0).mean())) / 2
            shared = row_terms & para_terms[j]
            lexical = (_share(shared, row_terms, idf) + _share(shared, para_terms[j], idf)) / 2
            scores[i, j] = (1 - w) * dense + w * lexical
    table = ([r.ref for r in rows], paragraphs, scores, per_sentence)
    cache[key] = table
    return table


def _share(shared: set[str], words: set[str], idf: dict[str, float]) -> float:
    total = sum(idf.get(t, 0.0) for t in words)
    return sum(idf.get(t, 0.0) for t in shared) / total if total else 0.0


def _later(index: Index, finding: _Finding, plan_id: str, settings: Settings) -> list[Citation]:
    """One quote from each later inspection of the council: its sentence closest to the finding."""
    anchor = index.docs.get(plan_id) or index.docs.get(finding.chunk.doc_id)
    vectors = index.sentence_vectors
    # The finding's theme: the centre of its sentences (one clause in passing does not set it).
    theme = vectors[finding.rows].mean(axis=0)
    theme = theme / (np.linalg.norm(theme) or 1.0)
    out = []
    for doc in _inspections(index, anchor, before=False):
        best = None
        seen = set()
        for position in index.doc_chunks.get(doc.doc_id, ()):
            chunk = index.chunks[position]
            if chunk.passage_id in seen or chunk.kind in ("heading", "judgement", "note"):
                continue
            seen.add(chunk.passage_id)
            passage = index.passages.get(chunk.passage_id)
            if not passage or not passage.rows:
                continue
            closeness = vectors[passage.rows] @ theme
            # Sentences close to everything ("As a result, children are not having their needs
            # met") are discounted as retrieval discounts them (hub_penalty).
            score = closeness - settings.hub_penalty * index.sentence_hub[passage.rows]
            for k, (a, b) in enumerate(passage.spans):
                text = chunk.passage[a:b].strip()
                if (
                    len(text.split()) < _MIN_LATER_WORDS
                    or text.endswith(("?", ":"))
                    or closeness[k] < settings.trace_later_threshold
                ):
                    score[k] = -np.inf  # headings and questions ("What needs to improve?") say nothing
            k = int(np.argmax(score))
            if np.isfinite(score[k]) and (best is None or score[k] > best[0]):
                best = (float(score[k]), chunk, passage.spans[k])
        if best:
            _, chunk, (a, b) = best
            out.append(Citation(1, chunk, (chunk.passage[a:b],)))
    return out


def _finding_quote(chunk: Chunk) -> tuple[str, ...]:
    """The finding's first sentences (a bullet's own words, without its section heading)."""
    spans = [
        s
        for s in sentence_spans(chunk.passage)
        if chunk.passage[s[0] : s[1]].strip().lower() not in chunk.section.lower()
    ]
    return tuple(chunk.passage[a:b] for a, b in spans[:_QUOTE_SENTENCES]) or (chunk.passage,)


def _best_finding(index: Index, about: str, plans: dict, settings: Settings) -> str | None:
    """The passage id of the followed finding that matches `about` best: closeness of meaning (of
    its best sentence and of all its sentences) and the share of `about`'s rare words it uses,
    weighed evenly."""
    from assistant.core.embed import embed  # loads the embedding model: only when a topic is asked

    findings = [f for _, found, _ in plans.values() for f in found]
    if not findings:
        return None
    vector = embed([about])[0]
    wanted = set(terms(about))
    weight = sum(index.lexical.idf.get(t, 0.0) for t in wanted) or 1.0
    best = None
    for f in findings:
        closeness = index.sentence_vectors[f.rows] @ vector
        # Its best sentence, and all of it: a finding that names the topic in passing is not about it.
        dense = (float(closeness.max()) + float(closeness.mean())) / 2
        lexical = sum(index.lexical.idf.get(t, 0.0) for t in wanted & set(terms(f.chunk.passage))) / weight
        score = (1 - _EVEN) * dense + _EVEN * lexical
        if best is None or score > best[0]:
            best = (score, f.chunk.passage_id)
    assert best is not None  # findings is not empty
    return best[1]
