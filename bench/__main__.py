"""The course's benchmark: `python -m bench` (all three parts) or `python -m bench training` (one part).

Parts: `series` runs every lesson under nbval, one pytest process each, then all of them side by side, then
the whole test command, and times them; `training` compares the utils training helper with the plain lecture
loop, in float32 and float64 (same process, alternating repeats, medians);
`quality` trains the lecture model and lesson 09's final model and reports dev loss and training time.
`float32` (never run by default) trains the lecture model in float32 and prints its dev loss, for lesson 04's
comparison of processors: `python -m bench float32`, then `ATEN_CPU_CAPABILITY=default python -m bench float32`.
`studies` (never run by default: it takes a while) runs the studies the lessons read from notebooks/studies/ and
rewrites their results: `python -m bench studies` for all, `python -m bench studies NAME ...` for some.
Tables are printed with rich; `--markdown` prints them as Markdown for the README's "Results" section.
"""

from __future__ import annotations

import argparse
import os
import platform

from rich.console import Console
from rich.table import Table

PARTS = ("series", "training", "quality")


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import torch
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}"


def show(title: str, columns: list[str], rows: list[list[str]], markdown: bool, console: Console) -> None:
    if markdown:
        print(f"\n**{title}**\n")
        print("| " + " | ".join(columns) + " |")
        print("|" + "|".join("---" for _ in columns) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    table = Table(title=title)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def run_studies(names: list[str], console: Console) -> None:
    """Run the named studies (all when none are named) and write their results."""
    from bench.studies import run_study, studies
    known = studies()
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown stud{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}; "
                         f"choose from {', '.join(sorted(known))}")
    for name in names or sorted(known):
        console.print(f"study {name} (lesson {known[name].lesson}) ...")
        record = run_study(name)
        console.print(f"  wrote notebooks/studies/{name}.json in {record['minutes_one_core']} minutes")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", help=f"any of {', '.join(PARTS)} (default: all), or `float32`, or `studies [NAME ...]`")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the training comparison")
    args = parser.parse_args()
    if args.parts[:1] == ["studies"]:
        run_studies(args.parts[1:], Console())
        return
    if args.parts == ["float32"]:
        import torch
        from bench import quality
        print(f"Machine: {machine()}; PyTorch's kernels: {torch.backends.cpu.get_cpu_capability()}")
        print(f"lecture MLP (lesson 06) trained in float32: dev loss {quality.lecture_in_float32():.4f}")
        return
    parts = args.parts or list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    console = Console()
    print(f"Machine: {machine()}")

    if "series" in parts:
        from bench import series
        seconds = series.measure()
        rows = [[f"**{name}**" if args.markdown and name.startswith("all") else name, f"{s:.1f}"]
                for name, s in seconds.items()]
        rows.append(["the whole test command, `python -m pytest`", f"{series.test_command():.1f}"])
        show("The lessons under nbval (wall seconds, kernel start included)", ["run", "seconds"], rows, args.markdown, console)

    if "training" in parts:
        from bench import training
        result = training.measure(repeats=args.repeats)
        rows = [[name.replace(" steps/s", ""), f"{value:,.0f}"] for name, value in result.items() if name.endswith("steps/s")]
        rows += [[name, f"{value:.2f}"] for name, value in result.items() if not name.endswith("steps/s")]
        show(f"Training throughput, block 3 / emb 10 / hidden 200, batch 32 (steps per second, median of {args.repeats})",
             ["loop", "steps/s"], rows, args.markdown, console)

    if "quality" in parts:
        from bench import quality
        rows = [[name, f"{dev:.4f}", f"{s:.1f}"] for name, (dev, s) in quality.measure().items()]
        show("Quality (one CPU thread)", ["model", "dev loss", "training seconds"], rows, args.markdown, console)


if __name__ == "__main__":
    main()
