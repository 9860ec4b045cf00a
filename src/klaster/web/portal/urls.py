from django.urls import path

from klaster.web.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("clusters/", views.directory, name="directory"),
    # Browsers ask for /favicon.ico when a response has no <link rel="icon"> (a JSON or
    # file response): the site's own icon, not a 404.
    path("favicon.ico", views.favicon, name="favicon"),
    path("clusters/export/", views.directory_export, name="directory_export"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/profile.pdf", views.cluster_profile_pdf, name="cluster_pdf"),
    path("clusters/<int:pk>/contact/", views.cluster_contact, name="cluster_contact"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("map/", views.cluster_map, name="map"),
    path("map/regions.geojson", views.map_boundaries, name="map_boundaries"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("workspace/clusters/<int:pk>/documents/", views.document_upload,
         name="document_upload"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/organisations/new/", views.organisation_add, name="organisation_add"),
    path("workspace/clusters/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("workspace/clusters/new/", views.cluster_create, name="cluster_create"),
    path("workspace/clusters/<int:pk>/", views.cluster_edit, name="cluster_edit"),
    path("workspace/clusters/<int:pk>/history/", views.cluster_history, name="cluster_history"),
    path("workspace/clusters/<int:pk>/import/", views.members_import, name="members_import"),
    path("workspace/clusters/<int:pk>/export/", views.members_export, name="members_export"),
    path("workspace/clusters/<int:pk>/activities/new/", views.activity_create,
         name="activity_create"),
    path("workspace/memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("workspace/organisations/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path("workspace/organisations/<int:pk>/history/", views.organisation_history,
         name="organisation_history"),
    path("workspace/organisations/<int:pk>/figures/new/", views.figures_create,
         name="figures_create"),
    path("workspace/figures/<int:pk>/", views.figures_edit, name="figures_edit"),
    path("workspace/organisations/<int:pk>/join/", views.join_request_create,
         name="join_request_create"),
    path("workspace/join-requests/<int:pk>/decide/", views.join_request_decide,
         name="join_request_decide"),
    path("workspace/clusters/<int:pk>/projects/new/", views.project_create,
         name="project_create"),
    path("workspace/clusters/<int:pk>/profile/", views.profile_edit, name="profile_edit"),
]
