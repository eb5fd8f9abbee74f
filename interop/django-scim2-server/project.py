"""The smallest Django project that serves django-scim2-server, for scimcheck's interop run.

Settings, URLs and the SCIM access check in one module. SCIM handling (views, adapters,
filters, PATCH, errors, discovery) is django-scim2-server's; this module only wires it to
Django's auth.User and auth.Group models, an SQLite file, and a bearer token through the
package's documented SCIM2_SERVER_AUTH_CHECK hook.

Usage: python project.py DB_FILE PORT TOKEN   (migrates DB_FILE, then serves on 127.0.0.1)
"""

import hmac
import os
import sys

from django.urls import include, path

DEBUG = False
SECRET_KEY = "scimcheck-interop-only"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django_scim2_server"]
MIDDLEWARE = []
ROOT_URLCONF = "project"
USE_TZ = True
# SQLite serves one writer at a time: IMMEDIATE transactions wait for the lock (up to the
# timeout) instead of failing with "database is locked" under scimcheck's parallel scenarios.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("INTEROP_DB", ":memory:"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Tracebacks of 500s to the log (stderr), which DEBUG = False otherwise only mails to admins.
LOGGING = {
    "version": 1,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
# The package's default check wants a logged-in Django superuser; an IdP sends a bearer token.
SCIM2_SERVER_AUTH_CHECK = "project.bearer_token"

urlpatterns = [path("scim/v2/", include("django_scim2_server.urls"))]


def bearer_token(request):
    """Allows a request that carries the token this server was started with."""
    expected = "Bearer " + os.environ["INTEROP_TOKEN"]
    return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode())


if __name__ == "__main__":
    db, port, token = sys.argv[1:]
    os.environ.update(DJANGO_SETTINGS_MODULE="project", INTEROP_DB=db, INTEROP_TOKEN=token)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["project.py", "migrate", "--verbosity", "0"])
    execute_from_command_line(["project.py", "runserver", f"127.0.0.1:{port}", "--noreload"])
