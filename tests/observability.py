"""What deploy/'s alert rules and Grafana dashboards query: shared by the
deployment tests and the metrics flow test."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
PROMETHEUS = REPO / "deploy" / "prometheus"
GRAFANA = REPO / "deploy" / "grafana"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def rule_groups() -> list[dict[str, Any]]:
    return [g for path in RULE_FILES for g in yaml.safe_load(path.read_text())["groups"]]


def alerts() -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in rule_groups() for r in g["rules"] if "alert" in r}


def recorded() -> set[str]:
    return {r["record"] for g in rule_groups() for r in g["rules"] if "record" in r}


_PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
    "group_right", "offset", "bool", "inf", "nan",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """The metric (or recorded series) names a PromQL expression selects."""
    text = re.sub(r"\$\{[^}]*\}|\$\w+", "", expr)  # Grafana variables
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges, subqueries
    text = re.sub(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text
    )  # grouping labels
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", text):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in _PROMQL_WORDS:
            continue
        names.add(word)
    return names


def dashboards() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in DASHBOARDS}


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    flat = []
    for panel in board["panels"]:
        flat.append(panel)
        flat.extend(panel.get("panels", []))
    return [p for p in flat if p.get("type") != "row"]


def queries() -> dict[str, str]:
    """Where → PromQL, for every dashboard target and every rule."""
    found = {}
    for stem, board in dashboards().items():
        for panel in panels(board):
            for target in panel["targets"]:
                found[f"{stem}: {panel['title']} ({target['refId']})"] = target["expr"]
    for group in rule_groups():
        for rule in group["rules"]:
            found[f"rule {rule.get('alert') or rule.get('record')}"] = rule["expr"]
    return found
