"""Outputs: what researchers read.

Figures, tables, the survival report, the audit report and their writers.
"""
