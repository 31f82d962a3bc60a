"""CRM capability: import CRM exports (importer), pipeline figures (stats), deal inspection (review),
forecast snapshots and accuracy (forecast). Vocabulary (stages, categories, thresholds) lives in
frameworks/crm.json."""
