import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_machine.settings")

app = Celery("kpi_machine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
