from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "klaster.web.assessment"
    label = "assessment"
    verbose_name = "Assessment"
