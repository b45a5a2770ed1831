// A child process of connections.test.mjs that holds many idle TCP connections, so that the test
// process's own descriptor limit does not bound how many a test opens.
//
//   node hold-connections.mjs <host> <port> <count> <source address,…>
//
// Opens <count> connections (sending nothing), spread over the source addresses, then prints one
// JSON line {"opened", "failed"}. Each line read from stdin is answered with {"open", "closed",
// "failed"}: how many are still open and how many the server has closed. Exits when stdin ends.
import net from 'node:net';
import readline from 'node:readline';

const [host, portText, countText, sourcesText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const sources = sourcesText.split(',');
const sockets = new Set();
let opened = 0;
let failed = 0;
let closed = 0;

function openOne(i) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, localAddress: sources[i % sources.length] });
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      opened += 1;
      sockets.add(socket);
      resolve();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (connected) {
        sockets.delete(socket);
        closed += 1;
      } else {
        failed += 1;
        resolve();
      }
    });
  });
}

// A few hundred connects in flight at a time: enough to be quick, few enough for the backlog.
const inFlight = 256;
let next = 0;
async function worker() {
  while (next < count) await openOne(next++);
}
await Promise.all(Array.from({ length: inFlight }, worker));
process.stdout.write(`${JSON.stringify({ opened, failed })}\n`);

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', () => process.stdout.write(`${JSON.stringify({ open: sockets.size, closed, failed })}\n`));
lines.on('close', () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
});
