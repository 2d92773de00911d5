"""Benchmarks from Explore Education Statistics files: England, region, statistical neighbours and rank, for every year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.library import library_measure_add, measure_named
from kpis.models import Benchmark, BenchmarkImport, Indicator, KpiValue
from kpis.open_data import benchmarks_apply, benchmarks_read

pytestmark = pytest.mark.django_db

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "new_la_code,old_la_code,la_name,breakdown_topic,breakdown,pc_plans_issued_20_weeks_ex"
)
NW, NE = ("E12000002", "North West"), ("E12000001", "North East")
# Eight local authorities; ours is E06000001 in the North West. Its neighbours are E06000002 and E06000003.
AUTHORITIES = [
    ("E06000001", "Ourtown", NW),
    ("E06000002", "Nexttown", NW),
    ("E06000003", "Fartown", NE),
    ("E06000004", "Fourtown", NE),
    ("E06000005", "Fivetown", NW),
    ("E06000006", "Sixtown", NE),
    ("E06000007", "Seventown", NW),
    ("E06000008", "Eighttown", NE),
]


def ees_file(years: dict[str, dict]) -> bytes:
    """An open-data file: for each year, England, both regions and each authority's figure (as text)."""
    lines = [HEADER]
    for year, figures in years.items():
        lines.append(f"{year},Calendar year,National,E92000001,England,,,,,,All EHC plans,All EHC plans,{figures['england']}")
        for code, name in (NW, NE):
            lines.append(f"{year},Calendar year,Regional,E92000001,England,{code},{name},,,,All EHC plans,All EHC plans,{figures[name]}")
        for (la, la_name, (region, region_name)), value in zip(AUTHORITIES, figures["las"], strict=True):
            base = f"{year},Calendar year,Local authority,E92000001,England,{region},{region_name},{la},800,{la_name}"
            lines.append(f"{base},All EHC plans,All EHC plans,{value}")
            lines.append(f"{base},Age,Under 5,1")  # another breakdown, which the KPI's filter leaves out
    return ("\n".join(lines) + "\n").encode()


YEAR_2023 = {"england": "50.3", "North West": "48.1", "North East": "55", "las": ["62", "70", "40", "x", "55", "30", "65.5", "c"]}
YEAR_2024 = {"england": "46.4", "North West": "44", "North East": "52.2", "las": ["71.2", "60", "z", "20", "40", "30", "80", "10"]}


@pytest.fixture
def timeliness(strategy, partnership):
    partnership.la_code = "E06000001"
    partnership.statistical_neighbours = ["E06000002", "E06000003"]
    partnership.save()
    return library_measure_add(strategy=strategy, measure=measure_named("EHCP-20WK-EXC"), target=Decimal(85))


def imported(strategy, content: bytes, name="ehcp.csv"):
    changes = benchmarks_read(content, name, strategy)
    assert changes.ok, changes.problems
    return benchmarks_apply(changes, user=None, strategy=strategy)


def test_it_reads_the_value_england_region_neighbours_and_rank_for_every_year(strategy, timeliness):
    imported(strategy, ees_file({"2023": YEAR_2023, "2024": YEAR_2024}))
    values = {v.period: v.value for v in KpiValue.objects.filter(indicator=timeliness)}
    assert values == {"2023": Decimal("62"), "2024": Decimal("71.2")}
    b2023, b2024 = Benchmark.objects.filter(indicator=timeliness).order_by("period")
    assert (b2023.england, b2023.region, b2023.region_name) == (Decimal("50.3"), Decimal("48.1"), "North West")
    # 2023: neighbours 70 and 40; six authorities with a figure (x and c are suppressed); 70, 65.5 are better.
    assert (b2023.neighbours_average, b2023.neighbours_counted) == (Decimal("55"), 2)
    assert (b2023.rank, b2023.ranked, b2023.rank_label()) == (3, 6, "3rd of 6, second quartile")
    # 2024: Fartown's z (not applicable) leaves one neighbour; 80 alone beats 71.2.
    assert (b2024.neighbours_average, b2024.neighbours_counted) == (Decimal("60"), 1)
    assert b2024.rank_label() == "2nd of 7, second quartile"


def test_ranking_follows_the_kpis_direction(strategy, timeliness):
    timeliness.direction = "lower"
    timeliness.save()
    imported(strategy, ees_file({"2024": YEAR_2024}))
    assert Benchmark.objects.get(indicator=timeliness).rank_label() == "6th of 7, bottom quartile"


