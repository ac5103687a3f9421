"""A benchmark result as text: the printed table and the Markdown report."""

import os
from pathlib import Path

import numpy as np

__all__ = ["format_table", "render_report", "split_subjects_text", "duplicates_text"]


def _num(value, spec=".3f"):
    if value is None:
        return "-"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return format(value, spec) if np.isfinite(value) else "-"


def _md_table(header, rows):
    def cell(text):
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(h) for h in header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _score(row, metric):
    text = _num(row.get(metric))
    if text == "-":
        return text
    std = row.get(f"{metric}_std")
    low, high = row.get(f"{metric}_ci_low"), row.get(f"{metric}_ci_high")
    if std is not None and np.isfinite(std):
        return f"{text} ± {std:.3f}"
    if low is not None and high is not None and np.isfinite(low) and np.isfinite(high):
        return f"{text} [{low:.3f}, {high:.3f}]"
    return text


def _link(path, base):
    path = Path(path)
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # pragma: no cover - other drive on Windows
        return path.as_posix()


def split_subjects_text(meta):
    """One sentence on the subjects of a run's split (from its ``meta``)."""
    kind = meta.get("split_kind")
    n_groups = meta.get("n_groups")
    if kind == "subject-independent":
        return (
            f"subject-independent: each of the {n_groups} subjects (groups) is in the "
            f"training or the test set of a fold, never both"
        )
    if kind == "subjects shared":
        return (
            f"subjects shared: up to {max(meta['shared_groups'])} of the {n_groups} "
            f"subjects (groups) are in both the training and the test set of a fold, so "
            f"the scores also measure recognising the person"
        )
    if kind == "no groups":
        return "no subjects: the data do not say who each face is, so subjects may be shared"
    return "subjects: not recorded"


def duplicates_text(meta):
    """One sentence on the test images that duplicate training images."""
    dup = meta.get("test_duplicates")
    if not dup:
        return "test duplicates: not recorded"
    if dup.get("method") is None:
        return f"not counted: {dup.get('reason')}"
    text = (
        f"{dup['n_exact']} of the {dup['n_test_rows']} test images duplicate a training "
        f"image exactly"
    )
    if dup.get("n_near") is not None:
        text += (
            f", {dup['n_near']} exactly or nearly (pHash within {dup['max_distance']} bits "
            f"and pixels correlating at {dup['min_correlation']:g} or more)"
        )
    if dup.get("dropped") is None:
        return text + "; kept (--drop-test-duplicates, drop_test_duplicates=True, removes them)"
    return text + f"; {dup['dropped']} removed before scoring"


