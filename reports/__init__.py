"""Measurement: usage imports, metrics, the ROI model, charts, PDF rendering and report jobs."""
