"""k8s/base/config/create-topics.sh (compose one-shot and Kubernetes Job) run
against stand-ins of the Kafka command-line tools that record their calls: it
waits for enough brokers, creates every topic with replication factor 3 and
min.insync.replicas=2, only ever raises partition counts, and re-applies configs."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

from edu_contracts.topics import ALL_TOPICS

from tests.deploy.conftest import K8S, topic_specs

SCRIPT = K8S / "base" / "config" / "create-topics.sh"


def fake_kafka_bin(tmp: Path, brokers: int, existing: dict[str, int]) -> tuple[Path, Path]:
    """Tools that log their argv; --describe answers from ``existing``."""
    bin_dir, log = tmp / "bin", tmp / "calls.log"
    bin_dir.mkdir()
    log.touch()
    broker_lines = "\n".join(f"kafka-{i}:9092 (id: {i} rack: null) -> (" for i in range(brokers))
    describe = "\n".join(
        f'  "{name}") printf "Topic: {name}\\tTopicId: x\\tPartitionCount: {n}\\t'
        f'ReplicationFactor: 3\\n";;'
        for name, n in existing.items()
    )
    tools = {
        "kafka-broker-api-versions.sh": f"printf '%s\\n' {shlex.quote(broker_lines)}",
        "kafka-configs.sh": "",
        "kafka-topics.sh": (
            'case " $* " in *" --describe "*)\n'
            '  topic=$(echo "$@" | sed -n "s/.*--topic \\([^ ]*\\).*/\\1/p")\n'
            f'  case "$topic" in\n{describe}\n  *) printf "Topic: %s\\tPartitionCount: 12\\n" '
            '"$topic";;\n  esac;;\nesac'
        ),
    }
    for name, body in tools.items():
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> {log}\n{body}\n')
        tool.chmod(0o755)
    return bin_dir, log


def run(bin_dir: Path, topics: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "KAFKA_BIN": str(bin_dir),
        "KAFKA_BOOTSTRAP": "kafka-1:9092",
        "TOPICS": topics,
        "TOPIC_REPLICATION": "3",
        "TOPIC_MIN_INSYNC_REPLICAS": "2",
    }
    return subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_creates_every_topic_replicated(compose: dict[str, Any], tmp_path: Path) -> None:
    topics = compose["services"]["kafka-topics"]["environment"]["TOPICS"]
    bin_dir, log = fake_kafka_bin(tmp_path, brokers=3, existing={})
    result = run(bin_dir, topics)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    creates = [c for c in calls if " --create " in c]
    assert len(creates) == len(ALL_TOPICS)
    for name, (partitions, days) in topic_specs(topics).items():
        (create,) = [c for c in creates if f"--topic {name} " in c]
        assert "--if-not-exists" in create
        assert f"--partitions {partitions} --replication-factor 3" in create
        assert "--config min.insync.replicas=2" in create
        assert f"--config retention.ms={days * 86_400_000}" in create
        (config,) = [c for c in calls if c.startswith("kafka-configs.sh") and f" {name} " in c]
        assert "min.insync.replicas=2" in config
    assert not [c for c in calls if " --alter " in c and c.startswith("kafka-topics.sh")]
    assert f"topic {ALL_TOPICS[0]}: partitions>=12 replication=3" in result.stdout


def test_raises_partitions_of_an_existing_topic_never_lowers(tmp_path: Path) -> None:
    bin_dir, log = fake_kafka_bin(tmp_path, brokers=3, existing={"a.v1": 6, "b.v1": 24})
    result = run(bin_dir, "a.v1:12:7 b.v1:12:7")
    assert result.returncode == 0, result.stderr
    alters = [
        c
        for c in log.read_text().splitlines()
        if c.startswith("kafka-topics.sh --") and " --alter " in c
    ]
    assert alters == [
        "kafka-topics.sh --bootstrap-server kafka-1:9092 --alter --topic a.v1 --partitions 12"
    ]


def test_fails_without_the_topic_list(tmp_path: Path) -> None:
    bin_dir, _ = fake_kafka_bin(tmp_path, brokers=3, existing={})
    result = run(bin_dir, "")
    assert result.returncode != 0
    assert "TOPICS" in result.stderr
