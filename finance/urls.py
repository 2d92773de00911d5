from __future__ import annotations

app_name = "finance"

urlpatterns: list = []
