#!/bin/sh
# Creates (or completes) every Kafka topic of the system. Used by the compose
# one-shot container and the Kubernetes Job, with the apache/kafka image.
#
#   KAFKA_BOOTSTRAP            broker list
#   TOPICS                     whitespace-separated name:partitions:retention_days
#   TOPIC_REPLICATION          replication factor (3)
#   TOPIC_MIN_INSYNC_REPLICAS  min.insync.replicas (2)
#
# Idempotent: existing topics keep their data; their partition count is only
# ever raised (Kafka cannot lower it), and their configs are re-applied.
set -eu
BIN=${KAFKA_BIN:-/opt/kafka/bin}  # the apache/kafka image's tools
: "${KAFKA_BOOTSTRAP:?}" "${TOPICS:?}"
RF=${TOPIC_REPLICATION:-3}
MIN_ISR=${TOPIC_MIN_INSYNC_REPLICAS:-2}

# Wait until the cluster answers and has enough brokers for the replication factor.
tries=0
until [ "$("$BIN/kafka-broker-api-versions.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" 2>/dev/null | grep -c ' (id: ')" -ge "$RF" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 60 ]; then echo "fewer than $RF brokers after 5 minutes" >&2; exit 1; fi
  sleep 5
done

for spec in $TOPICS; do
  name=${spec%%:*}
  rest=${spec#*:}
  partitions=${rest%%:*}
  days=${rest#*:}
  retention_ms=$((days * 24 * 3600 * 1000))
  configs="min.insync.replicas=$MIN_ISR,retention.ms=$retention_ms,unclean.leader.election.enable=false"
  "$BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$RF" \
    --config min.insync.replicas="$MIN_ISR" --config retention.ms="$retention_ms" \
    --config unclean.leader.election.enable=false
  current=$("$BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --describe --topic "$name" \
    | sed -n 's/.*PartitionCount: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
  if [ -n "$current" ] && [ "$current" -lt "$partitions" ]; then
    "$BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --alter --topic "$name" \
      --partitions "$partitions"
  fi
  "$BIN/kafka-configs.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --alter --entity-type topics \
    --entity-name "$name" --add-config "$configs"
  echo "topic $name: partitions>=$partitions replication=$RF min.insync.replicas=$MIN_ISR retention=${days}d"
done