def test_next_years_file_adds_the_new_year_and_changes_nothing_else(strategy, timeliness):
    imported(strategy, ees_file({"2023": YEAR_2023}))
    before = list(Benchmark.objects.values()), list(KpiValue.objects.values())
    revised = {**YEAR_2023, "england": "50.9"}  # DfE revised last year's England figure
    changes = imported(strategy, ees_file({"2023": revised, "2024": YEAR_2024}))
    assert [(r.period, r.value_action, r.benchmark_action) for r in changes.rows] == [("2023", "unchanged", "kept"), ("2024", "new", "new")]
    assert changes.summary()["kept"] == 1
    assert Benchmark.objects.get(period="2023").england == Decimal("50.3")
    assert [b for b in Benchmark.objects.values() if b["period"] == "2023"] == [b for b in before[0]]
    assert KpiValue.objects.count() == len(before[1]) + 1
    again = imported(strategy, ees_file({"2023": revised, "2024": YEAR_2024}))
    assert again.summary()["new_values"] == 0 and Benchmark.objects.count() == 2


def test_a_suppressed_own_figure_still_brings_the_benchmarks(client, board, strategy, timeliness):
    year = {**YEAR_2024, "las": ["c", *YEAR_2024["las"][1:]]}
    imported(strategy, ees_file({"2024": year}))
    assert not KpiValue.objects.filter(indicator=timeliness).exists()
    benchmark = Benchmark.objects.get(indicator=timeliness)
    assert benchmark.england == Decimal("46.4") and benchmark.rank is None and benchmark.rank_label() == ""
    client.force_login(board)
    page = client.get(f"/kpis/{timeliness.pk}/").content.decode()
    table = page.split("National benchmarks")[1].split("</table>")[0]
    assert "2024" in table and "46.4%" in table and "No figure of our own: not ranked" in table


def test_an_unreadable_figure_is_a_row_numbered_problem_and_nothing_is_written(strategy, timeliness):
    year = {**YEAR_2024, "las": [*YEAR_2024["las"][:3], "n/a?", *YEAR_2024["las"][4:]]}
    changes = benchmarks_read(ees_file({"2024": year}), "ehcp.csv", strategy)
    [problem] = changes.problems
    assert (problem.row, problem.column, problem.value) == (
        11,
        "pc_plans_issued_20_weeks_ex",
        "n/a?",
    )  # header, England, 2 regions, 3 authorities x 2 rows
    assert "suppression symbol" in problem.message
    assert not Benchmark.objects.exists() and not KpiValue.objects.exists()


def test_without_the_partnerships_la_code_it_says_what_to_set(strategy, timeliness, partnership):
    partnership.la_code = ""
    partnership.save()
    changes = benchmarks_read(ees_file({"2024": YEAR_2024}), "ehcp.csv", strategy)
    assert "Set the partnership's local authority first" in changes.problems[0].message
    assert changes.authorities["E06000002"] == "Nexttown"  # offered on the settings page


def test_a_file_that_is_not_open_data_gets_a_clear_message(strategy, timeliness):
    changes = benchmarks_read(b"ref,action\nSP1,Do it\n", "plan.csv", strategy)
    assert any("Explore Education Statistics open-data file" in p.message for p in changes.problems)


def test_a_monthly_kpi_naming_the_column_is_told_it_needs_yearly_figures(strategy, timeliness, indicator):
    indicator.open_data_column = "pc_plans_issued_20_weeks_ex"
    indicator.save()
    changes = benchmarks_read(ees_file({"2024": YEAR_2024}), "ehcp.csv", strategy)
    assert any("only annual KPIs read them" in p.message for p in changes.problems)


def test_an_officer_uploads_checks_the_preview_and_confirms(client, officer, strategy, timeliness):
    client.force_login(officer)
    upload = SimpleUploadedFile("ehcp.csv", ees_file({"2023": YEAR_2023, "2024": YEAR_2024}), content_type="text/csv")
    response = client.post(f"/strategies/{strategy.pk}/kpis/benchmarks/", {"file": upload})
    kept = BenchmarkImport.objects.get()
    assert response.url == f"/kpi-benchmark-imports/{kept.pk}/"
    preview = client.get(response.url).content.decode()
    assert "2 new values and 2 new benchmarks" in preview and "Ourtown" in preview
    # The file's figures in the KPI's unit, as its pages will show them: 2024's value, England, region and neighbours.
    assert all(f">{figure}<" in preview for figure in ("71.2%", "46.4%", "44% (North West)", "60% (1)"))
    assert not Benchmark.objects.exists()
    confirmed = client.post(f"/kpi-benchmark-imports/{kept.pk}/confirm/")
    assert confirmed.url == f"/strategies/{strategy.pk}/kpis/" and Benchmark.objects.count() == 2
    client.post(f"/kpi-benchmark-imports/{kept.pk}/confirm/")  # a second confirmation adds nothing
    assert Benchmark.objects.count() == 2 and KpiValue.objects.count() == 2


