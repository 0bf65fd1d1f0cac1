"""The cues of the user's wording, as data: what marks an answer type, a reference, a year or a
period, a question about progress or across councils, a finding's fate, a question not in
English. Only the question package reads them (parse.py, understand.py), and nothing else in the
assistant runs a regex on what the user typed."""

from __future__ import annotations

import re

from assistant.core.dates import MONTH_ALTERNATION, MONTHS
from assistant.core.settings import Settings
from assistant.core.taxonomy import Taxonomy, load_taxonomy
from assistant.core.text import STOPWORDS, terms, words

# "what happened to the finding on ...", "what came of the area for improvement about ...",
# "trace the priority action on ...": a question about what became of an inspection finding.
TRACE_QUESTION = re.compile(
    r"\b(?:what\s+(?:has\s+)?happened|what\s+(?:came|has\s+come|became)\s+of|what\s+(?:was|has\s+been)\s+done|"
    r"follow(?:ed)?[\s-]+up|trace)\b.{0,40}?\b(?:findings?|criticisms?|areas?\s+for\s+(?:priority\s+action|improvement)|"
    r"priority\s+actions?|recommendations?)\b",
    re.I,
)
_TOPIC = re.compile(
    r"\b(?:findings?|criticisms?|improvement|actions?|recommendations?)\b\s*(?:on|about|of|regarding|"
    r"that|concerning|into|re)?\s*(.*)$",
    re.I,
)


def traced_topic(question: str) -> str | None:
    """What a question about an inspection finding's fate asks after ("... the finding on CAMHS
    waiting times" -> "CAMHS waiting times"), the whole question when it names no topic; None
    when it does not ask what became of a finding."""
    asked = TRACE_QUESTION.search(question)
    if not asked:
        return None
    topic = _TOPIC.search(question[asked.start() :])
    return (topic.group(1) if topic and topic.group(1).strip(" ?.") else question).strip(" ?.")


def looks_foreign(text: str, settings: Settings) -> bool:
    """Whether a question seems not to be in English (few ASCII letters, or few English function
    words): its asker is told the documents are in English."""
    tokens = words(text)
    if len(tokens) < settings.foreign_min_words:
        return False
    ascii_share = sum(ch.isascii() for ch in text) / len(text)
    english = sum(t in STOPWORDS for t in tokens) / len(tokens)
    return ascii_share < settings.foreign_ascii_share or english < settings.foreign_stopword_share


ACTION_REF = re.compile(r"(?<![\d.])([1-9]\.\d{1,2}\.\d{1,2})(?![\d.]*\d)")
PARA_REF = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2})(?![.]?\d)")

MONTH_YEAR = re.compile(rf"\b({MONTH_ALTERNATION}) ((?:19|20)\d\d)\b", re.I)  # "May 2020", any case
# "How many ...?" asks for a count: a share ("40% of those using it") does not answer it.
COUNT = re.compile(r"\bhow many\b|\bwhat (?:is|was) the number\b|\bnumber of\b", re.I)

# A question about progress ("was it done?", "how is X going?"): the documents that report
# progress are lifted, and an action-plan row is answered by its status and latest note.
PROGRESS = re.compile(
    r"\b(status|done|finish(?:ed)?|complete[ds]?|progress(?:ing)?|going|achieved|happened|set up|in place|"
    r"yet|still|update[ds]?|latest|delivered|launched|published|filled|manage[ds]?|where are they)\b",
    re.I,
)
# A question that wants several things ("what are the strengths?"): a longer answer.
# A question about who led an inspection ("who led the 2019 inspection?", "who was the lead
# inspector?"): each report names its lead inspector, and describe reads the name.
LEAD_INSPECTOR = re.compile(
    r"\b(?:who\s+(?:led|leads|was\s+leading|headed)\b|lead\s+inspectors?\b|led\s+(?:the|its|this)\s+\w*\s*inspection)",
    re.I,
)
MANY = re.compile(r"\b(list|what are|which|name the|areas|strengths|recommendations|actions|priorit|themes?)\b", re.I)
WHERE_WITH = re.compile(r"\bgot to\b|\bwhere (?:are|is) (?:they|we|things) with\b", re.I)
# "who is/was <anything> <a role a person holds>?" asks for a person's name.
PERSON_ROLE = re.compile(
    r"^\s*(?:and\s+)?who(?:'s|’s| is| was| are| were)\b[^?]{0,60}?\b(?:"
    + "|".join(re.escape(r) for r in sorted(load_taxonomy().person_roles, key=len, reverse=True))
    + r")s?\b",
    re.I,
)
# "How many foster carers does ...": the noun phrase counted ends before its verb.
COUNTED = re.compile(
    r"\bhow many ([\w'’ -]+?)\s+(?:are|were|did|do|does|have|has|had|is|was|will|can|could|get|got|went|"
    r"been|used|use|attend|live|took|held|there|in|on|at|of|for|from|with|per|by)\b",
    re.I,
)

