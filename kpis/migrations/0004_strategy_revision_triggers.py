from django.db import migrations

from actions import revisions

TABLES = [
    ("kpis_indicator", revisions.BY_STRATEGY),
    ("kpis_kpivalue", revisions.BY_INDICATOR),
    ("kpis_benchmark", revisions.BY_INDICATOR),
]


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_kpivalueimport"),
        ("actions", "0008_strategy_revision"),
    ]

    operations = [migrations.RunSQL(*revisions.triggers_sql(table, strategies)) for table, strategies in TABLES]
