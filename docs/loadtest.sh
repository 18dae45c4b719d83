#!/usr/bin/env bash
# Load test, on loopback, with wrk, in alternating rounds:
#
#  1. the miniweb demo against cmd/baseline (the same pages from net/http,
#     pongo2 and securecookie alone), for GET /login and GET /home with a
#     session;
#  2. cmd/rawsocket, with keep-alive and with -close (one request a
#     connection, as the Python notes' server), against the Python notes'
#     server (docs/loadtest/notes_server.py) and net/http's hello world
#     (docs/loadtest/hello), for GET /.
#
# Prints requests/s and p99 latency side by side with their ratios, the
# median of ROUNDS runs.
#
#   bash docs/loadtest.sh            # from the repository's root
#   ROUNDS=5 DURATION=10s CONNECTIONS=32 bash docs/loadtest.sh
#
# Needs wrk, curl and python3 (apt-get install wrk curl python3). Takes
# about 8 x ROUNDS x DURATION, plus the builds. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
duration=${DURATION:-5s}
connections=${CONNECTIONS:-16}
threads=${THREADS:-1}

for tool in wrk curl python3; do
	command -v "$tool" >/dev/null || { echo "loadtest: $tool is missing: apt-get install $tool" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# Keys for this run only, shared so that the demo's cookie works on both.
MINIWEB_HASH_KEY=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')
MINIWEB_BLOCK_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MINIWEB_HASH_KEY MINIWEB_BLOCK_KEY

go build -o "$work/miniweb" .
go build -o "$work/baseline" ./cmd/baseline
go build -o "$work/rawsocket" ./cmd/rawsocket
go build -o "$work/hello" ./docs/loadtest/hello
"$work/miniweb" -addr 127.0.0.1:18080 -db "$work/miniweb.db" >/dev/null 2>&1 &
"$work/baseline" -addr 127.0.0.1:18081 >/dev/null 2>&1 &
"$work/rawsocket" -addr 127.0.0.1:18082 >/dev/null 2>&1 &
"$work/rawsocket" -addr 127.0.0.1:18083 -close >/dev/null 2>&1 &
python3 docs/loadtest/notes_server.py 127.0.0.1 18090 >/dev/null 2>&1 &
"$work/hello" -addr 127.0.0.1:18091 >/dev/null 2>&1 &

for url in 18080/login 18081/login 18082/ 18083/ 18090/ 18091/; do
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$url" && break
		sleep 0.1
	done
done

curl -s -o /dev/null -c "$work/cookies" -d 'username=admin&password=secure123' http://127.0.0.1:18080/login
cookie=$(awk '$6 == "session" { print $7 }' "$work/cookies")
[ -n "$cookie" ] || { echo "loadtest: logging in to the demo gave no session cookie" >&2; exit 1; }

# measure URL [HEADER]: one wrk run; prints "requests/s p99-in-ms".
measure() {
	local args=(-t"$threads" -c"$connections" -d"$duration" --latency)
	if [ $# -gt 1 ]; then args+=(-H "$2"); fi
	wrk "${args[@]}" "$1" | awk '
		/Requests\/sec:/ { rps = $2 }
		$1 == "99%" {
			v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
			ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v
		}
		END { printf "%.0f %.3f\n", rps, ms }'
}

# median reads numbers, one a line, and prints their median.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-6s %12s %12s %6s %12s %12s %6s\n' page "miniweb r/s" "bare r/s" ratio "miniweb p99" "bare p99" ratio
for page in login home; do
	header=()
	if [ "$page" = home ]; then header=("Cookie: session=$cookie"); fi
	: >"$work/results"
	for _ in $(seq "$rounds"); do
		echo "miniweb $(measure "http://127.0.0.1:18080/$page" "${header[@]}")" >>"$work/results"
		echo "bare $(measure "http://127.0.0.1:18081/$page" "${header[@]}")" >>"$work/results"
	done
	m_rps=$(awk '$1 == "miniweb" { print $2 }' "$work/results" | median)
	b_rps=$(awk '$1 == "bare" { print $2 }' "$work/results" | median)
	m_p99=$(awk '$1 == "miniweb" { print $3 }' "$work/results" | median)
	b_p99=$(awk '$1 == "bare" { print $3 }' "$work/results" | median)
	awk -v page="/$page" -v mr="$m_rps" -v br="$b_rps" -v mp="$m_p99" -v bp="$b_p99" 'BEGIN {
		printf "%-6s %12.0f %12.0f %6.2f %10.2fms %10.2fms %6.2f\n", page, mr, br, mr / br, mp, bp, mp / bp }'
done

# The hand-parsed server against what a reader would pick instead.
echo
printf '%-22s %12s %12s %12s\n' "GET /" "r/s" "p99" "× Python"
: >"$work/raw"
for _ in $(seq "$rounds"); do
	for server in rawsocket:18082 rawsocket-close:18083 python-notes:18090 nethttp-hello:18091; do
		echo "${server%%:*} $(measure "http://127.0.0.1:${server##*:}/")" >>"$work/raw"
	done
done
python_rps=$(awk '$1 == "python-notes" { print $2 }' "$work/raw" | median)
for name in rawsocket rawsocket-close python-notes nethttp-hello; do
	rps=$(awk -v n="$name" '$1 == n { print $2 }' "$work/raw" | median)
	p99=$(awk -v n="$name" '$1 == n { print $3 }' "$work/raw" | median)
	awk -v name="$name" -v r="$rps" -v p="$p99" -v py="$python_rps" 'BEGIN {
		printf "%-22s %12.0f %10.2fms %12.2f\n", name, r, p, r / py }'
done
