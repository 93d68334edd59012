"""Exports for coordinators: challenges, projects, groups with their rosters, Meet & Match
registrations and hours, as CSV and as Excel, from the dashboard and from the admin.

Library: tablib (with openpyxl for .xlsx) writes the files; each export is a short list of
columns over one queryset (definitions.py). We chose it over django-import-export 4.4.3,
which builds on tablib itself: that package declares support up to Django 5.2 only, and its
admin export runs through an intermediate page (admin/import_export/export.html) with inline
style attributes, which our Content Security Policy refuses (style-src has no
'unsafe-inline', and nonces do not cover attributes). Its import half, resources and
widgets would be code we carry without using. tablib has no templates or front end at all,
so nothing here needs a CSP exception; our admin actions return the file straight away.

- definitions.py: one definition per export, its columns and the queryset behind them.
- services.py: export_rows (who may export what) and export_file (the bytes of a file).
- downloads.py: the HTTP response, shared by the views and the admin actions.
- views.py: /coordinatie/export/<kind>.<csv|xlsx>, for the dashboard (coordination/urls_exports.py).
- admin.py: the "Export as CSV / Excel" actions, added to the other apps' admins from
  CoordinationConfig.ready(), because no other app imports this one.

What no export contains, whatever the model holds: residents' contact details, the contact
details of partners' contact persons, internal messages and decision notes, check-in codes,
calendar tokens, passwords and whom people would rather not meet. Columns are listed one by
one, so a field added to a model later is never exported by accident.
"""
