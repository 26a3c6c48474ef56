"""Analysis, early warnings and appraisal (issue 16): KPIs counted from the cases' fact rows
(``models/analysis.py``), the leaders' dashboard, warnings, monthly reports, appraisal scores and the
governance index. Every figure can be traced to the cases behind it. See docs/kpi.md."""
