"""The kinds of document, read from `taxonomy.toml`: recognition, names and priors as data.

Nothing in the code names a council or a document; what a kind of report is called, how it is
recognised and which of its sections hold findings all come from the data file, so a new kind of
report is a few lines of TOML.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.toml")
# Kind ids of the first manifests, before the taxonomy existed: still accepted, mapped to kinds.
_LEGACY = {"inspection_letter": "jtai", "inspection_report": "ilacs"}


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    short: str
    publisher: str
    aliases: tuple[str, ...]
    title: tuple[re.Pattern[str], ...]
    text: tuple[re.Pattern[str], ...]
    without: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...]
    finding_sections: tuple[str, ...]
    progress: bool
    rank: int
    inspection: bool = False  # findings and judgements come from inspectors
    named_by: tuple[str, ...] = ()  # phrases that name this kind, and no other, in a question
    rows: bool = False  # laid out as numbered action rows: ingest parses them, the tracker lists them
    # A report read as kind `shorter_of` whose inspection ran at most `days_on_site` days is this
    # kind: an ILACS short inspection is one week on site, a standard one two, and neither says so.
    shorter_of: str = ""
    days_on_site: int = 0


@dataclass(frozen=True)
class JudgementArea:
    """One area a judgement grid grades, whatever a framework calls it (`[[judgement_area]]`)."""

    id: str  # "children_in_care": what code and JSON call it
    label: str  # "Children in care": what users read
    note: str = ""  # what a user should know about its grades ("SIF reports only."), or ""


# Quotes as the wording patterns are written (straight).
_STRAIGHT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def wording_form(text: str) -> str:
    """A judgement's wording as `judgement_wordings` patterns are matched on: NFKC, lower case,
    straight quotes, one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text or "").translate(_STRAIGHT).lower().split())


