/**
 * The forwarder a program runs behind, in the sandbox (no network, only `lo`): it listens on
 * 127.0.0.1:8765, pipes each connection to /run/swe-sim/llm.sock, then runs the program (its
 * arguments) and exits with the program's status. In the two languages of the sandbox images, so
 * whichever the image has (python3 or node) serves; no file of the workspace is touched.
 */
export const FORWARDER_PORT = 8765;

export const FORWARD_PY = `import socket, subprocess, sys, threading

SOCKET = '/run/swe-sim/llm.sock'

def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def serve(client):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(SOCKET)
    except OSError:
        client.close()
        return
    back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
    back.start()
    pipe(client, upstream)
    back.join()
    client.close()
    upstream.close()

def accept(server):
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', ${FORWARDER_PORT}))
server.listen(64)
threading.Thread(target=accept, args=(server,), daemon=True).start()
sys.exit(subprocess.call(sys.argv[1:]))
`;

export const FORWARD_JS = `'use strict';
const net = require('net');
const os = require('os');
const { spawn } = require('child_process');

const server = net.createServer((client) => {
  const upstream = net.connect('/run/swe-sim/llm.sock');
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.pipe(upstream).pipe(client);
});
server.listen(${FORWARDER_PORT}, '127.0.0.1', () => {
  const program = spawn(process.argv[2], process.argv.slice(3), { stdio: 'inherit' });
  program.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] || 0)));
});
`;
