"""Shared code of omnibot's Airflow DAGs: the workflow catalog, CMMS client, result summaries, workflows, signed callback."""
