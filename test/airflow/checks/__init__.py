"""The checks run by test/airflow/check_dags.py, one module per concern (support.py: shared helpers)."""