@dataclass(frozen=True)
class Taxonomy:
    kinds: dict[str, Kind]
    grades: tuple[str, ...]
    finding_sections: tuple[str, ...]
    authority_words: frozenset[str] = frozenset()
    improvement_sections: tuple[str, ...] = ()  # finding sections that call for action
    grade_scores: tuple[tuple[str, int], ...] = ()  # grade -> place on one scale, higher is better
    section_questions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # "improvement"/"strength" -> phrases
    overall_areas: tuple[str, ...] = ()  # ids of the judgement areas whose grade is a report's overall judgement
    across_phrases: tuple[str, ...] = ()  # how a question asks across councils ("which councils")
    judged_cues: tuple[str, ...] = ()  # words before a grade that say a report was judged so ("rated")
    # Every local authority's name and the names users write for it, longest first: (written, name).
    authority_names: tuple[tuple[str, str], ...] = ()
    ambiguous_authorities: frozenset[str] = frozenset()  # names that are also common words
    person_roles: tuple[str, ...] = ()  # roles a person holds ("adviser", "named GP")
    organisation_words: frozenset[str] = frozenset()  # words of organisations' names ("Trust", "NHS")
    vocabulary: tuple[tuple[str, tuple[str, ...]], ...] = ()  # abbreviation -> what it stands for
    # Words that make a title block a council's name ("Bolton Council", "Royal Borough of X").
    council_title_words: frozenset[str] = frozenset()
    judgement_areas: tuple[JudgementArea, ...] = ()  # in the order views list them
    # (pattern, area id), tried in order on a wording's `wording_form`: the first found names its area.
    judgement_wordings: tuple[tuple[re.Pattern[str], str], ...] = ()
    # Phrases the reports use for one another ("in care", "looked after"): a question in one finds the other.
    equivalents: tuple[tuple[str, ...], ...] = ()

    def judgement_area(self, wording: str) -> JudgementArea | None:
        """The area a judgement's wording names, as a report writes it ("Children looked after and
        achieving permanence" -> children_in_care), or None when no wording pattern matches."""
        text = wording_form(wording)
        return next((self._areas_by_id[a] for pattern, a in self.judgement_wordings if pattern.search(text)), None)

    def area_by_id(self, area_id: str) -> JudgementArea | None:
        """The judgement area of an id ("lscb"), or None for an id the taxonomy does not list."""
        return self._areas_by_id.get(area_id)

    def areas_of(self, judgements: tuple[tuple[str, str], ...]) -> dict[str, str]:
        """{area id: grade} of a report's (wording, grade) pairs, in the order they are read; the
        first wording of an area gives its grade (a grid is read before the headings that repeat
        it), and a wording of no area is left out."""
        found: dict[str, str] = {}
        for wording, grade in judgements:
            area = self.judgement_area(wording)
            if area is not None:
                found.setdefault(area.id, grade)
        return found

    @cached_property
    def _areas_by_id(self) -> dict[str, JudgementArea]:
        return {area.id: area for area in self.judgement_areas}

    def overall_grade(self, judgements: tuple[tuple[str, str], ...]) -> str:
        """The overall judgement of a report from its (wording, grade) pairs, as a taxonomy grade, or ""."""
        for wording, grade in judgements:
            area = self.judgement_area(wording)
            if area is not None and area.id in self.overall_areas:
                return self.grade_in(grade) or grade
        return ""

    def grades_matching(self, wanted: str) -> tuple[str, ...]:
        """The taxonomy grades a user's word for a judgement stands for: "requires improvement" is
        "Requires improvement to be good" and "Requires improvement"; "good" is "Good" only."""
        words = " ".join(wanted.lower().replace("-", " ").split())
        return tuple(g for g in self.grades if words and g.lower().startswith(words))

    def in_section_class(self, section: str, doc_type: str, section_class: str) -> bool:
        """Whether a passage's section holds findings of `section_class` ("improvement"/"strength")."""
        if not self.is_finding_section(section, doc_type):
            return False
        return self.is_improvement_section(section) == (section_class == "improvement")

    @property
    def row_kind(self) -> str:
        """The kind a row of an action plan belongs to when its document is unknown (the first with rows)."""
        return next((k.id for k in self.kinds.values() if k.rows), "other")

    def kind(self, doc_type: str) -> Kind:
        """The kind of a doc_type; "other" for one the taxonomy does not know."""
        return self.kinds.get(_LEGACY.get(doc_type, doc_type)) or self.kinds["other"]

    def classify(self, title: str, text: str) -> tuple[str, str]:
        """(kind id, local authority) of a document from its title and first pages.

        A title pattern counts twice as much as a text cue; a `without` cue, or a missing
        `requires` cue, rules a kind out.
        """
        best: tuple[float, int, str, str] = (0.0, 99, "other", "")
        for kind in self.kinds.values():
            if any(p.search(text) for p in kind.without) or not all(p.search(text) for p in kind.requires):
                continue
            score, authority = 0.0, ""
            for pattern in kind.title:
                match = pattern.search(title)
                if match:
                    score += 2.0
                    authority = authority or _group(match, "la")
                    break
            score += sum(1.0 for p in kind.text if p.search(text))
            if score > best[0] or (score == best[0] and score > 0 and kind.rank < best[1]):
                best = (score, kind.rank, kind.id, authority)
        return best[2], best[3]

    def grade_in(self, text: str) -> str:
        """The grade `text` is (whole, ignoring case and closing punctuation), or ""."""
        cleaned = text.strip().rstrip(".:;").strip().lower()
        return next((g for g in self.grades if g.lower() == cleaned), "")

    def authority_key(self, name: str) -> str:
        """A council's name as users write it: lower case, without the words around it
        ("Leeds City Council" -> "leeds", "Royal Borough of Greenwich" -> "greenwich")."""
        # "Windsor & Maidenhead" is "Windsor and Maidenhead".
        words = re.findall(r"[a-z0-9]+", name.lower().replace("’", "'").replace("'s", "").replace("&", " and "))
        while words and words[0] in self.authority_words:
            words.pop(0)
        while words and words[-1] in self.authority_words:
            words.pop()
        return " ".join(words)

    def authorities_named(self, question: str) -> tuple[str, ...]:
        """The local authorities `question` names, as `local_authorities` spells them, whether or
        not any document is about them ("North Lincolnshire" names one council, not two)."""
        pattern, written_at = self._authority_pattern
        text = question.replace("’", "'").replace("&", " and ")
        found: list[tuple[int, str]] = []
        for m in pattern.finditer(text):
            at = written_at[" ".join(re.findall(r"[\w']+", m.group().lower()))]
            written, name = self.authority_names[at]
            if written in self.ambiguous_authorities and re.search(r"\bNew\s+$", text[: m.start()]):
                continue  # "New York"
            found.append((at, name))
        return tuple(dict.fromkeys(name for _, name in sorted(found)))

    def authority_mentions(self, text: str) -> tuple[tuple[str, str], ...]:
        """(council, the words naming it) for each council `text` names, the words widened over
        the `authority_words` around the name ("Nottingham City Council", "Royal Borough of
        Greenwich"): every word of them is the council's name, not what the text is about."""
        pattern, written_at = self._authority_pattern
        text = text.replace("’", "'").replace("&", " and ")
        found = []
        for m in pattern.finditer(text):
            written, name = self.authority_names[written_at[" ".join(re.findall(r"[\w']+", m.group().lower()))]]
            if written in self.ambiguous_authorities and re.search(r"\bNew\s+$", text[: m.start()]):
                continue  # "New York"
            before = re.findall(r"[\w']+", text[: m.start()])
            after = re.findall(r"[\w']+", text[m.end() :])
            lead = 0
            while lead < len(before) and before[-1 - lead].lower() in self.authority_words:
                lead += 1
            trail = 0
            while trail < len(after) and after[trail].lower() in self.authority_words:
                trail += 1
            words = before[len(before) - lead :] + [m.group()] + after[:trail]
            found.append((name, " ".join(words)))
        return tuple(found)

    @cached_property
    def _authority_pattern(self) -> tuple[re.Pattern[str], dict[str, int]]:
        """One pattern for every name, longest first so the longer of two overlapping names
        wins; names that are common words match only as written. Built once, not per question."""
        alternatives: list[str] = []
        written_at: dict[str, int] = {}
        for at, (written, _) in enumerate(self.authority_names):
            words = re.findall(r"[\w']+", written)
            body = r"[\s-]+".join(map(re.escape, words))
            alternatives.append(body if written in self.ambiguous_authorities else f"(?i:{body})")
            written_at.setdefault(" ".join(words).lower(), at)
        return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])"), written_at

    def abbreviations(self) -> dict[str, list[str]]:
        """The `[vocabulary]` as a glossary ("CP" -> ["child protection"]), keys in capitals as
        questions are matched: the words every corpus's readers abbreviate, whether or not its
        documents spell them out."""
        return {
            short.upper(): [long.lower() for long in longs]
            for short, longs in self.vocabulary
            if re.fullmatch(r"[A-Za-z]{2,8}", short)
        }

    def by_days_on_site(self, kind_id: str, start: str, end: str) -> str:
        """`kind_id`, or the kind that is its shorter inspection when the inspection ran from
        `start` to `end` (ISO dates) within that kind's days on site; `kind_id` when a date is missing or is no date."""
        try:
            days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
        except ValueError:  # a date missing, or misprinted in the report ("31 February")
            return kind_id
        for kind in self.kinds.values():
            if kind.shorter_of == kind_id and 0 < days <= kind.days_on_site:
                return kind.id
        return kind_id

    def is_improvement_section(self, section: str) -> bool:
        """Whether a section's findings call for action ("Areas for improvement"), not strengths."""
        words = section.lower()
        return any(s in words for s in self.improvement_sections)

    def grade_score(self, grade: str) -> int:
        """The grade's place on one scale (higher is better), 0 for a grade the data does not score."""
        return dict(self.grade_scores).get(self.grade_in(grade) or grade, 0)

    def is_finding_section(self, section: str, doc_type: str) -> bool:
        words = section.lower()
        return any(s in words for s in self.finding_sections + self.kind(doc_type).finding_sections)


