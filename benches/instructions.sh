#!/usr/bin/env bash
# Server instructions per request of one page, counted by valgrind's callgrind: the same count
# for the same binary, data and page whatever else the machine is doing, so that a change of a
# few percent shows where a rate measured on a shared machine moves by more than that.
#
#   benches/instructions.sh [BINARY] [PATH] [REQUESTS] [USER]
#   benches/instructions.sh target/release/guichet /desk 1000 tom
#
# The demo is created once in a data directory of its own (kept in $GUICHET_INSTRUCTIONS_DATA,
# /tmp/guichet-instructions by default, so that two binaries are compared on the same data),
# the server is started under callgrind on it, the user signs in (an API path: with a bearer
# token from /api/v1/login), 200 requests warm it up,
# the counters are zeroed, REQUESTS requests are sent on one keep-alive connection, and the
# instructions counted meanwhile (user space, every thread) are divided by REQUESTS.
# With GUICHET_INSTRUCTIONS_FILL=100000, a new data directory is filled to that many requests
# through the API after the demo (a page counted on it and on the demo alone tells what the
# store's size costs it). Needs valgrind (callgrind_control), curl and python3. Copies of
# memcpy count each byte of a `rep movsb`, so a page's copying weighs more here than in seconds.
set -euo pipefail
binary=${1:-target/release/guichet}
path=${2:-/desk}
requests=${3:-1000}
user=${4:-tom}
data=${GUICHET_INSTRUCTIONS_DATA:-/tmp/guichet-instructions}
port=8917
base="http://127.0.0.1:$port"
out=$(mktemp -d)
trap 'pkill -f -- "--listen 127.0.0.1:$port" || true; rm -rf "$out"' EXIT
# mimalloc's purge delay as the server sets it for itself (main.rs), so that it does not start
# itself again out of valgrind's sight; requests are not logged, as in the benches.
export MIMALLOC_PURGE_DELAY=0 GUICHET_LOG=warn

wait_up() {
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "$base/login" && return 0
    sleep 0.5
  done
  echo "the server did not start" >&2
  exit 1
}

if [ ! -e "$data/guichet.redb" ]; then
  mkdir -p "$data"
  "$binary" serve --demo --data "$data" --listen "127.0.0.1:$port" >"$out/demo.log" 2>&1 &
  wait_up
  if [ -n "${GUICHET_INSTRUCTIONS_FILL:-}" ]; then
    # Submitted through the API until the store holds that many requests, as the requests
    # bench fills it: alice, bob and admin in turn, a service without approval.
    python3 - "$port" "$GUICHET_INSTRUCTIONS_FILL" <<'PY'
import http.client, json, sys, threading
port, total = int(sys.argv[1]), int(sys.argv[2])
def call(connection, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = connection.getresponse()
    return response.status, response.read()
connection = http.client.HTTPConnection("127.0.0.1", port)
tokens = [json.loads(call(connection, "POST", "/api/v1/login", {"username": u, "password": "demo"})[1])["token"]
          for u in ("alice", "bob", "admin")]
services = json.loads(call(connection, "GET", "/api/v1/services", token=tokens[0])[1])
reset = next(s["id"] for s in services if s["name"].startswith("Réinitialisation du mot de passe"))
newest = json.loads(call(connection, "GET", "/api/v1/requests?status=all&limit=1", token=tokens[0])[1])
left = [total - newest["items"][0]["id"]]
lock = threading.Lock()
body = {"service_id": reset, "data": {"compte": "a.durand", "contact": "Par SMS"}}
def submit(i):
    own = http.client.HTTPConnection("127.0.0.1", port)
    while True:
        with lock:
            if left[0] <= 0:
                return
            left[0] -= 1
        status, answer = call(own, "POST", "/api/v1/requests", body, tokens[i % 3])
        if status != 201:
            sys.exit(f"submission answered {status}: {answer[:200]}")
threads = [threading.Thread(target=submit, args=(i,)) for i in range(24)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
PY
  fi
  pkill -f -- "--listen 127.0.0.1:$port"
  sleep 1
fi

valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.%p" \
  "$binary" serve --data "$data" --listen "127.0.0.1:$port" >"$out/server.log" 2>&1 &
wait_up
curl -s -c "$out/jar" -b "$out/jar" "$base/login" >"$out/login.html"
token=$(grep -o 'name="_csrf" value="[^"]*"' "$out/login.html" | sed 's/.*value="//;s/"//')
curl -s -c "$out/jar" -b "$out/jar" -o /dev/null \
  -d "_csrf=$token&username=$user&password=demo" "$base/login"

python3 - "$port" "$out/jar" "$path" "$requests" "$user" <<'PY'
import http.client, json, subprocess, sys
port, jar, path, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
cookies = [l.rstrip("\n").split("\t") for l in open(jar) if l.count("\t") >= 6]
headers = {"Cookie": "; ".join(f"{c[5]}={c[6]}" for c in cookies)}
connection = http.client.HTTPConnection("127.0.0.1", port)
if path.startswith("/api/"):
    # The API takes a bearer token, not the session cookie.
    login = {"username": sys.argv[5], "password": "demo"}
    connection.request("POST", "/api/v1/login", body=json.dumps(login),
                       headers={"Content-Type": "application/json"})
    headers = {"Authorization": "Bearer " + json.loads(connection.getresponse().read())["token"]}
size = 0
def send(count):
    global size
    for _ in range(count):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        size = len(response.read())
        if response.status != 200:
            sys.exit(f"{path} answered {response.status}")
send(200)
subprocess.run(["callgrind_control", "--zero"], check=True, capture_output=True)
send(n)
subprocess.run(["callgrind_control", "--dump"], check=True, capture_output=True)
print(f"{path}: {size} bytes", file=sys.stderr)
PY

dump=$(ls "$out"/callgrind.*.1)
total=$(sed -n 's/^summary: //p' "$dump")
echo "$path as $user: $((total / requests)) instructions per request ($requests requests, $(basename "$binary"))"
