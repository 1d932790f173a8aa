"""The ``se-sim`` command. Heavy libraries (Mesa, pandas, pydantic) load only inside a command,
so that ``se-sim --help`` answers at once."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from se_sim.analysis.calibrate import Round

EXIT_FAILED_RUNS = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_FINISHED = 3
EXIT_INTERRUPTED = 130


def _cmd_validate(args: argparse.Namespace) -> int:
    from se_sim.scenario import load_scenario

    scenario = load_scenario(args.scenario, args.set)
    print(
        f"{args.scenario}: valid scenario '{scenario.name}' ({scenario.months} months, "
        f"{scenario.households.count} households, {len(scenario.enterprises)} enterprise(s))"
    )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from se_sim.analysis.run_report import write_run_report
    from se_sim.runner.replicates import new_results_dir, run_replicates
    from se_sim.scenario import InputError, load_scenario

    if args.replicates < 1 or args.seed < 0:
        raise InputError([f"--replicates {args.replicates} --seed {args.seed}: need at least one "
                          "replicate and a seed of 0 or more"])
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise InputError([f"--out {args.out}: is a file, not a folder"])
    overrides = list(args.set)
    if args.months is not None:
        overrides.append(f"months={args.months}")
    scenario = load_scenario(args.scenario, overrides)
    out = args.out or new_results_dir("results", scenario.name)
    seeds = [args.seed + i for i in range(args.replicates)]
    result = run_replicates(scenario, seeds, progress=not args.quiet)
    table = write_run_report(result, out)
    print(table)
    print(f"\nresults written to {out}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    """0 if every run succeeded, 1 if some failed, 130 if interrupted (finished runs are kept)."""
    from se_sim.analysis.sweep_table import format_sweep_table
    from se_sim.runner.sweep import sweep_command

    experiment, outcome = sweep_command(args.experiment, args.out, args.backend, args.workers,
                                        args.scheduler, args.shard, args.resume, not args.quiet)
    where = f"shard {args.shard}" if args.shard else "the experiment"
    print(f"{outcome.out}: {outcome.ok + outcome.failed} runs done ({outcome.ok} ok, "
          f"{outcome.failed} failed), {outcome.stored_before} already stored, "
          f"{outcome.in_shard} in {where}")
    if outcome.interrupted:
        again = f"se-sim sweep {args.experiment} --out {outcome.out} --resume"
        again += f" --shard {args.shard}" if args.shard else ""
        print(f"interrupted; finished runs are stored. Resume with:\n  {again}", file=sys.stderr)
        return EXIT_INTERRUPTED
    for metric in experiment.spec.report_metrics:
        print(format_sweep_table(outcome.out, outcome.swept, metric), end="\n\n")
    print(f"report: se-sim report {outcome.out}")
    if outcome.failed:
        last_line = outcome.first_error.strip().splitlines()[-1]
        print(f"{outcome.failed} run(s) failed; first error: {last_line}\n"
              f"tracebacks are in the 'error' column: se_sim.runner.load_results('{outcome.out}')",
              file=sys.stderr)
        return EXIT_FAILED_RUNS
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    """0 if done, 1 if some runs failed, 3 if too few sets were accepted to go on, 130 if
    interrupted (finished runs are kept and a rerun resumes)."""
    from se_sim.analysis.calibrate import FOLDER, calibrate_command, format_calibration

    def report(done: Round) -> None:
        sweep = done.sweep
        print(f"round {done.number}: {len(done.scores)} points in {done.folder} "
              f"({sweep.ok} runs done, {sweep.stored_before} already stored, {sweep.failed} "
              f"failed); {len(done.accepted)} accepted", flush=True)

    result = calibrate_command(args.experiment, args.out, args.backend, args.workers,
                               args.scheduler, not args.quiet, report)
    if result.interrupted:
        again = f"se-sim calibrate {args.experiment} --out {result.out}"
        print(f"interrupted; finished runs are stored. Resume with:\n  {again}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(format_calibration(result))
    print(f"\nwritten to {result.out / FOLDER}: {', '.join(f.name for f in result.files)}")
    if result.failed:
        last_line = result.first_error.strip().splitlines()[-1]
        print(f"{result.failed} run(s) failed and their points were not scored; first error: "
              f"{last_line}", file=sys.stderr)
        return EXIT_FAILED_RUNS
    if result.stopped:
        print(f"calibration stopped: {result.stopped}; widen the tolerances or the bounds, or "
              "accept a larger quantile", file=sys.stderr)
        return EXIT_NOT_FINISHED
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from se_sim.analysis.report import write_report

    report = write_report(args.results, args.out, args.metric, args.baseline, args.discover)
    print("\n".join(report.headline))
    print(f"\nreport written to {report.page} ({len(report.files)} files in {report.out})")
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    """Start the teaching page (``solara run`` on se_sim/app/app.py) and say where it is."""
    import importlib.util
    import os
    import signal
    import socket
    import subprocess
    import time

    from se_sim.scenario import InputError, load_scenario

    load_scenario(args.scenario)  # a bad file is a one-line error, before any server starts
    if importlib.util.find_spec("solara") is None:
        raise InputError(["se-sim app needs the 'app' extra: pip install -e '.[app]' "
                          "(make setup installs it)"])
    with socket.socket() as probe:
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise InputError([f"--host {args.host} --port {args.port}: cannot listen there "
                              f"({exc.strerror}); pick another --port"]) from None
    page = Path(__file__).parent / "app" / "app.py"
    env = {**os.environ, "SE_SIM_APP_SCENARIO": str(Path(args.scenario).resolve())}
    command = [sys.executable, "-m", "solara", "run", str(page), "--production", "--no-open",
               "--host", args.host, "--port", str(args.port)]
    # SIGTERM (e.g. from a test or a service manager) must also stop the server: run finally.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    server = subprocess.Popen(command, env=env)
    address = f"http://{args.host}:{args.port}/"
    try:
        while server.poll() is None:
            with socket.socket() as client:
                if client.connect_ex((args.host, args.port)) == 0:
                    print(f"se-sim app: {args.scenario} at {address} (Ctrl-C stops it)",
                          flush=True)
                    break
            time.sleep(0.2)
        return server.wait()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="se-sim",
        description="Simulate social enterprises, community funds and social networks "
        "in communities of original residents and newcomers.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario", help="scenario YAML file")
    validate.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field, e.g. households.count=500 (repeatable)",
    )
    validate.set_defaults(func=_cmd_validate)

    run = sub.add_parser("run", help="run a scenario over seeded replicates")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    run.add_argument("--replicates", type=int, default=1, help="replicates, seeds N, N+1, ...")
    run.add_argument("--months", type=int, default=None, help="override the horizon")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field, e.g. households.count=10000 (repeatable)",
    )
    run.add_argument("--out", default=None, help="output folder (default: new folder in results/)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)

    sweep = sub.add_parser("sweep", help="run an experiment: a design of runs over seeds")
    sweep.add_argument("experiment", help="experiment YAML file")
    sweep.add_argument("--out", default=None, help="results folder (default results/<name>/)")
    sweep.add_argument("--workers", type=int, default=None, help="worker processes")
    sweep.add_argument("--backend", choices=["local", "serial", "dask"], default="local")
    sweep.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    sweep.add_argument(
        "--shard",
        default=None,
        metavar="I/N",
        help="run only slice I of N (0 <= I < N), e.g. for SLURM job arrays",
    )
    sweep.add_argument(
        "--resume", action="store_true", help="skip runs already stored in the results folder"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(func=_cmd_sweep)

    calibrate = sub.add_parser(
        "calibrate", help="fit parameters to an experiment's targets (ABC on the sweep runner)"
    )
    calibrate.add_argument("experiment", help="experiment YAML file with targets:")
    calibrate.add_argument("--out", default=None, help="results folder (default results/<name>/)")
    calibrate.add_argument("--workers", type=int, default=None, help="worker processes")
    calibrate.add_argument("--backend", choices=["local", "serial", "dask"], default="local")
    calibrate.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    calibrate.add_argument("--quiet", action="store_true", help="no progress bar")
    calibrate.set_defaults(func=_cmd_calibrate)

    report = sub.add_parser("report", help="analyse a sweep: intervals, contrasts, figures, "
                            "sensitivity and scenario discovery on one HTML page")
    report.add_argument("results", help="results folder of se-sim sweep")
    report.add_argument("--out", default=None, help="output folder (default RESULTS/report)")
    report.add_argument("--metric", action="extend", nargs="+", default=[], metavar="M",
                        help="summary metrics to report, the first leading (default: the "
                        "experiment's report metric and the case's outcomes)")
    report.add_argument("--baseline", default=None, metavar="VARIANT",
                        help="variant to compare with (default: 'baseline' or the first)")
    report.add_argument("--discover", action="append", default=[], metavar="RULE",
                        help="scenario discovery for an outcome, e.g. "
                        "'fund_inflow_total_thb < 5000' (repeatable)")
    report.set_defaults(func=_cmd_report)

    app = sub.add_parser("app", help="start the teaching page (Thai/English) in the browser")
    app.add_argument("scenario", nargs="?", default="scenarios/bang_sao_thong.yaml",
                     help="scenario YAML file; its folder's scenarios can be picked on the page "
                     "(default scenarios/bang_sao_thong.yaml)")
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    app.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    app.set_defaults(func=_cmd_app)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except Exception as exc:  # only input errors are expected here; others propagate
        from se_sim.scenario.errors import InputError

        if not isinstance(exc, InputError):
            raise
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
