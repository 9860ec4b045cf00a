from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("rubrics/", views.rubric_list, name="rubrics"),
    path("rubrics/new/", views.rubric_edit, name="rubric_new"),
    path("rubrics/import/", views.rubric_import, name="rubric_import"),
    path("rubrics/<int:pk>/", views.rubric_edit, name="rubric_edit"),
    path("rubrics/<int:pk>/supersede/", views.rubric_supersede, name="rubric_supersede"),
    path("calls/new/", views.call_edit, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("calls/<int:pk>/apply/", views.call_apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/assign/", views.assign, name="assign"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("applications/<int:pk>/report/", views.report, name="report"),
    path("applications/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("applications/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("appeals/<int:pk>/resolve/", views.appeal_resolve, name="appeal_resolve"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("assignments/<int:pk>/", views.assignment_score, name="assignment"),
    path("clusters/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("clusters/<int:pk>/snapshot/", views.snapshot, name="snapshot"),
    path("clusters/<int:pk>/surveys/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.survey_answer, name="survey_answer"),
    path("surveys/<int:pk>/results/", views.survey_results, name="survey_results"),
]
