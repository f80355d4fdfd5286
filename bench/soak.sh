#!/usr/bin/env bash
# bench/soak.sh: `make soak`, the reliability soak.  Runs advisord under
# mixed load for SOAK_SECONDS (default 600): a steady open-loop stream over
# many connections with a reconnect storm every SOAK_STORM seconds (every
# connection dropped at once, half with a close frame, half with a reset),
# plus a churn of short conversations (open loop, SOAK_CHURN_RATE) that
# leave and come back, half of them resuming.  Every SOAK_INTERVAL seconds it samples the daemon's RSS,
# open file descriptors and the WAL file's size into a table, then judges
# flatness: after the warm-up, the median of the last third of the samples
# must stay within 10% plus a fixed slack of the first third's median.
# Exits non-zero when a figure grows, the daemon dies, or it stops
# answering.
#
# Environment: BUILD, SOAK_SECONDS (600), SOAK_INTERVAL (10), SOAK_WARMUP
# (60, at most a fifth of the run), SOAK_RATE (1000 messages/s),
# SOAK_CONNS (200), SOAK_STORM (60), SOAK_CHURN_RATE (200 messages/s on
# the churning connections), SOAK_DURABILITY (fast).

set -u

BUILD=${BUILD:-build}
SECS=${SOAK_SECONDS:-600}
INTERVAL=${SOAK_INTERVAL:-10}
WARMUP=${SOAK_WARMUP:-60}
RATE=${SOAK_RATE:-1000}
CONNS=${SOAK_CONNS:-200}
STORM=${SOAK_STORM:-60}
CHURN_RATE=${SOAK_CHURN_RATE:-200}
DURABILITY=${SOAK_DURABILITY:-fast}
LOADGEN=$BUILD/bench/loadgen
ADVISORD=${ADVISORD:-$BUILD/advisord}

# Fixed slack on top of 10%: RSS in kB, fds, WAL bytes.
SLACK_RSS=4096
SLACK_FD=16
SLACK_WAL=$((4 * 1024 * 1024))

[ $((WARMUP * 5)) -le "$SECS" ] || WARMUP=$((SECS / 5))

TMP=$(mktemp -d /tmp/advisord-soak.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "soak: $*" >&2; exit 2; }

[ -x "$LOADGEN" ] && [ -x "$ADVISORD" ] || die "build $LOADGEN and $ADVISORD first (make soak)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null

if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	PIN_D=(taskset -c 0)
	PIN_G=(taskset -c 1)
else
	PIN_D=()
	PIN_G=()
fi

HELP=$("$ADVISORD" --help 2>&1)
ARGS=(--host 127.0.0.1)
grep -q -- --rate-limit <<<"$HELP" && ARGS+=(--rate-limit 0)
grep -q -- --max-conns-per-ip <<<"$HELP" && ARGS+=(--max-conns-per-ip 20000)
grep -q -- --durability <<<"$HELP" && ARGS+=(--durability "$DURABILITY")
grep -q -- --log-level <<<"$HELP" && ARGS+=(--log-level warning)

DB=$TMP/soak.db
for try in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 12000))
	"${PIN_D[@]}" "$ADVISORD" "${ARGS[@]}" --port "$PORT" --db "$DB" \
	    >"$TMP/advisord.log" 2>&1 &
	DPID=$!
	up=0
	for i in $(seq 1 100); do
		kill -0 "$DPID" 2>/dev/null || break
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then up=1; break; fi
		sleep 0.05
	done
	[ "$up" = 1 ] && break
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
done
[ "$up" = 1 ] || { tail -n 20 "$TMP/advisord.log" >&2; die "advisord did not start"; }
PIDS+=("$DPID")

echo "== soak: advisord pid $DPID port $PORT, $SECS s, $DURABILITY durability"
echo "   steady: $CONNS connections, $RATE messages/s open loop, storm every $STORM s"
echo "   churn: 20 connections, $CHURN_RATE messages/s, leave after ~3 answers, 50% resume"

# The generators outlast the last sample so that it sees the load.
GEN_SECS=$((SECS + INTERVAL / 2 + 2))

# Steady stream with storms; churning short conversations beside it.
"${PIN_G[@]}" "$LOADGEN" --port "$PORT" --mode advisor --conns "$CONNS" \
    --rate "$RATE" --storm "$STORM" --duration "$GEN_SECS" --warmup 0 \
    --ramp 100 --label soak-steady --pid "$DPID" \
    >"$TMP/steady.out" 2>"$TMP/steady.err" &
