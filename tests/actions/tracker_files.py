"""A tracker as partnerships keep them in Excel, built in the test: none of the import format's words."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

HEADERS = ["Objective", "Workstream", "Key task", "Accountable lead", "Completion date", "BRAG", "Latest position", "Comments"]
# (objective, workstream, key task, lead, completion date, number format or None, BRAG, latest position)
ROWS = [
    (
        "1. Early help",
        "Early years",
        "Launch the early years SEND toolkit",
        "Head of Early Years",
        dt.datetime(2025, 9, 1),
        "mmm yyyy",
        "G",
        "Toolkit drafted with settings; launch event booked.",
    ),
    ("", "", "Train 40 early years SENCOs", "Head of Early Years\nPCF Chair", dt.datetime(2025, 11, 28), "dd/mm/yyyy", "a", ""),
    ("", "Schools", "Publish the graduated approach guide", "Inclusion Lead", "March 2026", None, "Red", "Delayed by consultation."),
    (
        "2. Preparing for adulthood",
        "Transitions",
        "Agree a transitions protocol",
        "Head of Transitions",
        "TBC",
        None,
        "B",
        "Signed off in May.",
    ),
    ("", "", "Map post-16 places", "", "To be determined", None, "green", ""),
    ("", "Employment", "Start supported internships", "Head of Transitions", "", None, "", "Two employers signed up."),
]


def tracker_workbook(rows=ROWS) -> Workbook:
    workbook = Workbook()
    contents = workbook.active
    contents.title = "Read me"
    contents.append(["How to update this tracker"])
    contents.append(["Update your rows before each board meeting."])
    plan = workbook.create_sheet("Action plan")
    plan.append(["Northshire SEND Partnership: SEND strategy delivery tracker"])
    plan.append(["Last updated by the transformation team"])
    plan.append([])
    plan.append(HEADERS)
    for objective, workstream, task, lead, due, number_format, brag, position in rows:
        plan.append([objective or None, workstream or None, task, lead or None, due or None, brag or None, position or None, None])
        if number_format:
            plan.cell(row=plan.max_row, column=5).number_format = number_format
    plan.append([])
    plan.append(["Key: B = complete, G = on track, A = some risk, R = off track"])
    charts = workbook.create_sheet("Chart data")
    for line in [["BRAG status", "Actions"], ["B", 1], ["G", 2], ["A", 1], ["R", 1]]:
        charts.append(line)
    return workbook


def tracker_xlsx(rows=ROWS) -> bytes:
    out = io.BytesIO()
    tracker_workbook(rows).save(out)
    return out.getvalue()
