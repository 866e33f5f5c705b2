"""Commands for the evidence layer: ``episodes``, ``backtest``, ``calibrate`` and
``scenario from-episode``. Only Click is imported at start-up."""

from __future__ import annotations

from pathlib import Path

import click


def _echo_json(data: object) -> None:
    from realpolitik.jsonio import dumps

    click.echo(dumps(data))


def _episodes(files: tuple[str, ...]):
    from realpolitik.evidence.load import load_episodes, load_library

    if not files:
        return load_library()
    paths: list[str] = []
    for f in files:
        p = Path(f)
        paths.extend(str(x) for x in sorted(p.glob("*.yaml"))) if p.is_dir() else paths.append(f)
    return load_episodes(paths)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def episodes(as_json: bool) -> None:
    """List the historical episodes shipped with realpolitik (the calibration library)."""
    from realpolitik.evidence.load import load_library

    rows = []
    for ep in load_library():
        s = ep.spec
        rows.append(
            {
                "id": s.id,
                "year": s.decision_year,
                "region": s.region,
                "pivot": s.pivot,
                "incumbent": s.incumbent,
                "courter": s.courter,
                "outcome": s.outcome.label if s.outcome else None,
                "title": s.title,
            }
        )
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(
            f"{r['id']:<24} {r['year']:<5} {r['region']:<15} {r['pivot']}: {r['incumbent']} -> "
            f"{r['courter'] or '(none)'}  [{r['outcome'] or 'forecast'}]"
        )
    click.echo(f"\n{len(rows)} episodes. Score them with: realpolitik backtest")


@click.command()
@click.argument("files", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (scores and every episode).")
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the HTML report (reliability diagram and per-episode table) here.",
)
@click.option(
    "--calibration",
    type=click.Path(dir_okay=False),
    default=None,
    help="A calibration file from `realpolitik calibrate` [default: the shipped one].",
)
@click.option("--seed", type=int, default=0, show_default=True)
def backtest(
    files: tuple[str, ...], as_json: bool, html_out: str | None, calibration: str | None, seed: int
) -> None:
    """Forecast and score episodes FILES (paths, folders or shipped ids; default: the library).

    Episodes with an outcome are scored (Brier, log score, accuracy) beside the base rate and a
    logistic regression on the same facts; episodes without one are forecasts. On the shipped
    library the headline scores are cross-validated.
    """
    from realpolitik.evidence.backtest import backtest as run_backtest
    from realpolitik.evidence.calibration import load_calibration
    from realpolitik.evidence.load import load_library
    from realpolitik.report.backtest import render_backtest, text_report

    eps = _episodes(files)
    cal = load_calibration(calibration) if calibration else None
    result = run_backtest(eps, cal, library=load_library() if files else None, seed=seed)
    if html_out:
        from realpolitik.scenario.dump import write_text_atomic

        write_text_atomic(Path(html_out), render_backtest(result))
    if as_json:
        _echo_json(result.to_dict())
        return
    click.echo("\n".join(text_report(result)))
    if html_out:
        click.echo(f"\nWrote {html_out}")


@click.command()
@click.argument("files", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the fit here (JSON) [default: print a summary only].",
)
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True)
@click.option(
    "--draws",
    type=click.IntRange(min=4),
    default=48,
    show_default=True,
    help="Draws per episode in the likelihood.",
)
@click.option(
    "--maxiter",
    type=click.IntRange(min=1),
    default=40,
    show_default=True,
    help="Generations of the differential evolution.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--no-cv", is_flag=True, help="Skip the cross-validation.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Read sizes (COW) and leader-change rates (Archigos) from here.",
)
@click.option(
    "--fix",
    "fix",
    multiple=True,
    metavar="NAME=VALUE",
    help="Hold a constant at a value instead of fitting it (repeatable; an ablation).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the fit as JSON.")
