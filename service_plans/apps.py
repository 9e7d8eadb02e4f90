from django.apps import AppConfig


class ServicePlansConfig(AppConfig):
    name = "service_plans"
    verbose_name = "Service Improvement Plans"
