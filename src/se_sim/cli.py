"""The ``se-sim`` command. Heavy libraries (Mesa, pandas, pydantic) load only inside a command,
so that ``se-sim --help`` answers at once.

``main`` gives every command the same endings: a user's mistake is one ``error:`` line and exit 2,
Ctrl-C or SIGTERM one line and 130, a closed output pipe (``| head``) a quiet 141, and anything
that stops a command on its way (a full disk, an unreachable cluster, a bug) one line and 3. A
new command is a ``_cmd_*`` function and a ``_command(...)`` entry in ``_parser``.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from se_sim.interrupts import sigterm_as_interrupt

if TYPE_CHECKING:
    from se_sim.analysis.calibrate import Round

EXIT_OK = 0
EXIT_FAILED_RUNS = 1
EXIT_BAD_INPUT = 2
EXIT_STOPPED = 3
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141  # as a process ended by SIGPIPE


def _cmd_validate(args: argparse.Namespace) -> int:
    from se_sim.runner.experiment import file_kind
    from se_sim.scenario import InputError, load_scenario
    from se_sim.scenario.errors import read_yaml

    if file_kind(read_yaml(args.file)) == "experiment":
        if args.set:
            raise InputError([f"--set: applies to scenario files; {args.file} is an experiment, "
                              "whose fixed changes go under 'overrides:' (docs/sweeps.md)"])
        return _validate_experiment(args.file, args.max_runs)
    scenario = load_scenario(args.file, args.set)
    print(
        f"{args.file}: valid scenario '{scenario.name}' ({scenario.months} months, "
        f"{scenario.households.count:,} households, {len(scenario.enterprises)} enterprise(s))"
    )
    return EXIT_OK


def _validate_experiment(path: str, max_runs: int) -> int:
    from se_sim.runner.experiment import load_experiment
    from se_sim.runner.sweep import plan_sweep

    plan = plan_sweep(load_experiment(path), max_runs)
    spec = plan.experiment.spec
    runs = f"the scenario {spec.scenario}" if spec.scenario else f"the model {spec.model}"
    draws = f"{plan.draw_count:,} uncertainty draws x " if plan.draws is not None else ""
    print(f"{path}: valid experiment '{spec.name}' ({plan.design.kind} design of "
          f"{len(plan.design.points):,} points x {draws}{spec.replicates:,} replicates = "
          f"{plan.total_runs:,} runs of {runs})")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from se_sim.analysis.run_report import write_run_report
    from se_sim.runner.experiment import file_kind
    from se_sim.runner.replicates import new_results_dir, run_replicates
    from se_sim.runner.storage import make_folder
    from se_sim.scenario import InputError, load_scenario
    from se_sim.scenario.errors import read_yaml

    if args.replicates < 1 or args.seed < 0:
        raise InputError([f"--replicates {args.replicates} --seed {args.seed}: need at least one "
                          "replicate and a seed of 0 or more"])
    if file_kind(read_yaml(args.scenario)) == "experiment":
        raise InputError([f"{args.scenario}: this is an experiment file, not a scenario: run it "
                          f"with `se-sim sweep {args.scenario}`"])
    overrides = list(args.set)
    if args.months is not None:
        overrides.append(f"months={args.months}")
    scenario = load_scenario(args.scenario, overrides)
    out = Path(args.out) if args.out else new_results_dir("results", scenario.name)
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise InputError([f"--out {out}: already holds files; choose another folder, or pass "
                          "--force to overwrite the run's files there"])
    created = not out.exists()
    make_folder(out)
    seeds = [args.seed + i for i in range(args.replicates)]
    try:
        result = run_replicates(scenario, seeds, progress=not args.quiet)
    except KeyboardInterrupt:
        if created:
            out.rmdir()
        raise
    table = write_run_report(result, out)
    print(table)
    if result.interrupted:
        print(f"\ninterrupted: {len(result.seeds)} of {len(seeds)} replicates finished; they are "
              f"written to {out}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"\nresults written to {out}")
    return EXIT_OK


def _cmd_sweep(args: argparse.Namespace) -> int:
    """0 if every run succeeded, 1 if some failed, 130 if interrupted (finished runs are kept)."""
    from se_sim.analysis.sweep_table import format_sweep_table
    from se_sim.runner.sweep import sweep_command
    from se_sim.scenario import InputError

    again = f"se-sim sweep {args.experiment}" + (f" --out {args.out}" if args.out else "")
    again += " --resume" + (f" --shard {args.shard}" if args.shard else "")
    try:
        experiment, outcome = sweep_command(
            args.experiment, args.out, args.backend, args.workers, args.scheduler, args.shard,
            args.resume, not args.quiet, args.allow_code_change, args.max_runs,
            args.run_memory_mb, args.repair, args.scheduler_timeout)
    except InputError:
        raise
    except Exception as exc:
        exc.add_note(f"the runs that finished are stored; resume with: {again}")
        raise
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    where = f"shard {args.shard}" if args.shard else "the experiment"
    print(f"{outcome.out}: {outcome.ok + outcome.failed:,} runs done ({outcome.ok:,} ok, "
          f"{outcome.failed:,} failed), {outcome.stored_before:,} already stored, "
          f"{outcome.in_shard:,} in {where}")
    if outcome.interrupted:
        print(f"interrupted; finished runs are stored. Resume with:\n  {again}", file=sys.stderr)
        return EXIT_INTERRUPTED
    for metric in experiment.spec.report_metrics:
        print(format_sweep_table(outcome.out, outcome.swept, metric), end="\n\n")
    print(f"the full report (page, tables, figures) goes to {Path(outcome.out) / 'report'}; "
          "write it with:")
    print(f"report: se-sim report {outcome.out}")
    if outcome.failed:
        last_line = outcome.first_error.strip().splitlines()[-1]
        print(f"{outcome.failed:,} run(s) failed; first error: {last_line}\n"
              f"tracebacks are in the 'error' column: se_sim.runner.load_results('{outcome.out}')",
              file=sys.stderr)
        return EXIT_FAILED_RUNS
    return EXIT_OK


def _cmd_calibrate(args: argparse.Namespace) -> int:
    """0 if done, 1 if some runs failed, 3 if too few sets were accepted to go on, 130 if
    interrupted (finished runs are kept and a rerun resumes)."""
    from se_sim.runner.experiment import load_experiment
    from se_sim.runner.sweep import check_options

    check_options(args.backend, args.workers, args.scheduler)
    experiment = load_experiment(args.experiment)
    out = Path(args.out or Path("results") / experiment.spec.name)
    if args.validate:
        return _validate_calibration(args, experiment, out)
    if experiment.spec.calibration.method == "smc":
        return _calibrate_smc(args, experiment, out)
    return _calibrate_rejection(args, out)


def _say_generation(generation: Any) -> None:
    which = "prior sample" if generation.number < 0 else f"generation {generation.number}"
    print(f"{which}: {generation.accepted} accepted of {generation.simulations:,} simulations",
          flush=True)


def _calibrate_smc(args: argparse.Namespace, experiment: Any, out: Path) -> int:
    from se_sim.analysis.abc_smc import RunFailed, calibrate_smc, format_smc

    try:
        result = calibrate_smc(experiment, out, args.backend, args.workers, _say_generation)
    except RunFailed as exc:
        print(f"{exc}\nrerun to try again (the calibration starts anew)", file=sys.stderr)
        return EXIT_FAILED_RUNS
    print(format_smc(result))
    print(f"\nwritten to {result.files[0].parent}: {', '.join(f.name for f in result.files)}")
    return EXIT_OK


def _calibrate_rejection(args: argparse.Namespace, out: Path) -> int:
    from se_sim.analysis.calibrate import FOLDER, calibrate_command, format_calibration

    def report(done: Round) -> None:
        sweep = done.sweep
        print(f"round {done.number}: {len(done.scores)} points in {done.folder} "
              f"({sweep.ok} runs done, {sweep.stored_before} already stored, {sweep.failed} "
              f"failed); {len(done.accepted)} accepted", flush=True)

    result = calibrate_command(args.experiment, out, args.backend, args.workers,
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
        return EXIT_STOPPED
    return EXIT_OK


def _validate_calibration(args: argparse.Namespace, experiment: Any, out: Path) -> int:
    """The calibration, then each target left out in turn; validation.csv and a table."""
    from se_sim.analysis.abc_smc import RunFailed, calibrate_smc
    from se_sim.analysis.calibrate import FOLDER, CalibrationFailed, fitted_sample, write_files
    from se_sim.analysis.validation import format_validation, validate

    def fit(part: Any, folder: Path) -> Any:
        if part.spec.calibration.method == "smc":
            return calibrate_smc(part, folder, args.backend, args.workers,
                                 _say_generation).fit.sample
        return fitted_sample(part, folder, args.backend, args.workers, args.scheduler)

    try:
        table = validate(experiment, out, fit, args.backend, args.workers, args.scheduler,
                         lambda line: print(line, flush=True))
    except (RunFailed, CalibrationFailed) as exc:
        print(f"{exc}\nvalidation stopped; rerun to try again", file=sys.stderr)
        return EXIT_FAILED_RUNS if isinstance(exc, RunFailed) else EXIT_STOPPED
    [written] = write_files(out / FOLDER, {"validation.csv": table.to_csv(index=False)})
    print(format_validation(table, experiment.spec.targets))
    print(f"\nwritten to {written}")
    return EXIT_OK


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
    import socket
    import subprocess
    import time

    from se_sim.scenario import InputError, load_scenario

    load_scenario(args.scenario)  # a bad file is a one-line error, before any server starts
    if args.runs < 1:
        raise InputError([f"--runs {args.runs}: the runs per group's choice must be 1 or more"])
    if importlib.util.find_spec("solara") is None:
        raise InputError(["se-sim app needs the 'app' extra: pip install -e '.[app]' "
                          "(make setup installs it)"])
    port = _free_port(args.host, args.port)
    page = Path(__file__).parent / "app" / "app.py"
    address = f"http://{_lan_address(args.host)}:{port}/"
    # Solara warns on every first request over plain http to an address other than 'localhost'
    # that its iframe cookie falls back to SameSite=Lax; the page is not embedded, so not shown.
    filters = [os.environ.get("PYTHONWARNINGS"), _SOLARA_COOKIE_WARNING]
    env = {**os.environ, "SE_SIM_APP_SCENARIO": str(Path(args.scenario).resolve()),
           "PYTHONWARNINGS": ",".join(f for f in filters if f)}
    if args.class_mode:
        env.update(SE_SIM_CLASS="1", SE_SIM_CLASS_RUNS=str(args.runs),
                   SE_SIM_CLASS_DIR=str(Path(args.class_dir).resolve()),
                   SE_SIM_CLASS_ADDRESS=address)
    # Solara's own ``solara run``, with websocket compression off (see se_sim/app/serve.py).
    command = [sys.executable, "-m", "se_sim.app.serve", "run", str(page), "--production",
               "--no-open", "--host", args.host, "--port", str(port)]
    # SIGTERM raises KeyboardInterrupt here (main's sigterm_as_interrupt): exit 130, server stopped.
    server = subprocess.Popen(command, env=env)
    try:
        while server.poll() is None:
            with socket.socket() as client:
                if client.connect_ex((_lan_address(args.host), port)) == 0:
                    groups = f"; groups join at {address}student" if args.class_mode else ""
                    print(f"se-sim app: {args.scenario} at {address}{groups} (Ctrl-C stops it)",
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


_SOLARA_COOKIE_WARNING = "ignore:Cookies with samesite=none require https"
MAX_PORT = 65535


def _free_port(host: str, port: int) -> int:
    """The port the server will listen on (port 0: a free one chosen now), after checking that
    the port is a port, the host resolves and the pair can be listened on."""
    import socket

    from se_sim.scenario import InputError

    if not 0 <= port <= MAX_PORT:
        raise InputError([f"--port {port}: not a port; allowed are 0 to {MAX_PORT} "
                          "(0 picks a free one)"])
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError([f"--host {host}: no such host or address ({reason}); give an address "
                          "of this computer, e.g. 127.0.0.1 or 0.0.0.0"]) from None
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError([f"--host {host} --port {port}: cannot listen there "
                              f"({exc.strerror}); pick another --port"]) from None
        return probe.getsockname()[1]


class _Help(argparse.RawDescriptionHelpFormatter):
    """Examples and descriptions keep their lines; options state their defaults in their help."""


def _command(
    sub: Any, name: str, summary: str, examples: list[str], func: Callable[..., int]
) -> argparse.ArgumentParser:
    """A subcommand with the shared layout: a summary, options, and examples at the end."""
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
    command = sub.add_parser(name, help=summary, description=summary, epilog=epilog,
                             formatter_class=_Help)
    command.set_defaults(func=func)
    return command


def _add_set(command: argparse.ArgumentParser, example: str) -> None:
    command.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                         help=f"override a scenario field, e.g. {example} (repeatable)")


def _add_runner_options(command: argparse.ArgumentParser) -> None:
    """Where the runs of an experiment go and execute: sweep and calibrate take the same."""
    command.add_argument("--out", default=None, metavar="DIR",
                         help="results folder (default: results/<experiment name>/)")
    command.add_argument("--workers", type=int, default=None, metavar="N",
                         help="worker processes (default: the CPUs this process may use, "
                         "1 with --backend serial)")
    command.add_argument("--backend", choices=["local", "serial", "dask"], default="local",
                         help="local: a pool of worker processes on this machine; serial: one "
                         "run after another in this process (debugging); dask: a Dask cluster, "
                         "a local one or the one at --scheduler (default: local)")
    command.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="address of a running Dask scheduler, with --backend dask "
                         "(default: start a local cluster)")


def _add_max_runs(command: argparse.ArgumentParser) -> None:
    # The default is se_sim.runner.sweep.DEFAULT_MAX_RUNS, written out: importing the runner
    # would load Mesa for --help (a test keeps the two equal).
    command.add_argument("--max-runs", type=int, default=1_000_000, metavar="N",
                         help="refuse designs of more runs than this (default: 1,000,000)")


def _parser() -> argparse.ArgumentParser:
    from se_sim import __version__

    parser = argparse.ArgumentParser(
        prog="se-sim",
        description="Simulate social enterprises, community funds and social networks "
        "in communities of original residents and newcomers.",
        epilog="exit codes: 0 all ok, 1 some runs failed, 2 bad input or refused, 3 the command "
        "could not finish, 130 interrupted",
    )
    parser.add_argument("--version", action="version", version=f"se-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = _command(sub, "validate", "check a scenario or experiment file without running it", [
        "se-sim validate scenarios/bang_sao_thong.yaml",
        "se-sim validate scenarios/bang_sao_thong.yaml --set households.count=500",
        "se-sim validate experiments/profit_share_x_density.yaml",
    ], _cmd_validate)
    validate.add_argument("file", help="scenario or experiment YAML file")
    _add_set(validate, "households.count=500")
    _add_max_runs(validate)

    run = _command(sub, "run", "run a scenario over seeded replicates", [
        "se-sim run scenarios/bang_sao_thong.yaml --replicates 30",
        "se-sim run scenarios/bang_sao_thong.yaml --seed 7 --months 24 "
        "--set households.count=10000 --out results/big",
    ], _cmd_run)
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--seed", type=int, default=0, help="first seed (default: 0)")
    run.add_argument("--replicates", type=int, default=1, metavar="N",
                     help="replicates, with seeds SEED, SEED+1, ... (default: 1)")
    run.add_argument("--months", type=int, default=None,
                     help="override the horizon (default: the scenario's months)")
    _add_set(run, "households.count=10000")
    run.add_argument("--out", default=None, metavar="DIR",
                     help="output folder (default: a new folder results/<name>-<time>/)")
    run.add_argument("--force", action="store_true",
                     help="write into an --out folder that already holds files")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    sweep = _command(sub, "sweep", "run an experiment: a design of runs over seeds", [
        "se-sim sweep experiments/smoke.yaml --out /tmp/smoke",
        "se-sim sweep experiments/profit_share_x_density.yaml --workers 8",
        "se-sim sweep experiments/profit_share_x_density.yaml --shard 0/4   # SLURM array task",
        "se-sim sweep experiments/interventions.yaml --backend dask --scheduler tcp://host:8786",
    ], _cmd_sweep)
    sweep.add_argument("experiment", help="experiment YAML file")
    _add_runner_options(sweep)
    sweep.add_argument("--shard", default=None, metavar="I/N",
                       help="run only slice I of N (0 <= I < N), e.g. for SLURM job arrays "
                       "(default: all runs)")
    sweep.add_argument("--resume", action="store_true",
                       help="continue the sweep in --out: skip stored runs, retry failed ones "
                       "(the same happens without it when --out holds this experiment)")
    sweep.add_argument("--allow-code-change", action="store_true",
                       help="resume even though the model's code or versions changed since the "
                       "stored runs (recorded in the manifest)")
    _add_max_runs(sweep)
    sweep.add_argument("--scheduler-timeout", type=float, default=600.0, metavar="S",
                       help="with --backend dask: give up (exit 3, finished runs kept) when no "
                       "Dask worker has connected for this many seconds (default: 600)")
    sweep.add_argument("--repair", action="store_true",
                       help="move unreadable parts of --out to --out/quarantine/ and run their "
                       "runs again")
    sweep.add_argument("--run-memory-mb", type=float, default=None, metavar="MB",
                       help="stop a run, as failed, whose process holds more memory than this "
                       "after a step (default: the experiment's run_memory_mb, else no limit)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    calibrate = _command(
        sub, "calibrate", "fit parameters to an experiment's targets (ABC-SMC or rejection ABC)", [
            "se-sim calibrate experiments/calibrate_bang_sao_thong.yaml",
            "se-sim calibrate experiments/calibrate_bang_sao_thong.yaml --out /tmp/cal "
            "--workers 8",
            "se-sim calibrate experiments/calibrate_bang_sao_thong.yaml --validate",
        ], _cmd_calibrate)
    calibrate.add_argument("experiment", help="experiment YAML file with targets:")
    _add_runner_options(calibrate)
    calibrate.add_argument("--validate", action="store_true",
                           help="also leave each target out in turn, and check the posterior "
                           "predictive of every target (writes calibration/validation.csv)")
    calibrate.add_argument("--quiet", action="store_true", help="no progress bar")

    report = _command(
        sub, "report", "analyse a sweep: intervals, contrasts, figures, sensitivity and "
        "scenario discovery on one HTML page", [
            "se-sim report results/interventions",
            "se-sim report results/profit_share_x_density --metric members_end",
            "se-sim report results/profit_share_x_density "
            "--discover 'fund_inflow_total_thb < 5000'",
        ], _cmd_report)
    report.add_argument("results", help="results folder of se-sim sweep")
    report.add_argument("--out", default=None, metavar="DIR",
                        help="output folder (default: RESULTS/report)")
    report.add_argument("--metric", action="extend", nargs="+", default=[], metavar="M",
                        help="summary metrics to report, the first leading (default: the "
                        "experiment's report metrics and the case's outcomes)")
    report.add_argument("--baseline", default=None, metavar="VARIANT",
                        help="variant to compare with (default: 'baseline' or the first)")
    report.add_argument("--discover", action="append", default=[], metavar="RULE",
                        help="scenario discovery for an outcome, e.g. "
                        "'fund_inflow_total_thb < 5000' (repeatable)")

    app = _command(sub, "app", "start the teaching page (Thai/English) in the browser", [
        "se-sim app",
        "se-sim app scenarios/bang_sao_thong.yaml --port 8800",
        "se-sim app --class --host 0.0.0.0   # groups join from their own devices",
    ], _cmd_app)
    app.add_argument("scenario", nargs="?", default="scenarios/bang_sao_thong.yaml",
                     help="scenario YAML file; its folder's scenarios can be picked on the page "
                     "(default: scenarios/bang_sao_thong.yaml)")
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1)")
    app.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    app.add_argument("--class", dest="class_mode", action="store_true",
                     help="class mode: groups join at /student with a code shown on this page, "
                     "choose a policy, and the class board compares their ensembles")
    app.add_argument("--runs", type=int, default=20,
                     help="class mode: runs per group's choice (default: 20)")
    app.add_argument("--class-dir", default="results/class",
                     help="class mode: folder of the board's file, kept across restarts "
                     "(default: results/class)")
    return parser


def _lan_address(host: str) -> str:
    """The address other devices use: for 0.0.0.0, this machine's address on its network."""
    import socket

    if host not in ("0.0.0.0", ""):
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: picks the outgoing address
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        with sigterm_as_interrupt():
            code = func(args)
            sys.stdout.flush()  # a closed pipe shows here, not at exit beyond our reach
            return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whoever read the output stopped (e.g. `| head`); the work is done and stored.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLOSED_PIPE
    except Exception as exc:
        return _report(exc)


def _report(exc: Exception) -> int:
    """One ``error:`` line per problem (and per note); a bug also shows its traceback."""
    from se_sim.scenario.errors import InputError

    if isinstance(exc, InputError):
        lines, code = exc.lines, EXIT_BAD_INPUT
    elif isinstance(exc, OSError):
        lines, code = [str(exc)], EXIT_STOPPED
    else:
        traceback.print_exc()
        lines = [f"se-sim stopped on an unexpected {type(exc).__name__}: {exc} (a bug: please "
                 "report it with the traceback above)"]
        code = EXIT_STOPPED
    for line in [*lines, *getattr(exc, "__notes__", [])]:
        print(f"error: {line}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
