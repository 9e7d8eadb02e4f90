"""Targets for data entry's pages and imports: the writes live in the core
(`indicators.services.targets`), where the admin uses them too."""

from indicators.services.targets import (
    can_set_targets,
    target_errors,
    target_remove,
    target_set,
    target_write,
)

__all__ = ["can_set_targets", "target_errors", "target_remove", "target_set", "target_write"]