FREQUENCY_ASKED = re.compile(r"\bhow (?:often|frequently|regularly)\b", re.I)
# The cues of each answer type, tried in this order; then status (progress), then list.
CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Who is the named GP?" asks for a person's name; "who runs X?" may be answered by a person or
    # an organisation.
    (
        "person",
        re.compile(
            r"^\s*(?:and\s+)?who(?:'s| is| was| are| were)\s+(?:the|their|its|our|your)\b|"
            r"\bname of (?:the|their|its|[\w'’ -]{1,40}?(?:'s|’s|s'|s’))\s|\bneed a name\b|"
            r"\b(?:which|what) (?:person|inspector|officer|director|manager)\b",
            re.I,
        ),
    ),
    # "Who is Othertown's improvement adviser?": a role a person holds (taxonomy's person_roles).
    ("person", PERSON_ROLE),
    (
        "agent",
        re.compile(r"^\s*(?:and\s+)?who\b|\bwho (?:runs|commissions|chairs|leads|led|signed|provides|manages)\b", re.I),
    ),
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|long|often)\b|\bwhat (?:proportion|percentage|share|number|"
            r"rate|amount|ratio|figure)\b|\bper ?cent\b|%|\bhow big\b|\bas a (?:figure|number)\b|"
            r"\bwhat(?:'s|’s| is| was| were| are)\s+(?:the\s+|[\w-]+(?:'s|’s|s'|s’)\s+)?[\w'’ -]{0,40}?"
            r"\b(?:rate|number|proportion|percentage|total|cost|budget|ratio|average|median|caseloads?|"
            r"size)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"^\s*(?:and\s+)?when\b|\bwhen (?:was|were|did|is|will|does|should|do|are|has|have)\b|"
            r"\b(?:what|which) (?:dates?|years?|months?|day)\b|\bsince when\b|\bby when\b",
            re.I,
        ),
    ),
    (
        "rating",
        re.compile(
            r"\b(judge?ments?|judged|rated|ratings?|graded|overall effectiveness|(?:what|which) grades?|"
            # A grade held ("its overall grade", "Croydon's grades"), not the verb ("grade requests").
            r"(?:overall|its|their)\s+grades?|"
            r"inadequate|requires improvement)\b|(?<=['’]s )grades?\b|(?<=s['’] )grades?\b|"
            # "still outstanding" and "outstanding actions" are not a grade.
            r"(?<!still )(?<!remain )(?<!remains )(?<!remained )(?<!left )\boutstanding\b"
            r"(?! (?:actions?|issues?|items?|work|tasks?|recommendations?|areas?|points?)\b)",
            re.I,
        ),
    ),
    (
        "organisation",
        re.compile(
            r"\bwhich (?:[\w'-]+ )?(?:schools?|organisations?|agencies|agency|services?|"
            r"providers?|trusts?|hospitals?|charities|charity|teams?|councils?|partners?|"
            r"compan(?:y|ies)|practices?|centres?|homes?|groups?|hubs?|units?|academ(?:y|ies)|colleges?|"
            r"universit(?:y|ies)|boards?|partnerships?|clinics?|wards?|consultanc(?:y|ies)|firms?|bod(?:y|ies))\b|"
            r"\bnames of\b|"
            r"^\s*where\b(?! (?:are|is) (?:they|we|things) with)|"
            r"\bwhere (?:is|are|was|were|do|does|did)\b(?! (?:they|we|things) with)",
            re.I,
        ),
    ),
)
# Where a question asks a second thing ("when was X appointed, and what difference did it make?"):
# the answer type's clause is the one its cue is in, and only that clause's focus binds the answer.
CLAUSE_BREAK = re.compile(
    r"[;?]|\s[-–—]\s|,?\s+and\s+(?=(?:what|how|who|when|where|which|why|whether|does|did|do|is|was|"
    r"are|were|has|have|had|can|could|will|would|if)\b)|,\s*(?=(?:what|how|who|when|where|"
    r"which|why|whether)\b)",
    re.I,
)
# Month names date what is asked about ("in May 2020"); they are not what it is about.
MONTH_TERMS = frozenset(terms(" ".join(MONTHS).lower()))
# Units a figure or a date is given in ("how many weeks", "which month"): part of the answer, not
# of what the question is about.
UNITS = frozenset(terms("day days week weeks month months hour hours minute minutes times percent per cent pounds"))
# Words of a question that say what kind of answer is wanted, or whose documents, not what it is
# about: they are not its focus.
# Words that ask about change over time ("how has X's judgement changed since 2016?", "was it
# still ... at the next inspection?"): what a grade question asks of each report's grade, not
# its focus.
CHANGE_TERMS = frozenset(terms("change changed changes since improve improved compare compared still remain remained"))
# A trainer's framing of a question ("For a training session:", "I'm running a session on",
# "summarise for trainees"): why it is asked, not what it asks. `without_framing` drops it before
# the question is read, keeping the topic a framing introduces ("a session on supervision").
_FRAMING = (
    re.compile(
        r"^\W*(?:for|ahead of|before)\s+(?:(?:a|an|my|our|the|this|next|upcoming)\s+)*"
        r"(?:(?:training|teaching|team|staff|practice|learning|development|induction|cpd)\s+)?"
        r"(?:session|workshop|course|briefing|training|induction|presentation)s?\b"
        # its topic stays ("For a training session on drift and delay, ..."); other words go.
        r"(?:\s+(?:on|about|covering)\s+|[^:,?;–-]{0,40}[:,;–-]\s*)",
        re.I,
    ),
    re.compile(
        r"^\W*(?:(?:i'?m|i am|we'?re|we are)\s+)?(?:running|prepping|preparing|planning|delivering|doing|writing|"
        r"putting together|designing)\s+(?:a|an|my|our|some)\s+(?:(?:training|teaching|team)\s+)?"
        r"(?:session|workshop|course|briefing|training|presentation|slides)\s*(?:(?:on|about|for|covering)\s+)?",
        re.I,
    ),
    re.compile(
        r"\b(?:summari[sz]e|explain|outline)\s+for\s+(?:(?:my|our|new|the)\s+)?"
        r"(?:trainees|students|learners|team|practitioners|social workers|managers|starters)\b\s*",
        re.I,
    ),
    re.compile(
        r"[\s,;–-]*\b(?:for|in)\s+(?:a|my|our|the)\s+(?:(?:training|teaching|team)\s+)?"
        r"(?:session|workshop|course|briefing|presentation)\s*(?=[?.!]*\s*$)",
        re.I,
    ),
)


