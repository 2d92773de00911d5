from django.db import migrations

from actions import revisions


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0001_initial"),
        ("actions", "0008_strategy_revision"),
    ]

    operations = [migrations.RunSQL(*revisions.triggers_sql("coproduction_familiesview", revisions.BY_GROUP))]