def calibrate(
    files: tuple[str, ...],
    output: str | None,
    folds: int,
    draws: int,
    maxiter: int,
    seed: int,
    no_cv: bool,
    data_dir: str | None,
    fix: tuple[str, ...],
    as_json: bool,
) -> None:
    """Fit the coding protocol's constants to the outcomes of FILES (default: the library).

    Reproduces the shipped fit with the defaults: `realpolitik calibrate -o calibration.json`.
    """
    import json

    from realpolitik.errors import ScenarioError
    from realpolitik.evidence.calibration import FitSettings
    from realpolitik.evidence.calibration import calibrate as run_calibration
    from realpolitik.evidence.constants import FREE_NAMES
    from realpolitik.evidence.robustness import robustness

    fixed: dict[str, float] = {}
    for item in fix:
        name, _, value = item.partition("=")
        try:
            if name not in FREE_NAMES:
                raise ValueError(name)
            fixed[name] = float(value)
        except ValueError:
            raise ScenarioError.single(
                "bad --fix",
                expected="NAME=VALUE with NAME one of " + ", ".join(FREE_NAMES),
                got=item,
            ) from None
    eps = _episodes(files)
    settings = FitSettings(draws=draws, seed=seed, maxiter=maxiter, folds=folds)
    say = (lambda text: click.echo(text, err=True)) if not as_json else None
    cal = run_calibration(
        eps, settings, data_dir=data_dir, cross_validate=not no_cv, progress=say, fixed=fixed
    )
    cal.robustness = robustness(eps, cal, seed=seed)
    if output:
        from realpolitik.scenario.dump import write_text_atomic

        write_text_atomic(Path(output), cal.to_json())
    if as_json:
        _echo_json(json.loads(cal.to_json()))
        return
    click.echo(f"Fitted on {len(cal.episodes)} episodes (library {cal.library_hash[:16]}):")
    for name, c in cal.constants.items():
        click.echo(f"  {name:<22} {c['value']:8.3f}   interval [{c['low']:.3f}, {c['high']:.3f}]")
    click.echo(f"log-likelihood {cal.log_likelihood:.3f}")
    record = cal.cross_validation.get("record")
    if record:
        click.echo(
            f"Cross-validated ({folds}-fold) on 'ended aligned with the courter': Brier "
            f"{record['brier']:.3f} (base rate {record['brier_base_rate']:.3f}, logistic "
            f"{record['brier_logistic']:.3f}), accuracy {record['accuracy']:.0%} (base rate "
            f"{record['accuracy_base_rate']:.0%}, logistic {record['accuracy_logistic']:.0%})."
        )
    click.echo("Point forecasts that change when a constant moves (others at the fit):")
    for row in cal.robustness:
        click.echo(
            f"  {row['constant']:<22} {row['move']:<14} {row['value']:9.3f}   "
            f"{row['aligned_changes']} of {len(cal.episodes)}"
        )
    if output:
        click.echo(f"Wrote {output}")


@click.command("from-episode")
@click.argument("file")
@click.option(
    "--id",
    "episode_id",
    default=None,
    help="The episode's id, when FILE is a folder of episodes (checked otherwise).",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Read sizes (COW) and leader turnover (Archigos) from here "
    "[default: the data folder, if there is one].",
)
def from_episode(file: str, episode_id: str | None, output: str, data_dir: str | None) -> None:
    """Code the episode FILE into a scenario OUT.yaml by the calibrated protocol."""
    from realpolitik.errors import ScenarioError
    from realpolitik.evidence.calibration import (
        actor_data,
        default_calibration,
        load_calibration,
    )
    from realpolitik.evidence.load import load_episode, load_episodes
    from realpolitik.evidence.protocol import code_episode
    from realpolitik.scenario import from_dict
    from realpolitik.scenario.dump import write_yaml

    p = Path(file)
    if p.is_dir():
        eps = [e for e in load_episodes(sorted(p.glob("*.yaml"))) if e.id == episode_id]
        if not eps:
            raise ScenarioError.single(
                f"no episode {episode_id!r} in {file}",
                file=file,
                expected="--id ID of an episode there",
            )
        ep = eps[0]
    else:
        ep = load_episode(file)
        if episode_id is not None and ep.id != episode_id:
            raise ScenarioError.single(
                "the episode's id differs from --id",
                file=ep.file,
                line=ep.line_of(("id",)),
                path="id",
                expected=episode_id,
                got=ep.id,
            )
    from realpolitik.data.directory import DataNotFoundError
    from realpolitik.data.directory import data_dir as resolve

    try:
        where = resolve(data_dir)
    except DataNotFoundError:
        if data_dir is not None:
            raise
        where = None
    sizes, hazards = actor_data([ep], where) if where is not None else ({}, {})
    cal = load_calibration() or default_calibration()
    coded = code_episode(
        ep, cal.theta(), cal.spread_by_name(), sizes=sizes.get(ep.id), hazards=hazards.get(ep.id)
    )
    from_dict(coded.data, file=output)  # the written scenario must validate
    header = (
        f"Coded from episode {ep.id} ({ep.file}) by realpolitik's coding protocol.\n"
        f"Constants fitted on library {cal.library_hash[:16] or '(none: defaults)'}."
    )
    write_yaml(coded.data, Path(output), header=header)
    click.echo(f"Wrote {output}")
    for r in coded.refused:
        click.echo(f"  refused (dated {r.year}, after {ep.spec.decision_year}): {r.path}: {r.what}")


def register(group: click.Group) -> None:
    """Add the evidence commands to the ``realpolitik`` group (and its ``scenario`` group)."""
    group.add_command(episodes)
    group.add_command(backtest)
    group.add_command(calibrate)
    scenario = group.commands.get("scenario")
    if isinstance(scenario, click.Group):
        scenario.add_command(from_episode)