def render_report(result):
    """Markdown text of a :class:`BenchmarkResult`: table, failures, plots, details."""
    meta = result.meta
    table = result.table
    base = Path(result.files["results.csv"]).parent if "results.csv" in result.files else Path(".")
    single = meta["n_folds"] == 1
    out = ["# FER benchmark", ""]
    out.append(
        f"- Data: {meta['n_samples']} images of {meta['n_features']} pixels, "
        f"{len(meta['class_names'])} classes ({', '.join(meta['class_names'])})"
    )
    out.append(
        f"- Split: {meta['split']} ({meta['n_folds']} fold{'s' if meta['n_folds'] > 1 else ''})"
    )
    out.append(f"- Subjects: {split_subjects_text(meta)}")
    out.append(f"- Test duplicates: {duplicates_text(meta)}")
    out.append(
        f"- Machine: {meta['machine']}, Python {meta['python']}; "
        f"run {meta['started']} to {meta.get('finished', '?')}"
    )
    out.append(f"- Memory: {meta['memory_measure']}")
    spread = (
        "on the test split, with a bootstrap 95 % interval in brackets"
        if single
        else "means ± standard deviations over folds"
    )
    out += [
        "",
        "## Results",
        "",
        f"Scores are {spread}. Fit and predict times are seconds per fold; "
        f"ms/image is the prediction time per test image.",
        "",
    ]
    header = [
        "estimator",
        "status",
        "accuracy",
        "balanced accuracy",
        "macro-F1",
        "weighted F1",
        "ROC AUC (OvR)",
        "fit s",
        "predict s",
        "ms/image",
        "peak MiB",
    ]
    binary = len(meta["class_names"]) == 2
    if binary:
        header[7:7] = ["precision", "recall", "ROC AUC"]
    rows = []
    for _, row in table.iterrows():
        row = row.to_dict()
        cells = [
            row["estimator"],
            row["status"] + (" (reused)" if row.get("reused") else ""),
            _score(row, "accuracy"),
            _score(row, "balanced_accuracy"),
            _score(row, "macro_f1"),
            _score(row, "weighted_f1"),
            _score(row, "roc_auc_ovr"),
            _num(row["fit_seconds"], ".1f"),
            _num(row["predict_seconds"], ".2f"),
            _num(row["ms_per_image"], ".3f"),
            _num(row["peak_memory_mb"], ".0f"),
        ]
        if binary:
            cells[7:7] = [_score(row, "precision"), _score(row, "recall"), _score(row, "roc_auc")]
        rows.append(cells)
    out.append(_md_table(header, rows))
    if result.failures:
        out += ["", "## Failures", ""]
        for name, error in result.failures.items():
            out.append(f"- `{name}`: {error}")
    plots = getattr(result, "plots", [])
    plot_error = getattr(result, "plot_error", None)
    if plots or plot_error:
        out += ["", "## Plots", ""]
        for path in plots:
            link = _link(path, base)
            out.append(f"![{Path(path).stem}]({link})")
            out.append("")
        if plot_error:
            out.append(f"The plots could not be drawn: {plot_error}")
    for name, (matrix, names) in result.confusion_matrices.items():
        out += ["", f"## {name}", "", "Per class (pooled over folds):", ""]
        per = result.per_class[result.per_class["estimator"] == name]
        out.append(
            _md_table(
                ["class", "precision", "recall", "F1", "support"],
                [
                    [
                        r["class"],
                        _num(r["precision"]),
                        _num(r["recall"]),
                        _num(r["f1"]),
                        int(r["support"]),
                    ]
                    for _, r in per.iterrows()
                ],
            )
        )
        out += ["", "Confusion matrix (rows true, columns predicted):", ""]
        out.append(
            _md_table(
                ["true \\ predicted", *names],
                [[names[i], *[int(v) for v in matrix[i]]] for i in range(len(names))],
            )
        )
        pairs = result.confused_pairs.get(name) or []
        if pairs:
            out += ["", "Most confused:", ""]
            for pair in pairs:
                out.append(
                    f"- {pair['true']} taken for {pair['predicted']}: "
                    f"{pair['count']} images ({_num(pair['rate'], '.1%')} of "
                    f"{pair['true']})"
                )
    out.append("")
    return "\n".join(out)


def _fmt(value, spec=".3f"):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return format(value, spec)


def format_table(table):
    """A fixed-width text table of the main columns of a result's ``table``."""
    columns = [
        ("estimator", "estimator"),
        ("status", "status"),
        ("accuracy", "accuracy"),
        ("balanced_accuracy", "bal.acc"),
        ("macro_f1", "macro-F1"),
        ("roc_auc_ovr", "AUC-ovr"),
        ("fit_seconds", "fit s"),
        ("ms_per_image", "ms/img"),
    ]
    lines = []
    cells = []
    for _, row in table.iterrows():
        line = []
        for key, _ in columns:
            value = row[key]
            if key in ("estimator", "status"):
                line.append(str(value))
            elif key in ("fit_seconds",):
                line.append(_fmt(value, ".1f"))
            elif key == "ms_per_image":
                line.append(_fmt(value, ".2f"))
            else:
                text = _fmt(value)
                std = row.get(f"{key}_std")
                if text != "-" and std is not None and np.isfinite(std):
                    text += f" ±{std:.3f}"
                line.append(text)
        cells.append(line)
    widths = [
        max([len(title)] + [len(c[i]) for c in cells]) for i, (_, title) in enumerate(columns)
    ]
    lines.append("  ".join(t.ljust(w) for (_, t), w in zip(columns, widths)).rstrip())
    for line in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------------------- runner
