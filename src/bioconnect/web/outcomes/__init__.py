"""Outcomes: newcomer cohorts and their survival, the plan's KPIs, observations, forecasts."""
