"""Analysis layer: tables, reports and plots from run and sweep results."""
