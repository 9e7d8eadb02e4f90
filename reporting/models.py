# Performance clinics and remedial plans arrive with their own issue; the app is registered
# now so the layout matches ARCHITECTURE.md and later migrations start cleanly.