def without_framing(question: str) -> str:
    """The question less a trainer's framing of it; the question as written when nothing is left."""
    asked = question
    for pattern in _FRAMING:
        asked = pattern.sub("", asked, count=1)
    asked = asked.strip(" ,;:-–")
    return asked if re.search(r"\w{3}", asked) else question


NOT_FOCUS = frozenset(
    terms(
        "happen happened find found say said done many much long often good well work works working get give "
        "given gave use used come came make made go going went know take put ask asked run runs kind look looked "
        "kinds type types way ways thing things anything something someone anyone like also yet still "
        "ever now currently current number level overall main key new old there here where when which "
        "who whom whose why how what document documents report reports inspector inspectors inspection "
        "inspections review reviews letter plan council councils local area areas children child young people "
        "kids kid youngsters "
        "date year years month time status latest update proportion percentage share rate amount figure "
        "name names list total tell show describe according led rating ratings rated judged judgement judgements "
        "grade grades graded one ones"
    )
)

NO_APOSTROPHE = re.compile(r"\b(what|who|how|where|when)s\b", re.I)

TIME_BOUND = re.compile(
    r"\b(?:since|before|after|following|until|prior to|between)\s+(?:the\s+|early\s+|late\s+|mid-?\s*)?((?:19|20)\d\d)\b",
    re.I,
)
NOW = re.compile(r"\b(?:now|currently|today|these days|at the moment|at present|still)\b", re.I)


