#!/usr/bin/env python3
"""Rampart egress forwarder: runs inside the sandbox, relays TCP to the egress proxy's Unix socket.

The sandbox has its own network namespace with only a loopback interface, so programs inside reach
the network through the HTTP proxy the host runs on a Unix socket bound into the sandbox. Most HTTP
clients only speak to a proxy over TCP; this program listens on 127.0.0.1:PORT and copies the bytes
of each TCP connection to a fresh connection to the Unix socket and back, unchanged. It takes no
decision and holds no privilege: the proxy checks everything (src/sandbox/egress/proxy.ts).

    forwarder.py --port PORT --socket PATH
        Listens, prints "rampart-egress-forwarder listening 127.0.0.1:PORT" (the actual port when
        PORT is 0) on stdout, then forwards until killed.

    forwarder.py --port PORT --socket PATH -- COMMAND [ARG...]
        Listens, then forks: the child forwards (stdio on /dev/null, exits when the command ends),
        this process execs COMMAND with HTTP_PROXY, HTTPS_PROXY, http_proxy, https_proxy pointing at
        the forwarder, NO_PROXY and no_proxy empty, NODE_USE_ENV_PROXY=1. The command keeps this
        process's pid, stdio and exit status; the listener is ready before it starts.

Errors before forwarding starts go to stderr as "rampart-egress-forwarder: ..." with exit status
125 (127 when COMMAND cannot be executed). Python standard library only, single thread (threads
would count against the sandbox's pids limit), bounded memory: one 64 KiB chunk per direction.
"""

import os
import resource
import selectors
import signal
import socket
import sys

NAME = "rampart-egress-forwarder"
CHUNK = 65536
MAX_CONNECTIONS = 256
USAGE = "usage: forwarder.py --port 0-65535 --socket PATH [-- COMMAND [ARG...]]"


def fail(message, status=125):
    sys.stderr.write(f"{NAME}: {message}\n")
    sys.stderr.flush()
    os._exit(status)


def parse_args(argv):
    port, path, command = None, None, None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            command = argv[i + 1 :]
            if not command:
                fail("no command after --")
            break
        if arg not in ("--port", "--socket") or i + 1 >= len(argv):
            fail(USAGE)
        value = argv[i + 1]
        if arg == "--port":
            if not (value.isascii() and value.isdigit() and int(value) <= 65535):
                fail(USAGE)
            port = int(value)
        else:
            path = value
        i += 2
    if port is None or not path:
        fail(USAGE)
    return port, path, command


def proxy_env(port):
    url = f"http://127.0.0.1:{port}"
    env = {name: url for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}
    env.update({"NO_PROXY": "", "no_proxy": "", "NODE_USE_ENV_PROXY": "1"})
    return env


class Pair:
    """One relayed connection: a TCP client and its Unix-socket connection to the proxy."""

    __slots__ = ("a", "b", "pending", "eof", "shut", "closed")

    def __init__(self, a, b):
        self.a, self.b = a, b
        self.pending = {a: b"", b: b""}  # bytes read from the peer, not yet written to this socket
        self.eof = {a: False, b: False}  # this socket has sent its end of stream
        self.shut = {a: False, b: False}  # we have shut down writing to this socket
        self.closed = False

    def peer(self, s):
        return self.b if s is self.a else self.a

    def events(self, s):
        ev = 0
        # Backpressure: read from a socket only when what it sent last has been written on.
        if not self.eof[s] and not self.pending[self.peer(s)]:
            ev |= selectors.EVENT_READ
        if self.pending[s]:
            ev |= selectors.EVENT_WRITE
        return ev

    def flush(self, s):
        if self.pending[s]:
            try:
                sent = s.send(self.pending[s])
            except BlockingIOError:
                sent = 0
            self.pending[s] = self.pending[s][sent:]
        if not self.pending[s] and self.eof[self.peer(s)] and not self.shut[s]:
            s.shutdown(socket.SHUT_WR)  # pass the half-close on: TLS and HTTP/1.0 rely on it
            self.shut[s] = True

    def read(self, s):
        try:
            data = s.recv(CHUNK)
        except BlockingIOError:
            return
        peer = self.peer(s)
        if data:
            self.pending[peer] = data
        else:
            self.eof[s] = True
        self.flush(peer)

    def done(self):
        return self.shut[self.a] and self.shut[self.b]


