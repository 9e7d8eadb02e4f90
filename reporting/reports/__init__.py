"""Committee reports: generated from the data, written, signed off, published and frozen.

Layout: `kinds` (pure: which sections each report has, who signs it off, deadlines), `sections`
(one builder per section kind, returning plain data), `snapshot` (pure: the frozen JSON and its
SHA-256 digest), `markdown` (narrative rendered safely), `charts` (server-drawn SVG), `render`
(HTML, PDF, .xlsx from a snapshot), `services` (every write, with its permission check),
`returns` (the returns to central government), `views`/`urls`.
"""
