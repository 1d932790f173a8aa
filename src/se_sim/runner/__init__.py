"""Runner layer: replicates, experiment designs, seeds, executors and result storage."""

from se_sim.runner.experiment import load_experiment
from se_sim.runner.storage import completed_run_ids, load_results, load_runs
from se_sim.runner.sweep import plan_sweep, run_sweep

__all__ = ["completed_run_ids", "load_experiment", "load_results", "load_runs", "plan_sweep",
           "run_sweep"]
