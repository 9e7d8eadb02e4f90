"""Sparklines now live in the indicator core (`indicators.sparklines`), so data entry's pages
(approvals) can draw them too; this module keeps the reporting app's imports working."""

from indicators.sparklines import Number, sparkline_description, sparkline_svg

__all__ = ["Number", "sparkline_description", "sparkline_svg"]
