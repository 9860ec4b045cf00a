from django.urls import path

from klaster.web.matchmaking import board, views

app_name = "matchmaking"
urlpatterns = [
    path("networks/", views.network_index, name="networks"),
    path("networks/clusters/<int:pk>/", views.network, name="network"),
    path("networks/clusters/<int:pk>/metrics/", views.network_metrics, name="network_metrics"),
    path("board/", board.board, name="board"),
    path("board/events.ics", board.ical, name="board_ical"),
    path("board/requests/<int:pk>/", board.request_public, name="board_request"),
    path("board/events/<int:pk>/", board.event_public, name="board_event"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/<int:org_pk>/", views.request_create, name="request_create"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/", views.suggestions_page, name="suggestions"),
    path("requests/<int:pk>/accept/", views.suggestion_accept, name="accept"),
    path("requests/<int:pk>/dismiss/", views.suggestion_dismiss, name="dismiss"),
    path("proximity/", views.proximity_upload, name="proximity"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("events/<int:pk>/schedule/", views.event_schedule, name="schedule"),
    path("participants/<int:pk>/", views.participant_detail, name="participant"),
    path("participants/<int:pk>/agenda/", views.agenda, name="agenda"),
]
