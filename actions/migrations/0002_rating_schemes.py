"""The rating schemes that ship with the product: Cheshire East's five levels, RAG and BRAG."""

from __future__ import annotations

from django.db import migrations


def install(apps, schema_editor) -> None:
    from actions.schemes import install_schemes

    install_schemes(apps.get_model("actions", "RatingScheme"), apps.get_model("actions", "RatingLevel"))


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
