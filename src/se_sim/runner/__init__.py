"""Runner layer: replicates, experiment designs, seeds, executors and result storage."""
