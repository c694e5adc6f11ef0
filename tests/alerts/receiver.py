"""A real HTTP receiver for webhook tests: http.server on 127.0.0.1, a free port, in a thread.

`answers` is what it answers, in order (the last one repeats): an HTTP status, or "hang" to
hold the request longer than the client's read time-out; `body` None answers without end. It records every request it received
in full (path, headers, body) and the event ids it answered 2xx to.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, answers=(200,), hang_seconds=2.0, body=b'{"ok": true}'):
        self.answers = list(answers)
        self.body = body
        self.hang_seconds = hang_seconds
        self.requests = []
        self.accepted = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    index = len(receiver.requests) - 1
                    answer = receiver.answers[min(index, len(receiver.answers) - 1)]
                if answer == "hang":
                    time.sleep(receiver.hang_seconds)
                    answer = 200
                try:
                    self.send_response(answer)
                    self.send_header("Content-Type", "application/json")
                    if receiver.body is None:  # an endless answer
                        self.end_headers()
                        while True:
                            self.wfile.write(b"x" * 65536)
                    self.send_header("Content-Length", str(len(receiver.body)))
                    self.end_headers()
                    self.wfile.write(receiver.body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client (a killed worker) is gone: not accepted
                if 200 <= answer < 300:
                    with receiver.lock:
                        receiver.accepted.append(json.loads(body)["event_id"])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tracker"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def payloads(self):
        return [json.loads(request["body"]) for request in self.requests]