class Forwarder:
    def __init__(self, listener, path):
        self.listener = listener
        self.path = path
        self.selector = selectors.DefaultSelector()
        self.pairs = set()
        self.selector.register(listener, selectors.EVENT_READ, None)
        # Two descriptors a connection, under the open-files limit the sandbox sets (RLIMIT_NOFILE).
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        self.max_pairs = MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else max(1, min(MAX_CONNECTIONS, (soft - 16) // 2))

    def close_pair(self, pair):
        pair.closed = True
        self.pairs.discard(pair)
        for s in (pair.a, pair.b):
            try:
                self.selector.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()

    def update(self, pair):
        for s in (pair.a, pair.b):
            ev = pair.events(s)
            key = self.selector.get_map().get(s)
            if ev and key is None:
                self.selector.register(s, ev, pair)
            elif ev and key.events != ev:
                self.selector.modify(s, ev, pair)
            elif not ev and key is not None:
                self.selector.unregister(s)

    def accept(self):
        for _ in range(64):
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return  # nothing pending (EAGAIN), or EMFILE and the like: that connection is lost
            if len(self.pairs) >= self.max_pairs:
                client.close()
                continue
            try:
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            except OSError:
                client.close()
                continue
            upstream.setblocking(False)
            # A Unix-socket connect completes at once or fails (EAGAIN when the backlog is full).
            if upstream.connect_ex(self.path) != 0:
                upstream.close()
                client.close()
                continue
            client.setblocking(False)
            pair = Pair(client, upstream)
            self.pairs.add(pair)
            self.update(pair)

    def run(self, watch_parent=None):
        while True:
            for key, mask in self.selector.select(timeout=1.0):
                if key.data is None:
                    self.accept()
                    continue
                pair, s = key.data, key.fileobj
                if pair.closed:
                    continue
                try:
                    if mask & selectors.EVENT_WRITE:
                        pair.flush(s)
                    if mask & selectors.EVENT_READ:
                        pair.read(s)
                except OSError:
                    self.close_pair(pair)
                    continue
                if pair.done():
                    self.close_pair(pair)
                else:
                    self.update(pair)
            if watch_parent is not None and os.getppid() != watch_parent:
                return  # the command has ended (we were re-parented): nobody left to serve


def listen(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
    except OSError as e:
        fail(f"cannot listen on 127.0.0.1:{port}: {e.strerror}")
    listener.setblocking(False)
    return listener


def main(argv):
    port, path, command = parse_args(argv)
    listener = listen(port)
    port = listener.getsockname()[1]
    if command is None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        sys.stdout.write(f"{NAME} listening 127.0.0.1:{port}\n")
        sys.stdout.flush()
        Forwarder(listener, path).run()
        return
    parent = os.getpid()
    try:
        child = os.fork()
    except OSError as e:
        fail(f"cannot start: {e.strerror}")  # the sandbox's pids limit, most likely
    if child == 0:
        # Off the command's stdio, so its pipes close when the command exits, not when we do.
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        try:
            Forwarder(listener, path).run(watch_parent=parent)
        finally:
            os._exit(0)
    listener.close()
    env = dict(os.environ)
    env.update(proxy_env(port))
    # Python ignores these at start-up and exec would pass that on; the command gets the defaults.
    for name in ("SIGPIPE", "SIGXFSZ"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    try:
        os.execvpe(command[0], command, env)
    except OSError as e:
        fail(f"cannot execute {command[0]}: {e.strerror}", 127)


if __name__ == "__main__":
    main(sys.argv[1:])
