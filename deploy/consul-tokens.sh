#!/bin/sh
# `mesh-consul-tokens COMMAND...` (deploy/docker-compose.yml's consul-provision): runs COMMAND,
# `npm run consul:provision` (scripts/consul/provision-acl.ts), which provisions the mesh's Consul ACL
# policies and tokens and prints the tokens as environment lines, `<SERVICE>_CONSUL_TOKEN=…` and
# `CONSUL_RESOLVER_TOKEN=…`, and hands each service its own token and nothing else: it writes
# CONSUL_TOKENS_DIR/<service>/consul-tokens.env (mode 0600) holding that service's line alone, plus the
# resolver's line for the services named in CONSUL_RESOLVER_SERVICES (those that resolve consul:///
# targets). Each service mounts only its own directory, read-only, and mesh-entrypoint exports the
# lines of the file CONSUL_TOKENS_ENV_FILE names. No token is printed: what it says names services.
# The provisioning is idempotent (the same tokens every run), so the files change only when Consul's
# ACL state was lost.
set -eu
dir=${CONSUL_TOKENS_DIR:?set CONSUL_TOKENS_DIR to the directory each service gets its tokens in}
resolvers=${CONSUL_RESOLVER_SERVICES:-}
[ $# -gt 0 ] || { echo "usage: mesh-consul-tokens COMMAND [ARGS...]" >&2; exit 64; }
umask 077
# The command's stdout is the tokens: kept in this shell, never echoed. Its stderr (progress) passes.
tokens=$("$@")
resolver=$(printf '%s\n' "$tokens" | sed -n 's/^CONSUL_RESOLVER_TOKEN=//p')
[ -n "$resolver" ] || { echo "mesh-consul-tokens: $1 printed no CONSUL_RESOLVER_TOKEN line" >&2; exit 1; }
written=""
while IFS= read -r line; do
  case "$line" in
    *_CONSUL_TOKEN=?*) ;;
    *) continue ;;
  esac
  variable=${line%%=*}
  case "$variable" in *[!A-Z0-9_]* | _*) echo "mesh-consul-tokens: not a token variable: $variable" >&2; exit 1 ;; esac
  # EMOTION_CONSUL_TOKEN: emotion (the mesh's service names are DNS labels: `-` is written `_`).
  service=$(printf '%s' "${variable%_CONSUL_TOKEN}" | tr 'A-Z_' 'a-z-')
  mkdir -p "$dir/$service"
  {
    printf '%s\n' "$line"
    case " $resolvers " in *" $service "*) printf 'CONSUL_RESOLVER_TOKEN=%s\n' "$resolver" ;; esac
  } > "$dir/$service/consul-tokens.env.new"
  mv -f "$dir/$service/consul-tokens.env.new" "$dir/$service/consul-tokens.env"
  written="$written $service"
done <<TOKENS
$tokens
TOKENS
for service in $resolvers; do
  case " $written " in *" $service "*) ;; *) echo "mesh-consul-tokens: $1 printed no token for $service, which CONSUL_RESOLVER_SERVICES names" >&2; exit 1 ;; esac
done
[ -n "$written" ] || { echo "mesh-consul-tokens: $1 printed no <SERVICE>_CONSUL_TOKEN line" >&2; exit 1; }
echo "mesh-consul-tokens: each service's Consul token in $dir/<service>/consul-tokens.env:$written (the resolver's too for:${resolvers:+ }$resolvers)" >&2
