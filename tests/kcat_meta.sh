#!/bin/bash
# kcat_meta.sh: kcat mode -L (metadata) and -Q (offsets by timestamp) give
# Debian kcat 1.7.1's stdout bytes and exit codes: text and -J, one topic,
# a topic being auto-created, partitions and topics that do not exist,
# duplicates, the special timestamps -1 (end) and -2 (beginning), several
# topics sorted as kcat sorts them, and a cluster that is down (same
# "% ERROR:" line on stderr).
#
# The dev cluster cannot report a topic error (it auto-creates every
# topic), so a tiny fake broker (Python, ApiVersions + Metadata v1 only)
# answers with an unknown topic, a topic whose leader is not available, a
# partition error, an internal topic, a controller and a broker name that
# needs JSON escaping; both programs must print it identically.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/parity_lib.sh"

start_dev --topic orders:3 --topic alpha:1 --topic zeta:2
B=$BROKERS

seq 1 5 | kcat -b "$B" -P -t orders -p 0 || fail "kcat -P orders/0"
seq 1 2 | kcat -b "$B" -P -t orders -p 1 || fail "kcat -P orders/1"
seq 1 4 | kcat -b "$B" -P -t alpha -p 0 || fail "kcat -P alpha/0"

# kafkit's own output must hold what the cluster has, not only equal kcat's.
expect_line() { # NAME LINE
        grep -qxF -- "$2" "$PARITY_DIR/$1.kafkit.out" ||
                fail "$1: no line '$2' in kafkit's output: $(head -c 400 "$PARITY_DIR/$1.kafkit.out")"
}
expect_out() { # NAME TEXT (whole stdout, no trailing newline)
        [ "$(cat "$PARITY_DIR/$1.kafkit.out")" = "$2" ] ||
                fail "$1: kafkit printed '$(cat "$PARITY_DIR/$1.kafkit.out")', expected '$2'"
}
expect_rc() { # NAME RC
        [ "$(parity_rc "$1" kafkit)" = "$2" ] ||
                fail "$1: kafkit exited $(parity_rc "$1" kafkit), expected $2"
}

# ------------------------------------------------------------------- -L
parity L_all -- -b "$B" -L
expect_line L_all ' 3 topics:'
expect_line L_all '  topic "orders" with 3 partitions:'
expect_line L_all '  topic "zeta" with 2 partitions:'
parity L_all_json -- -b "$B" -L -J
grep -q '"query":{"topic":"\*"},"controllerid":' "$PARITY_DIR/L_all_json.kafkit.out" ||
        fail "L_all_json: no query/controllerid: $(cat "$PARITY_DIR/L_all_json.kafkit.out")"
parity L_topic -- -b "$B" -L -t orders
expect_line L_topic ' 1 topics:'
parity L_topic_json -- -b "$B" -L -t alpha -J
parity L_quiet -- -b "$B" -L -q -t zeta
parity L_autocreate -- -b "$B" -L -t brand_new
expect_line L_autocreate '  topic "brand_new" with 4 partitions:'
parity L_after_create -- -b "$B" -L

# ------------------------------------------------------------------- -Q
parity Q_end -- -b "$B" -Q -t orders:0:-1
expect_out Q_end 'orders [0] offset 5'
parity Q_begin -- -b "$B" -Q -t orders:0:-2
expect_out Q_begin 'orders [0] offset 0'
parity Q_many -- -b "$B" -Q -t orders:1:-1 -t zeta:1:-1 -t alpha:0:-1 -t orders:0:-1 \
        -t orders:2:-2
