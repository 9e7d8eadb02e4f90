import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_machine.settings")

app = Celery("kpi_machine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Areas inside an app keep their own tasks module; autodiscovery only looks in each app's.
app.autodiscover_tasks(["indicators.data_entry"])
