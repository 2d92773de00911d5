from __future__ import annotations

from django.urls import path

from risks import views

app_name = "risks"

urlpatterns = [
    path("strategies/<int:strategy_id>/risks/", views.register, name="register"),
    path("strategies/<int:strategy_id>/risks/new/", views.risk_add, name="risk_add"),
    path("strategies/<int:strategy_id>/risks/scale/", views.risk_scale, name="risk_scale"),
    path("strategies/<int:strategy_id>/risks/export.xlsx", views.register_export, name="register_export"),
    path("strategies/<int:strategy_id>/risks/headline/", views.headline, name="headline"),
    path("risks/<int:risk_id>/", views.risk_detail, name="risk_detail"),
    path("risks/<int:risk_id>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:risk_id>/rescore/", views.risk_rescore_view, name="risk_rescore"),
]
