#!/usr/bin/python3 -I
# web-infra: does a MySQL server answer on HOST PORT? Prints a status; exit 0 if it does. It logs in as a
# user that does not exist instead of dropping the connection after the greeting: MySQL blocks a host
# after max_connect_errors dropped handshakes, never for failed logins. Why: components/lib/userData.ts.
import socket
import struct
import sys

# CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH (MySQL >= 5.5)
FLAGS = 0x1 | 0x200 | 0x8000 | 0x80000

def read(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data

def receive(sock):
    header = read(sock, 4)
    return header[3], read(sock, int.from_bytes(header[:3], "little"))

def send(sock, sequence, payload):
    sock.sendall(len(payload).to_bytes(3, "little") + bytes([sequence & 0xFF]) + payload)

def login(sock, sequence, greeting):
    # The greeting ends with the server's authentication plugin: answer with it and an empty password.
    plugin = greeting.rstrip(b"\0").rsplit(b"\0", 1)[-1]
    user = b"web-infra-probe\0"
    send(sock, sequence + 1, struct.pack("<IIB23x", FLAGS, 1 << 24, 45) + user + b"\0" + plugin + b"\0")
    for _ in range(4):
        sequence, reply = receive(sock)
        if reply[:1] == b"\xfe":  # authentication method switch: an empty password again
            send(sock, sequence + 1, b"")
        elif reply[:1] == b"\x00":  # logged in (no password?): leave politely with COM_QUIT
            send(sock, 0, b"\x01")
            return
        elif reply[:2] != b"\x01\x03":  # ERR (access denied), or more than a probe can answer
            return

def probe(host, port, timeout):
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return "unreachable", 1
    with sock:
        try:
            sequence, greeting = receive(sock)
        except (OSError, EOFError):
            return "unreachable (no MySQL greeting)", 1
        if greeting[:1] == b"\xff":  # 1040 too many connections, 1129 host blocked, ...
            return "refusing connections (MySQL error %d)" % int.from_bytes(greeting[1:3], "little"), 1
        if greeting[:1] != b"\x0a":
            return "unreachable (not a MySQL greeting)", 1
        try:
            login(sock, sequence, greeting)
        except (OSError, EOFError):
            pass  # it answered as MySQL: how the login ended does not change that
        return "reachable", 0

if __name__ == "__main__":
    status, code = probe(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
    print(status)
    sys.exit(code)