# A period a question across councils asks about ("judged inadequate since 2023"): the bound
# year's word says which side of it counts.
PERIOD = re.compile(
    r"\b(since|from|after|following|before|prior to|until|between)\s+(?:the\s+(?:start|end) of\s+)?"
    r"((?:19|20)\d\d)(?:\s+and\s+((?:19|20)\d\d))?\b",
    re.I,
)

BACK_REFERENCE = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her)\b", re.I)

SOURCE_BEFORE = r"\b(?:in|from|of|by|during|at)\s+(?:the|a|an|its|their|our)?\s*(?:[\w'’]+\s+){0,3}?"
SOURCE_AFTER = (
    r"(?:\s+(?:letter|report))?(?:\s+(?:to|for|on|about|of)\s+[\w'’]+)?\s+(?:find|found|finds|say|said|says|identif\w*|report\w*|recommend\w*|"
    r"judge\w*|rate\w*|list\w*|set\w* out|conclude\w*|note\w*)\b"
)

JOINERS = {"of", "the", "for", "in", "on", "and", "to", "a", "an", "with", "from", "at", "by"}

# Words of a question that may name something the corpus never mentions (the evidence figure
# checks them against the corpus's words): capitalised words and years, less question words.
NAME_WORD = re.compile(r"\b(?:[A-Z][A-Za-z]{2,}|[12]\d{3})\b")
QUESTION_WORDS = frozenset(
    "what how who when where which why does did has have is are was were can "
    "could should would the for and will".split()
)
# An acronym as written ("CAMHS", "IROs"): one the question holds is no new name in an answer.
ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")


def grades_judged(question: str, taxonomy: Taxonomy) -> tuple[str, ...]:
    """The grades `question` says reports were judged ("judged inadequate", "rated requires
    improvement"), as taxonomy grades."""
    text = " ".join(question.lower().replace("-", " ").split())
    cues = "|".join(re.escape(c) for c in sorted(taxonomy.judged_cues, key=len, reverse=True))
    grades = "|".join(re.escape(g.lower()) for g in taxonomy.grades)
    if not cues or not grades:
        return ()
    named = re.findall(rf"\b(?:{cues})\s+({grades})\b", text)
    return tuple(dict.fromkeys(g for word in named for g in taxonomy.grades_matching(word)))


def asks_across_councils(question: str, taxonomy: Taxonomy) -> bool:
    """Whether `question` asks across councils ("which councils ...?")."""
    text = " ".join(question.lower().replace("’", "'").split())
    return any(re.search(rf"\b{re.escape(p)}\b", text) for p in taxonomy.across_phrases)


def asks_for_sections(question: str, taxonomy: Taxonomy | None = None) -> str:
    """ "improvement" or "strength" when `question` asks for that class of findings, else ""."""
    taxonomy = taxonomy or load_taxonomy()
    text = " ".join(question.lower().replace("’", "'").split())
    return next((c for c, phrases in taxonomy.section_questions if any(p in text for p in phrases)), "")
