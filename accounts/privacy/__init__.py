"""What the platform knows about a person: the download, the erasure, and the retention job.

`export.personal_data` is the download (issue 9, the AVG right of access); `erasure` removes
or anonymises a person everywhere; `retention` runs both kinds of clean-up that the
privacy statement promises, on a schedule.
"""
