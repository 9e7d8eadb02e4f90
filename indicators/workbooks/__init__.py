"""Reading and writing workbooks: Table 3.3-style sheets, the bulk results template, exports.

`values` parses numbers the way officers write them; `reader` opens and checks uploads;
`parser` turns a sheet into planned changes; `export` writes .xlsx/.csv safely.
"""
