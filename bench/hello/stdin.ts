/**
 * The floor for the per-call memory row: a compiled Bun program that prints one line, then
 * waits on stdin as a per-call process waits inside EXEC Queue.
 */
console.log("hello");
await Bun.stdin.text();
export {};
