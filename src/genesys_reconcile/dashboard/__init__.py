"""`reconcile dashboard`: every segment's preview served over HTTP as pages, JSON and CSV."""
