"""Data-entry services: every write of a result or target, with its permission check and history."""
