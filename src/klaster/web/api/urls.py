from klaster.web.api import views
from klaster.web.api.docs import Router

router = Router()
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("partner-requests", views.PartnerRequestViewSet, basename="partnerrequest")
router.register("coordinator-profiles", views.CoordinatorProfileViewSet, basename="profile")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("events", views.EventViewSet, basename="event")
router.register("join-requests", views.JoinRequestViewSet, basename="joinrequest")

urlpatterns = router.urls
