"""What a segment selects: analytics queries, normalised figures, anomalies and reports."""
