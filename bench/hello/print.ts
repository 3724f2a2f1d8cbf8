/** The floor for the per-call rows: a compiled Bun program that prints one line and exits. */
console.log("hello");
