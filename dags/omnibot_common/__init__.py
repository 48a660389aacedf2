"""Shared code of omnibot's Airflow DAGs: CMMS client, result summaries, workflows, signed callback."""
