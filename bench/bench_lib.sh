# Shared helpers of the bench/*.sh scripts (sourced, not run). Everything listens on 127.0.0.1.
# Callers set `set -euo pipefail`, create $WORK (a temp dir) and call `cleanup` from their EXIT
# trap; every process started through `start_bg` is stopped there by its own pid.

BENCH_PIDS=()

# Starts "$@" in the background with stdout/stderr to $1's log file; remembers the pid.
# Usage: start_bg <logfile> <command...>
start_bg() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  BENCH_PIDS+=("$!")
  LAST_PID=$!
}

# Starts nginx with one worker in the foreground under $WORK/nginx (pinned like the servers when
# PIN_SERVER is set), with the lines given in $2 inside its http {} block; waits until URL $1
# answers and sets NGINX_WORKER to the worker's pid (the process whose CPU the scripts count).
start_nginx() {  # <url to wait for> <http block lines>
  mkdir -p "$WORK/nginx/tmp"
  cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
$2
}
CONF
  start_bg "$WORK/nginx.log" ${PIN_SERVER:+taskset -c "$PIN_SERVER"} nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
  local master=$LAST_PID
  wait_http "$1"
  NGINX_WORKER=$(pgrep -P "$master" | head -1)
}

cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "${WORK:-}" && -d "$WORK" && "${KEEP_WORK:-0}" != 1 ]]; then
    rm -rf "$WORK"
  fi
}

# A TCP port nobody listens on (checked with ss; the window before the server binds is tiny).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if [[ -z "$(ss -Htln "sport = :$p")" ]]; then
      echo "$p"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# Waits until `curl` gets any HTTP answer from the URL (up to ~10 s).
wait_http() {
  local url=$1
  for _ in $(seq 1 100); do
    if curl -ks -o /dev/null "$url"; then
      return 0
    fi
    sleep 0.1
  done
  echo "no answer from $url" >&2
  return 1
}

# Starts `kscale adapter` on 127.0.0.1 with the given extra flags; sets KSCALE_PID, HTTP_PORT
# and SECURE_PORT. The certificate goes to $WORK/certs.
start_kscale() {
  HTTP_PORT=$(free_port)
  SECURE_PORT=$(free_port)
  start_bg "$WORK/kscale.log" ${PIN_SERVER:+taskset -c "$PIN_SERVER"} "$KSCALE" adapter \
    --bind-address 127.0.0.1 --http-port "$HTTP_PORT" --secure-port "$SECURE_PORT" \
    --cert-dir "$WORK/certs" "$@"
  KSCALE_PID=$LAST_PID
  wait_http "http://127.0.0.1:$HTTP_PORT/healthz"
}

# Resident set of a process in KiB (VmRSS from /proc).
vm_rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# Converts one wrk latency figure (e.g. 312.00us, 1.52ms, 2.01s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}

# CPU time (user + system, all threads) a process has used, in clock ticks.
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# Runs wrk with the given arguments against the server process $1; prints
# "<requests/s> <p50 ms> <p99 ms> <non-2xx> <errors> <requests per server CPU-second>" and keeps
# the full output in $WORK/wrk-<n>.txt. The last figure is what the server does per second of CPU
# it actually got: on a machine shared with other work, wall-clock rates undercount it.
WRK_RUN=0
run_wrk() {
  local server_pid=$1
  shift
  WRK_RUN=$((WRK_RUN + 1))
  local out="$WORK/wrk-$WRK_RUN.txt"
  local t0 t1
  t0=$(cpu_ticks "$server_pid")
  ${PIN_CLIENT:+taskset -c "$PIN_CLIENT"} wrk "$@" >"$out" 2>&1
  t1=$(cpu_ticks "$server_pid")
  local rps p50 p99 non2xx errors requests per_cpu
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  errors=$(awk '/Socket errors:/ {s = 0; for (i = 3; i <= NF; i += 2) s += $(i + 1); print s}' "$out")
  requests=$(awk '/requests in/ {print $1}' "$out")
  per_cpu=$(awk -v n="${requests:-0}" -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.0f", (t > 0 ? n * hz / t : 0)}')
  echo "${rps:-0} ${p50:-0} ${p99:-0} ${non2xx:-0} ${errors:-0} $per_cpu"
}

# Pins the servers to one CPU and the load generator to the other when there are two or more
# (PIN=0 disables), so that "one worker thread" means one core for either server.
setup_pinning() {
  if [[ "${PIN:-1}" == 1 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
    PIN_SERVER=${PIN_SERVER:-1}
    PIN_CLIENT=${PIN_CLIENT:-0}
  else
    PIN_SERVER=
    PIN_CLIENT=
  fi
}

machine_line() {
  echo "machine: $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
