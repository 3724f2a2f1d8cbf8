// Copied unchanged from ../shared/bench/peers/raw-bun-ivr.ts.
// Ceiling for the FastAGI benchmark on this machine: the same 7-command path with no library at all
// (Bun.listen, split on newlines, a fixed script). Anything real is slower than this.
const port = Number(process.argv[2] || 4601);
const script = ["ANSWER", 'STREAM FILE custom/welcome-hq "0123456789*#"', "WAIT FOR DIGIT 3000", "EXEC Queue 10001",
  "GET VARIABLE DIALSTATUS", "GET VARIABLE MEMBERINTERFACE", "GET VARIABLE ANSWEREDTIME"];
Bun.listen<{ buf: string; step: number; env: boolean }>({
  hostname: "127.0.0.1", port,
  socket: {
    open(s) { s.data = { buf: "", step: 0, env: true }; },
    data(s, d) {
      const st = s.data; st.buf += d.toString();
      if (st.env) { const i = st.buf.indexOf("\n\n"); if (i < 0) return; st.buf = st.buf.slice(i + 2); st.env = false; s.write(script[st.step++] + "\n"); return; }
      let i;
      while ((i = st.buf.indexOf("\n")) >= 0) {
        st.buf = st.buf.slice(i + 1);
        if (st.step >= script.length) { s.end(); return; }
        s.write(script[st.step++] + "\n");
      }
    },
  },
});

export {};
