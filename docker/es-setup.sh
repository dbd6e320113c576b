#!/bin/sh
# Security set-up of the Elasticsearch in docker-compose.yml, with Elasticsearch's own tools.
#
#   es-setup.sh certs      a CA and certificates for the services, made with bin/elasticsearch-certutil
#                          (kept when present: rerunning `docker compose up` changes nothing)
#   es-setup.sh passwords  waits for Elasticsearch, then sets the kibana_system password and creates
#                          the role pressindex_writer and the user pressindex the pipeline logs in as
#
# It runs in the Elasticsearch image (services setup-certs and setup-passwords) and, unchanged, against
# the project's local node in tests/deploy/test_secured_cluster.py; the variables below are its only knobs.
#
# Environment:
#   ES_HOME                  the Elasticsearch distribution          (default /usr/share/elasticsearch)
#   CERTS_DIR                certificates the services mount          (default /certs)
#   CA_DIR                   the CA's private key; only this script mounts it (default /ca)
#   SNAPSHOT_DIR             handed to Elasticsearch's uid 1000 when set and run as root (certs only)
#   ES_URL                   where Elasticsearch answers              (default https://elasticsearch:9200)
#   ELASTIC_PASSWORD         the elastic user's password (its bootstrap password)        (passwords only)
#   KIBANA_SYSTEM_PASSWORD   set as the kibana_system user's password                    (passwords only)
#   PIPELINE_ES_PASSWORD     set as the pressindex user's password                        (passwords only)
#   PRESSINDEX_INDEX         the alias; the role may manage <alias>* and pressindex*      (default press)
#
# Passwords must not contain a double quote or a backslash (they are put into JSON as they are).
set -eu

ES_HOME=${ES_HOME:-/usr/share/elasticsearch}
CERTS_DIR=${CERTS_DIR:-/certs}
CA_DIR=${CA_DIR:-/ca}
ES_URL=${ES_URL:-https://elasticsearch:9200}
PRESSINDEX_INDEX=${PRESSINDEX_INDEX:-press}

# host names each certificate is valid for: the compose service name, and localhost for the
# ports published on 127.0.0.1
INSTANCES='instances:
  - name: elasticsearch
    dns: [elasticsearch, localhost]
    ip: [127.0.0.1]
  - name: kibana
    dns: [kibana, localhost]
    ip: [127.0.0.1]
'

say() { printf 'es-setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

certs() {
    certutil="$ES_HOME/bin/elasticsearch-certutil"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    umask 077
    mkdir -p "$CA_DIR" "$CERTS_DIR"
    if [ ! -f "$CA_DIR/ca.key" ]; then
        say "making a CA"
        "$certutil" ca --silent --pem --days 3650 --out "$work/ca.zip"
        unzip -q "$work/ca.zip" -d "$work"
        mv "$work/ca/ca.crt" "$work/ca/ca.key" "$CA_DIR/"
    fi
    mkdir -p "$CERTS_DIR/ca"
    cp "$CA_DIR/ca.crt" "$CERTS_DIR/ca/ca.crt"
    if [ ! -f "$CERTS_DIR/elasticsearch/elasticsearch.crt" ] || [ ! -f "$CERTS_DIR/kibana/kibana.crt" ]; then
        say "making certificates for elasticsearch and kibana"
        printf '%s' "$INSTANCES" > "$work/instances.yml"
        "$certutil" cert --silent --pem --days 1095 --in "$work/instances.yml" \
            --ca-cert "$CA_DIR/ca.crt" --ca-key "$CA_DIR/ca.key" --out "$work/certs.zip"
        unzip -q -o "$work/certs.zip" -d "$CERTS_DIR"
    fi
    # Keys: owner root, group root, 0640. Elasticsearch and Kibana run as uid 1000 in group 0 and read
    # them; the pipeline (uid 10001) reads only the public ca/ca.crt.
    if [ "$(id -u)" = 0 ]; then
        chown -R 0:0 "$CERTS_DIR" "$CA_DIR"
        if [ -n "${SNAPSHOT_DIR:-}" ]; then
            chown 1000:0 "$SNAPSHOT_DIR"
            chmod 0770 "$SNAPSHOT_DIR"
        fi
    fi
    find "$CERTS_DIR" -type d -exec chmod 0755 {} +
    find "$CERTS_DIR" -type f -name '*.crt' -exec chmod 0644 {} +
    find "$CERTS_DIR" -type f -name '*.key' -exec chmod 0640 {} +
    chmod 0700 "$CA_DIR"
    chmod 0600 "$CA_DIR/ca.key"
    say "certificates are in $CERTS_DIR"
}

check_password() {  # name value
    [ -n "$2" ] || die "$1 is empty; set it in .env"
    case "$2" in
        *\"* | *\\*) die "$1 must not contain a double quote or a backslash" ;;
    esac
}

# es METHOD PATH [JSON]: a request as elastic; prints the answer; fails, showing it, on an HTTP error
es() {
    if [ $# -ge 3 ]; then
        answer=$(curl -sS -w '\n%{http_code}' --cacert "$CERTS_DIR/ca/ca.crt" -u "elastic:$ELASTIC_PASSWORD" \
            -X "$1" "$ES_URL$2" -H 'Content-Type: application/json' -d "$3") || return 1
    else
        answer=$(curl -sS -w '\n%{http_code}' --cacert "$CERTS_DIR/ca/ca.crt" -u "elastic:$ELASTIC_PASSWORD" \
            -X "$1" "$ES_URL$2") || return 1
    fi
    code=$(printf '%s\n' "$answer" | tail -n 1)
    body=$(printf '%s\n' "$answer" | sed '$d')
    case "$code" in
        2??) printf '%s\n' "$body" ;;
        *) say "$1 $2: HTTP $code: $body"; return 1 ;;
    esac
}

passwords() {
    check_password ELASTIC_PASSWORD "${ELASTIC_PASSWORD:-}"
    check_password KIBANA_SYSTEM_PASSWORD "${KIBANA_SYSTEM_PASSWORD:-}"
    check_password PIPELINE_ES_PASSWORD "${PIPELINE_ES_PASSWORD:-}"
    say "waiting for $ES_URL"
    tries=0
    until es GET '/_cluster/health?wait_for_status=yellow&timeout=5s' >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -lt 120 ] || die "Elasticsearch at $ES_URL did not answer as elastic (wrong ELASTIC_PASSWORD?)"
        sleep 2
    done
    es POST /_security/user/kibana_system/_password "{\"password\":\"$KIBANA_SYSTEM_PASSWORD\"}" >/dev/null
    say "kibana_system password set"
    es PUT /_security/role/pressindex_writer "{
      \"cluster\": [\"monitor\"],
      \"indices\": [{\"names\": [\"$PRESSINDEX_INDEX*\", \"pressindex*\"], \"privileges\": [\"all\"]}]
    }" >/dev/null
    es PUT /_security/user/pressindex "{
      \"password\": \"$PIPELINE_ES_PASSWORD\",
      \"roles\": [\"pressindex_writer\"],
      \"full_name\": \"pressindex pipeline\"
    }" >/dev/null
    say "user pressindex (role pressindex_writer on $PRESSINDEX_INDEX* and pressindex*) set"
}

case "${1:-}" in
    certs) certs ;;
    passwords) passwords ;;
    *) die "usage: es-setup.sh certs|passwords" ;;
esac
