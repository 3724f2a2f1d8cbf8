import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SSHD = "/usr/sbin/sshd";

export interface Sshd {
  port: number;
  /** user@127.0.0.1 */
  target: string;
  /** install.sh options that reach this sshd with its throwaway key. */
  sshArgs: string[];
  stop(): void;
}

async function freePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

async function run(cmd: string[]): Promise<void> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`${cmd.join(" ")}: ${await new Response(proc.stderr).text()}`);
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/**
 * A real OpenSSH server on 127.0.0.1 (Debian's openssh-server, installed by .ci/run) with a
 * throwaway host key and a throwaway client key, accepting only that key.
 */
export async function startSshd(): Promise<Sshd> {
  if (!(await Bun.file(SSHD).exists())) {
    throw new Error(`${SSHD} is missing: this test needs openssh-server (apt-get install openssh-server; .ci/run does it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "ivr-sshd-"));
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(dir, "client_key")]);
  writeFileSync(join(dir, "authorized_keys"), await Bun.file(join(dir, "client_key.pub")).text(), { mode: 0o600 });
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      "LogLevel ERROR",
    ].join("\n") + "\n",
  );
  mkdirSync("/run/sshd", { recursive: true }); // sshd's privilege separation directory
  const proc = Bun.spawn([SSHD, "-D", "-e", "-f", join(dir, "sshd_config")], { stdout: "ignore", stderr: "pipe" });
  const deadline = Date.now() + 10_000;
  while (!(await accepting(port))) {
    if (proc.exitCode !== null) throw new Error(`sshd exited: ${await new Response(proc.stderr).text()}`);
    if (Date.now() > deadline) throw new Error("sshd did not start listening");
    await Bun.sleep(20);
  }
  return {
    port,
    // Bun's os.userInfo() reads $USER, which CI shells may leave unset; ask the system.
    target: `${(await new Response(Bun.spawn(["id", "-un"], { stdout: "pipe" }).stdout).text()).trim()}@127.0.0.1`,
    sshArgs: [
      "--port",
      String(port),
      "--identity",
      join(dir, "client_key"),
      "--ssh-option",
      "StrictHostKeyChecking=no",
      "--ssh-option",
      "UserKnownHostsFile=/dev/null",
      "--ssh-option",
      "LogLevel=ERROR",
    ],
    stop: () => proc.kill(),
  };
}