PIDS+=("$!")
G1=$!
"${PIN_G[@]}" "$LOADGEN" --port "$PORT" --mode advisor --conns 20 \
    --rate "$CHURN_RATE" --churn 3 --resume-pct 50 --duration "$GEN_SECS" --warmup 0 \
    --label soak-churn >"$TMP/churn.out" 2>"$TMP/churn.err" &
PIDS+=("$!")
G2=$!

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status" 2>/dev/null; }
fds() { ls "/proc/$DPID/fd" 2>/dev/null | wc -l; }
fsize() { stat -c %s "$1" 2>/dev/null || echo 0; }
# Conversations held in memory (from /metrics): shows whether RSS follows
# them or grows by itself.
convs() {
	exec 4<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || { echo -; return; }
	printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&4
	awk '/^advisord_conversations / { print $2; f = 1 } END { if (!f) print "-" }' <&4
	exec 4<&-
}

T=()
R=()
F=()
W=()
printf '%8s %10s %6s %12s %12s %8s\n' "t (s)" "RSS (kB)" "fds" "WAL (B)" "DB (B)" "convs"
start=$(date +%s)
died=0
while :; do
	sleep "$INTERVAL"
	now=$(($(date +%s) - start))
	if ! kill -0 "$DPID" 2>/dev/null; then
		died=1
		break
	fi
	r=$(rss)
	f=$(fds)
	w=$(fsize "$DB-wal")
	printf '%8d %10s %6s %12s %12s %8s\n' "$now" "$r" "$f" "$w" \
	    "$(fsize "$DB")" "$(convs)"
	T+=("$now")
	R+=("$r")
	F+=("$f")
	W+=("$w")
	[ "$now" -lt "$SECS" ] || break
done
wait "$G1" "$G2" 2>/dev/null
cat "$TMP/steady.err" "$TMP/churn.err"

fail=0
for g in steady churn; do
	a=$(tr ' ' '\n' <"$TMP/$g.out" | sed -n 's/^answers=//p')
	if [ -z "$a" ] || [ "$a" = 0 ]; then
		echo "FAIL  the $g generator got no answers"
		fail=1
	fi
done
if [ "$died" = 1 ]; then
	echo "FAIL  advisord died; last log lines:"
	tail -n 20 "$TMP/advisord.log"
	exit 1
fi

# Still answering after the storm?
final=$("${PIN_G[@]}" "$LOADGEN" --port "$PORT" --mode advisor --conns 1 \
    --duration 1 --warmup 0 --label soak-final 2>/dev/null | grep '^RESULT')
answers=$(tr ' ' '\n' <<<"$final" | sed -n 's/^answers=//p')
if [ -n "$answers" ] && [ "$answers" -gt 0 ]; then
	echo "PASS  still answering after the soak: $answers answers in 1 s"
else
	echo "FAIL  advisord no longer answers"
	fail=1
fi

# Flatness over the samples after the warm-up.
idx=()
for i in "${!T[@]}"; do
	[ "${T[$i]}" -ge "$WARMUP" ] && idx+=("$i")
done
n=${#idx[@]}
if [ "$n" -lt 3 ]; then
	echo "NOTE  only $n samples after a $WARMUP s warm-up: too short to judge flatness"
	exit $fail
fi
third=$((n / 3))
# The median of its arguments (integers).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# flat NAME SLACK VALUES...: first-third vs last-third medians.  Medians,
# not averages: a sample that lands in a reconnect storm shows the storm's
# sockets for a moment, which is not growth.
flat() {
	local name=$1 slack=$2
	shift 2
	local vals=("$@") first=() last=() i a b
	for ((i = 0; i < third; i++)); do first+=("${vals[idx[i]]}"); done
	for ((i = n - third; i < n; i++)); do last+=("${vals[idx[i]]}"); done
	a=$(median "${first[@]}")
	b=$(median "${last[@]}")
	local lim=$((a + a / 10 + slack))
	if [ "$b" -le "$lim" ]; then
		echo "PASS  $name flat: first third median $a, last third median $b (limit $lim)"
	else
		echo "FAIL  $name grows: first third median $a, last third median $b (limit $lim)"
		fail=1
	fi
}
flat "RSS kB" "$SLACK_RSS" "${R[@]}"
flat "open fds" "$SLACK_FD" "${F[@]}"
flat "WAL bytes" "$SLACK_WAL" "${W[@]}"
exit $fail
