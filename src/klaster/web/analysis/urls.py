from django.urls import path

from klaster.web.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.dataset_list, name="list"),
    path("new/", views.dataset_create, name="create"),
    path("demo/", views.demo_create, name="demo"),
    path("<int:pk>/", views.dataset_detail, name="dataset"),
    path("<int:pk>/status/", views.dataset_status, name="status"),
    path("<int:pk>/report/", views.dataset_report, name="report"),
    path("<int:pk>/tables/<str:table>.<str:fmt>", views.dataset_download, name="download"),
    # Region codes are data (e.g. "PL/21"): the path converter takes "/" too; reverse()
    # percent-encodes the rest ("#", "?", spaces).
    path("<int:pk>/regions/<path:region>/", views.region_detail, name="region"),
    path("<int:pk>/record/", views.record_potential, name="record"),
    path("<int:pk>/publish/", views.dataset_publish, name="publish"),
]
