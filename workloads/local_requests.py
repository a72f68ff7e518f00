"""a batch of blocking HTTP requests to a local server the workload starts itself (loopback only): http.client and json per request

setup starts the server, a separate Python process on 127.0.0.1 (a
ThreadingHTTPServer that answers each GET after latency_us, as a remote
service would); a unit is one request and its JSON answer, over one
keep-alive connection per share or task.  The client waits with the GIL
released, so threads overlap their waits; parsing is the interpreter's.
The server stops when its owner tears the workload down, and when the owner
dies however it dies (its end of the server's stdin closes).  A spawned
worker or a subinterpreter builds its own server (a subinterpreter that
cannot start a process cannot run this workload).

Check: the server answers unit u with a value computed from u; the
checksum of a share's values is known without a request.
"""
import http.client
import json
import subprocess
import sys

from gilbench_kit import MASK, unit_checksum, units_checksum

UNIT = "one GET request"
UNITS = 200
SETTINGS = {"latency_us": (5000, 0, 10000000)}
CHUNKSIZE = 10

SERVER = r"""
import http.server, json, os, socketserver, sys, threading, time
latency = int(sys.argv[1]) / 1e6

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes

    def do_GET(self):
        unit = int(self.path.rsplit("=", 1)[1])
        time.sleep(latency)
        body = json.dumps({"unit": unit, "value": unit * 40503 % 65521}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever()
"""


def answer(unit):
    return unit * 40503 % 65521


def setup(params):
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(params["latency_us"])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = server.stdout.readline().strip()
    if not port.isdigit():
        server.kill()
        server.wait()
        raise RuntimeError("the local server did not start (it printed %r)" % port)
    return dict(params, server=server, port=int(port))


def work(state, first, count):
    connection = http.client.HTTPConnection("127.0.0.1", state["port"], timeout=60)
    total = 0
    try:
        for unit in range(first, first + count):
            connection.request("GET", "/item?unit=%d" % unit)
            response = connection.getresponse()
            body = json.loads(response.read())
            if response.status != 200 or body["unit"] != unit:
                raise RuntimeError("request %d: status %d, answer %r" % (unit, response.status, body))
            total = (total + unit_checksum(unit, body["value"])) & MASK
    finally:
        connection.close()
    return total


def check(state, first, count, value):
    return value == units_checksum(first, count, answer)


def teardown(state):
    state["server"].stdin.close()
    state["server"].wait(timeout=30)
