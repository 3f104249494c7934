"""Closing an enrolment with an outcome and the progress report (progressionsrapport): its content
(selectors), the PDF (pdf) and the versions a coordinator regenerates and signs off (services)."""