expect_out Q_many "alpha [0] offset 4
orders [0] offset 5
orders [1] offset 2
orders [2] offset 0
zeta [1] offset 0"
parity Q_many_json -- -b "$B" -Q -J -t orders:1:-1 -t alpha:0:-2 -t orders:0:-1
expect_out Q_many_json '{"alpha":{"topic":"alpha","0":{"partition":0,"offset":0}},"orders":{"topic":"orders","0":{"partition":0,"offset":5},"1":{"partition":1,"offset":2}}}'
parity Q_time -- -b "$B" -Q -t orders:0:1000 -t orders:1:99999999999999
parity Q_dup -- -b "$B" -Q -t orders:0:-1 -t orders:0:-2
parity Q_bad_part -- -b "$B" -Q -t orders:0:-1 -t orders:9:-2 -t orders:7:123
expect_line Q_bad_part 'orders [9] offset -2: Local: Unknown partition'
parity Q_bad_part_json -- -b "$B" -Q -J -t orders:9:-2 -t orders:1:-1
# every partition unknown: the whole query fails, nothing on stdout
parity Q_only_bad -- -b "$B" -Q -t orders:9:-1
expect_rc Q_only_bad 1
grep -qxF '% ERROR: offsets_for_times failed: Local: Unknown partition' \
        "$PARITY_DIR/Q_only_bad.kafkit.err" || fail "Q_only_bad: $(cat "$PARITY_DIR/Q_only_bad.kafkit.err")"
parity Q_new_topic -- -b "$B" -Q -t qnew:0:-1
parity Q_usage -- -b "$B" -Q
parity Q_syntax -- -b "$B" -Q -t orders:0
parity Q_neg_part -- -b "$B" -Q -t orders:-1:-1
# kcat reads "1x" as 1 (strtoll stops at the x); kafkit refuses a number
# with trailing garbage, as for -p/-c/-o (README: kcat mode deviations).
parity_differs Q_trailing "a -Q timestamp with trailing garbage is an error" \
        -- -b "$B" -Q -t orders:1:1x
expect_rc Q_trailing 1

# ------------------------------------------------------ cluster down
parity L_down -- -b 127.0.0.1:1 -L -m 1 -q
expect_rc L_down 1
grep -qxF '% ERROR: Failed to acquire metadata: Local: Broker transport failure (Are the brokers reachable? Also try increasing the metadata timeout with -m <timeout>?)' \
        "$PARITY_DIR/L_down.kafkit.err" || fail "L_down: $(cat "$PARITY_DIR/L_down.kafkit.err")"
parity L_down_json -- -b 127.0.0.1:1 -L -J -m 1 -q
parity Q_down -- -b 127.0.0.1:1 -Q -t orders:0:-1 -m 1 -q
grep -qxF '% ERROR: offsets_for_times failed: Local: All broker connections are down' \
        "$PARITY_DIR/Q_down.kafkit.err" || fail "Q_down: $(cat "$PARITY_DIR/Q_down.kafkit.err")"
stop_dev

# ------------------------------------------- three brokers (replicas, leaders)
start_dev --brokers 3 --topic orders:3
# one bootstrap broker: the answering broker is then always the same
parity L3_all -- -b "${BROKERS%%,*}" -L
expect_line L3_all ' 3 brokers:'
parity L3_json -- -b "${BROKERS%%,*}" -L -J -t orders
stop_dev

# ------------------------------------------- errors, from a fake broker
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3 for the fake broker (the rest passed)"
cat >"$TMPDIR/fakebroker.py" <<'EOF'
# Answers ApiVersions v0 and Metadata v1 with fixed topics; exits when the
# test's shell is gone.
import os, socketserver, struct, sys, threading, time

TOPICS = [  # name, error, internal, [(partition, error, leader, replicas, isrs)]
    ("payments", 0, False, [(0, 0, 1, [1], [1]), (1, 9, 1, [1, 2], [])]),
    ("__consumer_offsets", 0, True, [(0, 0, 1, [1], [1])]),
    ("booting", 5, False, []),
]

def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def kstr(s):
    b = s.encode()
    return i16(len(b)) + b
def arr(items): return i32(len(items)) + b"".join(items)