def _group(match: re.Match[str], name: str) -> str:
    try:
        return " ".join((match.group(name) or "").split())
    except IndexError:
        return ""


def _patterns(values: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(v, re.I | re.M) for v in values)


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """The taxonomy of `path` (the packaged file by default), read once."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = {}
    for entry in data["kind"]:
        kinds[entry["id"]] = Kind(
            id=entry["id"],
            label=entry["label"],
            short=entry.get("short", "the document"),
            publisher=entry.get("publisher", ""),
            aliases=tuple(entry.get("aliases", [])),
            title=_patterns(entry.get("title", [])),
            text=_patterns(entry.get("text", [])),
            without=_patterns(entry.get("without", [])),
            requires=_patterns(entry.get("requires", [])),
            finding_sections=tuple(entry.get("finding_sections", [])),
            progress=bool(entry.get("progress", False)),
            rank=int(entry.get("rank", 5)),
            inspection=bool(entry.get("inspection", False)),
            named_by=tuple(n.lower() for n in entry.get("named_by", [])),
            rows=bool(entry.get("rows", False)),
            shorter_of=entry.get("shorter_of", ""),
            days_on_site=int(entry.get("days_on_site", 0)),
        )
    return Taxonomy(
        kinds,
        tuple(data.get("grades", [])),
        tuple(data.get("finding_sections", [])),
        frozenset(data.get("authority_words", [])),
        tuple(data.get("improvement_sections", [])),
        tuple((g, int(n)) for g, n in data.get("grade_scores", {}).items()),
        tuple((c, tuple(p.lower() for p in ps)) for c, ps in data.get("section_questions", {}).items()),
        tuple(data.get("overall_judgement_areas", [])),
        tuple(p.lower() for p in data.get("across_councils", [])),
        tuple(c.lower() for c in data.get("judged_cues", [])),
        _authority_names(data),
        frozenset(data.get("authority_names", {}).get("ambiguous", [])),
        tuple(dict.fromkeys(data.get("person_roles", []))),
        frozenset(data.get("organisation_words", [])),
        tuple((short, tuple(longs)) for short, longs in data.get("vocabulary", {}).items()),
        frozenset(w.lower() for w in data.get("council_title_words", [])),
        _judgement_areas(data),
        tuple((re.compile(w["pattern"]), w["area"]) for w in data.get("judgement_wordings", [])),
        tuple(tuple(p.lower() for p in group) for group in data.get("equivalents", [])),
    )


def _judgement_areas(data: dict) -> tuple[JudgementArea, ...]:
    """The `[[judgement_area]]` tables; a wording pattern naming no listed area is a mistake of the data file."""
    areas = tuple(JudgementArea(a["id"], a["label"], a.get("note", "")) for a in data.get("judgement_area", []))
    known = {a.id for a in areas}
    unknown = {w["area"] for w in data.get("judgement_wordings", [])} - known
    unknown |= set(data.get("overall_judgement_areas", [])) - known
    if unknown:
        raise ValueError(f"taxonomy: judgement areas {sorted(unknown)} are not listed as [[judgement_area]]")
    return areas


def _authority_names(data: dict) -> tuple[tuple[str, str], ...]:
    """(written, name) for every local authority and alias, longest written form first, so the
    longer of two overlapping names wins."""
    aliases = data.get("authority_aliases", {})
    pairs = [(n, n) for n in data.get("local_authorities", [])]
    pairs += [(a, n) for n, written in aliases.items() for a in written]
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))
