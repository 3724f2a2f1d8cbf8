/**
 * The benchmark's webhook receiver, in its own thread (a Worker) so that it does not share
 * the event loop of the product it receives from: answers every POST at once with 200.
 */
declare const self: Worker;

let received = 0;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: async (request) => {
    await request.arrayBuffer();
    received++;
    return new Response("ok");
  },
});
self.onmessage = () => self.postMessage({ received });
self.postMessage({ port: server.port });