class Handler(socketserver.BaseRequestHandler):
    def read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def handle(self):
        try:
            while True:
                size, = struct.unpack(">i", self.read(4))
                req = self.read(size)
                key, ver, corr, idlen = struct.unpack(">hhih", req[:10])
                body = req[10 + max(idlen, 0):]
                if key == 18 and ver > 0:   # "unsupported": the client retries v0
                    resp = i16(35) + arr([i16(18) + i16(0) + i16(0)])
                elif key == 18:
                    resp = i16(0) + arr([i16(18) + i16(0) + i16(0), i16(3) + i16(0) + i16(1)])
                elif key == 3:
                    resp = self.metadata(body)
                else:
                    return
                out = i32(corr) + resp
                self.request.sendall(i32(len(out)) + out)
        except (EOFError, ConnectionError):
            pass

    def metadata(self, body):
        cnt, = struct.unpack(">i", body[:4])
        names, off = [], 4
        for _ in range(max(cnt, 0)):
            n, = struct.unpack(">h", body[off:off + 2])
            names.append(body[off + 2:off + 2 + n].decode())
            off += 2 + n
        known = {t[0]: t for t in TOPICS}
        topics = TOPICS if cnt <= 0 else [known.get(n, (n, 3, False, [])) for n in names]
        brokers = arr([i32(1) + kstr(HOST) + i32(PORT) + i16(-1),
                       i32(2) + kstr('odd"host\\\t\x1f') + i32(1) + i16(-1)])
        tl = []
        for name, err, internal, parts in topics:
            pl = [i16(pe) + i32(p) + i32(ld) + arr([i32(x) for x in rep]) +
                  arr([i32(x) for x in isr]) for p, pe, ld, rep, isr in parts]
            tl.append(i16(err) + kstr(name) + bytes([internal]) + arr(pl))
        return brokers + i32(1) + arr(tl)

class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True

def watchdog(parent):
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.2)
    os._exit(0)

deadline = time.monotonic() + 120
srv = Server(("127.0.0.1", 0), Handler)
HOST, PORT = srv.server_address
threading.Thread(target=watchdog, args=(os.getppid(),), daemon=True).start()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%s:%d\n" % (HOST, PORT))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
EOF
/usr/bin/python3 "$TMPDIR/fakebroker.py" "$TMPDIR/fake.addr" 2>"$TMPDIR/fake.err" &
FAKE_PID=$!
i=0
while [ ! -s "$TMPDIR/fake.addr" ]; do
        i=$((i + 1))
        [ "$i" -le 100 ] || fail "fake broker not ready: $(cat "$TMPDIR/fake.err")"
        sleep 0.1
done
F=$(cat "$TMPDIR/fake.addr")

parity E_all -- -b "$F" -L
expect_line E_all '  broker 1 at '"$F"' (controller)'
expect_line E_all '    partition 1, leader 1, replicas: 1,2, isrs: , Broker: Replica not available'
expect_line E_all '  topic "booting" with 0 partitions: Broker: Leader not available (try again)'
expect_line E_all '  topic "__consumer_offsets" with 1 partitions:'
parity E_all_json -- -b "$F" -L -J
grep -qF '{"id":2,"name":"odd\"host\\\t\u001F:1"}' "$PARITY_DIR/E_all_json.kafkit.out" ||
        fail "E_all_json: broker name not escaped as kcat does: $(cat "$PARITY_DIR/E_all_json.kafkit.out")"
grep -qF '{"topic":"booting","error":"Broker: Leader not available","partitions":[]}' \
        "$PARITY_DIR/E_all_json.kafkit.out" || fail "E_all_json: no topic error"
parity E_unknown -- -b "$F" -L -t gone
expect_line E_unknown '  topic "gone" with 0 partitions: Broker: Unknown topic or partition'
expect_rc E_unknown 0
parity E_unknown_json -- -b "$F" -L -J -t gone
parity E_leader -- -b "$F" -L -t booting
kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null

echo "kcat_meta: $PARITY_CNT parity cases passed"
