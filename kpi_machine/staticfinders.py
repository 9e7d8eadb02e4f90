"""Serve Plotly's bundled `plotly.min.js` as a static file, and nothing else of its package.

The Python package ships the browser bundle in `plotly/package_data/`; adding that whole folder
to STATICFILES_DIRS would publish dozens of unrelated files, so this finder exposes one file.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_FILE = "plotly.min.js"
PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    storage = FileSystemStorage(location=str(PLOTLY_DIR))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_FILE:
            return [] if find_all else None
        full = str(PLOTLY_DIR / PLOTLY_FILE)
        return [full] if find_all else full

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage
