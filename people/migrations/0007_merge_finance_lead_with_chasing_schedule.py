# Joins two lines of migrations made side by side.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0006_membership_finance_lead_role'),
        ('people', '0006_partnership_chasing_schedule'),
    ]

    operations = [
    ]
