#!/bin/bash
# Applies local-stack/src/main/resources/kafka-access.conf (the one place for Kafka's rules) to the compose broker:
# creates every topic and its dead-letter topic, each principal's SCRAM-SHA-512 credentials and its ACLs.
# Run once by the kafka-access service of docker-compose.yml, with the broker's admin login; idempotent.
# A principal's password comes from KAFKA_PASSWORD_<PRINCIPAL> (upper case, dashes as underscores).
set -euo pipefail

CONF=${KAFKA_ACCESS_CONF:-/opt/deploy-stage/kafka-access.conf}
BOOTSTRAP=${KAFKA_BOOTSTRAP:-kafka:9092}
BIN=${KAFKA_BIN:-/opt/kafka/bin}
ADMIN=/tmp/admin.properties
umask 077
cat > "$ADMIN" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is not set}";
PROPS

topics=()
while read -r principal writes reads groups deadletters; do
    case "$principal" in ''|'#'*) continue ;; esac
    for t in ${writes//,/ } ${reads//,/ }; do
        if [ "$t" != "-" ]; then topics+=("${t%.dlq}"); fi
    done
done < "$CONF"
for t in $(printf '%s\n' "${topics[@]}" | sort -u); do
    for name in "$t" "$t.dlq"; do
        "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN" --create --if-not-exists \
            --topic "$name" --partitions 3 --replication-factor 1 > /dev/null
    done
done

while read -r principal writes reads groups deadletters; do
    case "$principal" in ''|'#'*) continue ;; esac
    var="KAFKA_PASSWORD_$(echo "$principal" | tr 'a-z-' 'A-Z_')"
    password=${!var:-}
    if [ -z "$password" ]; then
        echo "kafka-access: $var is not set: $principal gets no login" >&2
        exit 1
    fi
    "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN" --alter --entity-type users \
        --entity-name "$principal" --add-config "SCRAM-SHA-512=[iterations=8192,password=$password]" > /dev/null
    acl=("$BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN" --add --allow-principal "User:$principal")
    for t in ${writes//,/ }; do
        if [ "$t" != "-" ]; then "${acl[@]}" --operation Write --topic "$t" > /dev/null; fi
    done
    for t in ${reads//,/ }; do
        if [ "$t" = "-" ]; then continue; fi
        "${acl[@]}" --operation Read --topic "$t" > /dev/null
        if [ "$deadletters" = "yes" ]; then "${acl[@]}" --operation Write --topic "$t.dlq" > /dev/null; fi
    done
    if [ "$groups" != "-" ]; then "${acl[@]}" --operation Read --group "$groups" --resource-pattern-type prefixed > /dev/null; fi
    echo "kafka-access: $principal: writes $writes; reads $reads; groups $groups; dead-letters $deadletters"
done < "$CONF"
