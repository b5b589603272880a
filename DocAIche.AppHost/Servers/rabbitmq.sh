#!/usr/bin/env bash
# Runs RabbitMQ for the AppHost in executables mode, isolated from any system broker: its own
# node name, data and log folders, ports and epmd (started by the AppHost as a resource of its
# own). It execs the Erlang VM so that stopping this process stops the broker.
# Usage: rabbitmq.sh DATA_DIR AMQP_PORT DIST_PORT EPMD_PORT   (password in DOCAICHE_RABBITMQ_PASSWORD)
set -euo pipefail
data=$1
amqp_port=$2
dist_port=$3
epmd_port=$4
: "${DOCAICHE_RABBITMQ_PASSWORD:?the broker password must be given}"

mkdir -p "$data/home" "$data/mnesia" "$data/log" "$data/config"
chmod 700 "$data"
umask 077
cat >"$data/config/rabbitmq.conf" <<CONF
default_user = docaiche
default_pass = $DOCAICHE_RABBITMQ_PASSWORD
loopback_users = none
log.console = true
log.console.level = warning
log.file = false
CONF
printf '[].\n' >"$data/config/enabled_plugins"
: >"$data/config/rabbitmq-env.conf"

export HOME=$data/home
export RABBITMQ_NODENAME=docaiche@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$amqp_port
export RABBITMQ_DIST_PORT=$dist_port
export ERL_EPMD_PORT=$epmd_port
export RABBITMQ_MNESIA_BASE=$data/mnesia
export RABBITMQ_LOG_BASE=$data/log
export RABBITMQ_CONFIG_FILE=$data/config/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$data/config/enabled_plugins
export RABBITMQ_CONF_ENV_FILE=$data/config/rabbitmq-env.conf
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
# Makes the script exec the VM instead of keeping a shell in between.
export RUNNING_UNDER_SYSTEMD=true

exec /usr/lib/rabbitmq/bin/rabbitmq-server