def test_an_officer_chooses_the_la_and_neighbours_from_the_files_names(client, officer, strategy, timeliness, partnership):
    client.force_login(officer)
    client.post(f"/strategies/{strategy.pk}/kpis/benchmarks/", {"file": SimpleUploadedFile("e.csv", ees_file({"2024": YEAR_2024}))})
    page = client.get(f"/strategies/{strategy.pk}/kpis/benchmarking/").content.decode()
    assert "Sixtown (E06000006)" in page
    refused = client.post(
        f"/strategies/{strategy.pk}/kpis/benchmarking/", {"la_code": "E06000006", "statistical_neighbours": ["E06000006"]}
    )
    assert refused.status_code == 422 and "cannot be one of its neighbours" in refused.content.decode()
    client.post(
        f"/strategies/{strategy.pk}/kpis/benchmarking/", {"la_code": "E06000006", "statistical_neighbours": ["E06000007", "E06000008"]}
    )
    partnership.refresh_from_db()
    assert (partnership.la_code, partnership.statistical_neighbours) == ("E06000006", ["E06000007", "E06000008"])


def test_the_scorecard_kpi_page_and_chart_show_england_the_region_by_name_and_the_rank(client, board, strategy, timeliness):
    imported(strategy, ees_file({"2023": YEAR_2023, "2024": YEAR_2024}))
    client.force_login(board)
    scorecard = client.get(f"/strategies/{strategy.pk}/kpis/").content.decode()
    for text in [
        "Better than England (46.4%)",
        "Better than North West (44%)",
        "Better than statistical neighbours (60%)",
        "Ranked 2nd of 7, second quartile",
    ]:
        assert text in scorecard
    page = client.get(f"/kpis/{timeliness.pk}/").content.decode()
    assert "North West</th>" in page and "3rd of 6, second quartile" in page
    chart = client.get(f"/kpis/{timeliness.pk}/chart.svg").content.decode()
    assert ">England<" in chart and ">North West<" in chart and ">Statistical neighbours&#x27; average<" in chart


def test_the_neighbours_average_reads_to_the_places_of_their_figures_on_the_scorecard_and_the_kpis_page(
    client, board, strategy, timeliness, partnership
):
    """Three neighbours at 73.6, 22.1 and 47.8 average 47.8333…: shown 47.8%, to one place as England's 46.4% is."""
    partnership.statistical_neighbours = ["E06000002", "E06000003", "E06000004"]
    partnership.save()
    year = {**YEAR_2024, "las": ["71.2", "73.6", "22.1", "47.8", "40", "30", "80", "10"]}
    imported(strategy, ees_file({"2024": year}))
    client.force_login(board)
    scorecard = client.get(f"/strategies/{strategy.pk}/kpis/").content.decode()
    assert "Better than England (46.4%)" in scorecard and "Better than statistical neighbours (47.8%)" in scorecard
    page = client.get(f"/kpis/{timeliness.pk}/").content.decode()
    assert "47.8% (3 with a figure)" in page
    assert "47.83" not in scorecard + page


def test_the_board_pack_compares_each_kpi_with_england_the_region_and_neighbours(strategy, timeliness, officer, action):
    from governance.services import snapshot_take
    from reporting.report import board_pack_html

    imported(strategy, ees_file({"2023": YEAR_2023, "2024": YEAR_2024}))
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 6, 30), taken_by=officer)
    html = board_pack_html(snapshot, for_print=False)
    assert "Better than England (46.4%); Better than North West (44%); Better than statistical neighbours (60%)" in html
    assert "Ranked 2nd of 7, second quartile" in html and ">North West<" in html


