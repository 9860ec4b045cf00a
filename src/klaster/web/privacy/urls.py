from django.urls import path

from klaster.web.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.notice, name="notice"),
    path("accept/", views.accept, name="accept"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download.json", views.download_json, name="download_json"),
    path("my-data/download.csv", views.download_csv, name="download_csv"),
    path("my-data/emails/", views.emails, name="emails"),
    path("my-data/withdraw/", views.withdraw, name="withdraw"),
    path("my-data/erase/", views.erase_request, name="erase"),
]
