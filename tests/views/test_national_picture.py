"""The national picture over the table of judgements of real reports of three frameworks: the
reports of each grade by year, each council's latest grade and its movement, and the grade and
year filters.

The grades expected here were read from the reports' page 1 through the project's reader
(`ingest.readers`), not from the picture: of 2019, Essex "Overall effectiveness | Grade
Outstanding", Enfield "Good", Tower Hamlets "... now good ... | Grade Good Good Good: Good",
Reading "Requires improvement to be good", St Helens "... | Grade: Inadequate"; St Helens 2015
(SIF) "overall judgement is that children's services require improvement"; Wakefield 2016 (SIF)
"Children's services in Wakefield ... require improvement to be good", Wakefield 2018 (ILACS)
every judgement "Inadequate"; Tower Hamlets 2017 (SIF) "Children's services in Tower Hamlets are
inadequate".
"""

from __future__ import annotations

import pytest

from assistant.store import open_index
from assistant.views.judgements import judgements_table
from assistant.views.national import national_picture

RI, RI_TO_BE_GOOD = "Requires improvement", "Requires improvement to be good"


@pytest.fixture(scope="module")
def index(reports_index):
    return open_index(reports_index.settings, with_collection=False)


@pytest.fixture(scope="module")
def overall(index):
    return judgements_table(index, area="overall effectiveness")


def _by_council(picture):
    return {m.council: m for m in picture.councils}


def test_reports_of_each_grade_by_year_one_band_for_the_frameworks_requires_improvement(overall):
    picture = national_picture(overall)
    assert picture.area == "overall_effectiveness" and picture.rows == overall.rows
    of_2019 = {c.score: sorted(r.council for r in c.rows) for c in picture.counts if c.year == 2019}
    assert of_2019 == {4: ["Essex"], 3: ["Enfield", "Tower Hamlets"], 2: ["Reading"], 1: ["St Helens"]}
    # SIF "requires improvement" and ILACS "requires improvement to be good" are one band.
    assert [(b.score, b.grades) for b in picture.bands] == [
        (4, ("Outstanding",)),
        (3, ("Good",)),
        (2, (RI_TO_BE_GOOD, RI)),
        (1, ("Inadequate",)),
    ]
    # Every dated row is counted once, years oldest first, bands best first within a year.
    assert sum(c.count for c in picture.counts) == len(picture.rows) - picture.undated
    assert [(c.year, -c.score) for c in picture.counts] == sorted((c.year, -c.score) for c in picture.counts)
    assert {r for c in picture.counts for r in c.rows} == {r for r in picture.rows if r.date}
    assert picture.years[0] == 2014 and picture.years == tuple(sorted(picture.years))


def test_each_councils_latest_grade_with_the_report_before_it(overall):
    councils = _by_council(national_picture(overall))
    assert list(councils) == sorted(councils, key=str.casefold)  # the table's order
    wakefield = councils["Wakefield"]
    assert (wakefield.latest.date, wakefield.latest.grade, wakefield.movement) == ("2018-07-17", "Inadequate", "down")
    assert (wakefield.previous.date, wakefield.previous.grade) == ("2016-09-20", RI_TO_BE_GOOD)
    st_helens = councils["St Helens"]
    assert (st_helens.latest.grade, st_helens.previous.grade, st_helens.movement) == ("Inadequate", RI, "down")
    tower_hamlets = councils["Tower Hamlets"]
    assert (tower_hamlets.latest.grade, tower_hamlets.previous.grade, tower_hamlets.movement) == (
        "Good",
        "Inadequate",
        "up",
    )
    # A council of one report has no previous one: no movement.
    assert councils["Essex"].previous is None and councils["Essex"].movement == ""
    # The previous report is the one the table's row names, with the passage that grades it.
    assert wakefield.previous.doc_id == wakefield.latest.previous_doc_id
    assert wakefield.previous.source is not None and wakefield.previous.source.chunk.doc_id == wakefield.previous.doc_id


def test_grade_and_year_filters_narrow_the_rows_and_councils_not_the_movements_or_the_choices(overall):
    everything = national_picture(overall)
    inadequate = national_picture(overall, grades=[1], first_year=2018, last_year=2020)
    assert {r.grade for r in inadequate.rows} == {"Inadequate"}
    assert all(2018 <= int(r.date[:4]) <= 2020 for r in inadequate.rows)
    councils = _by_council(inadequate)
    assert {"St Helens", "Wakefield"} <= set(councils) and "Tower Hamlets" not in councils  # good in 2019
    # Wakefield's 2016 report is outside the years kept, yet its grade is the movement's start.
    assert councils["Wakefield"].previous.date == "2016-09-20" and councils["Wakefield"].movement == "down"
    assert inadequate.bands == everything.bands and inadequate.years == everything.years
    # The grade filter keeps a council by its latest report: Tower Hamlets, inadequate in 2017 and
    # good in 2019, is not among the inadequate councils, though its 2017 report is counted.
    ever = national_picture(overall, grades=[1])
    assert "Tower Hamlets" not in _by_council(ever)
    assert ("Tower Hamlets", "2017-04-07") in {(r.council, r.date) for r in ever.rows}
    # A year bound gives the picture as it stood: Tower Hamlets in 2017, before it improved.
    of_2017 = _by_council(national_picture(overall, grades=[1], first_year=2017, last_year=2017))
    assert (of_2017["Tower Hamlets"].latest.grade, of_2017["Tower Hamlets"].previous) == ("Inadequate", None)
    assert national_picture(overall, grades=[]).rows == ()
    assert national_picture(overall, first_year=2021, last_year=2019).rows == ()
    two_bands = national_picture(overall, grades=[2, 4])
    assert {c.score for c in two_bands.counts} == {2, 4}
    assert two_bands.table.rows == two_bands.rows and two_bands.table.area == "overall_effectiveness"


def test_an_area_the_april_2026_framework_grades_counts_its_reports(index):
    picture = national_picture(judgements_table(index, area="care leavers"))
    portsmouth = _by_council(picture)["Portsmouth"]
    assert (portsmouth.latest.kind, portsmouth.latest.grade, portsmouth.previous.grade) == (
        "ilacs_2026",
        "Outstanding",
        RI,
    )
    assert 2026 in {c.year for c in picture.counts}