def test_the_demo_scorecard_shows_cheshire_easts_20_week_timeliness_against_england_north_west_and_neighbours(client, one_plan):
    """The published 2019-2025 figures (fixtures/benchmarks): the scorecard shows the latest year, 2025."""
    import os

    from django.core.management import call_command

    from tests.conftest import FIXTURES, make_user

    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_kpis", str(FIXTURES / "kpis" / "cheshire-east-kpis.csv"), strategy=one_plan.name, stdout=quiet)
    call_command("seed_benchmarks_demo", stdout=quiet)
    call_command("seed_benchmarks_demo", stdout=quiet)  # the demo fills only what is empty
    kpi = Indicator.objects.get(strategy=one_plan, library_code="EHCP-20WK-EXC")
    assert list(Benchmark.objects.filter(indicator=kpi).values_list("period", flat=True)) == [str(y) for y in range(2019, 2026)]
    assert list(KpiValue.objects.current().filter(indicator=kpi).order_by("period_start").values_list("value", flat=True)) == [
        Decimal(v) for v in ["51", "42.7", "66.6", "40.1", "67.8", "47.9", "23.9"]
    ]
    client.force_login(make_user("board-member@example.org", one_plan.partnership, "board_member"))
    page = client.get(f"/strategies/{one_plan.pk}/kpis/").content.decode()
    row = page.split("EHC plans issued within 20 weeks (excluding exceptions)")[1].split("</tr>")[0]
    for text in [
        "23.9%",
        "2025",
        "Worse than England (46.1%)",
        "Worse than North West (43.4%)",
        # Warrington 73.6 and Cheshire West and Chester 22.1, the neighbours in the North West cut: 47.85, to one place
        "Worse than statistical neighbours (47.9%)",
        "Ranked 17th of 23, third quartile",
    ]:
        assert text in row
    detail = client.get(f"/kpis/{kpi.pk}/").content.decode()
    assert "47.9% (2 with a figure)" in detail and "7th of 24, second quartile" in detail  # 2023


def test_a_file_the_size_of_the_published_one_is_read_whole(strategy, partnership):
    """The 2026 release's timeliness file is 21,706 rows of 28 columns: past a plan file's limits, within an open-data file's."""
    from intake.tables import MAX_CELLS, MAX_ROWS
    from tests.conftest import FIXTURES

    partnership.la_code = "E06000049"
    partnership.statistical_neighbours = ["E06000007", "E06000050"]
    partnership.save()
    library_measure_add(strategy=strategy, measure=measure_named("EHCP-20WK-EXC"), target=Decimal(85))
    header, *rows = (FIXTURES / "benchmarks" / "ehcp-timeliness-cheshire.csv").read_text().splitlines()
    lines = [header, *rows]
    while len(lines) <= 21_706:  # the published file's other breakdowns, which the KPI's filter leaves out
        for row in rows:
            lines.append(row.replace("All EHC plans,All EHC plans", f"Age at time of request,age {len(lines) % 20}"))
    content = ("\n".join(lines[:21_707]) + "\n").encode()
    assert 21_706 > MAX_ROWS and 21_706 * 28 > MAX_CELLS
    changes = benchmarks_read(content, "timeliness_20_week.csv", strategy)
    assert changes.ok, changes.problems
    latest = {r.period: r for r in changes.rows}["2025"]
    assert (latest.value, latest.england, latest.region, latest.rank, latest.ranked) == (
        Decimal("23.9"), Decimal("46.1"), Decimal("43.4"), 17, 23
    )  # fmt: skip
    assert (latest.neighbours_average, latest.neighbours_counted) == (Decimal("47.9"), 2)


def test_an_average_held_to_four_places_is_the_same_as_the_file_s_rounded_one(strategy, timeliness):
    """Averages were once kept to four places (47.8500): the same file read again is unchanged, not "kept: differs"."""
    imported(strategy, ees_file({"2023": YEAR_2023}))
    Benchmark.objects.filter(indicator=timeliness).update(neighbours_average=Decimal("55.0000"))
    assert [r.benchmark_action for r in benchmarks_read(ees_file({"2023": YEAR_2023}), "ehcp.csv", strategy).rows] == ["unchanged"]
    Benchmark.objects.filter(indicator=timeliness).update(neighbours_average=Decimal("54.9666"))  # rounds to 55
    assert [r.benchmark_action for r in benchmarks_read(ees_file({"2023": YEAR_2023}), "ehcp.csv", strategy).rows] == ["unchanged"]
    Benchmark.objects.filter(indicator=timeliness).update(neighbours_average=Decimal("54.4"))  # a figure that differs
    assert [r.benchmark_action for r in benchmarks_read(ees_file({"2023": YEAR_2023}), "ehcp.csv", strategy).rows] == ["kept"]
